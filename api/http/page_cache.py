"""The anonymous page cache: public pages, feeds and the sitemap served from memory, with
ETag, Last-Modified and 304 answers to conditional requests.

A route takes part when its handler opt has "cache": "public" (`PUBLIC_CACHE`). Only anonymous
GET/HEAD requests are cached; a logged-in request (session or API token) bypasses the cache
and is never stored, since its page shows personal navigation. Entries are keyed by host, path,
query and the htmx headers a page may answer differently to, and hold the content generation
they were rendered under (api.articles.generation). The generation is read at most every half
second (a GenerationReader), and at once after a change made in this process, so a publish
shows within that in every process.

Two pieces: PageCacheMiddleware, inside the router and the AuthMiddleware, renders and stores
on a miss; PageCacheFront, outside the whole app, answers hits of visitors without a session
cookie or token before routing, sessions and templates, adding the security headers itself.
Only complete 200 responses without Set-Cookie are stored.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api import clock
from api.articles.generation import Generation, GenerationReader
from api.http.auth import SESSION_COOKIE
from api.http.compression import (
    CACHED_QUALITY,
    header_value,
    merge_vary,
    precompress,
    representation,
)

PUBLIC_CACHE = "public"
CACHE_CONTROL = b"public, no-cache"  # shared caches may keep it, but must ask again each time
PERSONAL_CACHE_CONTROL = b"private, no-cache"
# Request headers a page may answer differently to (htmx fragments); part of the key.
KEY_HEADERS = (b"host", b"hx-request", b"hx-target", b"hx-boosted", b"hx-history-restore-request")
# Response headers that describe the request rather than the page: never stored.
DROPPED_HEADERS = frozenset(
    {b"content-length", b"etag", b"last-modified", b"cache-control", b"date", b"server"}
)


def marks_public_cache(scope: Scope) -> bool:
    """Whether the matched route handler opted into the shared (anonymous) cache."""
    handler = scope.get("route_handler")
    return handler is not None and handler.opt.get("cache") == PUBLIC_CACHE


def is_anonymous(scope: Scope) -> bool:
    if scope.get("principal") is not None:
        return False
    return not any(name == b"authorization" for name, _ in scope.get("headers", []))


def serves_shared_copy(scope: Scope) -> bool:
    """Whether this response may be stored and shown to other visitors (then it must carry
    nothing personal, such as a CSRF token)."""
    return marks_public_cache(scope) and is_anonymous(scope)


@dataclass(slots=True)
class CachedPage:
    generation: int
    status: int
    headers: list[tuple[bytes, bytes]]  # without the cache headers below
    body: bytes
    etag: str
    last_modified: datetime | None
    stored_at: float = field(default_factory=time.monotonic)
    # The body compressed once per encoding (api.http.compression), for clients that accept it.
    encoded: dict[str, bytes] = field(default_factory=dict)

    @property
    def size(self) -> int:
        variants = sum(len(body) for body in self.encoded.values())
        return len(self.body) + variants + sum(len(k) + len(v) for k, v in self.headers)


class PageCache:
    """A bounded LRU of rendered pages (entries and bytes), one per app process."""

    def __init__(
        self,
        max_entries: int = 256,
        max_bytes: int = 32 * 1024 * 1024,
        max_entry_bytes: int = 2 * 1024 * 1024,
        max_age_seconds: float = 300.0,
        generations: GenerationReader | None = None,
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        # Some pages change with time alone (an event notice leaves the upcoming list when
        # the event ends): no entry is served longer than this, whatever the generation.
        self.max_age_seconds = max_age_seconds
        self.generations = generations or GenerationReader()
        self._generation_max_age = self.generations.max_age
        self._entries: OrderedDict[tuple[bytes, ...], CachedPage] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        return self._bytes

    def peek(self, key: tuple[bytes, ...]) -> bool:
        return key in self._entries

    def get(self, key: tuple[bytes, ...], generation: int) -> CachedPage | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        stale = time.monotonic() - entry.stored_at > self.max_age_seconds
        if entry.generation != generation or stale:
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple[bytes, ...], entry: CachedPage) -> None:
        if entry.size > self.max_entry_bytes:
            return
        self._remove(key)
        self._entries[key] = entry
        self._bytes += entry.size
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            oldest = next(iter(self._entries))
            self._remove(oldest)

    def reset(self) -> None:
        """Empty, with its counters at zero and the generation read again (a database
        replaced under a running app: the tests' shared apps)."""
        self._entries.clear()
        self._bytes = 0
        self.hits = self.misses = 0
        self.generations = GenerationReader(self._generation_max_age)

    def _remove(self, key: tuple[bytes, ...]) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry.size


def _header(scope: Scope, name: bytes) -> bytes:
    return header_value(scope.get("headers", []), name) or b""


def cache_key(scope: Scope) -> tuple[bytes, ...]:
    # The host is part of the key: without BASE_URL, feeds and the sitemap use it in their URLs.
    path = scope.get("raw_path") or scope["path"].encode()
    return (path, scope.get("query_string", b""), *(_header(scope, n) for n in KEY_HEADERS))


def make_etag(generation: int, body: bytes) -> str:
    return f'"g{generation}-{hashlib.sha256(body).hexdigest()[:24]}"'


def http_date(value: datetime) -> str:
    """Last-Modified of a generation: never later than now (RFC 9110, 8.8.2.1). A burst of
    changes may set a generation's time a second or two ahead; 304 decisions still compare
    with the real time, so a client holding the earlier state gets the new one."""
    return format_datetime(min(value, clock.now()).replace(microsecond=0), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    # Weak comparison (RFC 9110, 13.1.2): W/"x" matches "x".
    tags = [part.strip().removeprefix("W/") for part in header.split(",")]
    return "*" in tags or etag in tags


def not_modified(
    if_none_match: str, if_modified_since: str, etag: str | None, last_modified: datetime | None
) -> bool:
    """RFC 9110, 13.2.2: If-None-Match decides when present; else If-Modified-Since."""
    if if_none_match:
        return etag is not None and _etag_matches(if_none_match, etag)
    if if_modified_since and last_modified is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:  # an obsolete date format without a zone: GMT by definition
            return False
        return last_modified.replace(microsecond=0) <= since
    return False


class PageCacheMiddleware:
    def __init__(self, app: ASGIApp, cache: PageCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # HEAD arrives here as GET (api.http.head answers it outside the router).
        if scope["type"] != "http" or scope.get("method") != "GET" or not marks_public_cache(scope):
            await self.app(scope, receive, send)
            return
        if not is_anonymous(scope):
            await self.app(scope, receive, _personal(send))
            return
        generation = await self.cache.generations.current()
        key = cache_key(scope)
        entry = self.cache.get(key, generation.number)
        if entry is not None:
            self.cache.hits += 1
            await answer(scope, send, entry)
            return
        self.cache.misses += 1
        entry = await self._render(scope, receive, send, generation)
        if entry is not None:
            await answer(scope, send, entry)

    async def _render(
        self, scope: Scope, receive: Receive, send: Send, generation: Generation
    ) -> CachedPage | None:
        """Run the handler; a complete 200 without cookies is stored and returned, anything
        else goes out as it comes (None)."""
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False  # the response is not ours to keep: forward it unchanged
        complete = False

        async def capture(message: Message) -> None:
            nonlocal start, size, passing, complete
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                start = message
                if message["status"] != 200:
                    passing = True
                    await send(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body = bytes(message.get("body", b""))
            chunks.append(body)
            size += len(body)
            if size > self.cache.max_entry_bytes:
                # Too big to keep: send what we have and stream the rest.
                passing = True
                assert start is not None
                await send(_with_cache_headers(start, None, None))
                await send({"type": "http.response.body", "body": b"".join(chunks),
                            "more_body": message.get("more_body", False)})  # fmt: skip
                return
            if not message.get("more_body", False):
                complete = True

        await self.app(scope, receive, capture)
        if passing or start is None:
            return None
        if not complete:  # the app stopped without a last body message: pass on what it sent
            await send(start)
            await send({"type": "http.response.body", "body": b"".join(chunks)})
            return None
        headers = [(bytes(k).lower(), bytes(v)) for k, v in start.get("headers", [])]
        body = b"".join(chunks)
        if any(k == b"set-cookie" for k, _ in headers):
            # A cookie is for this visitor alone: answer as to a logged-in visitor, keep nothing.
            personal = _personal(send)
            await personal(start)
            await personal({"type": "http.response.body", "body": body})
            return None
        entry = CachedPage(
            generation=generation.number,
            status=200,
            headers=[(k, v) for k, v in headers if k not in DROPPED_HEADERS],
            body=body,
            etag=make_etag(generation.number, body),
            last_modified=generation.changed_at,
            encoded=precompress(
                header_value(headers, b"content-type") or b"", body, CACHED_QUALITY
            ),
        )
        self.cache.put(cache_key(scope), entry)
        return entry


async def answer(scope: Scope, send: Send, entry: CachedPage) -> None:
    modified = not not_modified(
        _header(scope, b"if-none-match").decode("latin-1"),
        _header(scope, b"if-modified-since").decode("latin-1"),
        entry.etag,
        entry.last_modified,
    )
    headers = [*entry.headers]
    body, etag, encoding = representation(
        _header(scope, b"accept-encoding"), entry.body, entry.encoded, entry.etag
    )
    if entry.encoded:
        headers = merge_vary(headers, b"Accept-Encoding")
    if encoding is not None:
        headers.append((b"content-encoding", encoding.encode()))
    if modified:
        headers.append((b"content-length", str(len(body)).encode()))
    else:
        # A 304 carries the validators and caching headers, no body and no content headers.
        headers = [(k, v) for k, v in headers if k in (b"vary",)]
    message: Message = {
        "type": "http.response.start",
        "status": entry.status if modified else 304,
        "headers": headers,
    }
    await send(_with_cache_headers(message, etag, entry.last_modified))
    await send({"type": "http.response.body", "body": body if modified else b""})


def _with_cache_headers(
    message: Message, etag: str | None, last_modified: datetime | None
) -> Message:
    headers: list[tuple[bytes, bytes]] = [
        (bytes(k), bytes(v))
        for k, v in message.get("headers", [])
        if bytes(k).lower() not in (b"cache-control", b"etag", b"last-modified")
    ]
    headers.append((b"cache-control", CACHE_CONTROL))
    if etag is not None:
        headers.append((b"etag", etag.encode()))
    if last_modified is not None:
        headers.append((b"last-modified", http_date(last_modified).encode()))
    # A visitor with a session cookie sees another page (personal navigation).
    headers = merge_vary(headers, b"Cookie")
    return {**message, "headers": headers}


def _personal(send: Send) -> Send:
    """Logged-in answers of cacheable routes: never kept by shared caches."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers: list[tuple[bytes, bytes]] = [
                (bytes(k), bytes(v)) for k, v in message.get("headers", [])
            ]
            if not any(k.lower() == b"cache-control" for k, _ in headers):
                headers.append((b"cache-control", PERSONAL_CACHE_CONTROL))
            message = {**message, "headers": merge_vary(headers, b"Cookie")}
        await send(message)

    return wrapped


BeforeSend = Callable[[Message, Scope], Awaitable[None]]
SESSION_COOKIE_MARK = f"{SESSION_COOKIE}=".encode()


def _may_have_principal(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"authorization" or (name == b"cookie" and SESSION_COOKIE_MARK in value):
            return True
    return False


class PageCacheFront:
    """Answers a cached page before routing: for GET without a session cookie or a token.

    Anything else, a miss or a stale entry included, goes on to the app, whose
    PageCacheMiddleware renders and stores it.
    """

    def __init__(self, app: ASGIApp, cache: PageCache, before_send: BeforeSend) -> None:
        self.app = app
        self.cache = cache
        self.before_send = before_send

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("method") == "GET"
            and len(self.cache)
            and not _may_have_principal(scope)
        ):
            key = cache_key(scope)
            if self.cache.peek(key):
                generation = await self.cache.generations.current()
                entry = self.cache.get(key, generation.number)
                if entry is not None:
                    self.cache.hits += 1

                    async def send_secured(message: Message) -> None:
                        await self.before_send(message, scope)
                        await send(message)

                    await answer(scope, send_secured, entry)
                    return
        await self.app(scope, receive, send)
