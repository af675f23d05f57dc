"""The log of searches and of results opened from them, for the search analytics.

A search never waits for its log row: rows are written in batches off the request
(api.buffered_log). A row holds the
normalised query, the filters, the number of results, the page and the audience (public,
member or staff); never a name, an account, a session or an address.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from api.audiences import audience_of
from api.buffered_log import BufferedLog
from api.db import insert_rows
from api.principal import Principal
from api.searching.tables import SearchClick, SearchLog

_SPACES = re.compile(r"\s+")


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


def searched(
    index: str,
    text: str,
    filters: dict[str, tuple[str, ...]],
    result_count: int,
    page: int,
    principal: Principal | None,
) -> None:
    """Note a search (written with the next batch)."""
    BUFFER.add(
        _Search(index, normalised_query(text), filters, result_count, page, audience_of(principal))
    )


def opened(
    index: str, text: str, document_id: str, position: int, principal: Principal | None
) -> None:
    """Note a result opened from a search page, at its position (1 is the first)."""
    BUFFER.add(
        _Click(index, normalised_query(text), document_id[:64], position, audience_of(principal))
    )


_SEARCH_COLUMNS = (
    "index", "query", "filters", "result_count", "page", "audience", "created_at",
)  # fmt: skip
_CLICK_COLUMNS = ("index", "query", "document_id", "position", "audience", "created_at")


async def _write(rows: list[_Search | _Click]) -> None:
    written = datetime.now(UTC)  # as the tables' default would stamp them
    searches: list[tuple[object, ...]] = []
    clicks: list[tuple[object, ...]] = []
    for item in rows:
        if isinstance(item, _Search):
            filters = json.dumps(item.filters, ensure_ascii=False, sort_keys=True)
            searches.append((item.index, item.query, filters, item.result_count, item.page,
                             item.audience, written))  # fmt: skip
        else:
            clicks.append((item.index, item.query, item.document_id, item.position,
                           item.audience, written))  # fmt: skip
    await insert_rows(SearchLog, _SEARCH_COLUMNS, searches)
    await insert_rows(SearchClick, _CLICK_COLUMNS, clicks)


BUFFER: BufferedLog[_Search | _Click] = BufferedLog("search", _write)
flush = BUFFER.flush
