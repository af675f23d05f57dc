"""fetch_page and its written-out twin fetch_raw_page: a page of rows and the total in one
statement, right on both engines for a first page, a middle page, the last page, a page past the
end and an empty filter; a written-out filter matches typed text literally."""

from __future__ import annotations

from typing import Any

import pytest

from api.db import Where, contains_sql
from api.members.tables import Organisation
from api.pagination import PageRequest, fetch_page, fetch_raw_page
from tests.factories import make_organisation
from tests.querycount import count_queries

pytestmark = pytest.mark.usefixtures("db")


async def page_of(number: int, per_page: int, name: str = "") -> tuple[list[int], int]:
    where = Organisation.name.like(f"%{name}%")
    rows, total = await fetch_page(
        Organisation.select(Organisation.id).where(where).order_by(Organisation.id),
        Organisation.count().where(where),
        PageRequest.of(number, per_page),
    )
    return [row["id"] for row in rows], total


async def raw_page_of(number: int, per_page: int, name: str = "") -> tuple[list[int], int]:
    where = Where().add(*contains_sql("name", name)) if name else Where()
    rows, total = await fetch_raw_page(
        Organisation, "organisation", "id", where, "id", PageRequest.of(number, per_page)
    )
    assert all(set(row) == {"id"} for row in rows)  # the total is not left in the rows
    return [row["id"] for row in rows], total


@pytest.mark.parametrize("page_of", [page_of, raw_page_of], ids=["orm", "written out"])
async def test_the_total_rides_with_the_rows(page_of: Any) -> None:
    ids = [await make_organisation(index) for index in range(1, 6)]
    with count_queries() as counter:
        assert await page_of(1, 2) == (ids[:2], 5)
        assert await page_of(3, 2) == (ids[4:], 5)
    assert counter.count == 2  # one statement per page
    with count_queries() as counter:
        assert await page_of(4, 2) == ([], 5)  # past the end: the count on its own
    assert counter.count == 2
    assert await page_of(1, 2, name="存在しない名前") == ([], 0)


async def test_the_total_is_not_left_in_the_rows() -> None:
    await make_organisation(1)
    rows, _ = await fetch_page(
        Organisation.select(Organisation.id, Organisation.name).order_by(Organisation.id),
        Organisation.count(),
        PageRequest.of(1, 1),
    )
    assert set(rows[0]) == {"id", "name"}  # the total is not left in the rows


async def test_a_select_of_every_column_keeps_them_all() -> None:
    await make_organisation(1)
    rows, total = await fetch_page(Organisation.select(), Organisation.count(), PageRequest.of(1))
    assert total == 1 and set(rows[0]) == {
        column._meta.name for column in Organisation.all_columns()
    }


async def test_a_written_out_filter_matches_typed_text_literally() -> None:
    ids = [await make_organisation(index) for index in range(1, 6)]
    # Typed % and _ are letters, not wildcards; several conditions are ANDed.
    assert await raw_page_of(1, 5, name="%") == ([], 0)
    assert await raw_page_of(1, 5, name="_") == ([], 0)
    where = Where().add("id > {}", ids[0]).add("id < {}", ids[3])
    rows, total = await fetch_raw_page(
        Organisation, "organisation", "id", where, "id DESC", PageRequest.of(1, 5)
    )
    assert ([row["id"] for row in rows], total) == ([ids[2], ids[1]], 2)
    # Alternatives are ORed among themselves and ANDed with the rest, values in order.
    where = Where().add("id <> {}", ids[4]).add_any(("id = {}", ids[0]), ("id >= {}", ids[3]))
    rows, total = await fetch_raw_page(
        Organisation, "organisation", "id", where, "id", PageRequest.of(1, 5)
    )
    assert ([row["id"] for row in rows], total) == ([ids[0], ids[3]], 2)
