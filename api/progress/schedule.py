"""The fiscal year's schedule agreed with the prefecture: tasks and milestones with owners,
due dates and status.

Rules kept here for every caller (JSON routes and pages alike):
- Staff add, change and remove items; officials read them. Every change is audited.
- An item belongs to the fiscal year of its due date (April to March).
- Status is stored as not started, in progress or done; "late" is read, never stored: an item
  not done whose due date has passed is late. Marking an item done notes the day (Japan time);
  taking the mark back clears it.
- The status on a past day (a month's report) is read from the same facts: done only if it was
  done by then, late if its due date had passed by then.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from api import clock
from api.audit import service as audit
from api.dates import fiscal_year, today
from api.db import is_storable_id, transaction
from api.errors import NotFound
from api.principal import Principal
from api.progress.fields import FieldReader
from api.progress.tables import ScheduleItem

KIND_LABELS = {"task": "作業", "milestone": "マイルストーン"}
STORED_STATUSES = {"not_started": "未着手", "in_progress": "進行中", "done": "完了"}
STATUS_LABELS = {**STORED_STATUSES, "late": "遅れ"}
STATUS_ORDER = ("late", "in_progress", "not_started", "done")
MAX_TITLE, MAX_OWNER, MAX_NOTES = 120, 60, 2000
NOT_FOUND = "スケジュールの項目が見つかりませんでした。削除された可能性があります。"
LABELS = {
    "kind": "種類", "title": "項目名", "owner": "担当", "starts_on": "開始日",
    "due_on": "期限", "status": "状況", "notes": "備考",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ScheduleItemView:
    id: int
    fiscal_year: int
    kind: str
    title: str
    owner: str
    starts_on: date | None
    due_on: date
    status: str  # as stored: not_started, in_progress or done
    done_on: date | None
    notes: str
    updated_at: datetime

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def status_on(self, day: date) -> str:
        """The status at the end of `day`: done, late, in progress or not started."""
        if self.status == "done" and (self.done_on is None or self.done_on <= day):
            return "done"
        if self.due_on < day:
            return "late"
        if self.status == "done":  # done only after `day`: it was under way then
            return (
                "in_progress" if self.starts_on is None or self.starts_on <= day else "not_started"
            )
        return self.status

    @property
    def current_status(self) -> str:
        return self.status_on(today())

    @property
    def current_status_label(self) -> str:
        return STATUS_LABELS[self.current_status]


@dataclass(frozen=True, slots=True)
class ScheduleInput:
    """An item as typed, checked: what is stored."""

    kind: str
    title: str
    owner: str
    starts_on: date | None
    due_on: date
    status: str
    notes: str


def read_input(values: Mapping[str, Any]) -> ScheduleInput:
    """The item in a form or a JSON body, or ValidationFailed naming every wrong field."""
    fields = FieldReader(values)
    kind = fields.choice("kind", LABELS["kind"], KIND_LABELS, default="task")
    title = fields.text("title", LABELS["title"], MAX_TITLE, required=True)
    owner = fields.text("owner", LABELS["owner"], MAX_OWNER, required=True)
    starts_on = fields.day("starts_on", LABELS["starts_on"])
    due_on = fields.day("due_on", LABELS["due_on"], required=True)
    status = fields.choice("status", LABELS["status"], STORED_STATUSES, default="not_started")
    notes = fields.text("notes", LABELS["notes"], MAX_NOTES, multiline=True)
    if starts_on and due_on and starts_on > due_on:
        fields.problem("starts_on", "開始日は期限より前の日付にしてください。")
    fields.done()
    assert due_on is not None
    return ScheduleInput(kind, title, owner, starts_on, due_on, status, notes)


def _view(row: Mapping[str, Any]) -> ScheduleItemView:
    return ScheduleItemView(
        id=row["id"], fiscal_year=row["fiscal_year"], kind=row["kind"], title=row["title"],
        owner=row["owner"], starts_on=row["starts_on"], due_on=row["due_on"],
        status=row["status"], done_on=row["done_on"], notes=row["notes"],
        updated_at=row["updated_at"],
    )  # fmt: skip


async def items_of_year(year: int) -> list[ScheduleItemView]:
    """The fiscal year's items by due date (one query; a year's schedule is a few dozen)."""
    rows = await (
        ScheduleItem.select()
        .where(ScheduleItem.fiscal_year == year)
        .order_by(ScheduleItem.due_on)
        .order_by(ScheduleItem.id)
    )
    return [_view(row) for row in rows]


def with_status(items: list[ScheduleItemView], status: str) -> list[ScheduleItemView]:
    """The items whose status today is `status` (all of them for an empty one)."""
    return [item for item in items if not status or item.current_status == status]


def status_counts(items: list[ScheduleItemView], day: date) -> dict[str, int]:
    """How many items stand at each status at the end of `day`, in STATUS_ORDER."""
    counts = Counter(item.status_on(day) for item in items)
    return {status: counts.get(status, 0) for status in STATUS_ORDER}


async def get_item(item_id: int) -> ScheduleItemView:
    row = None
    if is_storable_id(item_id):
        row = await ScheduleItem.select().where(ScheduleItem.id == item_id).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    return _view(row)


def _stored(item: ScheduleInput, done_on: date | None) -> dict[str, Any]:
    return {
        "fiscal_year": fiscal_year(item.due_on), "kind": item.kind, "title": item.title,
        "owner": item.owner, "starts_on": item.starts_on, "due_on": item.due_on,
        "status": item.status, "done_on": done_on, "notes": item.notes,
    }  # fmt: skip


def _audited(item: ScheduleItemView | ScheduleInput) -> dict[str, Any]:
    return {
        "kind": item.kind, "title": item.title, "owner": item.owner,
        "starts_on": item.starts_on.isoformat() if item.starts_on else None,
        "due_on": item.due_on.isoformat(), "status": item.status,
    }  # fmt: skip


async def create_item(actor: Principal, values: Mapping[str, Any]) -> int:
    item = read_input(values)
    done_on = today() if item.status == "done" else None
    async with transaction():
        rows = await ScheduleItem.insert(ScheduleItem(**_stored(item, done_on))).returning(
            ScheduleItem.id
        )
        item_id = rows[0]["id"]
        await audit.record(
            actor, "schedule.create", "schedule_item", item_id, target_label=item.title,
            after=_audited(item),
        )  # fmt: skip
    return item_id


async def update_item(actor: Principal, item_id: int, values: Mapping[str, Any]) -> None:
    before = await get_item(item_id)
    item = read_input(values)
    if item.status != "done":
        done_on = None
    else:
        done_on = before.done_on if before.status == "done" and before.done_on else today()
    async with transaction():
        await ScheduleItem.update(
            {**_stored(item, done_on), ScheduleItem.updated_at: clock.now()}
        ).where(ScheduleItem.id == item_id)
        await audit.record(
            actor, "schedule.update", "schedule_item", item_id, target_label=item.title,
            before=_audited(before), after=_audited(item),
        )  # fmt: skip


async def delete_item(actor: Principal, item_id: int) -> None:
    before = await get_item(item_id)
    async with transaction():
        await ScheduleItem.delete().where(ScheduleItem.id == item_id)
        await audit.record(
            actor, "schedule.delete", "schedule_item", item_id, target_label=before.title,
            before=_audited(before),
        )  # fmt: skip


def form_values(item: ScheduleItemView) -> dict[str, str]:
    """A stored item as the form shows it."""
    return {
        "kind": item.kind, "title": item.title, "owner": item.owner,
        "starts_on": item.starts_on.isoformat() if item.starts_on else "",
        "due_on": item.due_on.isoformat(), "status": item.status, "notes": item.notes,
    }  # fmt: skip
