"""HEAD answered as GET without the body (RFC 9110, 9.3.2) on every route that answers GET.

Litestar routes HEAD only to handlers declared for it, so HEAD on a page would answer 405. This
wraps the app's ASGI handler outside the router: a HEAD request runs the GET handler (guard,
session and all), the status and headers go out as GET sends them, content-length included, and
the body is dropped. A path without GET answers 405 as before, its Allow header listing the methods.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        # A copy: the server keeps the original scope and must still see HEAD, so that it expects
        # no body after the content-length of the GET response.
        as_get: Scope = {**scope, "method": "GET"}  # type: ignore[typeddict-item]

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.start":
                await send(message)
            elif not message.get("more_body", False):
                # The last part of the body (or a file sent in one go) ends the empty response.
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app(as_get, receive, send_without_body)
