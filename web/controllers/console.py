"""The secretariat console: users and roles, the audit log, jobs and mail, API tokens."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from api.accounts import service as accounts
from api.audit import service as audit
from api.errors import ValidationFailed
from api.http.headers import NO_STORE_HTMX
from api.jobs import service as jobs
from api.mail import service as mail
from api.pagination import PageRequest
from api.permissions import SCOPES
from web.forms import form_values
from web.rendering import page, signed_in_principal, wants_fragment

PageNumber = Annotated[int, QueryParameter(ge=1, le=100000)]
ACTIVE_CHOICES = {"true": True, "false": False}


@get("/console", opt={"action": "console.view"}, include_in_schema=False)
async def dashboard(request: Request) -> Template:
    return page(request, "console/dashboard.html")


@get("/console/users", opt={"action": "users.view"}, include_in_schema=False)
async def users(
    request: Request,
    q: FromQuery[str] = "",
    role: FromQuery[str] = "",
    status: FromQuery[str] = "",
    page_number: PageNumber = 1,
) -> Template:
    filters = accounts.AccountFilter(q=q[:100], role=role, status=status)
    result = await accounts.list_accounts(filters, PageRequest.of(page_number))
    template = "console/_users_table.html" if wants_fragment(request) else "console/users.html"
    params = {"q": filters.q, "role": role, "status": status}
    return page(request, template, headers=NO_STORE_HTMX, result=result, params=params)


@get("/console/users/new", opt={"action": "users.manage"}, include_in_schema=False)
async def new_user(request: Request) -> Template:
    return page(request, "console/user_new.html", values={}, selected_roles=[])


@post("/console/users", opt={"action": "users.manage"}, include_in_schema=False)
async def create_user(request: Request) -> Response | Template:
    values, lists = await form_values(request)
    roles = lists.get("roles", [])
    try:
        data = accounts.validate_account_input(
            values.get("email", ""), values.get("display_name", ""), roles
        )
        view, _ = await accounts.invite_account(
            request.app.state.settings, signed_in_principal(request), data
        )
    except ValidationFailed as exc:
        return page(
            request, "console/user_new.html", status_code=422, errors=exc.errors,
            values=values, selected_roles=roles,
        )  # fmt: skip
    return Redirect(f"/console/users/{view.id}?done=invited", status_code=303)


async def _user_page(
    request: Request, account_id: int, status_code: int = 200, **context: object
) -> Template:
    account = await accounts.get_account(account_id)
    sessions = await accounts.count_sessions(account_id)
    context.setdefault("done", "")
    return page(
        request, "console/user_edit.html", status_code=status_code, headers=NO_STORE_HTMX,
        account=account, sessions=sessions, **context,
    )  # fmt: skip


@get("/console/users/{account_id:int}", opt={"action": "users.view"}, include_in_schema=False)
async def user_detail(
    request: Request, account_id: FromPath[int], done: FromQuery[str] = ""
) -> Template:
    return await _user_page(request, account_id, done=done)


@post("/console/users/{account_id:int}", opt={"action": "users.manage"}, include_in_schema=False)
async def update_user(request: Request, account_id: FromPath[int]) -> Response | Template:
    values, lists = await form_values(request)
    active_text = values.get("is_active")
    try:
        if active_text is not None and active_text not in ACTIVE_CHOICES:
            raise ValidationFailed({"is_active": "利用状態は「有効」か「無効」を選んでください。"})
        await accounts.update_account(
            signed_in_principal(request),
            account_id,
            display_name=values.get("display_name", ""),
            roles=lists.get("roles", []),
            # Left out of the form: the state stays as it is (never a silent deactivation).
            is_active=ACTIVE_CHOICES.get(active_text or ""),
        )
    except ValidationFailed as exc:
        return await _user_page(request, account_id, 422, errors=exc.errors, values=values)
    return Redirect(f"/console/users/{account_id}?done=saved", status_code=303)


@post(
    "/console/users/{account_id:int}/invitation",
    opt={"action": "users.manage"},
    include_in_schema=False,
)
async def resend_invitation(request: Request, account_id: FromPath[int]) -> Response | Template:
    try:
        await accounts.resend_invitation(
            request.app.state.settings, signed_in_principal(request), account_id
        )
    except ValidationFailed as exc:
        return await _user_page(request, account_id, 422, errors=exc.errors)
    return Redirect(f"/console/users/{account_id}?done=resent", status_code=303)


@get("/console/audit", opt={"action": "audit.view"}, include_in_schema=False)
async def audit_log(
    request: Request,
    action: FromQuery[str] = "",
    actor: FromQuery[str] = "",
    date_from: FromQuery[date | None] = None,
    date_to: FromQuery[date | None] = None,
    page_number: PageNumber = 1,
) -> Template:
    filters = audit.AuditFilter(
        action=action, actor=actor[:100], date_from=date_from, date_to=date_to
    )
    result = await audit.list_entries(filters, PageRequest.of(page_number))
    params = {
        "action": action,
        "actor": filters.actor,
        "date_from": date_from.isoformat() if date_from else "",
        "date_to": date_to.isoformat() if date_to else "",
    }
    return page(
        request, "console/audit.html", headers=NO_STORE_HTMX, result=result, params=params,
        actions=await audit.distinct_actions(),
    )  # fmt: skip


@get("/console/jobs", opt={"action": "jobs.manage"}, include_in_schema=False)
async def job_list(
    request: Request, status: FromQuery[str] = "", page_number: PageNumber = 1
) -> Template:
    status = status if status in ("queued", "running", "done", "failed") else ""
    result = await jobs.list_jobs(status, PageRequest.of(page_number))
    return page(request, "console/jobs.html", result=result, params={"status": status})


@post("/console/jobs/{job_id:int}/retry", opt={"action": "jobs.manage"}, include_in_schema=False)
async def retry_job(request: Request, job_id: FromPath[int]) -> Response:
    await jobs.retry(job_id)
    return Redirect("/console/jobs?status=queued", status_code=303)


@get("/console/mail", opt={"action": "jobs.manage"}, include_in_schema=False)
async def outbox(request: Request, page_number: PageNumber = 1) -> Template:
    result = await mail.list_mail(PageRequest.of(page_number))
    # Once real mail goes out, bodies hold live reset and invitation links: show only who got what.
    show_bodies = not request.app.state.settings.smtp_url
    return page(
        request, "console/mail.html", headers=NO_STORE_HTMX, result=result, params={},
        show_bodies=show_bodies,
    )  # fmt: skip


async def _tokens_page(request: Request, status_code: int = 200, **context: object) -> Template:
    tokens = await accounts.list_api_tokens()
    context.setdefault("values", {})
    context.setdefault("selected_scopes", [])
    return page(
        request, "console/tokens.html", status_code=status_code, headers=NO_STORE_HTMX,
        tokens=tokens, scopes=SCOPES, **context,
    )  # fmt: skip


@get("/console/tokens", opt={"action": "tokens.manage"}, include_in_schema=False)
async def tokens(request: Request) -> Template:
    return await _tokens_page(request)


@post("/console/tokens", opt={"action": "tokens.manage"}, include_in_schema=False)
async def create_token(request: Request) -> Template:
    values, lists = await form_values(request)
    scopes = lists.get("scopes", [])
    try:
        # The account is named by its e-mail address: no list of every user to choose from.
        view, token = await accounts.create_api_token_for_email(
            signed_in_principal(request),
            values.get("account_email", ""),
            values.get("name", ""),
            scopes,
        )
    except ValidationFailed as exc:
        return await _tokens_page(
            request, 422, errors=exc.errors, values=values, selected_scopes=scopes
        )
    return await _tokens_page(request, 201, created=view, created_token=token)


@post(
    "/console/tokens/{token_id:int}/revoke",
    opt={"action": "tokens.manage"},
    include_in_schema=False,
)
async def revoke_token(request: Request, token_id: FromPath[int]) -> Response:
    await accounts.revoke_api_token(signed_in_principal(request), token_id)
    return Redirect("/console/tokens", status_code=303)


ROUTES = [
    dashboard,
    users,
    new_user,
    create_user,
    user_detail,
    update_user,
    resend_invitation,
    audit_log,
    job_list,
    retry_job,
    outbox,
    tokens,
    create_token,
    revoke_token,
]
