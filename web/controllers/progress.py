"""Progress management pages under /reports: the fiscal year's schedule, the issues list
(課題管理) and the meeting minutes (議事録). Officials read them; staff add, change and remove
entries and record the minutes' approval. Thin: api.progress does the work.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from api import periods
from api.dates import fiscal_year, today
from api.errors import Conflict, ValidationFailed
from api.http.headers import NO_STORE
from api.http.params import PageNumber
from api.pagination import PageRequest
from api.progress import issues, minutes, schedule
from web.forms import delete_problems, form_values
from web.rendering import page, signed_in_principal

VIEW = {"action": "progress.view"}
MANAGE = {"action": "progress.manage"}
DONE = {
    "created": "追加しました。",
    "saved": "変更を保存しました。",
    "deleted": "削除しました。",
    "approved": "承認を記録しました。",
    "withdrawn": "承認を取り消しました。議事録を編集できます。",
}


def _page(request: Request, template: str, status: int = 200, **context: Any) -> Template:
    return page(request, template, status_code=status, headers=NO_STORE, **context)


def _year_or_current(text: str) -> tuple[int, dict[str, str]]:
    """The chosen fiscal year, or the running one with the mistake explained."""
    try:
        return periods.parse_fiscal_year(text), {}
    except ValidationFailed as exc:
        return periods.current_fiscal_year(), exc.errors


# --- the schedule ----------------------------------------------------------------------------

SCHEDULE = "/reports/schedule"


@get(SCHEDULE, opt=VIEW, include_in_schema=False)
async def schedule_page(
    request: Request, year: FromQuery[str] = "", status: FromQuery[str] = "",
    done: FromQuery[str] = "",
) -> Template:  # fmt: skip
    chosen, errors = _year_or_current(year)
    if status not in schedule.STATUS_LABELS:
        status = ""
    items = await schedule.items_of_year(chosen)
    return _page(
        request, "progress/schedule.html", status=422 if errors else 200, errors=errors,
        year=chosen, label=periods.year_period(chosen).label, items=schedule.with_status(items, status),
        total=len(items), counts=schedule.status_counts(items, today()),
        status_labels=schedule.STATUS_LABELS, selected_status=status,
        year_options=periods.year_choices(), selected_year=str(chosen), done=DONE.get(done, ""),
    )  # fmt: skip


def _schedule_form(
    request: Request, values: dict[str, str], errors: dict[str, str], *,
    item: schedule.ScheduleItemView | None = None, status: int = 200,
) -> Template:  # fmt: skip
    return _page(
        request, "progress/schedule_form.html", status=status, item=item, values=values,
        errors=errors, labels=schedule.LABELS | {"confirm": "削除の確認"},
        kinds=list(schedule.KIND_LABELS.items()),
        statuses=list(schedule.STORED_STATUSES.items()),
    )  # fmt: skip


@get(f"{SCHEDULE}/new", opt=MANAGE, include_in_schema=False)
async def new_schedule_item(request: Request) -> Template:
    return _schedule_form(request, {"kind": "task", "status": "not_started"}, {})


@post(f"{SCHEDULE}/new", opt=MANAGE, include_in_schema=False)
async def create_schedule_item(request: Request) -> Template | Redirect:
    values, _ = await form_values(request)
    try:
        item_id = await schedule.create_item(signed_in_principal(request), values)
    except ValidationFailed as exc:
        return _schedule_form(request, values, exc.errors, status=422)
    item = await schedule.get_item(item_id)
    return Redirect(f"{SCHEDULE}?year={item.fiscal_year}&done=created", status_code=303)


@get(f"{SCHEDULE}/{{item_id:int}}/edit", opt=MANAGE, include_in_schema=False)
async def edit_schedule_item(request: Request, item_id: FromPath[int]) -> Template:
    item = await schedule.get_item(item_id)
    return _schedule_form(request, schedule.form_values(item), {}, item=item)


@post(f"{SCHEDULE}/{{item_id:int}}/edit", opt=MANAGE, include_in_schema=False)
async def save_schedule_item(request: Request, item_id: FromPath[int]) -> Template | Redirect:
    item = await schedule.get_item(item_id)
    values, _ = await form_values(request)
    try:
        await schedule.update_item(signed_in_principal(request), item_id, values)
    except ValidationFailed as exc:
        return _schedule_form(request, values, exc.errors, item=item, status=422)
    saved = await schedule.get_item(item_id)
    return Redirect(f"{SCHEDULE}?year={saved.fiscal_year}&done=saved", status_code=303)


@post(f"{SCHEDULE}/{{item_id:int}}/delete", opt=MANAGE, include_in_schema=False)
async def delete_schedule_item(request: Request, item_id: FromPath[int]) -> Template | Redirect:
    item = await schedule.get_item(item_id)
    values, _ = await form_values(request)
    if errors := delete_problems(values):
        return _schedule_form(request, schedule.form_values(item), errors, item=item, status=422)
    await schedule.delete_item(signed_in_principal(request), item_id)
    return Redirect(f"{SCHEDULE}?year={item.fiscal_year}&done=deleted", status_code=303)


# --- the issues list -------------------------------------------------------------------------

ISSUES = "/reports/issues"


@get(ISSUES, opt=VIEW, include_in_schema=False)
async def issue_list(
    request: Request, status: FromQuery[str] = "unresolved", page_number: PageNumber = 1,
    done: FromQuery[str] = "",
) -> Template:  # fmt: skip
    if status not in issues.FILTER_LABELS:
        status = "unresolved"
    found = await issues.list_issues(status, PageRequest.of(page_number))
    return _page(
        request, "progress/issues.html", result=found, selected_status=status,
        filters=list(issues.FILTER_LABELS.items()), filter_labels=issues.FILTER_LABELS,
        params={"status": status},
        done=DONE.get(done, ""),
    )  # fmt: skip


def _issue_form(
    request: Request, values: dict[str, str], errors: dict[str, str], *,
    entry: issues.IssueView | None = None, status: int = 200,
) -> Template:  # fmt: skip
    return _page(
        request, "progress/issue_form.html", status=status, entry=entry, values=values,
        errors=errors, labels=issues.LABELS | {"confirm": "削除の確認"},
        statuses=list(issues.STATUS_LABELS.items()),
    )  # fmt: skip


@get(f"{ISSUES}/new", opt=MANAGE, include_in_schema=False)
async def new_issue(request: Request) -> Template:
    return _issue_form(request, {"status": "open", "raised_on": today().isoformat()}, {})


@post(f"{ISSUES}/new", opt=MANAGE, include_in_schema=False)
async def create_issue(request: Request) -> Template | Redirect:
    values, _ = await form_values(request)
    try:
        issue_id = await issues.create_issue(signed_in_principal(request), values)
    except ValidationFailed as exc:
        return _issue_form(request, values, exc.errors, status=422)
    return Redirect(f"{ISSUES}/{issue_id}?done=created", status_code=303)


@get(f"{ISSUES}/{{issue_id:int}}", opt=VIEW, include_in_schema=False)
async def issue_page(
    request: Request, issue_id: FromPath[int], done: FromQuery[str] = ""
) -> Template:
    return _page(
        request, "progress/issue.html", entry=await issues.get_issue(issue_id),
        done=DONE.get(done, ""),
    )  # fmt: skip


@get(f"{ISSUES}/{{issue_id:int}}/edit", opt=MANAGE, include_in_schema=False)
async def edit_issue(request: Request, issue_id: FromPath[int]) -> Template:
    entry = await issues.get_issue(issue_id)
    return _issue_form(request, issues.form_values(entry), {}, entry=entry)


@post(f"{ISSUES}/{{issue_id:int}}/edit", opt=MANAGE, include_in_schema=False)
async def save_issue(request: Request, issue_id: FromPath[int]) -> Template | Redirect:
    entry = await issues.get_issue(issue_id)
    values, _ = await form_values(request)
    try:
        await issues.update_issue(signed_in_principal(request), issue_id, values)
    except ValidationFailed as exc:
        return _issue_form(request, values, exc.errors, entry=entry, status=422)
    return Redirect(f"{ISSUES}/{issue_id}?done=saved", status_code=303)


@post(f"{ISSUES}/{{issue_id:int}}/delete", opt=MANAGE, include_in_schema=False)
async def delete_issue(request: Request, issue_id: FromPath[int]) -> Template | Redirect:
    entry = await issues.get_issue(issue_id)
    values, _ = await form_values(request)
    if errors := delete_problems(values):
        return _issue_form(request, issues.form_values(entry), errors, entry=entry, status=422)
    await issues.delete_issue(signed_in_principal(request), issue_id)
    return Redirect(f"{ISSUES}?done=deleted", status_code=303)


# --- the minutes -----------------------------------------------------------------------------

MINUTES = "/reports/minutes"


@get(MINUTES, opt=VIEW, include_in_schema=False)
async def minutes_list(
    request: Request, year: FromQuery[str] = "", done: FromQuery[str] = ""
) -> Template:
    chosen, errors = _year_or_current(year)
    return _page(
        request, "progress/minutes_list.html", status=422 if errors else 200, errors=errors,
        year=chosen, label=periods.year_period(chosen).label,
        found=await minutes.minutes_of_year(chosen), year_options=periods.year_choices(),
        selected_year=str(chosen), done=DONE.get(done, ""),
    )  # fmt: skip


def _minutes_form(
    request: Request, values: dict[str, str], errors: dict[str, str], *,
    found: minutes.MinutesView | None = None, status: int = 200,
) -> Template:  # fmt: skip
    return _page(
        request, "progress/minutes_form.html", status=status, found=found, values=values,
        errors=errors, labels=minutes.LABELS,
        month_options=[("", "開催日の月"), *periods.month_choices()],
    )  # fmt: skip


def _minutes_page(
    request: Request, found: minutes.MinutesView, *, errors: dict[str, str] | None = None,
    done: str = "", approver: str = "", status: int = 200,
) -> Template:  # fmt: skip
    return _page(
        request, "progress/minutes.html", status=status, found=found, errors=errors or {},
        done=DONE.get(done, ""), approver=approver,
        labels={"approved_by": minutes.LABELS["approved_by"], "confirm": "削除の確認"},
    )  # fmt: skip


@get(f"{MINUTES}/new", opt=MANAGE, include_in_schema=False)
async def new_minutes(request: Request) -> Template:
    return _minutes_form(request, {"held_on": today().isoformat()}, {})


@post(f"{MINUTES}/new", opt=MANAGE, include_in_schema=False)
async def create_minutes(request: Request) -> Template | Redirect:
    values, _ = await form_values(request)
    try:
        minutes_id = await minutes.create_minutes(signed_in_principal(request), values)
    except ValidationFailed as exc:
        return _minutes_form(request, values, exc.errors, status=422)
    return Redirect(f"{MINUTES}/{minutes_id}?done=created", status_code=303)


@get(f"{MINUTES}/{{minutes_id:int}}", opt=VIEW, include_in_schema=False)
async def minutes_page(
    request: Request, minutes_id: FromPath[int], done: FromQuery[str] = ""
) -> Template:
    return _minutes_page(request, await minutes.get_minutes(minutes_id), done=done)


@get(f"{MINUTES}/{{minutes_id:int}}/edit", opt=MANAGE, include_in_schema=False)
async def edit_minutes(request: Request, minutes_id: FromPath[int]) -> Template | Redirect:
    found = await minutes.get_minutes(minutes_id)
    if found.is_approved:
        return _minutes_page(request, found, errors={"approval": minutes.FIXED}, status=409)
    return _minutes_form(request, minutes.form_values(found), {}, found=found)


@post(f"{MINUTES}/{{minutes_id:int}}/edit", opt=MANAGE, include_in_schema=False)
async def save_minutes(request: Request, minutes_id: FromPath[int]) -> Template | Redirect:
    found = await minutes.get_minutes(minutes_id)
    values, _ = await form_values(request)
    try:
        await minutes.update_minutes(signed_in_principal(request), minutes_id, values)
    except ValidationFailed as exc:
        return _minutes_form(request, values, exc.errors, found=found, status=422)
    except Conflict:
        return _minutes_page(request, found, errors={"approval": minutes.FIXED}, status=409)
    return Redirect(f"{MINUTES}/{minutes_id}?done=saved", status_code=303)


@post(f"{MINUTES}/{{minutes_id:int}}/approval", opt=MANAGE, include_in_schema=False)
async def minutes_approval(request: Request, minutes_id: FromPath[int]) -> Template | Redirect:
    found = await minutes.get_minutes(minutes_id)
    values, _ = await form_values(request)
    actor = signed_in_principal(request)
    if values.get("intent") == "withdraw":
        await minutes.withdraw_approval(actor, minutes_id)
        return Redirect(f"{MINUTES}/{minutes_id}?done=withdrawn", status_code=303)
    try:
        await minutes.approve(actor, minutes_id, values)
    except ValidationFailed as exc:
        return _minutes_page(
            request, found, errors=exc.errors, approver=values.get("approved_by", ""), status=422
        )
    except Conflict:
        return _minutes_page(request, found, done="approved")
    return Redirect(f"{MINUTES}/{minutes_id}?done=approved", status_code=303)


@post(f"{MINUTES}/{{minutes_id:int}}/delete", opt=MANAGE, include_in_schema=False)
async def delete_minutes(request: Request, minutes_id: FromPath[int]) -> Template | Redirect:
    found = await minutes.get_minutes(minutes_id)
    values, _ = await form_values(request)
    if errors := delete_problems(values):
        return _minutes_page(request, found, errors=errors, status=422)
    try:
        await minutes.delete_minutes(signed_in_principal(request), minutes_id)
    except Conflict:
        return _minutes_page(request, found, errors={"approval": minutes.FIXED}, status=409)
    year = min(fiscal_year(found.held_on), periods.current_fiscal_year())
    return Redirect(f"{MINUTES}?year={year}&done=deleted", status_code=303)


ROUTES = [
    schedule_page, new_schedule_item, create_schedule_item, edit_schedule_item,
    save_schedule_item, delete_schedule_item, issue_list, new_issue, create_issue, issue_page,
    edit_issue, save_issue, delete_issue, minutes_list, new_minutes, create_minutes,
    minutes_page, edit_minutes, save_minutes, minutes_approval, delete_minutes,
]  # fmt: skip
