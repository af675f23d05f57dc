"""The log of searches and of results opened from them, for the search analytics.

A search never waits for its log row: rows go to a buffer in the process and are written in
batches by a background task every few seconds (and when the process stops). A row holds the
normalised query, the filters, the number of results, the page and the audience (public,
member or staff); never a name, an account, a session or an address.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import unicodedata
from collections import deque
from dataclasses import dataclass

from api.members.directory import SECRETARIAT
from api.principal import Principal
from api.searching.tables import SearchClick, SearchLog

log = logging.getLogger("kdx.search")

FLUSH_SECONDS = 2.0
MAX_BUFFERED = 10_000  # beyond this (a database that is down), the oldest rows are dropped
_SPACES = re.compile(r"\s+")


def audience_of(principal: Principal | None) -> str:
    if principal is None or not principal.roles:
        return "public"
    if principal.roles & SECRETARIAT:
        return "staff"
    return "member" if principal.organisation_id is not None else "staff"


def normalised_query(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()[:200]


@dataclass(frozen=True, slots=True)
class _Search:
    index: str
    query: str
    filters: dict[str, tuple[str, ...]]
    result_count: int
    page: int
    audience: str


@dataclass(frozen=True, slots=True)
class _Click:
    index: str
    query: str
    document_id: str
    position: int
    audience: str


_buffer: deque[_Search | _Click] = deque(maxlen=MAX_BUFFERED)


def searched(
    index: str,
    text: str,
    filters: dict[str, tuple[str, ...]],
    result_count: int,
    page: int,
    principal: Principal | None,
) -> None:
    """Note a search (written with the next batch)."""
    _buffer.append(
        _Search(index, normalised_query(text), filters, result_count, page, audience_of(principal))
    )


def opened(
    index: str, text: str, document_id: str, position: int, principal: Principal | None
) -> None:
    """Note a result opened from a search page, at its position (1 is the first)."""
    _buffer.append(
        _Click(index, normalised_query(text), document_id[:64], position, audience_of(principal))
    )


async def flush() -> int:
    """Write what the buffer holds; returns the number of rows written."""
    searches: list[SearchLog] = []
    clicks: list[SearchClick] = []
    while _buffer:
        item = _buffer.popleft()
        if isinstance(item, _Search):
            searches.append(SearchLog(
                index=item.index, query=item.query, page=item.page, audience=item.audience,
                filters=json.dumps(item.filters, ensure_ascii=False, sort_keys=True),
                result_count=item.result_count,
            ))  # fmt: skip
        else:
            clicks.append(SearchClick(
                index=item.index, query=item.query, document_id=item.document_id,
                position=item.position, audience=item.audience,
            ))  # fmt: skip
    try:
        if searches:
            await SearchLog.insert(*searches)
        if clicks:
            await SearchClick.insert(*clicks)
    except Exception:  # the log must never break the site: the rows are lost, not the pages
        log.exception("search log rows could not be written")
        return 0
    return len(searches) + len(clicks)


async def flush_forever(stopping: asyncio.Event) -> None:
    """The app's background task: a batch every few seconds, the rest when the app stops."""
    while not stopping.is_set():
        try:
            await asyncio.wait_for(stopping.wait(), timeout=FLUSH_SECONDS)
        except TimeoutError:
            pass
        await flush()
