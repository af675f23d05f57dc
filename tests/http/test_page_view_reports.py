"""The page-view report over HTTP (who may read it: test_report_access.py): the page, each
table's CSV and XLSX, the JSON API, counting on demand (staff only) and Japanese errors for a
mistyped period."""

from __future__ import annotations

import io
from datetime import datetime
from urllib.parse import unquote

import pytest
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from api.analytics import service
from api.analytics.tables import PageView, PageViewDaily
from api.dates import JST
from api.permissions import Role
from api.spreadsheets import UTF8_BOM
from tests.http.conftest import Editorial, World, login_as, role_email
from tests.http.test_applications import csrf_data
from tests.http.test_page_cache import case

MONTH = "2026-11"


async def viewed(path: str, kind: str, key: str, day: int, **fields: str) -> None:
    await PageView.insert(
        PageView(
            viewed_at=datetime(2026, 11, day, 10, tzinfo=JST), path=path, content_kind=kind,
            content_key=key, area=fields.get("area", "public"),
            referrer_host=fields.get("referrer", ""), device=fields.get("device", "desktop"),
            audience=fields.get("audience", "public"),
        )
    )  # fmt: skip


@pytest.fixture
async def logged(world: World, editorial: Editorial) -> World:
    """November 2026: a case study seen three times (once from a search engine, once on a
    phone), the news list twice, a solution once by a member, and a hostile path once."""
    await editorial.published(case("aso-farm", "阿蘇の農場でスマート農業"))
    await viewed("/case-studies/aso-farm", "case_study", "aso-farm", 2, referrer="www.google.com")
    await viewed("/case-studies/aso-farm", "case_study", "aso-farm", 3, device="mobile")
    await viewed("/case-studies/aso-farm", "case_study", "aso-farm", 3)
    await viewed("/news", "", "", 4)
    await viewed("/news", "", "", 5)
    await viewed("/platform/solutions/1", "solution", "1", 6, area="platform", audience="member")
    await viewed('/pages/"><script>alert(1)</script>', "page", '"><script>alert(1)</script>', 7)
    await service.roll_up_pending()
    return world


async def test_the_page_shows_exact_figures_titles_charts_and_tables(
    client: AsyncTestClient, logged: World
) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    html = (await client.get(f"/reports/page-views?month={MONTH}")).text
    assert "閲覧数（2026年11月）" in html
    assert '<span class="figure">7</span>' in html
    assert '<a href="/case-studies/aso-farm">阿蘇の農場でスマート農業</a>' in html
    assert "42.9%" in html  # three of seven
    assert "www.google.com" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert html.count('role="img"') == 5 and html.count('class="chart-table"') == 5
    assert " style=" not in html
    assert f'href="/reports/page-views.csv?month={MONTH}&amp;table=referrers"' in html
    assert 'href="/reports/page-views" aria-current="page"' in html
    assert "いま集計する" not in html  # officials read; they do not change anything


async def test_an_empty_month_says_so(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    html = (await client.get("/reports/page-views?month=2025-05")).text
    assert "2025年5月の閲覧の記録はありません" in html


async def test_each_table_exports_to_csv_and_xlsx(client: AsyncTestClient, logged: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    response = await client.get(f"/reports/page-views.csv?month={MONTH}&table=pages")
    assert response.content.startswith(UTF8_BOM)
    lines = response.content[len(UTF8_BOM) :].decode("utf-8").splitlines()
    assert lines[0] == "順位,ページ,種類,URL,閲覧数,割合（%）"
    assert lines[1] == "1,阿蘇の農場でスマート農業,導入事例,/case-studies/aso-farm,3,42.9"
    disposition = unquote(response.headers["content-disposition"])
    assert "page-views-pages-2026-11.csv" in disposition and "よく見られたページ" in disposition
    response = await client.get("/reports/page-views.xlsx?year=2026&table=timeline")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("月", "閲覧数") and len(rows) == 13
    assert ("2026年11月", 7) in rows
    assert (await client.get(f"/reports/page-views.csv?month={MONTH}&table=x")).status_code == 404


async def test_the_json_api_gives_the_same_figures(client: AsyncTestClient, logged: World) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    data = (await client.get(f"/api/v1/reports/page-views?month={MONTH}")).json()
    assert (data["label"], data["kind"], data["views"]) == ("2026年11月", "month", 7)
    assert data["top_pages"][0] == {
        "path": "/case-studies/aso-farm", "kind": "case_study", "kind_label": "導入事例",
        "title": "阿蘇の農場でスマート農業", "views": 3,
    }  # fmt: skip
    assert {c["code"]: c["views"] for c in data["by_device"]} == {
        "desktop": 6, "mobile": 1, "tablet": 0,
    }  # fmt: skip
    assert data["over_time"][2] == {"start": "2026-11-03", "label": "11月3日", "views": 2}
    assert len(data["over_time"]) == 30
    year = (await client.get("/api/v1/reports/page-views?fiscal_year=2026")).json()
    assert year["first_day"] == "2026-04-01" and year["last_day"] == "2027-03-31"
    assert year["over_time"][7] == {"start": "2026-11-01", "label": "2026年11月", "views": 7}


@pytest.mark.parametrize(
    "query", ["month=2026-13", "month=abc", "month=2099-01", "year=1999", "year=20266"]
)
async def test_a_mistyped_period_is_explained_in_japanese(
    client: AsyncTestClient, world: World, query: str
) -> None:
    await login_as(client, role_email(Role.STAFF))
    response = await client.get(f"/reports/page-views?{query}")
    assert response.status_code == 422
    assert "選んでください" in response.text
    api = await client.get(f"/api/v1/reports/page-views?{query.replace('year', 'fiscal_year')}")
    assert api.status_code == 422


async def test_staff_count_on_demand_and_officials_cannot(
    client: AsyncTestClient, logged: World
) -> None:
    await PageView.insert(
        PageView(
            viewed_at=datetime.now(JST), path="/news/new", content_kind="news",
            content_key="new", area="public", referrer_host="", device="desktop",
            audience="public",
        )
    )  # fmt: skip
    await login_as(client, role_email(Role.OFFICIAL))
    refused = await client.post("/reports/page-views/roll-up", data=await csrf_data(client, {}))
    assert refused.status_code == 403
    assert not await PageViewDaily.exists().where(PageViewDaily.path == "/news/new")
    await login_as(client, role_email(Role.STAFF))
    page = await client.get("/reports/page-views")
    assert "いま集計する" in page.text
    response = await client.post(
        "/reports/page-views/roll-up",
        data=await csrf_data(client, {"month": MONTH}),
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/reports/page-views?month={MONTH}&rolled=1"
    assert await PageViewDaily.exists().where(PageViewDaily.path == "/news/new")
    assert "閲覧の記録を集計しました" in (await client.get(response.headers["location"])).text
