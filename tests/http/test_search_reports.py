"""The search analytics over HTTP (who may read them: test_report_access.py): the page, each
table's CSV and XLSX, the JSON API, the roll-up button (staff only) and Japanese errors for a
mistyped period."""

from __future__ import annotations

import io
from datetime import datetime
from urllib.parse import unquote

import pytest
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from api.dates import JST
from api.permissions import Role
from api.searching import analytics
from api.searching.tables import SearchClick, SearchLog, SearchMonthlyQuery
from api.spreadsheets import UTF8_BOM
from tests.http.conftest import World, login_as, role_email
from tests.http.test_applications import csrf_data

MONTH = "2026-11"


@pytest.fixture
async def logged(world: World) -> World:
    """November 2026: kintone three times by members (two results opened), a query with no
    results twice by visitors, and a hostile query once."""
    for day in (2, 3, 4):
        await SearchLog.insert(
            SearchLog(
                index="solutions",
                query="kintone",
                result_count=4,
                page=1,
                audience="member",
                created_at=datetime(2026, 11, day, 10, tzinfo=JST),
            )
        )
    for day in (5, 6):
        await SearchLog.insert(
            SearchLog(
                index="case_studies",
                query="見つからない",
                result_count=0,
                page=1,
                audience="public",
                created_at=datetime(2026, 11, day, 10, tzinfo=JST),
            )
        )
    await SearchLog.insert(
        SearchLog(
            index="case_studies",
            query="<script>alert(1)</script>",
            result_count=0,
            page=1,
            audience="public",
            created_at=datetime(2026, 11, 7, 10, tzinfo=JST),
        )
    )
    for position in (1, 2):
        await SearchClick.insert(
            SearchClick(
                index="solutions",
                query="kintone",
                document_id="solution-1",
                position=position,
                audience="member",
                created_at=datetime(2026, 11, 8, 10, tzinfo=JST),
            )
        )
    await analytics.roll_up_pending()
    return world


async def test_the_page_shows_exact_figures_charts_and_links_to_try(
    client: AsyncTestClient, logged: World
) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    response = await client.get(f"/reports/search?month={MONTH}")
    html = response.text
    assert "検索の分析（2026年11月）" in html
    assert '<span class="figure">6</span>' in html  # searches
    assert '<span class="figure">3</span>' in html  # distinct queries
    assert "33.3%" in html  # two clicks in six searches
    assert 'href="/platform/solutions/search?q=kintone"' in html
    assert "/search?q=%E8%A6%8B%E3%81%A4%E3%81%8B%E3%82%89%E3%81%AA%E3%81%84" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert 'role="img"' in html and "<caption" in html and 'scope="row"' in html
    assert " style=" not in html
    assert f'href="/reports/search.csv?month={MONTH}&amp;table=no_results"' in html
    assert "いま集計する" not in html  # officials read; they do not change anything


async def test_an_empty_month_says_so(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    html = (await client.get("/reports/search?month=2025-05")).text
    assert "2025年5月の検索の記録はありません" in html


async def test_each_table_exports_to_csv_and_xlsx(client: AsyncTestClient, logged: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    response = await client.get(f"/reports/search.csv?month={MONTH}&table=top")
    assert response.content.startswith(UTF8_BOM)
    lines = response.content[len(UTF8_BOM) :].decode("utf-8").splitlines()
    assert lines[0] == "順位,検索語,検索対象,検索回数,結果0件,結果を開いた回数,クリック率（%）"
    assert lines[1] == "1,kintone,ソリューション,3,0,2,66.7"
    disposition = unquote(response.headers["content-disposition"])
    assert "search-top-2026-11.csv" in disposition and "よく検索された言葉" in disposition
    response = await client.get("/reports/search.xlsx?year=2026&table=months")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "月" and len(rows) == 13  # the header and April to March
    assert ("2026年11月", 6, 3, 3, 2, 33.3) in rows
    assert (await client.get(f"/reports/search.csv?month={MONTH}&table=x")).status_code == 404


async def test_the_json_api_gives_the_same_figures(client: AsyncTestClient, logged: World) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    data = (await client.get(f"/api/v1/reports/search?month={MONTH}")).json()
    assert data["label"] == "2026年11月" and data["kind"] == "month"
    assert data["totals"]["searches"] == 6 and data["totals"]["zero_results"] == 3
    assert data["totals"]["click_through"] == 33.3 and data["totals"]["average_position"] == 1.5
    assert [q["query"] for q in data["no_result_queries"]] == [
        "見つからない", "<script>alert(1)</script>",
    ]  # fmt: skip
    assert data["by_month"][-1]["month"] == MONTH and len(data["by_month"]) == 12
    year = (await client.get("/api/v1/reports/search?fiscal_year=2026")).json()
    assert year["first_day"] == "2026-04-01" and year["last_day"] == "2027-03-31"


@pytest.mark.parametrize(
    "query", ["month=2026-13", "month=abc", "month=2099-01", "year=1999", "year=20266"]
)
async def test_a_mistyped_period_is_explained_in_japanese(
    client: AsyncTestClient, world: World, query: str
) -> None:
    await login_as(client, role_email(Role.STAFF))
    response = await client.get(f"/reports/search?{query}")
    assert response.status_code == 422
    assert "選んでください" in response.text
    api = await client.get(f"/api/v1/reports/search?{query.replace('year', 'fiscal_year')}")
    assert api.status_code == 422


async def test_staff_roll_up_on_demand_and_officials_cannot(
    client: AsyncTestClient, logged: World
) -> None:
    await SearchLog.insert(
        SearchLog(
            index="solutions",
            query="新しい",
            result_count=1,
            page=1,
            audience="member",
            created_at=datetime.now(JST),
        )
    )
    await login_as(client, role_email(Role.OFFICIAL))
    refused = await client.post("/reports/search/roll-up", data=await csrf_data(client, {}))
    assert refused.status_code == 403
    assert not await SearchMonthlyQuery.exists().where(SearchMonthlyQuery.query == "新しい")
    await login_as(client, role_email(Role.STAFF))
    page = await client.get("/reports/search")
    assert "いま集計する" in page.text
    response = await client.post(
        "/reports/search/roll-up",
        data=await csrf_data(client, {"year": "2026"}),
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/reports/search?year=2026&rolled=1"
    assert await SearchMonthlyQuery.exists().where(SearchMonthlyQuery.query == "新しい")
    assert "検索ログを集計しました" in (await client.get(response.headers["location"])).text
