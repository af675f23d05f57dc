"""JSON shapes of the events API: events, registrations, participants and attendance."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from api.events.materials import MaterialView
from api.events.service import (
    Attendance,
    EventView,
    MyRegistration,
    RegistrationResult,
    RegistrationView,
)
from api.pagination import Page


class ModeSeatsOut(msgspec.Struct):
    mode: Annotated[str, msgspec.Meta(description="onsite（会場）または online（オンライン）")]
    capacity: int
    registered: int
    waiting: int
    seats_left: int


class EventOut(msgspec.Struct):
    """An event as the calendar shows it (no online URL: see `online_url` of EventDetailOut)."""

    id: int
    kind: Annotated[str, msgspec.Meta(description="open_event, seminar, community")]
    kind_label: str
    title: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    venue_name: str
    venue_address: str
    audience: Annotated[
        str, msgspec.Meta(description="anyone（どなたでも）または members（会員限定）")
    ]
    state: Annotated[str, msgspec.Meta(description="draft, published, cancelled")]
    registration_opens_at: datetime
    registration_closes_at: datetime
    registration_state: Annotated[
        str, msgspec.Meta(description="upcoming（受付前）, open, closed, cancelled")
    ]
    modes: list[ModeSeatsOut]
    url: str

    @classmethod
    def of(cls, view: EventView, now: datetime) -> EventOut:
        return cls(**_common(view, now))


def _common(view: EventView, now: datetime) -> dict[str, Any]:
    return {
        "id": view.id, "kind": view.kind, "kind_label": view.kind_label, "title": view.title,
        "summary": view.summary, "starts_at": view.starts_at, "ends_at": view.ends_at,
        "venue_name": view.venue_name, "venue_address": view.venue_address,
        "audience": view.audience, "state": view.state,
        "registration_opens_at": view.registration_opens_at,
        "registration_closes_at": view.registration_closes_at,
        "registration_state": view.registration_state(now),
        "modes": [
            ModeSeatsOut(
                mode=mode, capacity=view.capacity(mode), registered=view.counts.of(mode),
                waiting=view.counts.waiting_of(mode), seats_left=view.seats_left(mode),
            )
            for mode in view.modes
        ],
        "url": f"/events/{view.id}",
    }  # fmt: skip


class EventDetailOut(EventOut):
    """An event's page: its text, access and speakers too."""

    description: Annotated[str, msgspec.Meta(description="Markdown")]
    access_notes: str
    speakers: list[str]
    cancel_reason: str
    online_url: Annotated[
        str | None,
        msgspec.Meta(
            description="オンライン参加用URL。オンラインで参加登録した本人にだけ、開始1時間前から終了まで"
        ),
    ] = None

    @classmethod
    def of(cls, view: EventView, now: datetime, online_url: str | None) -> EventDetailOut:
        return cls(
            **_common(view, now), description=view.description, access_notes=view.access_notes,
            speakers=view.speaker_lines, cancel_reason=view.cancel_reason, online_url=online_url,
        )  # fmt: skip


class EventPage(msgspec.Struct):
    items: list[EventOut]
    total: int
    page: int
    per_page: int
    pages: int

    @classmethod
    def of(cls, result: Page[EventView], now: datetime) -> EventPage:
        return cls(
            items=[EventOut.of(view, now) for view in result.items], total=result.total,
            page=result.page, per_page=result.per_page, pages=result.pages,
        )  # fmt: skip


class EventIn(msgspec.Struct):
    """A whole event (POST creates a draft, PUT replaces every field). Times are ISO 8601 with
    an offset, or without one in Japan time."""

    kind: Annotated[str, msgspec.Meta(description="open_event, seminar, community")]
    title: str
    starts_at: str
    ends_at: str
    registration_opens_at: str
    registration_closes_at: str
    capacity_onsite: int = 0
    capacity_online: int = 0
    summary: str = ""
    description: Annotated[str, msgspec.Meta(description="Markdown（表示時にサニタイズ）")] = ""
    venue_name: str = ""
    venue_address: str = ""
    access_notes: str = ""
    online_url: Annotated[str, msgspec.Meta(description="https:// のURL（参加者にのみ表示）")] = ""
    audience: Annotated[str, msgspec.Meta(description="anyone または members")] = "anyone"
    speakers: Annotated[str, msgspec.Meta(description="1行に1人（氏名と所属）")] = ""

    def values(self) -> dict[str, Any]:
        values = msgspec.structs.asdict(self)
        values["capacity_onsite"] = str(self.capacity_onsite)
        values["capacity_online"] = str(self.capacity_online)
        return values


class MaterialOut(msgspec.Struct):
    id: int
    title: str
    file_name: str
    content_type: str
    size: int
    link_text: Annotated[str, msgspec.Meta(description="種類と大きさを添えたリンクの文言")]
    url: str

    @classmethod
    def of(cls, view: MaterialView) -> MaterialOut:
        return cls(
            id=view.id, title=view.title, file_name=view.file_name,
            content_type=view.content_type, size=view.size, link_text=view.link_text, url=view.url,
        )  # fmt: skip


class CancellationIn(msgspec.Struct):
    reason: str


class RegistrationIn(msgspec.Struct):
    name: str
    name_kana: Annotated[str, msgspec.Meta(description="カタカナ（ひらがなは変換します）")]
    email: str
    mode: Annotated[str, msgspec.Meta(description="onsite または online")]
    organisation_name: str = ""
    accessibility_needs: Annotated[
        str, msgspec.Meta(description="配慮してほしいこと（事務局だけが見ます）")
    ] = ""
    submission_key: Annotated[
        str, msgspec.Meta(description="任意。同じ値で再送しても登録は1件（二重送信対策）")
    ] = ""

    def values(self) -> dict[str, Any]:
        return msgspec.structs.asdict(self)


class MemberRegistrationIn(msgspec.Struct):
    mode: Annotated[str, msgspec.Meta(description="onsite または online")]
    accessibility_needs: str = ""
    account_id: Annotated[
        int | None,
        msgspec.Meta(description="会員管理者が同じ団体の同僚を登録するときのアカウントID"),
    ] = None


class RegistrationOut(msgspec.Struct):
    """What the registrant learns: the reference and whether they have a seat."""

    id: int
    event_id: int
    reference: str
    status: Annotated[str, msgspec.Meta(description="registered, waiting, cancelled")]
    mode: str
    created_at: datetime

    @classmethod
    def of(cls, view: RegistrationView) -> RegistrationOut:
        return cls(
            id=view.id, event_id=view.event_id, reference=view.reference, status=view.status,
            mode=view.mode, created_at=view.created_at,
        )  # fmt: skip

    @classmethod
    def of_result(cls, result: RegistrationResult) -> RegistrationOut:
        return cls.of(result.registration)


class MyRegistrationOut(msgspec.Struct):
    registration: RegistrationOut
    name: str
    event: EventOut

    @classmethod
    def of(cls, item: MyRegistration, now: datetime) -> MyRegistrationOut:
        return cls(
            registration=RegistrationOut.of(item.registration), name=item.registration.name,
            event=EventOut.of(item.event, now),
        )  # fmt: skip


class ParticipantOut(msgspec.Struct):
    """A registration with its personal data (the secretariat only)."""

    id: int
    reference: str
    name: str
    name_kana: str
    organisation_name: str
    email: str
    mode: str
    status: str
    is_member: bool
    accessibility_needs: str
    created_at: datetime
    promoted_at: datetime | None
    cancelled_at: datetime | None
    attended_at: datetime | None

    @classmethod
    def of(cls, view: RegistrationView) -> ParticipantOut:
        return cls(
            id=view.id, reference=view.reference, name=view.name, name_kana=view.name_kana,
            organisation_name=view.organisation_name, email=view.email, mode=view.mode,
            status=view.status, is_member=view.is_member,
            accessibility_needs=view.accessibility_needs, created_at=view.created_at,
            promoted_at=view.promoted_at, cancelled_at=view.cancelled_at,
            attended_at=view.attended_at,
        )  # fmt: skip


class ParticipantPage(msgspec.Struct):
    items: list[ParticipantOut]
    total: int
    page: int
    per_page: int
    pages: int

    @classmethod
    def of(cls, result: Page[RegistrationView]) -> ParticipantPage:
        return cls(
            items=[ParticipantOut.of(view) for view in result.items], total=result.total,
            page=result.page, per_page=result.per_page, pages=result.pages,
        )  # fmt: skip


class AttendanceIn(msgspec.Struct):
    attended: bool


class AnonymisedOut(msgspec.Struct):
    registrations: int


class AttendanceOut(msgspec.Struct):
    event_id: int
    title: str
    kind: str
    starts_at: datetime
    registered: int
    attended: int
    members_registered: int
    members_attended: int
    others_registered: int
    others_attended: int

    @classmethod
    def of(cls, row: Attendance) -> AttendanceOut:
        return cls(
            event_id=row.event.id, title=row.event.title, kind=row.event.kind,
            starts_at=row.event.starts_at, registered=row.registered, attended=row.attended,
            members_registered=row.members_registered, members_attended=row.members_attended,
            others_registered=row.others_registered, others_attended=row.others_attended,
        )  # fmt: skip
