"""The secretariat's event pages: the list, the form, publishing and cancelling, participants
with their exports, the check-in page for the door (htmx), mail to registrants with a preview,
anonymisation, and the attendance report for staff and officials.

Thin: every rule is in api.events.service, which the JSON API calls too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from api import clock
from api.dates import JST, fiscal_year, format_fiscal_year
from api.errors import Conflict, ValidationFailed
from api.events import materials, service
from api.events.reference import (
    AUDIENCE_LABELS,
    KIND_LABELS,
    REGISTRATION_STATUS_LABELS,
    STATE_LABELS,
)
from api.events.routes import store_material
from api.events.service import EventView
from api.events.validation import EventInput, local_input_value
from api.http.headers import NO_STORE_HTMX
from api.http.params import PageNumber
from api.media import images
from api.pagination import PageRequest
from api.spreadsheets import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes
from web.downloads import download
from web.forms import at_file_field, form_values
from web.rendering import page, signed_in_principal, wants_fragment

MANAGE = {"action": "events.manage"}
PARTICIPANTS = {"action": "events.participants"}
ATTENDANCE = {"action": "events.attendance"}
CONSOLE = "/console/events"
EVENT_LABELS = {
    "kind": "種類",
    "title": "名称",
    "summary": "概要",
    "starts_at": "開始日時",
    "ends_at": "終了日時",
    "venue_name": "会場名",
    "venue_address": "会場の住所",
    "access_notes": "アクセス",
    "capacity_onsite": "会場の定員",
    "capacity_online": "オンラインの定員",
    "online_url": "オンライン参加のURL",
    "registration_opens_at": "申込の受付開始",
    "registration_closes_at": "申込の締切",
    "audience": "参加できる方",
    "speakers": "登壇者",
    "description": "詳しい説明",
}
MAIL_LABELS = {"recipients": "送信先", "subject": "件名", "body": "本文"}
DONE = {
    "created": "催しを下書きとして作成しました。内容を確認して公開してください。",
    "saved": "催しの内容を保存しました。",
    "published": "催しを公開しました。",
    "cancelled": "催しを中止し、申込者全員にメールを送りました。",
    "mailed": "申込者へのメールを送信しました。",
    "anonymised": "申込者の個人情報を匿名化しました。",
    "material_added": "資料を追加しました。",
    "material_deleted": "資料を削除しました。",
}


@get(CONSOLE, opt=MANAGE, include_in_schema=False)
async def event_list(
    request: Request,
    event_state: Annotated[str, QueryParameter(name="state", max_length=20)] = "",
    page_number: PageNumber = 1,
) -> Template:
    chosen = event_state if event_state in STATE_LABELS else ""
    result = await service.list_events_for_staff(
        signed_in_principal(request), chosen, PageRequest.of(page_number, 20)
    )
    return page(
        request, "events/console_list.html", headers=NO_STORE_HTMX, result=result, state=chosen,
        states=STATE_LABELS, params={"state": chosen} if chosen else {}, now=clock.now(),
    )  # fmt: skip


def _default_values() -> dict[str, str]:
    """A new event's form: a seminar in four weeks, registration open from now until the day before."""
    starts = (
        (clock.now() + timedelta(days=28))
        .astimezone(JST)
        .replace(hour=14, minute=0, second=0, microsecond=0)
    )
    return {
        "kind": "seminar",
        "audience": "members",
        "starts_at": local_input_value(starts),
        "ends_at": local_input_value(starts + timedelta(hours=2)),
        "registration_opens_at": local_input_value(
            clock.now().astimezone(JST).replace(second=0, microsecond=0)
        ),
        "registration_closes_at": local_input_value(starts - timedelta(days=1)),
        "capacity_onsite": "30",
        "capacity_online": "0",
    }


def _values_of(view: EventView) -> dict[str, str]:
    return {
        "kind": view.kind, "title": view.title, "summary": view.summary,
        "description": view.description, "starts_at": local_input_value(view.starts_at),
        "ends_at": local_input_value(view.ends_at), "venue_name": view.venue_name,
        "venue_address": view.venue_address, "access_notes": view.access_notes,
        "online_url": view.online_url, "capacity_onsite": str(view.capacity_onsite),
        "capacity_online": str(view.capacity_online),
        "registration_opens_at": local_input_value(view.registration_opens_at),
        "registration_closes_at": local_input_value(view.registration_closes_at),
        "audience": view.audience, "speakers": view.speakers,
    }  # fmt: skip


def _form_page(
    request: Request,
    values: dict[str, str],
    *,
    event: EventView | None = None,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
) -> Template:
    return page(
        request, "events/console_form.html", status_code=status_code, headers=NO_STORE_HTMX,
        values=values, event=event, errors=errors or {}, labels=EVENT_LABELS,
        kinds=list(KIND_LABELS.items()), audiences=list(AUDIENCE_LABELS.items()),
    )  # fmt: skip


async def _posted(request: Request) -> dict[str, str]:
    values = (await form_values(request))[0]
    values.pop("_csrf", None)
    return values


@get(f"{CONSOLE}/new", opt=MANAGE, include_in_schema=False)
async def new_form(request: Request) -> Template:
    return _form_page(request, _default_values())


@post(f"{CONSOLE}/new", opt=MANAGE, include_in_schema=False)
async def create(request: Request) -> Response[Any] | Template:
    values = await _posted(request)
    try:
        view = await service.create_event(
            signed_in_principal(request), EventInput.from_mapping(values)
        )
    except ValidationFailed as exc:
        return _form_page(request, values, status_code=422, errors=exc.errors)
    return Redirect(f"{CONSOLE}/{view.id}?done=created", status_code=303)


@get(f"{CONSOLE}/{{event_id:int}}/edit", opt=MANAGE, include_in_schema=False)
async def edit_form(request: Request, event_id: FromPath[int]) -> Template:
    view = await service.get_event_for_staff(signed_in_principal(request), event_id)
    return _form_page(request, _values_of(view), event=view)


@post(f"{CONSOLE}/{{event_id:int}}/edit", opt=MANAGE, include_in_schema=False)
async def save(request: Request, event_id: FromPath[int]) -> Response[Any] | Template:
    principal = signed_in_principal(request)
    values = await _posted(request)
    try:
        await service.update_event(
            request.app.state.settings, principal, event_id, EventInput.from_mapping(values)
        )
    except ValidationFailed as exc:
        view = await service.get_event_for_staff(principal, event_id)
        return _form_page(request, values, event=view, status_code=422, errors=exc.errors)
    return Redirect(f"{CONSOLE}/{event_id}?done=saved", status_code=303)


async def _overview(
    request: Request,
    event_id: int,
    *,
    done: str = "",
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Template:
    view = await service.get_event_for_staff(signed_in_principal(request), event_id)
    return page(
        request, "events/console_event.html", status_code=status_code, headers=NO_STORE_HTMX,
        event=view, message=DONE.get(done, ""), errors=errors or {}, values=values or {},
        now=clock.now(), materials=await materials.materials_of(event_id),
        max_materials=materials.MAX_MATERIALS, max_megabytes=images.MAX_UPLOAD_BYTES // (1024 * 1024),
    )  # fmt: skip


@get(f"{CONSOLE}/{{event_id:int}}", opt=MANAGE, include_in_schema=False)
async def overview(
    request: Request, event_id: FromPath[int], done: FromQuery[str] = ""
) -> Template:
    return await _overview(request, event_id, done=done)


@post(f"{CONSOLE}/{{event_id:int}}/publish", opt=MANAGE, include_in_schema=False)
async def publish(request: Request, event_id: FromPath[int]) -> Response[Any]:
    await service.publish_event(signed_in_principal(request), event_id)
    return Redirect(f"{CONSOLE}/{event_id}?done=published", status_code=303)


@post(f"{CONSOLE}/{{event_id:int}}/cancel", opt=MANAGE, include_in_schema=False)
async def cancel(request: Request, event_id: FromPath[int]) -> Response[Any] | Template:
    values = await _posted(request)
    try:
        await service.cancel_event(
            request.app.state.settings, signed_in_principal(request), event_id, values.get("reason")
        )
    except ValidationFailed as exc:
        return await _overview(request, event_id, status_code=422, errors=exc.errors, values=values)
    return Redirect(f"{CONSOLE}/{event_id}?done=cancelled", status_code=303)


@post(f"{CONSOLE}/{{event_id:int}}/anonymise", opt=MANAGE, include_in_schema=False)
async def anonymise(request: Request, event_id: FromPath[int]) -> Response[Any] | Template:
    try:
        await service.anonymise_event(signed_in_principal(request), event_id)
    except Conflict as exc:
        return await _overview(request, event_id, status_code=409, errors={"anonymise": str(exc)})
    return Redirect(f"{CONSOLE}/{event_id}?done=anonymised", status_code=303)


@post(
    f"{CONSOLE}/{{event_id:int}}/materials",
    opt=MANAGE,
    include_in_schema=False,
    request_max_body_size=images.UPLOAD_BODY_LIMIT,
)
async def add_material(request: Request, event_id: FromPath[int]) -> Response[Any] | Template:
    form = await request.form()
    title = form.get("title")
    try:
        await store_material(request, event_id, form.get("material_file"), title)
    except ValidationFailed as exc:
        errors = at_file_field(exc.errors, "material_file")
        values = {"title": title if isinstance(title, str) else ""}
        return await _overview(request, event_id, status_code=422, errors=errors, values=values)
    return Redirect(f"{CONSOLE}/{event_id}?done=material_added", status_code=303)


@post(
    f"{CONSOLE}/{{event_id:int}}/materials/{{material_id:int}}/delete",
    opt=MANAGE,
    include_in_schema=False,
)
async def delete_material(
    request: Request, event_id: FromPath[int], material_id: FromPath[int]
) -> Response[Any]:
    await materials.delete_material(
        signed_in_principal(request), request.app.state.store, event_id, material_id
    )
    return Redirect(f"{CONSOLE}/{event_id}?done=material_deleted", status_code=303)


# --- participants and their exports ---------------------------------------------------------


@get(f"{CONSOLE}/{{event_id:int}}/participants", opt=PARTICIPANTS, include_in_schema=False)
async def participants(
    request: Request,
    event_id: FromPath[int],
    q: FromQuery[str] = "",
    status: FromQuery[str] = "",
    page_number: PageNumber = 1,
) -> Template:
    principal = signed_in_principal(request)
    chosen = status if status in REGISTRATION_STATUS_LABELS else ""
    view, result = await service.list_participants(
        principal, event_id, q, chosen, PageRequest.of(page_number, 50)
    )
    params = {k: v for k, v in (("q", q[:60]), ("status", chosen)) if v}
    return page(
        request, "events/console_participants.html", headers=NO_STORE_HTMX, event=view, result=result,
        q=q[:60], status=chosen, statuses=REGISTRATION_STATUS_LABELS, params=params,
    )  # fmt: skip


def _export_names(view: EventView, extension: str) -> tuple[str, str]:
    return f"event-{view.id}-participants.{extension}", f"参加者一覧_{view.title}.{extension}"


@get(f"{CONSOLE}/{{event_id:int}}/participants.csv", opt=PARTICIPANTS, include_in_schema=False)
async def participants_csv(request: Request, event_id: FromPath[int]) -> Response[bytes]:
    principal = signed_in_principal(request)
    view = await service.get_event_for_staff(principal, event_id)
    rows = service.participant_rows(await service.all_participants(principal, event_id))
    return download(
        csv_bytes(service.PARTICIPANT_HEADER, rows), CSV_TYPE, _export_names(view, "csv")
    )


@get(f"{CONSOLE}/{{event_id:int}}/participants.xlsx", opt=PARTICIPANTS, include_in_schema=False)
async def participants_xlsx(request: Request, event_id: FromPath[int]) -> Response[bytes]:
    principal = signed_in_principal(request)
    view = await service.get_event_for_staff(principal, event_id)
    rows = service.participant_rows(await service.all_participants(principal, event_id))
    body = xlsx_bytes(
        "参加者一覧",
        service.PARTICIPANT_HEADER,
        rows,
        widths=(14, 18, 18, 28, 30, 16, 14, 8, 30, 20, 8),
    )
    return download(body, XLSX_TYPE, _export_names(view, "xlsx"))


# --- check-in at the door -------------------------------------------------------------------


async def _check_in_context(request: Request, event_id: int, q: str) -> dict[str, Any]:
    view, result = await service.list_participants(
        signed_in_principal(request), event_id, q, "registered", PageRequest.of(1, 100)
    )
    return {"event": view, "result": result, "q": q[:60]}


@get(f"{CONSOLE}/{{event_id:int}}/check-in", opt=MANAGE, include_in_schema=False)
async def check_in_page(
    request: Request, event_id: FromPath[int], q: FromQuery[str] = ""
) -> Template:
    context = await _check_in_context(request, event_id, q)
    template = (
        "events/_check_in_results.html" if wants_fragment(request) else "events/check_in.html"
    )
    return page(request, template, headers=NO_STORE_HTMX, **context)


@get(f"{CONSOLE}/{{event_id:int}}/check-in/counts", opt=MANAGE, include_in_schema=False)
async def check_in_counts(request: Request, event_id: FromPath[int]) -> Template:
    """The counts alone, polled by the check-in page: taps on other tablets show here too."""
    view = await service.get_event_for_staff(signed_in_principal(request), event_id)
    return page(request, "events/_check_in_counts.html", headers=NO_STORE_HTMX, event=view)


@post(
    f"{CONSOLE}/{{event_id:int}}/check-in/{{registration_id:int}}",
    opt=MANAGE,
    include_in_schema=False,
)
async def check_in(
    request: Request, event_id: FromPath[int], registration_id: FromPath[int]
) -> Response[Any] | Template:
    values = await _posted(request)
    await service.check_in(
        signed_in_principal(request), event_id, registration_id, values.get("attended") == "1"
    )
    q = values.get("q", "")
    if wants_fragment(request):
        context = await _check_in_context(request, event_id, q)
        return page(request, "events/_check_in_results.html", headers=NO_STORE_HTMX, **context)
    suffix = f"?{urlencode({'q': q})}" if q else ""
    return Redirect(f"{CONSOLE}/{event_id}/check-in{suffix}", status_code=303)


# --- mail to registrants --------------------------------------------------------------------


@get(f"{CONSOLE}/{{event_id:int}}/mail", opt=MANAGE, include_in_schema=False)
async def mail_form(request: Request, event_id: FromPath[int]) -> Template:
    view = await service.get_event_for_staff(signed_in_principal(request), event_id)
    return page(
        request, "events/console_mail.html", headers=NO_STORE_HTMX, event=view, preview=None,
        values={"recipients": "registered", "subject": f"【ご案内】{view.title}"},
        recipients=list(service.RECIPIENTS.items()), labels=MAIL_LABELS,
    )  # fmt: skip


@post(f"{CONSOLE}/{{event_id:int}}/mail", opt=MANAGE, include_in_schema=False)
async def mail_preview_or_send(
    request: Request, event_id: FromPath[int]
) -> Response[Any] | Template:
    """「確認する」 shows the count and the text; 「送信する」 (from the preview) sends."""
    principal = signed_in_principal(request)
    values = await _posted(request)
    args = (values.get("recipients"), values.get("subject"), values.get("body"))
    try:
        if values.get("send") == "1":
            await service.send_registrant_mail(
                request.app.state.settings, principal, event_id, *args
            )
            return Redirect(f"{CONSOLE}/{event_id}?done=mailed", status_code=303)
        preview = await service.check_registrant_mail(principal, event_id, *args)
    except ValidationFailed as exc:
        view = await service.get_event_for_staff(principal, event_id)
        return page(
            request, "events/console_mail.html", status_code=422, headers=NO_STORE_HTMX, event=view,
            preview=None, values=values, errors=exc.errors,
            recipients=list(service.RECIPIENTS.items()), labels=MAIL_LABELS,
        )  # fmt: skip
    return page(
        request, "events/console_mail.html", headers=NO_STORE_HTMX, event=preview.event,
        preview=preview, values=values, recipients=list(service.RECIPIENTS.items()),
        labels=MAIL_LABELS,
    )  # fmt: skip


# --- attendance report ------------------------------------------------------------------------


def _year(value: str) -> int:
    text = value.strip()
    if text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2100:
        return int(text)
    return fiscal_year(clock.now())


def _year_options(selected: int) -> list[tuple[str, str]]:
    this = fiscal_year(clock.now())
    years = sorted({*range(this - 4, this + 2), selected}, reverse=True)
    return [(str(y), f"{y}年度（{format_fiscal_year(y)}）") for y in years]


@get("/reports/events", opt=ATTENDANCE, include_in_schema=False)
async def attendance_report(request: Request, year: FromQuery[str] = "") -> Template:
    chosen = _year(year)
    rows = await service.attendance(signed_in_principal(request), chosen)
    return page(
        request, "events/attendance.html", headers=NO_STORE_HTMX, rows=rows, year=chosen,
        year_options=_year_options(chosen), label=format_fiscal_year(chosen),
        totals=[sum(getattr(r, name) for r in rows) for name in (
            "registered", "attended", "members_registered", "members_attended",
            "others_registered", "others_attended",
        )],
    )  # fmt: skip


def _attendance_names(year: int, extension: str) -> tuple[str, str]:
    return (
        f"event-attendance-{year}.{extension}",
        f"催しの参加状況_{format_fiscal_year(year)}.{extension}",
    )


@get("/reports/events.csv", opt=ATTENDANCE, include_in_schema=False)
async def attendance_csv(request: Request, year: FromQuery[str] = "") -> Response[bytes]:
    chosen = _year(year)
    rows = service.attendance_rows(await service.attendance(signed_in_principal(request), chosen))
    return download(
        csv_bytes(service.ATTENDANCE_HEADER, rows), CSV_TYPE, _attendance_names(chosen, "csv")
    )


@get("/reports/events.xlsx", opt=ATTENDANCE, include_in_schema=False)
async def attendance_xlsx(request: Request, year: FromQuery[str] = "") -> Response[bytes]:
    chosen = _year(year)
    rows = service.attendance_rows(await service.attendance(signed_in_principal(request), chosen))
    body = xlsx_bytes(
        f"催しの参加状況{chosen}",
        service.ATTENDANCE_HEADER,
        rows,
        widths=(36, 16, 12, 10, 8, 10, 10, 12, 12),
    )
    return download(body, XLSX_TYPE, _attendance_names(chosen, "xlsx"))


ROUTES = [
    event_list,
    new_form,
    create,
    edit_form,
    save,
    overview,
    publish,
    cancel,
    anonymise,
    add_material,
    delete_material,
    participants,
    participants_csv,
    participants_xlsx,
    check_in_page,
    check_in_counts,
    check_in,
    mail_form,
    mail_preview_or_send,
    attendance_report,
    attendance_csv,
    attendance_xlsx,
]
