"""JSON routes of progress management under /api/v1/progress: the fiscal year's schedule, the
issues list and the meeting minutes. Officials read; staff write (scope reports:write)."""

from __future__ import annotations

from datetime import date, datetime

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from api import periods
from api.dates import today
from api.http.auth import signed_in_principal
from api.http.params import PageNumber, PerPage
from api.pagination import PageRequest
from api.progress import issues, minutes, schedule

VIEW = {"action": "progress.view"}
MANAGE = {"action": "progress.manage"}


def _values(data: msgspec.Struct) -> dict[str, object]:
    return msgspec.structs.asdict(data)


# --- the schedule ----------------------------------------------------------------------------


class ScheduleItemIn(msgspec.Struct, forbid_unknown_fields=True):
    title: str
    owner: str
    due_on: str  # 2027-01-31
    kind: str = "task"  # task | milestone
    starts_on: str = ""
    status: str = "not_started"  # not_started | in_progress | done
    notes: str = ""


class ScheduleItemOut(msgspec.Struct):
    id: int
    fiscal_year: int
    kind: str
    kind_label: str
    title: str
    owner: str
    starts_on: date | None
    due_on: date
    status: str  # as stored
    current_status: str  # today's: late when not done past the due date
    current_status_label: str
    done_on: date | None
    notes: str
    updated_at: datetime

    @classmethod
    def of(cls, item: schedule.ScheduleItemView) -> ScheduleItemOut:
        return cls(
            id=item.id, fiscal_year=item.fiscal_year, kind=item.kind, kind_label=item.kind_label,
            title=item.title, owner=item.owner, starts_on=item.starts_on, due_on=item.due_on,
            status=item.status, current_status=item.current_status,
            current_status_label=item.current_status_label, done_on=item.done_on,
            notes=item.notes, updated_at=item.updated_at,
        )  # fmt: skip


class ScheduleOut(msgspec.Struct):
    fiscal_year: int
    label: str
    counts: dict[str, int]  # today's status: late, in_progress, not_started, done
    items: list[ScheduleItemOut]


class ScheduleController(Controller):
    path = "/api/v1/progress/schedule"
    tags = ["進捗管理"]

    @get("", opt=VIEW, summary="年度のスケジュール（作業とマイルストーン、期限順）")
    async def list_items(self, fiscal_year: FromQuery[str] = "") -> ScheduleOut:
        year = periods.parse_fiscal_year(fiscal_year)
        items = await schedule.items_of_year(year)
        return ScheduleOut(
            fiscal_year=year, label=periods.year_period(year).label,
            counts=schedule.status_counts(items, today()),
            items=[ScheduleItemOut.of(item) for item in items],
        )  # fmt: skip

    @post("", opt=MANAGE, summary="スケジュールに項目を追加（年度は期限の日で決まります）")
    async def create_item(
        self, request: Request, data: JSONBody[ScheduleItemIn]
    ) -> ScheduleItemOut:
        item_id = await schedule.create_item(signed_in_principal(request), _values(data))
        return ScheduleItemOut.of(await schedule.get_item(item_id))

    @get("/{item_id:int}", opt=VIEW, summary="スケジュールの項目")
    async def get_item(self, item_id: FromPath[int]) -> ScheduleItemOut:
        return ScheduleItemOut.of(await schedule.get_item(item_id))

    @put(
        "/{item_id:int}", opt=MANAGE, summary="スケジュールの項目を変更（完了にすると完了日を記録）"
    )
    async def update_item(
        self, request: Request, item_id: FromPath[int], data: JSONBody[ScheduleItemIn]
    ) -> ScheduleItemOut:
        await schedule.update_item(signed_in_principal(request), item_id, _values(data))
        return ScheduleItemOut.of(await schedule.get_item(item_id))

    @delete("/{item_id:int}", opt=MANAGE, status_code=204, summary="スケジュールの項目を削除")
    async def delete_item(self, request: Request, item_id: FromPath[int]) -> None:
        await schedule.delete_item(signed_in_principal(request), item_id)


# --- the issues list -------------------------------------------------------------------------


class IssueIn(msgspec.Struct, forbid_unknown_fields=True):
    title: str
    owner: str
    details: str = ""
    raised_on: str = ""  # today when empty
    due_on: str = ""
    status: str = "open"  # open | in_progress | resolved
    actions: str = ""
    decision: str = ""
    decided_by: str = ""
    decided_on: str = ""  # today when a decision is given without it


class IssueOut(msgspec.Struct):
    id: int
    number: str
    title: str
    details: str
    owner: str
    raised_on: date
    due_on: date | None
    status: str
    status_label: str
    actions: str
    decision: str
    decided_by: str
    decided_on: date | None
    resolved_on: date | None
    updated_at: datetime

    @classmethod
    def of(cls, entry: issues.IssueView) -> IssueOut:
        return cls(
            id=entry.id, number=entry.number, title=entry.title, details=entry.details,
            owner=entry.owner, raised_on=entry.raised_on, due_on=entry.due_on,
            status=entry.status, status_label=entry.status_label, actions=entry.actions,
            decision=entry.decision, decided_by=entry.decided_by, decided_on=entry.decided_on,
            resolved_on=entry.resolved_on, updated_at=entry.updated_at,
        )  # fmt: skip


class IssuePage(msgspec.Struct):
    items: list[IssueOut]
    total: int
    page: int
    pages: int


class IssueController(Controller):
    path = "/api/v1/progress/issues"
    tags = ["進捗管理"]

    @get(
        "",
        opt=VIEW,
        summary="課題管理の一覧（新しい順）",
        description="status は unresolved（未対応・対応中。省略時）、resolved、all。",
    )
    async def list_issues(
        self, status: FromQuery[str] = "unresolved", page: PageNumber = 1, per_page: PerPage = 20
    ) -> IssuePage:
        found = await issues.list_issues(status, PageRequest.of(page, per_page))
        return IssuePage(
            items=[IssueOut.of(entry) for entry in found.items], total=found.total,
            page=found.page, pages=found.pages,
        )  # fmt: skip

    @post("", opt=MANAGE, summary="課題を追加")
    async def create_issue(self, request: Request, data: JSONBody[IssueIn]) -> IssueOut:
        issue_id = await issues.create_issue(signed_in_principal(request), _values(data))
        return IssueOut.of(await issues.get_issue(issue_id))

    @get("/{issue_id:int}", opt=VIEW, summary="課題")
    async def get_issue(self, issue_id: FromPath[int]) -> IssueOut:
        return IssueOut.of(await issues.get_issue(issue_id))

    @put(
        "/{issue_id:int}",
        opt=MANAGE,
        summary="課題を変更（解決済みには対応内容か決定事項が必要）",
    )
    async def update_issue(
        self, request: Request, issue_id: FromPath[int], data: JSONBody[IssueIn]
    ) -> IssueOut:
        await issues.update_issue(signed_in_principal(request), issue_id, _values(data))
        return IssueOut.of(await issues.get_issue(issue_id))

    @delete("/{issue_id:int}", opt=MANAGE, status_code=204, summary="誤って登録した課題を削除")
    async def delete_issue(self, request: Request, issue_id: FromPath[int]) -> None:
        await issues.delete_issue(signed_in_principal(request), issue_id)


# --- the minutes -----------------------------------------------------------------------------


class MinutesIn(msgspec.Struct, forbid_unknown_fields=True):
    held_on: str
    title: str
    body: str  # Markdown
    report_month: str = ""  # 2026-11; the meeting's month when empty
    attendees: str = ""


class ApprovalIn(msgspec.Struct, forbid_unknown_fields=True):
    approved: bool
    approved_by: str = ""  # who approved them; needed to approve


class MinutesOut(msgspec.Struct):
    id: int
    held_on: date
    report_month: str
    title: str
    attendees: str
    body: str
    body_html: str  # sanitised
    status_label: str
    approved_at: datetime | None
    approved_by: str
    written_by: str
    updated_at: datetime

    @classmethod
    def of(cls, found: minutes.MinutesView) -> MinutesOut:
        return cls(
            id=found.id, held_on=found.held_on,
            report_month=periods.month_period(found.report_month).code, title=found.title,
            attendees=found.attendees, body=found.body, body_html=found.body_html,
            status_label=found.status_label, approved_at=found.approved_at,
            approved_by=found.approved_by, written_by=found.written_by,
            updated_at=found.updated_at,
        )  # fmt: skip


class MinutesController(Controller):
    path = "/api/v1/progress/minutes"
    tags = ["進捗管理"]

    @get("", opt=VIEW, summary="年度の議事録（開催日の新しい順）")
    async def list_minutes(self, fiscal_year: FromQuery[str] = "") -> list[MinutesOut]:
        year = periods.parse_fiscal_year(fiscal_year)
        return [MinutesOut.of(found) for found in await minutes.minutes_of_year(year)]

    @post("", opt=MANAGE, summary="議事録を追加（下書き）")
    async def create_minutes(self, request: Request, data: JSONBody[MinutesIn]) -> MinutesOut:
        minutes_id = await minutes.create_minutes(signed_in_principal(request), _values(data))
        return MinutesOut.of(await minutes.get_minutes(minutes_id))

    @get("/{minutes_id:int}", opt=VIEW, summary="議事録")
    async def get_minutes(self, minutes_id: FromPath[int]) -> MinutesOut:
        return MinutesOut.of(await minutes.get_minutes(minutes_id))

    @put("/{minutes_id:int}", opt=MANAGE, summary="議事録を変更（承認済みは409）")
    async def update_minutes(
        self, request: Request, minutes_id: FromPath[int], data: JSONBody[MinutesIn]
    ) -> MinutesOut:
        await minutes.update_minutes(signed_in_principal(request), minutes_id, _values(data))
        return MinutesOut.of(await minutes.get_minutes(minutes_id))

    @put(
        "/{minutes_id:int}/approval",
        opt=MANAGE,
        summary="議事録の承認を記録、または取り消す",
        description="approved が true なら approved_by（承認者）が必要です。承認済みの議事録は変更・削除できません。",
    )
    async def approval(
        self, request: Request, minutes_id: FromPath[int], data: JSONBody[ApprovalIn]
    ) -> MinutesOut:
        actor = signed_in_principal(request)
        if data.approved:
            await minutes.approve(actor, minutes_id, {"approved_by": data.approved_by})
        else:
            await minutes.withdraw_approval(actor, minutes_id)
        return MinutesOut.of(await minutes.get_minutes(minutes_id))

    @delete("/{minutes_id:int}", opt=MANAGE, status_code=204, summary="下書きの議事録を削除")
    async def delete_minutes(self, request: Request, minutes_id: FromPath[int]) -> None:
        await minutes.delete_minutes(signed_in_principal(request), minutes_id)


ROUTES: list = [ScheduleController, IssueController, MinutesController]
