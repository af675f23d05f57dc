"""JSON answers that clients may keep and revalidate: an ETag from the body and Last-Modified
from the content generation, with 304 on a conditional request. Used by the public content
routes (articles, themes, pages, media metadata)."""

from __future__ import annotations

import hashlib
from typing import TypeVar, cast

import msgspec
from litestar import Request, Response

from api.articles.generation import current_generation
from api.http.page_cache import http_date, not_modified


async def remember_generation(request: Request) -> None:
    """Read the content generation before the content (before_request), so Last-Modified
    never claims a change newer than the data the response holds."""
    request.state.content_generation = await current_generation()


T = TypeVar("T")


async def cached_json(request: Request, payload: T) -> Response[T]:
    """JSON with an ETag and Last-Modified (the content generation's time); 304 without a body
    when the client already has this version (If-None-Match, else If-Modified-Since).

    Typed by the payload so that the OpenAPI schema describes it; the body goes out as the
    encoded bytes it was tagged by."""
    generation = request.state.get("content_generation") or await current_generation()
    body = msgspec.json.encode(payload)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    # Revalidate every time: an unpublished article must disappear from caches at once.
    headers = {"ETag": etag, "Cache-Control": "public, no-cache"}
    if generation.changed_at is not None:
        headers["Last-Modified"] = http_date(generation.changed_at)
    if not_modified(
        request.headers.get("if-none-match", ""),
        request.headers.get("if-modified-since", ""),
        etag,
        generation.changed_at,
    ):
        return cast("Response[T]", Response(b"", status_code=304, headers=headers))
    return cast("Response[T]", Response(body, media_type="application/json", headers=headers))
