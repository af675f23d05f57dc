"""Resolving who is calling: a session cookie or an API token (Authorization: Bearer).

The principal is put into the ASGI scope for the guard, the services and the templates. A browser
that lacks a CSRF cookie gets one with the first response that used the token (a page with a
form or htmx, or a refused unsafe request), never with a page the shared cache may keep; the
guard checks it on unsafe requests.
"""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie
from typing import Any

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.accounts import service as accounts
from api.principal import Principal
from api.settings import Settings

SESSION_COOKIE = "kdx_session"
CSRF_COOKIE = "kdx_csrf"
SKIP_PREFIXES = ("/static/", "/healthz", "/readyz", "/favicon.ico")


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else ""


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            parsed: SimpleCookie = SimpleCookie()
            try:
                parsed.load(value.decode("latin-1"))
            except Exception:
                return {}
            return {key: morsel.value for key, morsel in parsed.items()}
    return {}


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text = value.decode("latin-1")
            if text.lower().startswith("bearer "):
                return text[7:].strip()
    return None


def cookie_header(settings: Settings, name: str, value: str, max_age: int | None) -> str:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if settings.session_cookie_secure:
        parts.append("Secure")
    return "; ".join(parts)


def principal_of(scope: Scope) -> Principal | None:
    return scope.get("principal")


def signed_in_principal(request: Request) -> Principal:
    """The caller of a route whose action needs an account (the guard let only them through)."""
    found = principal_of(request.scope)
    assert found is not None
    return found


class CsrfState:
    """This request's CSRF token, and whether the response used it (then a new one is set)."""

    __slots__ = ("is_new", "token", "used")

    def __init__(self, token: str, is_new: bool) -> None:
        self.token = token
        self.is_new = is_new
        self.used = False


def csrf_token_of(scope: Scope) -> str:
    """The token for a form or the guard; reading it sends a new browser its cookie."""
    state: CsrfState | None = scope.get("csrf")
    if state is None:
        return ""
    state.used = True
    return state.token


class AuthMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(SKIP_PREFIXES):
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        bearer = _bearer(scope)
        cookies = _cookies(scope)
        principal: Principal | None = None
        state: dict[str, Any] = scope  # type: ignore[assignment]
        if bearer is not None:
            principal = await accounts.resolve_api_token(bearer, address)
            state["auth_kind"] = "token"
        else:
            session_token = cookies.get(SESSION_COOKIE, "")
            state["session_token"] = session_token
            if session_token:
                principal = await accounts.resolve_session(self.settings, session_token, address)
            state["auth_kind"] = "session"
        state["principal"] = principal
        csrf = cookies.get(CSRF_COOKIE, "")
        new_csrf = bearer is None and (len(csrf) < 32 or len(csrf) > 64)
        if new_csrf:
            csrf = secrets.token_urlsafe(32)
        csrf_state = CsrfState(csrf, is_new=new_csrf)
        state["csrf"] = csrf_state

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and csrf_state.is_new and csrf_state.used:
                headers = MutableScopeHeaders.from_message(message)
                headers.add("set-cookie", cookie_header(self.settings, CSRF_COOKIE, csrf, None))
            await send(message)

        await self.app(scope, receive, send_with_cookie)
