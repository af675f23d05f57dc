"""CORS for the JSON API: other sites of the prefecture read published content from the browser.

Only the exact origins of the CORS_ORIGINS setting are allowed, only under /api/, only for
reading (GET, HEAD and the preflight OPTIONS), with the Authorization header for API tokens and
the validators for conditional requests. No cookies (no Access-Control-Allow-Credentials): a
session never works cross-origin. Pages are left alone; with no origins set nothing changes.

Litestar's own CORS config applies to every path and replaces a response's Vary header (the page
cache's "Vary: Cookie"), so this small wrapper is used instead, outside the router.
"""

from __future__ import annotations

from collections.abc import Iterable

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.http.compression import merge_vary

API_PREFIX = "/api/"
ALLOWED_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Beyond the CORS-safelisted request headers (Accept, Accept-Language, Content-Language, ...).
ALLOWED_HEADERS = frozenset({"authorization", "if-none-match", "if-modified-since"})
SAFELISTED_HEADERS = frozenset({"accept", "accept-language", "content-language"})
EXPOSED_HEADERS = b"ETag"  # Last-Modified and Cache-Control are readable anyway
MAX_AGE = b"600"


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


class ApiCors:
    def __init__(self, app: ASGIApp, origins: Iterable[str]) -> None:
        self.app = app
        self.origins = frozenset(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not self.origins
            or scope["type"] != "http"
            or not str(scope.get("path", "")).startswith(API_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        origin = _header(scope, b"origin")
        method = str(scope.get("method", ""))
        # Reading only: the answer to a write is never shared with another origin.
        allowed = origin in self.origins and method in ALLOWED_METHODS
        wanted_method = _header(scope, b"access-control-request-method")
        if method == "OPTIONS" and origin and wanted_method:
            if allowed and self._preflight_ok(scope, wanted_method):
                await self._preflight(send, origin)
                return
            # A refused preflight is an ordinary OPTIONS answer without CORS headers: the
            # browser then keeps the other site from sending the request.
            allowed = False
        await self.app(scope, receive, self._wrap(send, origin if allowed else None))

    def _preflight_ok(self, scope: Scope, wanted_method: str) -> bool:
        if wanted_method.upper() not in ALLOWED_METHODS:
            return False
        wanted = _header(scope, b"access-control-request-headers")
        names = {name.strip().lower() for name in wanted.split(",") if name.strip()}
        return names <= ALLOWED_HEADERS | SAFELISTED_HEADERS

    async def _preflight(self, send: Send, origin: str) -> None:
        headers = [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-methods", ", ".join(sorted(ALLOWED_METHODS)).encode()),
            (b"access-control-allow-headers", b"Authorization, If-Modified-Since, If-None-Match"),
            (b"access-control-max-age", MAX_AGE),
            (b"vary", b"Origin"),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    def _wrap(self, send: Send, origin: str | None) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = [
                    (bytes(k), bytes(v)) for k, v in message.get("headers", [])
                ]
                if origin is not None:
                    headers.append((b"access-control-allow-origin", origin.encode("latin-1")))
                    headers.append((b"access-control-expose-headers", EXPOSED_HEADERS))
                # Answers differ by origin: shared caches must keep them apart.
                message = {**message, "headers": merge_vary(headers, b"Origin")}
            await send(message)

        return wrapped
