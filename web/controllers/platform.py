"""The member platform: a member's own organisation and colleagues, and the member directory.

Thin: every rule (own organisation only, the last admin, read-only fields) is in
api.members.colleagues and api.members.directory, which the JSON API calls too.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from api.errors import ValidationFailed
from api.http.headers import NO_STORE_HTMX
from api.members import colleagues, directory
from api.members.validation import MAX_CONTACTS
from api.pagination import PageRequest
from web.forms import form_values
from web.rendering import page, signed_in_principal, wants_fragment

PageNumber = Annotated[int, QueryParameter(ge=1, le=100000)]
COLLEAGUES_PER_PAGE = 50
ACTIVE_CHOICES = {"true": True, "false": False}
USERS_PATH = "/platform/organisation/users"


@get("/platform", opt={"action": "organisation.view"}, include_in_schema=False)
async def home(request: Request, done: FromQuery[str] = "") -> Template:
    organisation = await colleagues.own_organisation(signed_in_principal(request))
    return page(request, "platform/home.html", organisation=organisation, done=done)


# --- the organisation's profile -----------------------------------------------------------------


@get("/platform/organisation", opt={"action": "organisation.view"}, include_in_schema=False)
async def organisation_profile(request: Request, done: FromQuery[str] = "") -> Template:
    organisation = await colleagues.own_organisation(signed_in_principal(request))
    return page(
        request, "platform/organisation.html", headers=NO_STORE_HTMX,
        organisation=organisation, done=done,
    )  # fmt: skip


def _contact_slots(values: dict[str, str]) -> int:
    """How many contact fieldsets the form shows: those in use and one empty (at most five)."""
    used = [
        index
        for index, prefix in enumerate(colleagues.CONTACT_PREFIXES)
        if any(values.get(f"{prefix}{key}") for key in colleagues.CONTACT_KEYS)
    ]
    return min(MAX_CONTACTS, (max(used) + 2) if used else 1)


async def _edit_page(
    request: Request, values: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> Template:
    organisation = await colleagues.own_organisation(signed_in_principal(request))
    shown = colleagues.form_values_of(organisation) if values is None else dict(values)
    # Read-only fields always show what is stored, whatever was sent.
    for name in colleagues.READ_ONLY_FIELDS:
        shown[name] = getattr(organisation, name)
    return page(
        request, "platform/organisation_edit.html", status_code=422 if errors else 200,
        headers=NO_STORE_HTMX, organisation=organisation, values=shown, errors=errors or {},
        contact_slots=_contact_slots(shown),
    )  # fmt: skip


@get("/platform/organisation/edit", opt={"action": "organisation.manage"}, include_in_schema=False)
async def edit_organisation(request: Request) -> Template:
    return await _edit_page(request)


@post("/platform/organisation", opt={"action": "organisation.manage"}, include_in_schema=False)
async def save_organisation(request: Request) -> Response | Template:
    values, _ = await form_values(request)
    try:
        await colleagues.update_own_organisation(signed_in_principal(request), values)
    except ValidationFailed as exc:
        return await _edit_page(request, values, exc.errors)
    return Redirect("/platform/organisation?done=saved", status_code=303)


# --- colleagues ---------------------------------------------------------------------------------


async def _users_page(
    request: Request,
    page_number: int = 1,
    status_code: int = 200,
    **context: object,
) -> Template:
    principal = signed_in_principal(request)
    result = await colleagues.list_colleagues(
        principal, PageRequest.of(page_number, COLLEAGUES_PER_PAGE)
    )
    context.setdefault("done", "")
    context.setdefault("values", {})
    return page(
        request, "platform/users.html", status_code=status_code, headers=NO_STORE_HTMX,
        result=result, state_of=colleagues.colleague_state, role_of=colleagues.member_role_of,
        params={}, **context,
    )  # fmt: skip


@get(USERS_PATH, opt={"action": "organisation.manage"}, include_in_schema=False)
async def users(
    request: Request, done: FromQuery[str] = "", page_number: PageNumber = 1
) -> Template:
    return await _users_page(request, page_number, done=done)


@post(USERS_PATH, opt={"action": "organisation.manage"}, include_in_schema=False)
async def invite_user(request: Request) -> Response | Template:
    values, _ = await form_values(request)
    try:
        await colleagues.invite_colleague(
            request.app.state.settings,
            signed_in_principal(request),
            values.get("email", ""),
            values.get("display_name", ""),
        )
    except ValidationFailed as exc:
        return await _users_page(request, status_code=422, errors=exc.errors, values=values)
    return Redirect(f"{USERS_PATH}?done=invited", status_code=303)


@post(
    f"{USERS_PATH}/{{account_id:int}}/active",
    opt={"action": "organisation.manage"},
    include_in_schema=False,
)
async def set_active(request: Request, account_id: FromPath[int]) -> Response | Template:
    values, _ = await form_values(request)
    try:
        active = ACTIVE_CHOICES.get(values.get("is_active", ""))
        if active is None:
            raise ValidationFailed({"is_active": "利用状態は「有効」か「無効」を選んでください。"})
        await colleagues.update_colleague(
            signed_in_principal(request), account_id, is_active=active
        )
    except ValidationFailed as exc:
        return await _users_page(request, status_code=422, errors=exc.errors)
    done = "reactivated" if active else "deactivated"
    return Redirect(f"{USERS_PATH}?done={done}", status_code=303)


@post(
    f"{USERS_PATH}/{{account_id:int}}/role",
    opt={"action": "organisation.manage"},
    include_in_schema=False,
)
async def set_role(request: Request, account_id: FromPath[int]) -> Response | Template:
    values, _ = await form_values(request)
    principal = signed_in_principal(request)
    try:
        await colleagues.update_colleague(principal, account_id, role=values.get("role", ""))
    except ValidationFailed as exc:
        return await _users_page(request, status_code=422, errors=exc.errors)
    if account_id == principal.account_id and values.get("role") != "member_admin":
        # No longer an admin: the colleagues page would refuse them now.
        return Redirect("/platform?done=stepped_down", status_code=303)
    return Redirect(f"{USERS_PATH}?done=role", status_code=303)


@post(
    f"{USERS_PATH}/{{account_id:int}}/invitation",
    opt={"action": "organisation.manage"},
    include_in_schema=False,
)
async def resend_invitation(request: Request, account_id: FromPath[int]) -> Response | Template:
    try:
        await colleagues.resend_colleague_invitation(
            request.app.state.settings, signed_in_principal(request), account_id
        )
    except ValidationFailed as exc:
        return await _users_page(request, status_code=422, errors=exc.errors)
    return Redirect(f"{USERS_PATH}?done=resent", status_code=303)


@post(
    "/platform/organisation/handover",
    opt={"action": "organisation.manage"},
    include_in_schema=False,
)
async def hand_over(request: Request) -> Response | Template:
    values, _ = await form_values(request)
    step_down = values.get("step_down") == "on"
    try:
        text = values.get("account_id", "")
        if not text.isdigit() or len(text) > 10:
            raise ValidationFailed({"account_id": "引き継ぐ同僚を選んでください。"})
        await colleagues.hand_over_admin(
            signed_in_principal(request), int(text), step_down=step_down
        )
    except ValidationFailed as exc:
        return await _users_page(request, status_code=422, errors=exc.errors, values=values)
    if step_down:
        return Redirect("/platform?done=handed_over", status_code=303)
    return Redirect(f"{USERS_PATH}?done=handed_over", status_code=303)


# --- the directory ------------------------------------------------------------------------------


@get("/platform/directory", opt={"action": "directory.view"}, include_in_schema=False)
async def directory_list(
    request: Request,
    q: FromQuery[str] = "",
    industry: FromQuery[str] = "",
    municipality: FromQuery[str] = "",
    size: FromQuery[str] = "",
    page_number: PageNumber = 1,
) -> Template:
    filters = directory.DirectoryFilter(
        q=q, industry=industry, municipality=municipality, size=size
    ).cleaned()
    result = await directory.list_directory(
        signed_in_principal(request), filters, PageRequest.of(page_number)
    )
    template = (
        "platform/_directory_results.html" if wants_fragment(request) else "platform/directory.html"
    )
    params = {
        "q": filters.q,
        "industry": filters.industry,
        "municipality": filters.municipality,
        "size": filters.size,
    }
    return page(
        request, template, headers={"Vary": "HX-Request"}, result=result, params=params,
        municipalities=directory.MUNICIPALITY_CHOICES,
    )  # fmt: skip


@get(
    "/platform/directory/{organisation_id:int}",
    opt={"action": "directory.view"},
    include_in_schema=False,
)
async def directory_entry(request: Request, organisation_id: FromPath[int]) -> Template:
    entry = await directory.get_directory_entry(signed_in_principal(request), organisation_id)
    return page(request, "platform/directory_entry.html", entry=entry)


ROUTES = [
    home,
    organisation_profile,
    edit_organisation,
    save_organisation,
    users,
    invite_user,
    set_active,
    set_role,
    resend_invitation,
    hand_over,
    directory_list,
    directory_entry,
]
