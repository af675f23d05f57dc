"""Compression of text responses (HTML, CSS, JS, JSON, SVG, feeds, CSV, iCalendar).

Brotli where the client accepts it, else gzip. The outer ASGI layer compresses what the app
renders (in one go, or chunk by chunk for a streamed response); responses that already carry a
Content-Encoding (precompressed static files, cached pages) pass as they are. Every response of
a compressible type says `Vary: Accept-Encoding`, compressed or not, so that shared caches keep
one copy per encoding.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable
from typing import Protocol

import brotli
from litestar.types import ASGIApp, Message, Receive, Scope, Send

MIN_SIZE = 512  # smaller bodies gain less than the headers cost
COMPRESSIBLE = (
    b"text/",
    b"application/json",
    b"application/problem+json",
    b"application/javascript",
    b"application/xml",
    b"application/atom+xml",
    b"application/rss+xml",
    b"application/feed+json",
    b"image/svg+xml",
)
ENCODINGS = ("br", "gzip")
# Quality for what is compressed per response (fast) and once at start (small). Brotli 2
# takes under half the time of 4 on a signed-in page (0.08 against 0.18 ms for 19 KB) for
# about 8 % more bytes, still smaller than gzip 6.
DYNAMIC_QUALITY = {"br": 2, "gzip": 6}
STATIC_QUALITY = {"br": 11, "gzip": 9}
CACHED_QUALITY = {"br": 6, "gzip": 9}  # a cached page: once per change, sent many times


def is_compressible(content_type: bytes) -> bool:
    value = content_type.lower()
    return value.startswith(COMPRESSIBLE) and not value.startswith(b"text/event-stream")


def accepted_encoding(accept_encoding: bytes) -> str | None:
    """The best encoding the client accepts (q > 0): br, then gzip; None for identity."""
    accepted: dict[str, float] = {}
    for part in accept_encoding.decode("latin-1").lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        accepted[name.strip()] = quality
    for encoding in ENCODINGS:
        quality = accepted.get(encoding, accepted.get("*", 0.0))
        if quality > 0:
            return encoding
    return None


def compress(body: bytes, encoding: str, quality: int) -> bytes:
    if encoding == "br":
        return bytes(brotli.compress(body, quality=quality))
    return gzip.compress(body, compresslevel=quality, mtime=0)


class _Stream(Protocol):
    def add(self, data: bytes) -> bytes: ...

    def finish(self) -> bytes: ...


class _BrotliStream:
    def __init__(self) -> None:
        self._compressor = brotli.Compressor(quality=DYNAMIC_QUALITY["br"])

    def add(self, data: bytes) -> bytes:
        return bytes(self._compressor.process(data)) + bytes(self._compressor.flush())

    def finish(self) -> bytes:
        return bytes(self._compressor.finish())


class _GzipStream:
    def __init__(self) -> None:
        self._compressor = zlib.compressobj(DYNAMIC_QUALITY["gzip"], zlib.DEFLATED, 31)

    def add(self, data: bytes) -> bytes:
        return self._compressor.compress(data) + self._compressor.flush(zlib.Z_SYNC_FLUSH)

    def finish(self) -> bytes:
        return self._compressor.flush(zlib.Z_FINISH)


def header_value(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    """The first value of a header (name in lower case), or None."""
    for key, value in headers:
        if bytes(key).lower() == name:
            return bytes(value)
    return None


def weak(etag: str) -> str:
    """The validator of another representation (an encoded copy) of the same content."""
    return etag if etag.startswith("W/") else f"W/{etag}"


def precompress(content_type: bytes, body: bytes, quality: dict[str, int]) -> dict[str, bytes]:
    """The body compressed once per encoding where that makes it smaller (static files at
    start, cached pages when stored)."""
    if not is_compressible(content_type) or len(body) < MIN_SIZE:
        return {}
    encoded = {name: compress(body, name, quality[name]) for name in ENCODINGS}
    return {name: smaller for name, smaller in encoded.items() if len(smaller) < len(body)}


def representation(
    accept_encoding: bytes | None, body: bytes, encoded: dict[str, bytes], etag: str
) -> tuple[bytes, str, str | None]:
    """What to send of precompressed content: the body, its ETag (weak for an encoded copy,
    RFC 9110 8.8.1) and its Content-Encoding (None for the identity)."""
    encoding = accepted_encoding(accept_encoding or b"")
    if encoding is not None and encoding in encoded:
        return encoded[encoding], weak(etag), encoding
    return body, etag, None


def merge_vary(headers: list[tuple[bytes, bytes]], name: bytes) -> list[tuple[bytes, bytes]]:
    """The headers with `name` in one Vary header (added once, whatever the case)."""
    names = [
        item.strip()
        for key, value in headers
        if key.lower() == b"vary"
        for item in value.split(b",")
        if item.strip()
    ]
    if name.lower() not in {item.lower() for item in names}:
        names.append(name)
    return [(k, v) for k, v in headers if k.lower() != b"vary"] + [(b"vary", b", ".join(names))]


class Compression:
    def __init__(self, app: ASGIApp, min_size: int = MIN_SIZE) -> None:
        self.app = app
        self.min_size = min_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        encoding = accepted_encoding(
            header_value(scope.get("headers", []), b"accept-encoding") or b""
        )
        start: Message | None = None
        stream: _Stream | None = None
        passing = True

        async def compressing_send(message: Message) -> None:
            nonlocal start, stream, passing
            if message["type"] == "http.response.start":
                headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
                content_type = header_value(headers, b"content-type") or b""
                eligible = (
                    message["status"] == 200
                    and is_compressible(content_type)
                    and header_value(headers, b"content-encoding") is None
                    and header_value(headers, b"content-range") is None
                )
                if eligible:
                    headers = merge_vary(headers, b"Accept-Encoding")
                length = header_value(headers, b"content-length")
                too_small = length is not None and int(length) < self.min_size
                if not eligible or encoding is None or too_small:
                    await send({**message, "headers": headers})
                    return
                passing = False
                start = {**message, "headers": headers}
                return
            if passing or message["type"] != "http.response.body":
                await send(message)
                return
            assert start is not None and encoding is not None
            body = bytes(message.get("body", b""))
            more = bool(message.get("more_body", False))
            if stream is None and not more:
                # The whole body at once (most pages): compress it, unless it is too small.
                if len(body) < self.min_size:
                    await send(start)
                    await send(message)
                    return
                compressed = compress(body, encoding, DYNAMIC_QUALITY[encoding])
                await send(_encoded_start(start, encoding, len(compressed)))
                await send({"type": "http.response.body", "body": compressed})
                return
            if stream is None:
                stream = _BrotliStream() if encoding == "br" else _GzipStream()
                await send(_encoded_start(start, encoding, None))
            chunk = stream.add(body) if body else b""
            if not more:
                chunk += stream.finish()
            await send({"type": "http.response.body", "body": chunk, "more_body": more})

        await self.app(scope, receive, compressing_send)


def _encoded_start(start: Message, encoding: str, length: int | None) -> Message:
    headers = [(k, v) for k, v in start["headers"] if k.lower() not in (b"content-length", b"etag")]
    # The ETag names the identity body; the encoded body is another representation.
    etag = header_value(start["headers"], b"etag")
    if etag is not None:
        headers.append((b"etag", weak(etag.decode("latin-1")).encode("latin-1")))
    headers.append((b"content-encoding", encoding.encode()))
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {**start, "headers": headers}
