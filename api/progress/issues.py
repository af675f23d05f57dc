"""The issues list (課題管理) of the project with the prefecture: what is at stake, who owns
it, what is being done, and what was decided by whom.

Rules kept here for every caller (JSON routes and pages alike):
- Staff add and change entries (and remove one entered by mistake); officials read them.
  Every change is audited.
- Status: open (未対応), in progress (対応中), resolved (解決済み). Resolving needs the
  actions taken or a decision; the day it is resolved is noted (Japan time) and cleared when
  it is opened again.
- A decision names who decided it; its day defaults to today.
- The list shows the open entries first by default, newest raised first, a page at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from api import clock
from api.audit import service as audit
from api.dates import today
from api.db import is_storable_id, transaction
from api.errors import NotFound
from api.pagination import Page, PageRequest
from api.principal import Principal
from api.progress.fields import FieldReader
from api.progress.tables import ProjectIssue

STATUS_LABELS = {"open": "未対応", "in_progress": "対応中", "resolved": "解決済み"}
# The list's filters: the unresolved entries (the default), the resolved ones, or all.
FILTER_LABELS = {"unresolved": "未解決（未対応・対応中）", "resolved": "解決済み", "all": "すべて"}
MAX_TITLE, MAX_OWNER, MAX_TEXT, MAX_DECISION, MAX_DECIDED_BY = 120, 60, 4000, 2000, 60
NOT_FOUND = "課題が見つかりませんでした。削除された可能性があります。"
LABELS = {
    "title": "課題", "details": "内容", "owner": "担当", "raised_on": "起票日",
    "due_on": "対応期限", "status": "状況", "actions": "対応内容", "decision": "決定事項",
    "decided_by": "決定者", "decided_on": "決定日",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class IssueView:
    id: int
    title: str
    details: str
    owner: str
    raised_on: date
    due_on: date | None
    status: str
    actions: str
    decision: str
    decided_by: str
    decided_on: date | None
    resolved_on: date | None
    updated_at: datetime

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def number(self) -> str:
        return f"課題{self.id}"

    @property
    def is_overdue(self) -> bool:
        return self.status != "resolved" and self.due_on is not None and self.due_on < today()

    def open_on(self, day: date) -> bool:
        """Whether the entry stood unresolved at the end of `day`."""
        return self.raised_on <= day and (self.resolved_on is None or self.resolved_on > day)


@dataclass(frozen=True, slots=True)
class IssueInput:
    title: str
    details: str
    owner: str
    raised_on: date
    due_on: date | None
    status: str
    actions: str
    decision: str
    decided_by: str
    decided_on: date | None


def read_input(values: Mapping[str, Any]) -> IssueInput:
    """The entry in a form or a JSON body, or ValidationFailed naming every wrong field."""
    reader = FieldReader(values)
    title = reader.text("title", LABELS["title"], MAX_TITLE, required=True)
    details = reader.text("details", LABELS["details"], MAX_TEXT, multiline=True)
    owner = reader.text("owner", LABELS["owner"], MAX_OWNER, required=True)
    raised_on = reader.day("raised_on", LABELS["raised_on"]) or today()
    due_on = reader.day("due_on", LABELS["due_on"])
    status = reader.choice("status", LABELS["status"], STATUS_LABELS, default="open")
    actions = reader.text("actions", LABELS["actions"], MAX_TEXT, multiline=True)
    decision = reader.text("decision", LABELS["decision"], MAX_DECISION, multiline=True)
    decided_by = reader.text("decided_by", LABELS["decided_by"], MAX_DECIDED_BY)
    decided_on = reader.day("decided_on", LABELS["decided_on"])
    if raised_on > today():
        reader.problem("raised_on", "起票日に未来の日付は指定できません。")
    if due_on and due_on < raised_on:
        reader.problem("due_on", "対応期限は起票日以降の日付にしてください。")
    if decision and not decided_by:
        reader.problem(
            "decided_by", "決定事項を書いたときは、決定者（例: 県DX推進課）を入力してください。"
        )
    if (decided_by or decided_on) and not decision:
        reader.problem("decision", "決定者や決定日を入力したときは、決定事項も入力してください。")
    if status == "resolved" and not (actions or decision):
        reader.problem("status", "解決済みにするには、対応内容か決定事項を入力してください。")
    reader.done()
    if decision and decided_on is None:
        decided_on = today()
    return IssueInput(
        title, details, owner, raised_on, due_on, status, actions, decision, decided_by,
        decided_on,
    )  # fmt: skip


def _view(row: Mapping[str, Any]) -> IssueView:
    return IssueView(**{name: row[name] for name in _COLUMNS})


_COLUMNS = tuple(field.name for field in fields(IssueView))


def _filter(status: str) -> Any:
    if status == "resolved":
        return ProjectIssue.status == "resolved"
    if status == "all":
        return None
    return ProjectIssue.status != "resolved"


async def list_issues(status: str, page: PageRequest) -> Page[IssueView]:
    """A page of the list (two queries): unresolved (the default), resolved or all."""
    where = _filter(status)
    query = ProjectIssue.select().order_by(ProjectIssue.raised_on, ascending=False)
    count = ProjectIssue.count()
    if where is not None:
        query, count = query.where(where), count.where(where)
    rows = (
        await query.order_by(ProjectIssue.id, ascending=False)
        .limit(page.per_page)
        .offset(page.offset)
    )
    return Page([_view(row) for row in rows], await count, page.page, page.per_page)


async def open_on(day: date) -> list[IssueView]:
    """The entries that stood unresolved at the end of `day`, oldest first (the reports)."""
    rows = await (
        ProjectIssue.select()
        .where(
            (ProjectIssue.raised_on <= day)
            & (ProjectIssue.resolved_on.is_null() | (ProjectIssue.resolved_on > day))
        )
        .order_by(ProjectIssue.raised_on)
        .order_by(ProjectIssue.id)
    )
    return [_view(row) for row in rows]


async def resolved_between(first: date, last: date) -> list[IssueView]:
    """The entries resolved from `first` to `last` (the reports)."""
    rows = await (
        ProjectIssue.select()
        .where((ProjectIssue.resolved_on >= first) & (ProjectIssue.resolved_on <= last))
        .order_by(ProjectIssue.resolved_on)
        .order_by(ProjectIssue.id)
    )
    return [_view(row) for row in rows]


async def get_issue(issue_id: int) -> IssueView:
    row = None
    if is_storable_id(issue_id):
        row = await ProjectIssue.select().where(ProjectIssue.id == issue_id).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    return _view(row)


def _stored(entry: IssueInput, resolved_on: date | None) -> dict[str, Any]:
    return {
        "title": entry.title, "details": entry.details, "owner": entry.owner,
        "raised_on": entry.raised_on, "due_on": entry.due_on, "status": entry.status,
        "actions": entry.actions, "decision": entry.decision, "decided_by": entry.decided_by,
        "decided_on": entry.decided_on, "resolved_on": resolved_on,
    }  # fmt: skip


def _audited(entry: IssueView | IssueInput) -> dict[str, Any]:
    return {
        "title": entry.title, "owner": entry.owner, "status": entry.status,
        "due_on": entry.due_on.isoformat() if entry.due_on else None,
        "decision": entry.decision, "decided_by": entry.decided_by,
    }  # fmt: skip


async def create_issue(actor: Principal, values: Mapping[str, Any]) -> int:
    entry = read_input(values)
    resolved_on = today() if entry.status == "resolved" else None
    async with transaction():
        rows = await ProjectIssue.insert(ProjectIssue(**_stored(entry, resolved_on))).returning(
            ProjectIssue.id
        )
        issue_id = rows[0]["id"]
        await audit.record(
            actor, "issue.create", "project_issue", issue_id, target_label=entry.title,
            after=_audited(entry),
        )  # fmt: skip
    return issue_id


async def update_issue(actor: Principal, issue_id: int, values: Mapping[str, Any]) -> None:
    before = await get_issue(issue_id)
    entry = read_input(values)
    resolved_on = None
    if entry.status == "resolved":
        resolved_on = before.resolved_on if before.status == "resolved" else today()
    async with transaction():
        await ProjectIssue.update(
            {**_stored(entry, resolved_on), ProjectIssue.updated_at: clock.now()}
        ).where(ProjectIssue.id == issue_id)
        await audit.record(
            actor, "issue.update", "project_issue", issue_id, target_label=entry.title,
            before=_audited(before), after=_audited(entry),
        )  # fmt: skip


async def delete_issue(actor: Principal, issue_id: int) -> None:
    before = await get_issue(issue_id)
    async with transaction():
        await ProjectIssue.delete().where(ProjectIssue.id == issue_id)
        await audit.record(
            actor, "issue.delete", "project_issue", issue_id, target_label=before.title,
            before=_audited(before),
        )  # fmt: skip


def form_values(entry: IssueView) -> dict[str, str]:
    """A stored entry as the form shows it."""
    return {
        "title": entry.title, "details": entry.details, "owner": entry.owner,
        "raised_on": entry.raised_on.isoformat(),
        "due_on": entry.due_on.isoformat() if entry.due_on else "", "status": entry.status,
        "actions": entry.actions, "decision": entry.decision, "decided_by": entry.decided_by,
        "decided_on": entry.decided_on.isoformat() if entry.decided_on else "",
    }  # fmt: skip
