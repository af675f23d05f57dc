"""Pagination shared by every list: page numbers from 1, a bounded page size."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from piccolo.querystring import QueryString

from api.db import Where

T = TypeVar("T")

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def of(cls, page: int | None, per_page: int | None = None) -> PageRequest:
        page = max(1, page or 1)
        per_page = min(MAX_PER_PAGE, max(1, per_page or DEFAULT_PER_PAGE))
        return cls(page=page, per_page=per_page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


# The total rides along with the page's rows as a scalar subquery, one statement where a list
# took two. Both engines count once for the statement; a window count (count(*) OVER ()) made
# them carry every matching row, wide columns and all, through the window before the LIMIT.
# Only a page past the end (no rows to carry it) asks for the count on its own.
_TOTAL = "_page_total"


async def fetch_page(
    select: Any, count: Any, page: PageRequest
) -> tuple[list[dict[str, Any]], int]:
    """A page of a Piccolo select (already filtered and ordered) and the total number of rows
    matching `count` (the same filter)."""
    if not select.columns_delegate.selected_columns:  # select(): every column, said aloud
        select = select.columns(*select.table.all_columns())
    rows = (
        await select.columns(QueryString("({})", count.querystrings[0]).as_alias(_TOTAL))
        .limit(page.per_page)
        .offset(page.offset)
    )
    return await _with_total(rows, page, lambda: count)


async def _with_total(
    rows: list[dict[str, Any]], page: PageRequest, recount: Callable[[], Awaitable[int]]
) -> tuple[list[dict[str, Any]], int]:
    """The rows without the total they carried, and that total (recounted for a page past
    the end, which has no rows to carry it)."""
    if rows:
        total = int(rows[0][_TOTAL])
    else:
        total = 0 if page.offset == 0 else await recount()
    for row in rows:
        del row[_TOTAL]
    return rows, total


async def fetch_raw_page(
    table: Any, source: str, columns: str, where: Where, order_by: str, page: PageRequest
) -> tuple[list[dict[str, Any]], int]:
    """`fetch_page` written out: a page of `SELECT columns FROM source WHERE … ORDER BY …` and
    the total, for the hottest lists (building them with the ORM cost more than running them).
    `source` and `order_by` are SQL from the code, never from a request."""
    condition = where.sql
    rows = await table.raw(
        f"SELECT {columns}, (SELECT count(*) FROM {source} WHERE {condition}) AS {_TOTAL} "  # noqa: S608
        f"FROM {source} WHERE {condition} ORDER BY {order_by} LIMIT {{}} OFFSET {{}}",
        *where.values, *where.values, page.per_page, page.offset,
    )  # fmt: skip

    async def recount() -> int:
        counted = await table.raw(
            f"SELECT count(*) AS n FROM {source} WHERE {condition}",  # noqa: S608
            *where.values,
        )
        return int(counted[0]["n"])

    return await _with_total(rows, page, recount)
