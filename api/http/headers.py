"""Security headers on every response, including static files and error pages.

A `before_send` hook of the app, not a route middleware: Litestar runs route middleware only for
matched routes, so a 404 or 405 from the router would go out without these headers.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"

# Responses no cache may keep (personal data, forms with their token, lists that change); the
# pages that answer htmx with a fragment of themselves also vary on it.
NO_STORE = {"Cache-Control": "no-store"}
NO_STORE_HTMX = {**NO_STORE, "Vary": "HX-Request"}


def security_headers(hsts: bool) -> BeforeMessageSendHookHandler:
    """The hook that adds the headers to every HTTP response start message."""

    async def add_headers(message: Message, scope: Scope) -> None:
        if scope["type"] != "http" or message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if hsts:
            headers["Strict-Transport-Security"] = HSTS

    return add_headers
