"""Login, logout, forgotten password and invitation pages."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from api.accounts import service
from api.errors import DomainError, NotFound, TooManyAttempts, ValidationFailed
from api.http.auth import SESSION_COOKIE, client_address, cookie_header, principal_of
from api.http.headers import NO_STORE
from api.permissions import Role
from web.forms import form_values, safe_next
from web.rendering import page

LOGIN = {"action": "auth.login"}


def _landing(roles: frozenset[Role]) -> str:
    return "/console" if roles & {Role.ADMIN, Role.STAFF, Role.EDITOR} else "/account"


@get("/login", opt=LOGIN, include_in_schema=False)
async def login_form(
    request: Request, next: FromQuery[str] = "", done: FromQuery[str] = ""
) -> Template:
    return page(
        request, "auth/login.html", headers=NO_STORE, values={}, next_path=safe_next(next, ""),
        done=done,
    )  # fmt: skip


@post("/login", opt=LOGIN, include_in_schema=False)
async def login(request: Request) -> Response | Template:
    values, _ = await form_values(request)
    settings = request.app.state.settings
    next_path = safe_next(values.get("next"), "")
    try:
        result = await service.login(
            settings,
            values.get("email", ""),
            values.get("password", ""),
            client_address(request.scope),
            request.headers.get("user-agent", ""),
            replaces_session_token=request.scope.get("session_token") or None,
        )
    except (ValidationFailed, TooManyAttempts) as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else {"email": exc.message}
        return page(
            request, "auth/login.html", status_code=exc.status_code, headers=NO_STORE,
            errors=errors, values={"email": values.get("email", "")}, next_path=next_path,
        )  # fmt: skip
    max_age = settings.session_absolute_hours * 3600
    response = Redirect(next_path or _landing(result.principal.roles), status_code=303)
    response.headers["set-cookie"] = cookie_header(
        settings, SESSION_COOKIE, result.session_token, max_age
    )
    return response


@post("/logout", opt={"action": "account.view"}, include_in_schema=False)
async def logout(request: Request) -> Response:
    principal = principal_of(request.scope)
    assert principal is not None
    await service.logout(principal)
    response = Redirect("/login?done=logout", status_code=303)
    response.headers["set-cookie"] = cookie_header(
        request.app.state.settings, SESSION_COOKIE, "", 0
    )
    return response


@get("/password-reset", opt=LOGIN, include_in_schema=False)
async def reset_request_form(request: Request) -> Template:
    return page(request, "auth/reset_request.html", values={}, sent=False)


@post("/password-reset", opt=LOGIN, include_in_schema=False)
async def reset_request(request: Request) -> Template:
    values, _ = await form_values(request)
    try:
        await service.request_password_reset(
            request.app.state.settings, values.get("email", ""), client_address(request.scope)
        )
    except (ValidationFailed, TooManyAttempts) as exc:
        # Too many requests from this client: the message goes next to the address field.
        errors = exc.errors if isinstance(exc, ValidationFailed) else {"email": exc.message}
        return page(
            request, "auth/reset_request.html", status_code=exc.status_code, errors=errors,
            values={"email": values.get("email", "")}, sent=False,
        )  # fmt: skip
    return page(request, "auth/reset_request.html", values={}, sent=True)


def _token_page_context(purpose: str) -> dict[str, str]:
    if purpose == service.PURPOSE_RESET:
        return {"heading": "新しいパスワードの設定", "action_base": "/password-reset"}
    return {"heading": "招待の受け付けとパスワードの設定", "action_base": "/invitation"}


async def _token_form(request: Request, token: str, purpose: str) -> Template:
    try:
        holder = await service.check_one_time_token(token, purpose)
    except NotFound as exc:
        return page(
            request, "errors/error.html", status_code=404, headers=NO_STORE,
            title="リンクが無効です", detail=exc.message, status=404,
        )  # fmt: skip
    return page(
        request, "auth/set_password.html", headers=NO_STORE, token=token, holder=holder,
        **_token_page_context(purpose),
    )  # fmt: skip


async def _token_submit(request: Request, token: str, purpose: str) -> Response | Template:
    values, _ = await form_values(request)
    try:
        await service.set_password_with_token(
            request.app.state.settings,
            token,
            purpose,
            values.get("new_password", ""),
            values.get("new_password_confirmation", ""),
        )
    except ValidationFailed as exc:
        holder = await service.check_one_time_token(token, purpose)
        return page(
            request, "auth/set_password.html", status_code=422, headers=NO_STORE,
            errors=exc.errors, token=token, holder=holder, **_token_page_context(purpose),
        )  # fmt: skip
    except DomainError as exc:
        return page(
            request, "errors/error.html", status_code=exc.status_code, headers=NO_STORE,
            title="リンクが無効です", detail=exc.message, status=exc.status_code,
        )  # fmt: skip
    done = "reset" if purpose == service.PURPOSE_RESET else "invitation"
    return Redirect(f"/login?done={done}", status_code=303)


@get("/password-reset/{token:str}", opt=LOGIN, include_in_schema=False)
async def reset_form(request: Request, token: FromPath[str]) -> Template:
    return await _token_form(request, token, service.PURPOSE_RESET)


@post("/password-reset/{token:str}", opt=LOGIN, include_in_schema=False)
async def reset_submit(request: Request, token: FromPath[str]) -> Response | Template:
    return await _token_submit(request, token, service.PURPOSE_RESET)


@get("/invitation/{token:str}", opt=LOGIN, include_in_schema=False)
async def invitation_form(request: Request, token: FromPath[str]) -> Template:
    return await _token_form(request, token, service.PURPOSE_INVITATION)


@post("/invitation/{token:str}", opt=LOGIN, include_in_schema=False)
async def invitation_submit(request: Request, token: FromPath[str]) -> Response | Template:
    return await _token_submit(request, token, service.PURPOSE_INVITATION)


ROUTES = [
    login_form,
    login,
    logout,
    reset_request_form,
    reset_request,
    reset_form,
    reset_submit,
    invitation_form,
    invitation_submit,
]
