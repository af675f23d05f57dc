"""Static files (CSS, JS, images, vendored htmx) served from memory.

Read once at start: each file gets a fingerprint (a content hash) in its URL, css/site.css
becoming /static/css/site.<hash>.css, and is compressed once (Brotli and gzip). A fingerprinted
URL is cached for a year as immutable: a changed file gets a new URL. The plain path, or a
fingerprint from an earlier version, still answers with the current file, revalidated each time
(ETag, 304). Served by an ASGI layer in front of the app; an unknown path goes on to the app (404).
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.http.compression import STATIC_QUALITY, header_value, precompress, representation
from api.http.page_cache import not_modified

PREFIX = "/static/"
IMMUTABLE = b"public, max-age=31536000, immutable"
REVALIDATE = b"public, no-cache"
# name.<12 hex digits>.ext (or name.<hash> for a file without an extension)
FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<suffix>\.[A-Za-z0-9]+)?$")
TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", "": "text/plain"}

BeforeSend = Callable[[Message, Scope], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Asset:
    path: str  # relative to the static directory, with forward slashes
    fingerprint: str
    content_type: bytes
    body: bytes
    encoded: dict[str, bytes] = field(default_factory=dict)

    @property
    def url(self) -> str:
        stem, dot, suffix = self.path.rpartition(".")
        if not dot or "/" in suffix:
            return f"{PREFIX}{self.path}.{self.fingerprint}"
        return f"{PREFIX}{stem}.{self.fingerprint}.{suffix}"


def _content_type(path: Path) -> bytes:
    guessed = TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    value = guessed or "application/octet-stream"
    if value.startswith("text/") or value == "image/svg+xml":
        value += "; charset=utf-8"
    return value.encode()


def _load(path: Path, relative: str) -> Asset:
    body = path.read_bytes()
    content_type = _content_type(path)
    encoded = precompress(content_type, body, STATIC_QUALITY)
    fingerprint = hashlib.sha256(body).hexdigest()[:12]
    return Asset(relative, fingerprint, content_type, body, encoded)


class StaticAssets:
    def __init__(self, directory: Path) -> None:
        self._by_path: dict[str, Asset] = {}
        for path in sorted(directory.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                relative = path.relative_to(directory).as_posix()
                self._by_path[relative] = _load(path, relative)

    def url(self, path: str) -> str:
        """The fingerprinted URL of a file (templates: static_url('css/site.css'))."""
        try:
            return self._by_path[path].url
        except KeyError:
            raise LookupError(f"no static file {path!r}") from None

    def find(self, request_path: str) -> tuple[Asset, bool] | None:
        """The asset a /static/ path names, and whether the URL is its current fingerprint."""
        relative = request_path.removeprefix(PREFIX)
        asset = self._by_path.get(relative)
        if asset is not None:
            return asset, False
        match = FINGERPRINTED.match(relative)
        if match is None:
            return None
        asset = self._by_path.get(match["stem"] + (match["suffix"] or ""))
        if asset is None:
            return None
        return asset, match["hash"] == asset.fingerprint


class StaticFiles:
    """The ASGI layer that answers /static/ from memory."""

    def __init__(self, app: ASGIApp, assets: StaticAssets, before_send: BeforeSend) -> None:
        self.app = app
        self.assets = assets
        self.before_send = before_send

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = None
        if scope["type"] == "http" and scope["path"].startswith(PREFIX):
            found = self.assets.find(scope["path"])
        if found is None or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        asset, current = found
        request_headers = scope.get("headers", [])
        strong = f'"{asset.fingerprint}"'
        body, etag, encoding = representation(
            header_value(request_headers, b"accept-encoding"), asset.body, asset.encoded, strong
        )
        headers = [
            (b"content-type", asset.content_type),
            (b"cache-control", IMMUTABLE if current else REVALIDATE),
        ]
        if asset.encoded:
            headers.append((b"vary", b"Accept-Encoding"))
        if encoding is not None:
            headers.append((b"content-encoding", encoding.encode()))
        headers.append((b"etag", etag.encode()))
        status = 200
        if_none_match = (header_value(request_headers, b"if-none-match") or b"").decode("latin-1")
        if not_modified(if_none_match, "", strong, None):
            status, body = 304, b""
            headers = [(k, v) for k, v in headers if k in (b"cache-control", b"vary", b"etag")]
        else:
            headers.append((b"content-length", str(len(body)).encode()))
        start: Message = {"type": "http.response.start", "status": status, "headers": headers}
        await self.before_send(start, scope)
        await send(start)
        await send({"type": "http.response.body", "body": body})
