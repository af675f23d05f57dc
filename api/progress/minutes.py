"""The minutes (議事録) of the monthly progress meetings with the prefecture.

Rules kept here for every caller (JSON routes and pages alike):
- Staff write minutes in Markdown (rendered through the publishing renderer and sanitiser);
  officials read them. Each is kept with the report of one month (by default the month of the
  meeting), whose report lists it.
- Approved minutes are fixed: they cannot be changed or removed until the approval is taken
  back. The approval names who approved them (a person or a body, e.g. 県DX推進課) and the
  moment it was recorded. Every change is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from api import clock, periods
from api.articles.markdown import render_markdown
from api.audit import service as audit
from api.dates import fiscal_year_range
from api.db import is_storable_id, transaction
from api.errors import Conflict, NotFound, ValidationFailed
from api.principal import Principal
from api.progress.fields import FieldReader
from api.progress.tables import MeetingMinutes
from api.text import lookup_text

MAX_TITLE, MAX_ATTENDEES, MAX_BODY, MAX_APPROVER = 120, 1000, 20_000, 60
NOT_FOUND = "議事録が見つかりませんでした。削除された可能性があります。"
FIXED = "承認済みの議事録は変更できません。承認を取り消してから編集してください。"
LABELS = {
    "held_on": "開催日", "report_month": "報告の月", "title": "会議名",
    "attendees": "出席者", "body": "議事録", "approved_by": "承認者",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class MinutesView:
    id: int
    held_on: date
    report_month: date
    title: str
    attendees: str
    body: str
    approved_at: datetime | None
    approved_by: str
    written_by: str  # the display name of who wrote them
    updated_at: datetime

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def status_label(self) -> str:
        return "承認済み" if self.is_approved else "下書き"

    @property
    def report_month_label(self) -> str:
        return periods.format_month(self.report_month)

    @property
    def body_html(self) -> str:
        return render_markdown(self.body)


@dataclass(frozen=True, slots=True)
class MinutesInput:
    held_on: date
    report_month: date
    title: str
    attendees: str
    body: str


def read_input(values: Mapping[str, Any]) -> MinutesInput:
    """Minutes in a form or a JSON body, or ValidationFailed naming every wrong field. The
    month of the report is 2026-11 (or a day in it); by default the meeting's month."""
    reader = FieldReader(values)
    held_on = reader.day("held_on", LABELS["held_on"], required=True)
    month_text = lookup_text(values.get("report_month"), 10)
    report_month = None
    if month_text:
        try:
            report_month = periods.parse_month(month_text[:7])
        except ValidationFailed:
            reader.problem(
                "report_month", "報告の月は 2026-11 の形で、今月までの月を選んでください。"
            )
    title = reader.text("title", LABELS["title"], MAX_TITLE, required=True)
    attendees = reader.text("attendees", LABELS["attendees"], MAX_ATTENDEES, multiline=True)
    body = reader.text("body", LABELS["body"], MAX_BODY, required=True, multiline=True)
    reader.done()
    assert held_on is not None
    month = (report_month or held_on).replace(day=1)
    return MinutesInput(held_on, month, title, attendees, body)


def _select() -> Any:
    return MeetingMinutes.select(
        *MeetingMinutes.all_columns(exclude=[MeetingMinutes.written_by]),
        MeetingMinutes.written_by.display_name.as_alias("written_by_name"),
    )


def _view(row: Mapping[str, Any]) -> MinutesView:
    return MinutesView(
        id=row["id"], held_on=row["held_on"], report_month=row["report_month"],
        title=row["title"], attendees=row["attendees"], body=row["body"],
        approved_at=row["approved_at"], approved_by=row["approved_by"],
        written_by=row["written_by_name"] or "", updated_at=row["updated_at"],
    )  # fmt: skip


async def minutes_of_year(year: int) -> list[MinutesView]:
    """The fiscal year's minutes (by the meeting's day), newest first; one query."""
    first, last = fiscal_year_range(year)
    rows = await (
        _select()
        .where((MeetingMinutes.held_on >= first) & (MeetingMinutes.held_on <= last))
        .order_by(MeetingMinutes.held_on, ascending=False)
        .order_by(MeetingMinutes.id, ascending=False)
    )
    return [_view(row) for row in rows]


async def minutes_of_months(first: date, last: date) -> list[MinutesView]:
    """The minutes kept with the reports of the months from `first` to `last` (the reports)."""
    rows = await (
        _select()
        .where((MeetingMinutes.report_month >= first) & (MeetingMinutes.report_month <= last))
        .order_by(MeetingMinutes.held_on)
        .order_by(MeetingMinutes.id)
    )
    return [_view(row) for row in rows]


async def get_minutes(minutes_id: int) -> MinutesView:
    row = None
    if is_storable_id(minutes_id):
        row = await _select().where(MeetingMinutes.id == minutes_id).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    return _view(row)


def _audited(minutes: MinutesView | MinutesInput) -> dict[str, Any]:
    return {
        "held_on": minutes.held_on.isoformat(), "report_month": minutes.report_month.isoformat(),
        "title": minutes.title, "body_length": len(minutes.body),
    }  # fmt: skip


async def create_minutes(actor: Principal, values: Mapping[str, Any]) -> int:
    minutes = read_input(values)
    async with transaction():
        rows = await MeetingMinutes.insert(
            MeetingMinutes(
                held_on=minutes.held_on, report_month=minutes.report_month, title=minutes.title,
                attendees=minutes.attendees, body=minutes.body, written_by=actor.account_id,
            )
        ).returning(MeetingMinutes.id)  # fmt: skip
        minutes_id = rows[0]["id"]
        await audit.record(
            actor, "minutes.create", "meeting_minutes", minutes_id, target_label=minutes.title,
            after=_audited(minutes),
        )  # fmt: skip
    return minutes_id


async def _unapproved(minutes_id: int) -> MinutesView:
    current = await get_minutes(minutes_id)
    if current.is_approved:
        raise Conflict(FIXED)
    return current


async def update_minutes(actor: Principal, minutes_id: int, values: Mapping[str, Any]) -> None:
    before = await _unapproved(minutes_id)
    minutes = read_input(values)
    async with transaction():
        await MeetingMinutes.update(
            {
                MeetingMinutes.held_on: minutes.held_on,
                MeetingMinutes.report_month: minutes.report_month,
                MeetingMinutes.title: minutes.title, MeetingMinutes.attendees: minutes.attendees,
                MeetingMinutes.body: minutes.body, MeetingMinutes.updated_at: clock.now(),
            }
        ).where(MeetingMinutes.id == minutes_id)  # fmt: skip
        await audit.record(
            actor, "minutes.update", "meeting_minutes", minutes_id, target_label=minutes.title,
            before=_audited(before), after=_audited(minutes),
        )  # fmt: skip


async def approve(actor: Principal, minutes_id: int, values: Mapping[str, Any]) -> None:
    """Record the approval and who gave it."""
    current = await _unapproved(minutes_id)
    reader = FieldReader(values)
    approver = reader.text("approved_by", LABELS["approved_by"], MAX_APPROVER, required=True)
    reader.done()
    async with transaction():
        await MeetingMinutes.update(
            {MeetingMinutes.approved_at: clock.now(), MeetingMinutes.approved_by: approver}
        ).where(MeetingMinutes.id == minutes_id)
        await audit.record(
            actor, "minutes.approve", "meeting_minutes", minutes_id,
            target_label=current.title, after={"approved_by": approver},
        )  # fmt: skip


async def withdraw_approval(actor: Principal, minutes_id: int) -> None:
    """Take the approval back, so that the minutes can be corrected."""
    current = await get_minutes(minutes_id)
    if not current.is_approved:
        return
    async with transaction():
        await MeetingMinutes.update(
            {MeetingMinutes.approved_at: None, MeetingMinutes.approved_by: ""}
        ).where(MeetingMinutes.id == minutes_id)
        await audit.record(
            actor, "minutes.unapprove", "meeting_minutes", minutes_id,
            target_label=current.title, before={"approved_by": current.approved_by},
        )  # fmt: skip


async def delete_minutes(actor: Principal, minutes_id: int) -> None:
    before = await _unapproved(minutes_id)
    async with transaction():
        await MeetingMinutes.delete().where(MeetingMinutes.id == minutes_id)
        await audit.record(
            actor, "minutes.delete", "meeting_minutes", minutes_id, target_label=before.title,
            before=_audited(before),
        )  # fmt: skip


def form_values(minutes: MinutesView) -> dict[str, str]:
    """Stored minutes as the form shows them."""
    return {
        "held_on": minutes.held_on.isoformat(),
        "report_month": periods.month_period(minutes.report_month).code,
        "title": minutes.title, "attendees": minutes.attendees, "body": minutes.body,
    }  # fmt: skip
