"""Events: staff run the consortium's events; people register, wait for a seat and cancel.

Rules kept here for every caller (JSON routes and pages alike):
- Staff (the secretariat) create, change, publish and cancel events; drafts are theirs alone.
- Published events with the audience "anyone" are public; members-only seminars show to
  members of an active organisation and to the secretariat, and only they may register.
- Registration is open from the opening time until the closing time (and never after the
  start). Each attendance mode has its own capacity; when it is full, a registration goes on
  that mode's waiting list. A cancelled place goes to the first person waiting, who is mailed.
- One live registration per e-mail address and event; a cancelled one does not count.
- Two people taking the last seat at once: the capacity check and the insert run in one write
  transaction that holds the event (IMMEDIATE on SQLite, the event's row locked on PostgreSQL).
- The online URL shows only to registered online participants, from an hour before the start.
- Registrants' personal data (accessibility needs above all) is for the secretariat only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from api import clock
from api.accounts.service import rate_limit
from api.accounts.tables import Account
from api.articles.service import list_event_info
from api.audit.service import record
from api.dates import JST, fiscal_year, fiscal_year_span, format_datetime
from api.db import (
    contains,
    is_postgres,
    is_storable_id,
    is_unique_violation,
    placeholders,
    transaction,
)
from api.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from api.events.calendar import calendar_of
from api.events.mails import SIGNATURE, compose
from api.events.reference import (
    AUDIENCE_LABELS,
    KIND_LABELS,
    MAX_CANCEL_REASON,
    MODE_LABELS,
    ONLINE_URL_LEAD,
    REGISTRATION_STATUS_LABELS,
    STATE_LABELS,
    Audience,
    EventState,
    Mode,
    RegistrationStatus,
)
from api.events.tables import Event, EventRegistration
from api.events.validation import EventInput, RegistrationInput
from api.mail.service import Attachment, queue_mail
from api.members.directory import SECRETARIAT
from api.members.service import own_organisation_id
from api.members.validation import normalize_kana
from api.pagination import Page, PageRequest
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from api.text import clean, lookup_text, required_text_problem, text_problem

EVENT_NOT_FOUND = "お探しの催しは見つかりませんでした。"
REGISTRATION_NOT_FOUND = "お申し込みが見つかりませんでした。"
INVALID_CANCEL_LINK = "キャンセル用のリンクが正しくないか、有効期限が切れています。"
DUPLICATE_EMAIL = (
    "このメールアドレスでは既にお申し込みいただいています。"
    "内容の確認・キャンセルはお申し込み時のメールのリンクから行えます。"
)
MEMBERS_ONLY = "この催しは会員限定です。会員団体のアカウントでログインしてお申し込みください。"


# --- views -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    """Live registrations of an event per mode: registered and waiting."""

    registered: dict[str, int] = field(default_factory=dict)
    waiting: dict[str, int] = field(default_factory=dict)
    attended: dict[str, int] = field(default_factory=dict)

    def of(self, mode: str) -> int:
        return self.registered.get(mode, 0)

    def waiting_of(self, mode: str) -> int:
        return self.waiting.get(mode, 0)

    def attended_of(self, mode: str) -> int:
        return self.attended.get(mode, 0)


@dataclass(frozen=True, slots=True)
class EventView:
    id: int
    kind: str
    title: str
    summary: str
    description: str
    starts_at: datetime
    ends_at: datetime
    venue_name: str
    venue_address: str
    access_notes: str
    capacity_onsite: int
    capacity_online: int
    registration_opens_at: datetime
    registration_closes_at: datetime
    audience: str
    speakers: str
    state: str
    cancel_reason: str
    published_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    reminder_sent_at: datetime | None = None
    counts: Counts = field(default_factory=Counts)
    # Staff only (the edit form); every other reader goes through online_url_for().
    online_url: str = field(default="", repr=False)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def audience_label(self) -> str:
        return AUDIENCE_LABELS.get(self.audience, self.audience)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def members_only(self) -> bool:
        return self.audience == Audience.MEMBERS

    @property
    def cancelled(self) -> bool:
        return self.state == EventState.CANCELLED

    @property
    def published(self) -> bool:
        return self.state == EventState.PUBLISHED

    @property
    def modes(self) -> tuple[str, ...]:
        """The attendance modes offered, on site first."""
        return tuple(
            mode
            for mode, capacity in (
                (Mode.ONSITE, self.capacity_onsite),
                (Mode.ONLINE, self.capacity_online),
            )
            if capacity > 0
        )

    @property
    def hybrid(self) -> bool:
        return len(self.modes) == 2

    def capacity(self, mode: str) -> int:
        return {Mode.ONSITE: self.capacity_onsite, Mode.ONLINE: self.capacity_online}.get(mode, 0)

    def seats_left(self, mode: str) -> int:
        return max(0, self.capacity(mode) - self.counts.of(mode))

    def full(self, mode: str) -> bool:
        return self.seats_left(mode) == 0

    def registration_state(self, now: datetime) -> str:
        """upcoming (not yet open), open, closed, or cancelled."""
        if self.cancelled:
            return "cancelled"
        if now < self.registration_opens_at:
            return "upcoming"
        if now >= self.registration_closes_at or now >= self.starts_at:
            return "closed"
        return "open"

    def past(self, now: datetime) -> bool:
        return self.ends_at <= now

    @property
    def speaker_lines(self) -> list[str]:
        return [line.strip() for line in self.speakers.splitlines() if line.strip()]

    @property
    def fiscal_year(self) -> int:
        return fiscal_year(self.starts_at)

    @property
    def when_text(self) -> str:
        """「2027年2月10日(水) 13:30〜16:00」 in Japan time (the end's date when it differs)."""
        starts, ends = self.starts_at.astimezone(JST), self.ends_at.astimezone(JST)
        if starts.date() == ends.date():
            return f"{format_datetime(starts)}〜{ends:%H:%M}"
        return f"{format_datetime(starts)}〜{format_datetime(ends)}"


@dataclass(frozen=True, slots=True)
class RegistrationView:
    id: int
    event_id: int
    reference: str
    account_id: int | None
    organisation_id: int | None
    registered_by_id: int | None
    name: str
    name_kana: str
    organisation_name: str
    email: str
    mode: str
    accessibility_needs: str
    is_member: bool
    status: str
    created_at: datetime
    promoted_at: datetime | None
    cancelled_at: datetime | None
    attended_at: datetime | None
    anonymised_at: datetime | None

    @property
    def mode_label(self) -> str:
        return MODE_LABELS.get(self.mode, self.mode)

    @property
    def status_label(self) -> str:
        return REGISTRATION_STATUS_LABELS.get(self.status, self.status)

    @property
    def live(self) -> bool:
        return self.status != RegistrationStatus.CANCELLED

    @property
    def attended(self) -> bool:
        return self.attended_at is not None


@dataclass(frozen=True, slots=True)
class RegistrationResult:
    registration: RegistrationView
    event: EventView
    cancel_token: str
    replayed: bool = False  # the same form was posted again (a double click)

    @property
    def waiting(self) -> bool:
        return self.registration.status == RegistrationStatus.WAITING


def _event_view(row: dict[str, Any], counts: Counts | None = None) -> EventView:
    return EventView(
        id=row["id"], kind=row["kind"], title=row["title"], summary=row["summary"],
        description=row["description"], starts_at=row["starts_at"], ends_at=row["ends_at"],
        venue_name=row["venue_name"], venue_address=row["venue_address"],
        access_notes=row["access_notes"], capacity_onsite=row["capacity_onsite"],
        capacity_online=row["capacity_online"],
        registration_opens_at=row["registration_opens_at"],
        registration_closes_at=row["registration_closes_at"], audience=row["audience"],
        speakers=row["speakers"], state=row["state"], cancel_reason=row["cancel_reason"],
        published_at=row["published_at"], cancelled_at=row["cancelled_at"],
        created_at=row["created_at"], updated_at=row["updated_at"],
        reminder_sent_at=row["reminder_sent_at"], counts=counts or Counts(),
        online_url=row["online_url"],
    )  # fmt: skip


def _registration_view(row: dict[str, Any]) -> RegistrationView:
    return RegistrationView(
        id=row["id"], event_id=row["event"], reference=row["reference"],
        account_id=row["account"], organisation_id=row["organisation"],
        registered_by_id=row["registered_by"], name=row["name"],
        name_kana=row["name_kana"], organisation_name=row["organisation_name"],
        email=row["email"], mode=row["mode"], accessibility_needs=row["accessibility_needs"],
        is_member=bool(row["is_member"]), status=row["status"], created_at=row["created_at"],
        promoted_at=row["promoted_at"], cancelled_at=row["cancelled_at"],
        attended_at=row["attended_at"], anonymised_at=row["anonymised_at"],
    )  # fmt: skip


async def _counts_of(event_ids: list[int]) -> dict[int, Counts]:
    """Live registrations of several events per mode and status (one query)."""
    found: dict[int, Counts] = {event_id: Counts() for event_id in event_ids}
    if not event_ids:
        return found
    rows = await EventRegistration.raw(
        "SELECT event, mode, status, COUNT(*) AS registrations, COUNT(attended_at) AS attended "  # noqa: S608
        "FROM event_registration WHERE status <> 'cancelled' "
        f"AND event IN ({placeholders(event_ids)}) GROUP BY event, mode, status",
        *event_ids,
    )
    for row in rows:
        counts = found[row["event"]]
        registered = row["status"] == RegistrationStatus.REGISTERED
        (counts.registered if registered else counts.waiting)[row["mode"]] = row["registrations"]
        if registered:
            counts.attended[row["mode"]] = row["attended"]
    return found


# --- access ----------------------------------------------------------------------------------


def is_secretariat(principal: Principal | None) -> bool:
    return principal is not None and bool(principal.roles & SECRETARIAT)


def _require_secretariat(actor: Principal) -> None:
    if not is_secretariat(actor):
        raise PermissionDenied("催しの管理は事務局のみが行えます。")


def is_member(principal: Principal | None) -> bool:
    """A person of an active member organisation."""
    return (
        principal is not None
        and principal.organisation_id is not None
        and principal.organisation_active
        and bool(principal.roles & {Role.MEMBER_USER, Role.MEMBER_ADMIN})
    )


def _sees_members_only(principal: Principal | None) -> bool:
    return is_member(principal) or is_secretariat(principal)


def _visible(principal: Principal | None) -> list[Any]:
    """Events a reader may see: published or cancelled ones (a cancelled event keeps its page,
    marked), members-only ones for members and the secretariat."""
    clauses: list[Any] = [Event.state.is_in([EventState.PUBLISHED, EventState.CANCELLED])]
    if not _sees_members_only(principal):
        clauses.append(Event.audience == Audience.ANYONE)
    return clauses


async def _event_row(event_id: int, *clauses: Any) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    if is_storable_id(event_id):
        rows = await Event.select().where(Event.id == event_id, *clauses)
    if not rows:
        raise NotFound(EVENT_NOT_FOUND)
    return rows[0]


async def _view_of(row: dict[str, Any]) -> EventView:
    return _event_view(row, (await _counts_of([row["id"]]))[row["id"]])


# --- the secretariat's side ------------------------------------------------------------------


def _checked(data: EventInput) -> None:
    if errors := data.problems():
        raise ValidationFailed(errors)


def _fields(data: EventInput) -> dict[Any, Any]:
    return {
        Event.kind: data.kind,
        Event.title: data.title,
        Event.summary: data.summary,
        Event.description: data.description,
        Event.starts_at: data.starts_at,
        Event.ends_at: data.ends_at,
        Event.venue_name: data.venue_name,
        Event.venue_address: data.venue_address,
        Event.access_notes: data.access_notes,
        Event.online_url: data.online_url,
        Event.capacity_onsite: data.capacity_onsite,
        Event.capacity_online: data.capacity_online,
        Event.registration_opens_at: data.registration_opens_at,
        Event.registration_closes_at: data.registration_closes_at,
        Event.audience: data.audience,
        Event.speakers: data.speakers,
    }


def _snapshot(view: EventView) -> dict[str, Any]:
    return {
        "kind": view.kind,
        "title": view.title,
        "starts_at": view.starts_at.isoformat(),
        "capacity_onsite": view.capacity_onsite,
        "capacity_online": view.capacity_online,
        "state": view.state,
    }


async def create_event(actor: Principal, data: EventInput) -> EventView:
    """A new event, as a draft."""
    _require_secretariat(actor)
    _checked(data)
    now = clock.now()
    async with transaction():
        rows = await Event.insert(
            Event(
                {
                    **_fields(data),
                    Event.state: EventState.DRAFT,
                    Event.created_by: actor.account_id,
                    Event.created_at: now,
                    Event.updated_at: now,
                }
            )
        ).returning(Event.id)
        view = _event_view(await _event_row(rows[0]["id"]))
        await record(
            actor, "event.create", "event", view.id, target_label=view.title, after=_snapshot(view)
        )
    return view


async def get_event_for_staff(actor: Principal, event_id: int) -> EventView:
    _require_secretariat(actor)
    return await _view_of(await _event_row(event_id))


async def update_event(
    settings: Settings, actor: Principal, event_id: int, data: EventInput
) -> EventView:
    """Change an event. A capacity below the places already given is refused; a larger one
    moves people up from the waiting list (they are mailed)."""
    _require_secretariat(actor)
    _checked(data)
    async with transaction():
        await _lock_event(event_id)
        before = await _view_of(await _event_row(event_id))
        if before.cancelled:
            raise Conflict("中止した催しは変更できません。")
        errors = {
            f"capacity_{mode}": f"定員は登録済みの人数（{before.counts.of(mode)}人）より少なくできません。"
            for mode, capacity in (
                (Mode.ONSITE, data.capacity_onsite),
                (Mode.ONLINE, data.capacity_online),
            )
            if capacity < before.counts.of(mode)
        }
        if errors:
            raise ValidationFailed(errors)
        await Event.update({**_fields(data), Event.updated_at: clock.now()}).where(
            Event.id == event_id
        )
        view = await _view_of(await _event_row(event_id))
        for mode in view.modes:
            await _promote(settings, view, mode)
        view = await _view_of(await _event_row(event_id))
        await record(
            actor, "event.update", "event", event_id, target_label=view.title,
            before=_snapshot(before), after=_snapshot(view),
        )  # fmt: skip
    return view


async def publish_event(actor: Principal, event_id: int) -> EventView:
    _require_secretariat(actor)
    async with transaction():
        view = _event_view(await _event_row(event_id))
        if view.cancelled:
            raise Conflict("中止した催しは公開できません。")
        if not view.published:
            await Event.update(
                {
                    Event.state: EventState.PUBLISHED,
                    Event.published_at: clock.now(),
                    Event.updated_at: clock.now(),
                }
            ).where(Event.id == event_id)
            await record(actor, "event.publish", "event", event_id, target_label=view.title)
    return await _view_of(await _event_row(event_id))


async def cancel_event(
    settings: Settings, actor: Principal, event_id: int, reason: object
) -> EventView:
    """Call an event off: it stays listed as cancelled and every live registrant is mailed."""
    _require_secretariat(actor)
    text = clean(reason, MAX_CANCEL_REASON)
    if not text:
        raise ValidationFailed(
            {"reason": "中止の理由を入力してください（参加申込者へのメールに記載されます）。"}
        )
    if problem := text_problem(text, "中止の理由", MAX_CANCEL_REASON, multiline=True):
        raise ValidationFailed({"reason": problem})
    async with transaction():
        await _lock_event(event_id)
        view = _event_view(await _event_row(event_id))
        if view.cancelled:
            raise Conflict("この催しは既に中止になっています。")
        now = clock.now()
        await Event.update(
            {
                Event.state: EventState.CANCELLED,
                Event.cancel_reason: text,
                Event.cancelled_at: now,
                Event.updated_at: now,
            }
        ).where(Event.id == event_id)
        view = _event_view(await _event_row(event_id))
        calendar = calendar_attachment(settings, view)
        for registration in await _live_registrations(event_id):
            await _mail(settings, "cancelled_event", view, registration, calendar)
        await record(
            actor,
            "event.cancel",
            "event",
            event_id,
            target_label=view.title,
            after={"reason": text},
        )
    return await _view_of(await _event_row(event_id))


async def list_events_for_staff(actor: Principal, state: str, page: PageRequest) -> Page[EventView]:
    """Every event, the latest start first, optionally of one state."""
    _require_secretariat(actor)
    clauses = [Event.state == state] if state in STATE_LABELS else []
    return await _page(clauses, page, newest_first=True)


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Filters of the calendar as typed; values outside the lists are ignored."""

    kind: str = ""
    month: str = ""  # YYYY-MM, Japan time
    when: str = "upcoming"  # upcoming or past

    def cleaned(self) -> EventFilter:
        month = lookup_text(self.month, 7)
        return EventFilter(
            kind=self.kind if self.kind in KIND_LABELS or self.kind == NOTICE else "",
            month=month if month_range(month) is not None else "",
            when=self.when if self.when in ("upcoming", "past") else "upcoming",
        )


def month_range(month: str) -> tuple[datetime, datetime] | None:
    """The start of a month (YYYY-MM) and of the next, in Japan time; None when not a month."""
    if len(month) != 7 or month[4] != "-" or not (month[:4].isdigit() and month[5:].isdigit()):
        return None
    year, number = int(month[:4]), int(month[5:])
    if not (2000 <= year <= 2100 and 1 <= number <= 12):
        return None
    start = datetime(year, number, 1, tzinfo=JST)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=JST)
    return start, end


async def _page(clauses: list[Any], page: PageRequest, *, newest_first: bool) -> Page[EventView]:
    rows = (
        await Event.select()
        .where(*clauses)
        .order_by(Event.starts_at, ascending=not newest_first)
        .order_by(Event.id, ascending=not newest_first)
        .limit(page.per_page)
        .offset(page.offset)
    )
    total = await Event.count().where(*clauses)
    counts = await _counts_of([row["id"] for row in rows])
    return Page(
        [_event_view(row, counts[row["id"]]) for row in rows], total, page.page, page.per_page
    )


async def list_events(
    principal: Principal | None, filters: EventFilter, page: PageRequest
) -> Page[EventView]:
    """The calendar: upcoming events soonest first, or past ones latest first (three queries)."""
    filters = filters.cleaned()
    clauses = _visible(principal)
    now = clock.now()
    if filters.when == "past":
        clauses.append(Event.ends_at <= now)
    else:
        clauses.append(Event.ends_at > now)
    if filters.kind == NOTICE:
        clauses.append(Event.id < 0)  # notices only: none of the consortium's own events
    elif filters.kind:
        clauses.append(Event.kind == filters.kind)
    if span := month_range(filters.month):
        clauses.extend([Event.starts_at >= span[0], Event.starts_at < span[1]])
    return await _page(clauses, page, newest_first=filters.when == "past")


async def get_event(principal: Principal | None, event_id: int) -> EventView:
    """An event's page: published or cancelled ones as the calendar shows them; the secretariat
    also reads drafts."""
    if is_secretariat(principal):
        return await _view_of(await _event_row(event_id))
    return await _view_of(await _event_row(event_id, *_visible(principal)))


async def upcoming_public_events(limit: int = 100) -> list[EventView]:
    """Public events that have not ended (the iCalendar feed), soonest first; cancelled ones
    stay so that calendars learn of the cancellation."""
    rows = (
        await Event.select()
        .where(*_visible(None), Event.ends_at > clock.now())
        .order_by(Event.starts_at)
        .limit(limit)
    )
    return [_event_view(row) for row in rows]


# --- the calendar: the consortium's events beside other organisers' notices ----------------

NOTICE = "notice"  # the calendar's kind for event notices (articles) of other organisers
CALENDAR_KIND_LABELS: dict[str, str] = {**KIND_LABELS, NOTICE: "他団体のイベント"}
MAX_CALENDAR_PAGE = 50  # a page merges the first page*per_page rows of both sources


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One line of the calendar: a consortium event (with its seats) or a notice."""

    kind: str
    title: str
    summary: str
    starts_at: datetime | None
    ends_at: datetime | None
    url: str
    place: str
    event: EventView | None = None  # the consortium's own event
    organiser: str = ""  # a notice's organiser

    @property
    def kind_label(self) -> str:
        return CALENDAR_KIND_LABELS.get(self.kind, self.kind)


def _place(view: EventView) -> str:
    if not view.modes:
        return ""
    if view.hybrid:
        return f"{view.venue_name}／オンライン"
    return view.venue_name if view.modes == (Mode.ONSITE,) else "オンライン"


def entry_of(view: EventView) -> CalendarEntry:
    return CalendarEntry(
        kind=view.kind, title=view.title, summary=view.summary, starts_at=view.starts_at,
        ends_at=view.ends_at, url=f"/events/{view.id}", place=_place(view), event=view,
    )  # fmt: skip


async def calendar_page(
    principal: Principal | None, filters: EventFilter, page: PageRequest
) -> Page[CalendarEntry]:
    """The consortium's events and other organisers' notices in one list, merged by start
    (each source read up to the end of the page asked for, so a page costs a bounded read)."""
    filters = filters.cleaned()
    page = PageRequest(min(page.page, MAX_CALENDAR_PAGE), page.per_page)
    upto = PageRequest(1, page.page * page.per_page)
    entries: list[CalendarEntry] = []
    total = 0
    if filters.kind != NOTICE:
        own = await list_events(principal, filters, upto)
        total += own.total
        entries += [entry_of(view) for view in own.items]
    if filters.kind in ("", NOTICE):
        notices = await list_event_info(
            filters.when == "upcoming", upto, starting_within=month_range(filters.month)
        )
        total += notices.total
        entries += [
            CalendarEntry(
                kind=NOTICE,
                title=item.title,
                summary=item.summary,
                starts_at=item.event_starts_at,
                ends_at=item.event_ends_at,
                url=f"/event-info/{item.slug}",
                place=item.venue + ("／オンライン" if item.online and item.venue else "")
                or ("オンライン" if item.online else ""),
                organiser=item.organiser,
            )
            for item in notices.items
        ]
    far = datetime.max.replace(tzinfo=JST)
    if filters.when == "past":
        entries.sort(key=lambda entry: entry.starts_at or far, reverse=True)
    else:
        entries.sort(key=lambda entry: entry.starts_at or far)
    return Page(entries[page.offset : page.offset + page.per_page], total, page.page, page.per_page)


# --- registering -----------------------------------------------------------------------------


def new_reference() -> str:
    # No 0/O or 1/I: read aloud on the phone to the secretariat.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "EV-" + "".join(secrets.choice(alphabet) for _ in range(8))


def check_open(view: EventView, principal: Principal | None) -> None:
    """Refuse a registration the event does not take now, with the reason."""
    if view.members_only and not is_member(principal):
        raise PermissionDenied(MEMBERS_ONLY)
    state = view.registration_state(clock.now())
    if state == "cancelled":
        raise Conflict("この催しは中止になりました。")
    if state == "upcoming":
        raise Conflict(f"申込の受付は{format_datetime(view.registration_opens_at)}からです。")
    if state == "closed":
        raise Conflict("申込の受付は終了しました。")


async def _lock_event(event_id: int) -> None:
    """Hold the event until the transaction ends. SQLite's write transactions are IMMEDIATE and
    already exclusive; PostgreSQL locks the event's row."""
    if is_postgres() and is_storable_id(event_id):
        await Event.select(Event.id).where(Event.id == event_id).lock_rows()


async def _registration_by_email(event_id: int, email_key: str) -> dict[str, Any] | None:
    rows = await EventRegistration.select().where(
        EventRegistration.event == event_id,
        EventRegistration.email_key == email_key,
        EventRegistration.status != RegistrationStatus.CANCELLED,
    )
    return rows[0] if rows else None


async def check_registration(
    principal: Principal | None, event_id: int, values: dict[str, Any]
) -> tuple[EventView, RegistrationInput]:
    """The 確認 step of the form: what was typed, checked, nothing written."""
    view = await get_event(principal, event_id)
    check_open(view, principal)
    data = RegistrationInput.from_mapping(values)
    errors = data.problems(view.modes)
    if not errors and await _registration_by_email(view.id, data.email):
        errors["email"] = DUPLICATE_EMAIL
    if errors:
        raise ValidationFailed(errors)
    return view, data


# Registrations from one client address in an hour, signed in or not: an office's colleagues
# register one by one; someone filling an open event with made-up addresses is stopped.
REGISTRATIONS_PER_HOUR = 30
RATE_LIMITED = (
    "短い時間に多くのお申し込みがありました。しばらく時間をおいてからお申し込みください。"
    "お急ぎの場合は事務局にご連絡ください。"
)


async def register(
    settings: Settings,
    principal: Principal | None,
    event_id: int,
    values: dict[str, Any],
    client_address: str = "",
) -> RegistrationResult:
    """The 完了 step of the form (open events; a signed-in member registers the same way)."""
    data = RegistrationInput.from_mapping(values)
    if data.submission_key:
        replay = await _by_submission_key(settings, data.submission_key)
        if replay is not None and replay.event.id == event_id:
            return replay
    view, data = await check_registration(principal, event_id, values)
    await rate_limit(
        f"event-registration:{client_address}", REGISTRATIONS_PER_HOUR, 60, RATE_LIMITED,
        "event_registration",
    )  # fmt: skip
    organisation_id = principal.organisation_id if is_member(principal) else None
    return await _register(
        settings, view, data, principal=principal, account_id=principal.account_id if principal else None,
        organisation_id=organisation_id,
    )  # fmt: skip


async def register_member(
    settings: Settings,
    principal: Principal,
    event_id: int,
    mode: object,
    accessibility_needs: object = "",
    account_id: int | None = None,
) -> RegistrationResult:
    """A member registers in one step with the account's data; a member admin may register a
    colleague of the same organisation (account_id)."""
    organisation_id = own_organisation_id(principal)
    view = await get_event(principal, event_id)
    check_open(view, principal)
    target = principal.account_id if account_id is None else account_id
    if target != principal.account_id and Role.MEMBER_ADMIN not in principal.roles:
        raise PermissionDenied("同僚の参加登録は会員管理者のみが行えます。")
    person = await _member_person(target, organisation_id)
    data = RegistrationInput.from_mapping(
        {**person, "mode": mode, "accessibility_needs": accessibility_needs}
    )
    errors = {
        key: value
        for key, value in data.problems(view.modes).items()
        if key in ("mode", "accessibility_needs")
    }
    if await _registration_by_email(view.id, data.email):
        errors["email"] = (
            DUPLICATE_EMAIL
            if target == principal.account_id
            else "この方は既にお申し込み済みです。"
        )
    if errors:
        raise ValidationFailed(errors)
    return await _register(
        settings,
        view,
        data,
        principal=principal,
        account_id=target,
        organisation_id=organisation_id,
    )


async def colleagues_to_register(principal: Principal) -> list[tuple[str, str]]:
    """(account id, name) of the active colleagues a member admin may register (one query);
    empty for everyone else."""
    if Role.MEMBER_ADMIN not in principal.roles or not is_member(principal):
        return []
    rows = (
        await Account.select(Account.id, Account.display_name)
        .where(
            Account.organisation == principal.organisation_id,
            Account.is_active.eq(True),
            Account.id != principal.account_id,
        )
        .order_by(Account.display_name)
        .limit(200)
    )
    return [(str(row["id"]), row["display_name"]) for row in rows]


async def _member_person(account_id: int, organisation_id: int) -> dict[str, str]:
    """Name, e-mail and organisation of an active account of the organisation."""
    rows = []
    if is_storable_id(account_id):
        rows = await Account.select(
            Account.email, Account.display_name, Account.organisation.name
        ).where(
            Account.id == account_id,
            Account.organisation == organisation_id,
            Account.is_active.eq(True),
        )
    if not rows:
        raise NotFound("同じ団体の有効なアカウントが見つかりませんでした。")
    row = rows[0]
    return {
        "name": row["display_name"][:60],
        "email": row["email"],
        "organisation_name": row["organisation.name"] or "",
    }


async def _register(
    settings: Settings,
    view: EventView,
    data: RegistrationInput,
    *,
    principal: Principal | None,
    account_id: int | None,
    organisation_id: int | None,
) -> RegistrationResult:
    try:
        async with transaction():
            await _lock_event(view.id)
            # Read again under the lock: the counts decide between a seat and the waiting list.
            current = await _view_of(await _event_row(view.id))
            check_open(current, principal)
            if await _registration_by_email(view.id, data.email):
                raise ValidationFailed({"email": DUPLICATE_EMAIL})
            status = (
                RegistrationStatus.WAITING
                if current.full(data.mode)
                else RegistrationStatus.REGISTERED
            )
            rows = await EventRegistration.insert(
                EventRegistration(
                    {
                        EventRegistration.event: view.id,
                        EventRegistration.account: account_id,
                        EventRegistration.organisation: organisation_id,
                        EventRegistration.registered_by: principal.account_id
                        if principal
                        else None,
                        EventRegistration.reference: new_reference(),
                        EventRegistration.submission_key: data.submission_key or None,
                        EventRegistration.name: data.name,
                        EventRegistration.name_kana: data.name_kana,
                        EventRegistration.organisation_name: data.organisation_name,
                        EventRegistration.email: data.email,
                        EventRegistration.email_key: data.email,
                        EventRegistration.mode: data.mode,
                        EventRegistration.accessibility_needs: data.accessibility_needs,
                        EventRegistration.is_member: organisation_id is not None,
                        EventRegistration.status: status,
                        EventRegistration.created_at: clock.now(),
                    }
                )
            ).returning(EventRegistration.id)
            registration = await _registration(rows[0]["id"])
            await _mail(
                settings,
                "registered" if status == RegistrationStatus.REGISTERED else "waiting",
                current,
                registration,
            )
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        # A concurrent registration with the same address or the same form won the race.
        if data.submission_key and (
            replay := await _by_submission_key(settings, data.submission_key)
        ):
            return replay
        raise ValidationFailed({"email": DUPLICATE_EMAIL}) from None
    return RegistrationResult(
        registration,
        await _view_of(await _event_row(view.id)),
        cancel_token(settings, registration, current),
    )


async def _by_submission_key(settings: Settings, key: str) -> RegistrationResult | None:
    rows = await EventRegistration.select().where(EventRegistration.submission_key == key)
    if not rows:
        return None
    registration = _registration_view(rows[0])
    event = await _view_of(await _event_row(registration.event_id))
    return RegistrationResult(
        registration, event, cancel_token(settings, registration, event), replayed=True
    )


async def registration_by_reference(
    event_id: int, reference: str
) -> tuple[RegistrationView, EventView]:
    """The completion page's registration: the reference shows only its status and event."""
    rows = []
    if is_storable_id(event_id) and len(reference) <= 16:
        rows = await EventRegistration.select().where(
            EventRegistration.event == event_id, EventRegistration.reference == reference
        )
    if not rows:
        raise NotFound("受付番号が見つかりませんでした。お申し込みの際のメールをご確認ください。")
    registration = _registration_view(rows[0])
    return registration, _event_view(await _event_row(event_id))


async def _registration(registration_id: int) -> RegistrationView:
    rows = []
    if is_storable_id(registration_id):
        rows = await EventRegistration.select().where(EventRegistration.id == registration_id)
    if not rows:
        raise NotFound(REGISTRATION_NOT_FOUND)
    return _registration_view(rows[0])


async def _live_registrations(event_id: int) -> list[RegistrationView]:
    rows = (
        await EventRegistration.select()
        .where(
            EventRegistration.event == event_id,
            EventRegistration.status != RegistrationStatus.CANCELLED,
        )
        .order_by(EventRegistration.id)
    )
    return [_registration_view(row) for row in rows]


async def _promote(settings: Settings, view: EventView, mode: str) -> list[RegistrationView]:
    """Give free seats of a mode to the people waiting longest (inside the caller's transaction,
    which holds the event); each one is mailed."""
    counts = (await _counts_of([view.id]))[view.id]
    free = view.capacity(mode) - counts.of(mode)
    if free <= 0 or view.cancelled:
        return []
    rows = (
        await EventRegistration.select(EventRegistration.id)
        .where(
            EventRegistration.event == view.id,
            EventRegistration.mode == mode,
            EventRegistration.status == RegistrationStatus.WAITING,
        )
        .order_by(EventRegistration.id)
        .limit(free)
    )
    promoted = []
    calendar = calendar_attachment(settings, view) if rows else None
    for row in rows:
        await EventRegistration.update(
            {
                EventRegistration.status: RegistrationStatus.REGISTERED,
                EventRegistration.promoted_at: clock.now(),
            }
        ).where(EventRegistration.id == row["id"])
        registration = await _registration(row["id"])
        await _mail(settings, "promoted", view, registration, calendar)
        promoted.append(registration)
    return promoted


# --- cancelling a registration ---------------------------------------------------------------


def _signature(settings: Settings, registration_id: int, expires: int) -> str:
    message = f"event-registration-cancel:{registration_id}:{expires}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def cancel_token(settings: Settings, registration: RegistrationView, event: EventView) -> str:
    """The signed part of the cancellation link in the mails; it expires when the event ends."""
    expires = int(event.ends_at.timestamp())
    # Hyphens, not dots: mail programs end an auto-linked URL at a dot more readily.
    return f"{registration.id}-{expires}-{_signature(settings, registration.id, expires)}"


def _token_registration_id(settings: Settings, token: str) -> int:
    invalid = NotFound(INVALID_CANCEL_LINK)
    parts = token.split("-")
    if len(token) > 200 or len(parts) != 3 or not (parts[0].isdigit() and parts[1].isdigit()):
        raise invalid
    registration_id, expires = int(parts[0]), int(parts[1])
    if not hmac.compare_digest(_signature(settings, registration_id, expires), parts[2]):
        raise invalid
    if expires <= clock.now().timestamp() or not is_storable_id(registration_id):
        raise invalid
    return registration_id


async def registration_by_token(
    settings: Settings, token: str
) -> tuple[RegistrationView, EventView]:
    """The registration a cancellation link names (for its confirmation page)."""
    registration = await _registration(_token_registration_id(settings, token))
    return registration, await _view_of(await _event_row(registration.event_id))


async def cancel_by_token(settings: Settings, token: str) -> RegistrationView:
    """Cancel through the signed link of the confirmation mail."""
    return await _cancel(settings, None, _token_registration_id(settings, token))


async def cancel_registration(
    settings: Settings, principal: Principal, registration_id: int
) -> RegistrationView:
    """Cancel one's own registration (or one a member admin made for a colleague); the
    secretariat may cancel any."""
    return await _cancel(settings, principal, registration_id)


async def _cancel(
    settings: Settings, principal: Principal | None, registration_id: int
) -> RegistrationView:
    async with transaction():
        registration = await _registration(registration_id)
        if (
            principal is not None
            and not is_secretariat(principal)
            and principal.account_id not in (registration.account_id, registration.registered_by_id)
        ):
            raise NotFound(REGISTRATION_NOT_FOUND)
        if not registration.live:
            return registration  # cancelled already: the link stays harmless
        await _lock_event(registration.event_id)
        view = _event_view(await _event_row(registration.event_id))
        if view.past(clock.now()):
            raise Conflict("終了した催しのお申し込みはキャンセルできません。")
        await EventRegistration.update(
            {
                EventRegistration.status: RegistrationStatus.CANCELLED,
                EventRegistration.cancelled_at: clock.now(),
            }
        ).where(EventRegistration.id == registration_id)
        cancelled = await _registration(registration_id)
        await _mail(settings, "cancelled_registration", view, cancelled)
        if registration.status == RegistrationStatus.REGISTERED:
            await _promote(settings, view, registration.mode)
        await record(
            principal,
            "event.registration.cancel",
            "event_registration",
            registration_id,
            target_label=view.title,
        )
    return cancelled


# --- a registrant's side ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MyRegistration:
    registration: RegistrationView
    event: EventView


async def my_registrations(
    principal: Principal, upcoming_only: bool = True
) -> list[MyRegistration]:
    """The live registrations a member made for themselves or for colleagues (two queries)."""
    clauses: list[Any] = [
        (EventRegistration.account == principal.account_id)
        | (EventRegistration.registered_by == principal.account_id),
        EventRegistration.status != RegistrationStatus.CANCELLED,
    ]
    if upcoming_only:
        clauses.append(EventRegistration.event.ends_at > clock.now())
    rows = (
        await EventRegistration.select().where(*clauses).order_by(EventRegistration.id).limit(200)
    )
    event_ids = sorted({row["event"] for row in rows})
    events = {
        row["id"]: _event_view(row)
        for row in (await Event.select().where(Event.id.is_in(event_ids)) if event_ids else [])
    }
    found = [MyRegistration(_registration_view(row), events[row["event"]]) for row in rows]
    return sorted(found, key=lambda item: (item.event.starts_at, item.registration.id))


async def own_registration(principal: Principal | None, event_id: int) -> RegistrationView | None:
    """The reader's own live registration for an event, if any."""
    if principal is None or not is_storable_id(event_id):
        return None
    rows = await EventRegistration.select().where(
        EventRegistration.event == event_id,
        EventRegistration.account == principal.account_id,
        EventRegistration.status != RegistrationStatus.CANCELLED,
    )
    return _registration_view(rows[0]) if rows else None


def online_url_for(
    view: EventView, registration: RegistrationView | None, now: datetime
) -> str | None:
    """The online URL for a registered online participant, from an hour before the start until
    the end; None for everyone and every time else."""
    if (
        registration is None
        or registration.event_id != view.id
        or registration.status != RegistrationStatus.REGISTERED
        or registration.mode != Mode.ONLINE
        or view.cancelled
        or not view.online_url
    ):
        return None
    if not (view.starts_at - ONLINE_URL_LEAD <= now < view.ends_at):
        return None
    return view.online_url


# --- participants, check-in and attendance (the secretariat) ---------------------------------


async def list_participants(
    actor: Principal, event_id: int, q: object, status: str, page: PageRequest
) -> tuple[EventView, Page[RegistrationView]]:
    """An event and its registrations in the order they came, searched by name, kana,
    organisation or e-mail address (four queries)."""
    _require_secretariat(actor)
    view = await _view_of(await _event_row(event_id))
    clauses: list[Any] = [EventRegistration.event == event_id]
    if status in REGISTRATION_STATUS_LABELS:
        clauses.append(EventRegistration.status == status)
    text = lookup_text(q, 60)
    if text:
        kana = normalize_kana(text)  # きくち finds キクチ
        clauses.append(
            contains(EventRegistration.name, text)
            | contains(EventRegistration.name_kana, kana)
            | contains(EventRegistration.organisation_name, text)
            | contains(EventRegistration.email, text)
        )
    rows = (
        await EventRegistration.select()
        .where(*clauses)
        .order_by(EventRegistration.id)
        .limit(page.per_page)
        .offset(page.offset)
    )
    total = await EventRegistration.count().where(*clauses)
    return view, Page([_registration_view(row) for row in rows], total, page.page, page.per_page)


async def all_participants(actor: Principal, event_id: int) -> list[RegistrationView]:
    """Every registration of an event, cancelled ones too (the export)."""
    _require_secretariat(actor)
    await _event_row(event_id)
    rows = (
        await EventRegistration.select()
        .where(EventRegistration.event == event_id)
        .order_by(EventRegistration.id)
    )
    return [_registration_view(row) for row in rows]


async def check_in(
    actor: Principal, event_id: int, registration_id: int, attended: bool
) -> RegistrationView:
    """Mark a registered person as attended (or undo it) at the door."""
    _require_secretariat(actor)
    registration = await _registration(registration_id)
    if registration.event_id != event_id:
        raise NotFound(REGISTRATION_NOT_FOUND)
    if registration.status != RegistrationStatus.REGISTERED:
        raise Conflict(
            "参加登録済みの方のみ受付できます（キャンセル待ち・キャンセル済みの方は受付できません）。"
        )
    await EventRegistration.update(
        {EventRegistration.attended_at: clock.now() if attended else None}
    ).where(EventRegistration.id == registration_id)
    return await _registration(registration_id)


async def anonymise_event(actor: Principal, event_id: int) -> int:
    """Blank the personal data of an ended event's registrations; the counts stay for the
    reports. Returns how many registrations were anonymised."""
    _require_secretariat(actor)
    async with transaction():
        view = _event_view(await _event_row(event_id))
        if not view.past(clock.now()) and not view.cancelled:
            raise Conflict("個人情報の匿名化は催しの終了後に行えます。")
        rows = await EventRegistration.select(EventRegistration.id).where(
            EventRegistration.event == event_id, EventRegistration.anonymised_at.is_null()
        )
        for row in rows:
            await EventRegistration.update(
                {
                    EventRegistration.name: "（匿名化済み）",
                    EventRegistration.name_kana: "",
                    EventRegistration.organisation_name: "",
                    EventRegistration.email: "",
                    # Unique per event among live ones: the id keeps the key distinct.
                    EventRegistration.email_key: f"anonymised-{row['id']}",
                    EventRegistration.accessibility_needs: "",
                    EventRegistration.submission_key: None,
                    EventRegistration.anonymised_at: clock.now(),
                }
            ).where(EventRegistration.id == row["id"])
        await record(
            actor,
            "event.anonymise",
            "event",
            event_id,
            target_label=view.title,
            after={"registrations": len(rows)},
        )
    return len(rows)


@dataclass(frozen=True, slots=True)
class Attendance:
    event: EventView
    registered: int
    attended: int
    members_registered: int
    members_attended: int

    @property
    def others_registered(self) -> int:
        return self.registered - self.members_registered

    @property
    def others_attended(self) -> int:
        return self.attended - self.members_attended


async def attendance(actor: Principal, year: int) -> list[Attendance]:
    """Per event of a fiscal year: registered and attended, members and others (two queries).
    Staff and officials read it."""
    if not (is_secretariat(actor) or Role.OFFICIAL in actor.roles):
        raise PermissionDenied("参加状況は事務局と県の担当者のみが閲覧できます。")
    start, end = fiscal_year_span(year)
    rows = (
        await Event.select()
        .where(Event.state == EventState.PUBLISHED, Event.starts_at >= start, Event.starts_at < end)
        .order_by(Event.starts_at)
    )
    ids = [row["id"] for row in rows]
    figures: dict[int, dict[str, int]] = {i: {} for i in ids}
    if ids:
        for row in await EventRegistration.raw(
            "SELECT event, is_member, COUNT(*) AS registered, COUNT(attended_at) AS attended "  # noqa: S608
            f"FROM event_registration WHERE status = 'registered' AND event IN ({placeholders(ids)}) "
            "GROUP BY event, is_member",
            *ids,
        ):
            target = figures[row["event"]]
            target["registered"] = target.get("registered", 0) + row["registered"]
            target["attended"] = target.get("attended", 0) + row["attended"]
            if row["is_member"]:
                target["members_registered"] = row["registered"]
                target["members_attended"] = row["attended"]
    return [
        Attendance(
            event=_event_view(row),
            registered=figures[row["id"]].get("registered", 0),
            attended=figures[row["id"]].get("attended", 0),
            members_registered=figures[row["id"]].get("members_registered", 0),
            members_attended=figures[row["id"]].get("members_attended", 0),
        )
        for row in rows
    ]


# --- mails -----------------------------------------------------------------------------------


def event_url(settings: Settings, event_id: int) -> str:
    return f"{settings.public_base_url}/events/{event_id}"


def cancel_url(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url}/events/cancel/{token}"


# Mails that carry the event's .ics (a calendar adds it, or learns of the cancellation).
_WITH_CALENDAR = frozenset({"registered", "promoted", "reminder", "cancelled_event"})


def event_calendar(settings: Settings, views: list[EventView], name: str) -> bytes:
    """The iCalendar text of events, each linking to its page."""
    return calendar_of(views, {view.id: event_url(settings, view.id) for view in views}, name)


def calendar_attachment(settings: Settings, event: EventView) -> Attachment:
    """The event's .ics as a mail attachment."""
    text = event_calendar(settings, [event], event.title).decode()
    return Attachment(f"event-{event.id}.ics", "text/calendar", text)


async def _mail(
    settings: Settings,
    kind: str,
    event: EventView,
    registration: RegistrationView,
    calendar: Attachment | None = None,
) -> None:
    """Queue one mail to a registrant in the caller's transaction (sent by the worker). A loop
    over an event's registrants passes the event's calendar, made once."""
    if not registration.email:
        return  # anonymised
    online = (
        event.online_url
        if registration.mode == Mode.ONLINE
        and registration.status == RegistrationStatus.REGISTERED
        and (kind == "reminder" or event.reminder_sent_at is not None)
        and kind != "cancelled_event"
        else ""
    )
    subject, body = compose(
        kind, event, registration,
        event_url=event_url(settings, event.id),
        cancel_url=cancel_url(settings, cancel_token(settings, registration, event)),
        online_url=online,
    )  # fmt: skip
    attachments: tuple[Attachment, ...] = ()
    if kind in _WITH_CALENDAR:
        attachments = (calendar or calendar_attachment(settings, event),)
    await queue_mail(registration.email, subject, body, attachments)


# --- the day-before reminder -----------------------------------------------------------------

REMINDER_LEAD = timedelta(days=1)


async def send_due_reminders(settings: Settings) -> list[int]:
    """Remind the registered people of events starting within a day. The event is marked in
    the transaction that queues the mails, so each event is reminded once, whatever restarts or
    how many workers look."""
    now = clock.now()
    due = await Event.select(Event.id).where(
        Event.state == EventState.PUBLISHED,
        Event.reminder_sent_at.is_null(),
        Event.starts_at > now,
        Event.starts_at <= now + REMINDER_LEAD,
    )
    reminded = []
    for row in due:
        async with transaction():
            claimed = (
                await Event.update({Event.reminder_sent_at: now})
                .where(Event.id == row["id"], Event.reminder_sent_at.is_null())
                .returning(Event.id)
            )
            if not claimed:
                continue  # another worker took it
            view = _event_view(await _event_row(row["id"]))
            calendar = calendar_attachment(settings, view)
            for registration in await _live_registrations(view.id):
                if registration.status == RegistrationStatus.REGISTERED:
                    await _mail(settings, "reminder", view, registration, calendar)
        reminded.append(row["id"])
    return reminded


# --- exports and mail to registrants (the secretariat) ---------------------------------------

PARTICIPANT_HEADER = (
    "受付番号", "氏名", "フリガナ", "所属", "メールアドレス", "参加方法", "状態", "会員",
    "配慮事項", "申込日時", "出席",
)  # fmt: skip
ATTENDANCE_HEADER = (
    "催し", "種類", "開催日", "申込（参加登録）", "出席", "会員の申込", "会員の出席",
    "会員以外の申込", "会員以外の出席",
)  # fmt: skip


def participant_rows(registrations: Iterable[RegistrationView]) -> list[tuple[Any, ...]]:
    """The participant list as spreadsheet rows (times in Japan time, without the zone)."""
    return [
        (
            r.reference,
            r.name,
            r.name_kana,
            r.organisation_name,
            r.email,
            r.mode_label,
            r.status_label,
            "会員" if r.is_member else "",
            r.accessibility_needs,
            r.created_at.astimezone(JST).replace(tzinfo=None),
            "出席" if r.attended else "",
        )
        for r in registrations
    ]


def attendance_rows(rows: Iterable[Attendance]) -> list[tuple[Any, ...]]:
    return [
        (
            row.event.title,
            row.event.kind_label,
            row.event.starts_at.astimezone(JST).date(),
            row.registered,
            row.attended,
            row.members_registered,
            row.members_attended,
            row.others_registered,
            row.others_attended,
        )
        for row in rows
    ]


RECIPIENTS = {
    "registered": "参加登録済みの方",
    "waiting": "キャンセル待ちの方",
    "all": "参加登録済みとキャンセル待ちの方",
}
MAX_MAIL_SUBJECT = 120
MAX_MAIL_BODY = 5_000


@dataclass(frozen=True, slots=True)
class RegistrantMail:
    """A mail to the registrants of an event, checked: who gets it and what they read."""

    event: EventView
    recipients: str
    subject: str
    body: str
    count: int

    @property
    def recipients_label(self) -> str:
        return RECIPIENTS[self.recipients]


async def _recipients(event_id: int, recipients: str) -> list[RegistrationView]:
    live = await _live_registrations(event_id)
    wanted = {
        "registered": {RegistrationStatus.REGISTERED},
        "waiting": {RegistrationStatus.WAITING},
    }.get(recipients, {RegistrationStatus.REGISTERED, RegistrationStatus.WAITING})
    return [r for r in live if r.status in wanted and r.email]


async def check_registrant_mail(
    actor: Principal, event_id: int, recipients: object, subject: object, body: object
) -> RegistrantMail:
    """The preview of a mail to an event's registrants (nothing is sent): the count and text."""
    _require_secretariat(actor)
    view = await _view_of(await _event_row(event_id))
    chosen = lookup_text(recipients, 20)
    title = clean(subject, MAX_MAIL_SUBJECT)
    text = ("" if body is None else str(body)).replace("\r\n", "\n").strip()[: MAX_MAIL_BODY + 1]
    errors: dict[str, str] = {}
    if chosen not in RECIPIENTS:
        errors["recipients"] = "送信先を選んでください。"
    if problem := required_text_problem(title, "件名", MAX_MAIL_SUBJECT):
        errors["subject"] = problem
    if problem := required_text_problem(text, "本文", MAX_MAIL_BODY, multiline=True):
        errors["body"] = problem
    if errors:
        raise ValidationFailed(errors)
    count = len(await _recipients(event_id, chosen))
    if count == 0:
        raise ValidationFailed({"recipients": "この送信先に当てはまる方がいません。"})
    return RegistrantMail(view, chosen, title, text, count)


async def send_registrant_mail(
    settings: Settings,
    actor: Principal,
    event_id: int,
    recipients: object,
    subject: object,
    body: object,
) -> int:
    """Queue the mail to each registrant (through the outbox, in one transaction); returns how
    many were queued."""
    mail = await check_registrant_mail(actor, event_id, recipients, subject, body)
    async with transaction():
        people = await _recipients(event_id, mail.recipients)
        for registration in people:
            text = (
                f"{registration.name} 様\n\n{mail.body}\n\n"
                f"催し: {mail.event.title}（{mail.event.when_text}）\n"
                f"催しのページ: {event_url(settings, event_id)}\n"
                f"受付番号: {registration.reference}\n\n{SIGNATURE}\n"
            )
            await queue_mail(registration.email, mail.subject, text)
        await record(
            actor, "event.mail", "event", event_id, target_label=mail.event.title,
            after={"recipients": mail.recipients, "subject": mail.subject, "count": len(people)},
        )  # fmt: skip
    return len(people)
