"""Counts the pages people see (api.analytics.recording), outside the whole app so that pages
answered from the page cache count too.

A view is a GET answered 200 with HTML, or 304 to a browser asking for HTML (a page it keeps);
htmx fragment requests are parts of a page already counted, boosted navigation is a page. The
request only appends a row to the buffer: no query, nothing awaited.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.analytics import recording
from api.audiences import audience_of


def _headers(scope: Scope) -> dict[bytes, bytes]:
    wanted: dict[bytes, bytes] = {}
    for name, value in scope.get("headers", []):
        if name in _WANTED:
            wanted[name] = value
    return wanted


_WANTED = frozenset(
    {b"user-agent", b"referer", b"host", b"accept", b"hx-request", b"hx-boosted", b"sec-purpose",
     b"purpose"}
)  # fmt: skip


class PageViewRecorder:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        place = recording.classify(scope["path"])
        if (
            place is None
            or (b"hx-request" in headers and b"hx-boosted" not in headers)
            or b"prefetch" in headers.get(b"sec-purpose", headers.get(b"purpose", b""))
        ):
            await self.app(scope, receive, send)
            return

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start" and _is_page(message, headers):
                row = recording.view(
                    place,
                    scope["path"],
                    headers.get(b"user-agent", b"").decode("latin-1"),
                    headers.get(b"referer", b"").decode("latin-1"),
                    headers.get(b"host", b"").decode("latin-1"),
                    audience_of(scope.get("principal")),  # set by the AuthMiddleware, if reached
                )
                if row is not None:
                    recording.BUFFER.add(row)
            await send(message)

        await self.app(scope, receive, counting)


def _is_page(message: Message, headers: dict[bytes, bytes]) -> bool:
    status = message["status"]
    if status == 304:
        return b"text/html" in headers.get(b"accept", b"")
    if status != 200:
        return False
    for name, value in message.get("headers", []):
        if name.lower() == b"content-type":
            return value.startswith(b"text/html")
    return False
