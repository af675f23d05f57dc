"""The one guard every route passes: the permission table, CSRF for unsafe requests, and the
range of every whole-number path parameter."""

from __future__ import annotations

import hmac

from litestar.connection import ASGIConnection, Request
from litestar.handlers.base import BaseRouteHandler

from api.db import is_storable_id
from api.errors import NotAuthenticated, NotFound, PermissionDenied
from api.http.auth import csrf_token_of, principal_of
from api.permissions import PERMISSIONS

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"

# Handlers Litestar adds by itself carry no opt of ours. The automatic OPTIONS answer of a route
# only lists its methods, so it is public reading. (The OpenAPI schema router gets its action
# in web.app, like every other router.)
AUTOMATIC_OPTIONS_ACTION = "public.view"


def _is_automatic_options(handler: BaseRouteHandler) -> bool:
    methods = getattr(handler, "http_methods", set())
    return methods == {"OPTIONS"} and getattr(handler.fn, "__name__", "") == "options_handler"


def action_of(handler: BaseRouteHandler) -> str | None:
    """The permission-table action of a route handler, or None (then it is refused)."""
    name = handler.opt.get("action")
    if name is not None:
        return str(name)
    if _is_automatic_options(handler):
        return AUTOMATIC_OPTIONS_ACTION
    return None


class CsrfFailed(PermissionDenied):
    title = "フォームの有効期限が切れたか、不正な送信です。ページを再読み込みしてからもう一度送信してください。"


async def access_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    name = action_of(handler)
    if name is None or name not in PERMISSIONS:
        # A route without an entry in the permission table is refused, never silently open.
        raise PermissionDenied("このページへのアクセスは許可されていません。")
    action = PERMISSIONS[name]
    principal = principal_of(connection.scope)
    if not action.public:
        if principal is None:
            raise NotAuthenticated()
        if not principal.can(name):
            raise PermissionDenied()
    method = connection.scope.get("method", "GET")
    if method not in SAFE_METHODS and connection.scope.get("auth_kind") != "token":
        await _check_csrf(connection)
    _check_path_numbers(connection)


def _check_path_numbers(connection: ASGIConnection) -> None:
    """Every {name:int} of every route (ids, years, sizes) names nothing outside 1..2**31-1:
    a larger one would overflow the database driver. One check here instead of one per route."""
    for value in connection.path_params.values():
        if isinstance(value, int) and not isinstance(value, bool) and not is_storable_id(value):
            raise NotFound("お探しのページは見つかりませんでした。")


async def _check_csrf(connection: ASGIConnection) -> None:
    expected = csrf_token_of(connection.scope)
    sent = connection.headers.get(CSRF_HEADER, "")
    if not sent:
        content_type = connection.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            request: Request = Request(connection.scope, connection.receive)
            form = await request.form()
            value = form.get(CSRF_FIELD, "")
            sent = value if isinstance(value, str) else ""
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise CsrfFailed()
