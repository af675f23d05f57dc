"""fetch_page: a page of rows and the total in one statement, right on both engines for a
first page, a middle page, the last page, a page past the end and an empty filter."""

from __future__ import annotations

import pytest

from api.members.tables import Organisation
from api.pagination import PageRequest, fetch_page
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


async def test_the_total_rides_with_the_rows() -> None:
    ids = [await make_organisation(index) for index in range(1, 6)]
    with count_queries() as counter:
        assert await page_of(1, 2) == (ids[:2], 5)
        assert await page_of(3, 2) == (ids[4:], 5)
    assert counter.count == 2  # one statement per page
    with count_queries() as counter:
        assert await page_of(4, 2) == ([], 5)  # past the end: the count on its own
    assert counter.count == 2
    assert await page_of(1, 2, name="存在しない名前") == ([], 0)
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
