"""Pages of events: the public calendar and event pages, registration (入力 → 確認 → 完了 for
open events, one step for members), cancellation by link or account, iCalendar files, and the
members' own registrations on the platform.

Thin: every rule is in api.events.service, which the JSON API calls too.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream, Template

from api import clock
from api.articles.rendering import render_body
from api.errors import ValidationFailed
from api.events import materials, service
from api.events.reference import MODE_LABELS
from api.events.service import CALENDAR_KIND_LABELS, EventFilter, EventView
from api.http.auth import client_address, principal_of
from api.http.headers import NO_STORE
from api.http.params import PageNumber
from api.pagination import PageRequest
from api.text import new_submission_key
from web.controllers.media import stream_object
from web.forms import form_values, with_submission_key
from web.rendering import page, signed_in_principal

VIEW = {"action": "events.view"}
REGISTER = {"action": "events.register"}
MEMBER = {"action": "events.register_member"}
CALENDAR_PER_PAGE = 20
REGISTRATION_LABELS = {
    "name": "お名前",
    "name_kana": "お名前のフリガナ",
    "organisation_name": "所属（会社・団体名）",
    "email": "メールアドレス",
    "mode": "参加方法",
    "accessibility_needs": "配慮してほしいこと",
}
ICS_HEADERS = {"Cache-Control": "no-cache"}


def _months(now_month: str) -> list[tuple[str, str]]:
    """The month filter's choices: this fiscal year's months and the next year's."""
    year, month = int(now_month[:4]), int(now_month[5:])
    first = year - 1 if month < 4 else year
    choices = [("", "すべての月")]
    for offset in range(24):
        number = 4 + offset
        y, m = first + (number - 1) // 12, (number - 1) % 12 + 1
        choices.append((f"{y:04d}-{m:02d}", f"{y}年{m}月"))
    return choices


@get("/events", opt=VIEW, include_in_schema=False)
async def calendar(
    request: Request,
    kind: FromQuery[str] = "",
    month: FromQuery[str] = "",
    when: FromQuery[str] = "upcoming",
    page_number: PageNumber = 1,
) -> Template:
    filters = EventFilter(kind=kind, month=month, when=when).cleaned()
    result = await service.calendar_page(
        principal_of(request.scope), filters, PageRequest.of(page_number, CALENDAR_PER_PAGE)
    )
    params = {k: v for k, v in (("kind", filters.kind), ("month", filters.month)) if v}
    if filters.when == "past":
        params["when"] = "past"
    return page(
        request, "events/calendar.html", headers=NO_STORE, result=result, filters=filters,
        params=params, kinds=CALENDAR_KIND_LABELS,
        months=_months(clock.now().astimezone(service.JST).strftime("%Y-%m")), now=clock.now(),
    )  # fmt: skip


async def _event_page(
    request: Request,
    view: EventView,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    message: str = "",
) -> Template:
    principal = principal_of(request.scope)
    now = clock.now()
    own = await service.own_registration(principal, view.id)
    team = await service.colleagues_to_register(principal) if principal else []
    return page(
        request, "events/detail.html", status_code=status_code, headers=NO_STORE, event=view,
        body=await render_body(view.description), own=own, now=now,
        online_url=service.online_url_for(view, own, now),
        registration_state=view.registration_state(now), member=service.is_member(principal),
        team=team, errors=errors or {}, values=values or {}, message=message,
        modes=[(mode, MODE_LABELS[mode]) for mode in view.modes],
        materials=await materials.materials_of(view.id),
    )  # fmt: skip


@get("/events/{event_id:int}", opt=VIEW, include_in_schema=False)
async def event_detail(
    request: Request, event_id: FromPath[int], done: FromQuery[str] = ""
) -> Template:
    view = await service.get_event(principal_of(request.scope), event_id)
    message = {"cancelled": "お申し込みをキャンセルしました。確認のメールをお送りしました。"}.get(
        done, ""
    )
    return await _event_page(request, view, message=message)


@get("/events/{event_id:int}/materials/{material_id:int}", opt=VIEW, include_in_schema=False)
async def material_file(
    request: Request, event_id: FromPath[int], material_id: FromPath[int]
) -> Response[Any] | Stream:
    found = await materials.material_to_read(principal_of(request.scope), event_id, material_id)
    disposition = f"attachment; filename*=UTF-8''{quote(found.file_name)}"
    return await stream_object(
        request, found.storage_key, found.content_type, found.size,
        {"Content-Disposition": disposition, "Cache-Control": "private, no-cache"},
    )  # fmt: skip


@get("/events/{event_id:int}/calendar.ics", opt=VIEW, include_in_schema=False)
async def event_ics(request: Request, event_id: FromPath[int]) -> Response[bytes]:
    view = await service.get_event(principal_of(request.scope), event_id)
    body = service.event_calendar(request.app.state.settings, [view], view.title)
    return Response(
        body, media_type="text/calendar; charset=utf-8",
        headers={**ICS_HEADERS, "Content-Disposition": f'attachment; filename="event-{view.id}.ics"'},
    )  # fmt: skip


@get("/events/calendar.ics", opt=VIEW, include_in_schema=False)
async def events_feed(request: Request) -> Response[bytes]:
    """The iCalendar feed of upcoming public events (for calendar subscriptions)."""
    views = await service.upcoming_public_events()
    body = service.event_calendar(
        request.app.state.settings, views, "熊本県DX推進コンソーシアムの催し"
    )
    return Response(body, media_type="text/calendar; charset=utf-8", headers=ICS_HEADERS)


# --- registration for open events: 入力 → 確認 → 完了 ---------------------------------------------


async def _form_page(
    request: Request,
    view: EventView,
    values: dict[str, str],
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
) -> Template:
    return page(
        request, "events/register.html", status_code=status_code, headers=NO_STORE, event=view,
        values=values, errors=errors or {}, labels=REGISTRATION_LABELS,
        modes=[(mode, MODE_LABELS[mode]) for mode in view.modes],
    )  # fmt: skip


async def _open_event(request: Request, event_id: int) -> EventView:
    """The event, when its form may be used now (otherwise its page says why)."""
    principal = principal_of(request.scope)
    view = await service.get_event(principal, event_id)
    service.check_open(view, principal)
    return view


@get("/events/{event_id:int}/register", opt=REGISTER, include_in_schema=False)
async def register_form(request: Request, event_id: FromPath[int]) -> Template:
    view = await _open_event(request, event_id)
    principal = principal_of(request.scope)
    values = {"submission_key": new_submission_key()}
    if principal is not None:
        values.update(email=principal.email, name=principal.display_name)
    if len(view.modes) == 1:
        values["mode"] = view.modes[0]
    return await _form_page(request, view, values)


@post("/events/{event_id:int}/register/confirm", opt=REGISTER, include_in_schema=False)
async def register_confirm(request: Request, event_id: FromPath[int]) -> Template:
    values = with_submission_key((await form_values(request))[0])
    try:
        view, data = await service.check_registration(principal_of(request.scope), event_id, values)
    except ValidationFailed as exc:
        view = await service.get_event(principal_of(request.scope), event_id)
        return await _form_page(request, view, values, status_code=422, errors=exc.errors)
    return page(
        request, "events/register_confirm.html", headers=NO_STORE, event=view, data=data,
        hidden=data.as_form(), labels=REGISTRATION_LABELS, mode_label=MODE_LABELS.get(data.mode, ""),
    )  # fmt: skip


@post("/events/{event_id:int}/register/edit", opt=REGISTER, include_in_schema=False)
async def register_edit(request: Request, event_id: FromPath[int]) -> Template:
    """「修正する」: back to the form with everything as it was typed."""
    view = await service.get_event(principal_of(request.scope), event_id)
    return await _form_page(request, view, with_submission_key((await form_values(request))[0]))


@post("/events/{event_id:int}/register", opt=REGISTER, include_in_schema=False)
async def register_submit(request: Request, event_id: FromPath[int]) -> Response[Any] | Template:
    values = with_submission_key((await form_values(request))[0])
    try:
        result = await service.register(
            request.app.state.settings, principal_of(request.scope), event_id, values,
            client_address(request.scope),
        )  # fmt: skip
    except ValidationFailed as exc:
        view = await service.get_event(principal_of(request.scope), event_id)
        return await _form_page(request, view, values, status_code=422, errors=exc.errors)
    return Redirect(
        f"/events/{event_id}/registered?ref={result.registration.reference}", status_code=303
    )


@get("/events/{event_id:int}/registered", opt=REGISTER, include_in_schema=False)
async def registered(
    request: Request, event_id: FromPath[int], ref: FromQuery[str] = ""
) -> Template:
    registration, view = await service.registration_by_reference(event_id, ref)
    return page(
        request, "events/registered.html", headers=NO_STORE, event=view, registration=registration
    )


# --- members: one step, and their own registrations -----------------------------------------


@post("/events/{event_id:int}/member-register", opt=MEMBER, include_in_schema=False)
async def member_register(request: Request, event_id: FromPath[int]) -> Response[Any] | Template:
    values = (await form_values(request))[0]
    principal = signed_in_principal(request)
    account = values.get("account_id", "")
    try:
        result = await service.register_member(
            request.app.state.settings, principal, event_id, values.get("mode", ""),
            values.get("accessibility_needs", ""),
            int(account) if account.isdigit() and len(account) < 11 else None,
        )  # fmt: skip
    except ValidationFailed as exc:
        view = await service.get_event(principal, event_id)
        return await _event_page(request, view, status_code=422, errors=exc.errors, values=values)
    return Redirect(
        f"/events/{event_id}/registered?ref={result.registration.reference}", status_code=303
    )


@post("/events/registrations/{registration_id:int}/cancel", opt=MEMBER, include_in_schema=False)
async def member_cancel(request: Request, registration_id: FromPath[int]) -> Response[Any]:
    cancelled = await service.cancel_registration(
        request.app.state.settings, signed_in_principal(request), registration_id
    )
    return Redirect(f"/events/{cancelled.event_id}?done=cancelled", status_code=303)


@get("/platform/events", opt=MEMBER, include_in_schema=False)
async def platform_events(request: Request) -> Template:
    principal = signed_in_principal(request)
    mine = await service.my_registrations(principal)
    listed = await service.list_events(principal, EventFilter(), PageRequest.of(1, 20))
    upcoming = [service.entry_of(view) for view in listed.items]
    return page(
        request,
        "events/platform.html",
        headers=NO_STORE,
        mine=mine,
        upcoming=upcoming,
        now=clock.now(),
    )


# --- cancelling through the link in the mail ----------------------------------------------------


@get("/events/cancel/{token:str}", opt=REGISTER, include_in_schema=False)
async def cancel_form(request: Request, token: FromPath[str]) -> Template:
    registration, view = await service.registration_by_token(request.app.state.settings, token)
    return page(
        request, "events/cancel.html", headers=NO_STORE, event=view, registration=registration,
        token=token, done=False,
    )  # fmt: skip


@post("/events/cancel/{token:str}", opt=REGISTER, include_in_schema=False)
async def cancel_submit(request: Request, token: FromPath[str]) -> Template:
    settings = request.app.state.settings
    registration = await service.cancel_by_token(settings, token)
    _, view = await service.registration_by_token(settings, token)
    return page(
        request, "events/cancel.html", headers=NO_STORE, event=view, registration=registration,
        token=token, done=True,
    )  # fmt: skip


ROUTES = [
    calendar,
    material_file,
    events_feed,
    event_detail,
    event_ics,
    register_form,
    register_confirm,
    register_edit,
    register_submit,
    registered,
    member_register,
    member_cancel,
    platform_events,
    cancel_form,
    cancel_submit,
]
