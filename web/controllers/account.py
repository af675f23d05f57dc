"""The signed-in user's own account page and password change."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from api.accounts import service
from api.errors import ValidationFailed
from api.http.auth import principal_of
from api.http.headers import NO_STORE
from web.forms import form_values
from web.rendering import page


@get("/account", opt={"action": "account.view"}, include_in_schema=False)
async def account_page(request: Request, done: FromQuery[str] = "") -> Template:
    principal = principal_of(request.scope)
    assert principal is not None
    account = await service.get_account(principal.account_id)
    return page(request, "account/account.html", headers=NO_STORE, account=account, done=done)


@post("/account/password", opt={"action": "account.update"}, include_in_schema=False)
async def change_password(request: Request) -> Response | Template:
    principal = principal_of(request.scope)
    assert principal is not None
    values, _ = await form_values(request)
    try:
        await service.change_password(
            request.app.state.settings,
            principal,
            values.get("current_password", ""),
            values.get("new_password", ""),
            values.get("new_password_confirmation", ""),
        )
    except ValidationFailed as exc:
        account = await service.get_account(principal.account_id)
        return page(
            request, "account/account.html", status_code=422, headers=NO_STORE,
            account=account, errors=exc.errors, done="",
        )  # fmt: skip
    return Redirect("/account?done=password", status_code=303)


ROUTES = [account_page, change_password]
