"""The platform-use report over HTTP (who may read it: test_report_access.py): the page with its
figures, charts and tables, the CSV and XLSX, the JSON API and a mistyped period."""

from __future__ import annotations

import io

import pytest
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from api.analytics.tables import AccountActivity
from api.permissions import Role
from api.spreadsheets import UTF8_BOM
from tests.http.conftest import World, login_as, role_email
from tests.service.test_platform_use import NOVEMBER, at, signed_in

MONTH = "2026-11"


@pytest.fixture
async def used(world: World) -> World:
    """November 2026: the member user signed in twice, the member admin used a session."""
    member, admin = world.accounts[Role.MEMBER_USER], world.accounts[Role.MEMBER_ADMIN]
    await signed_in(member.id, at(2))
    await signed_in(member.id, at(3))
    await AccountActivity.insert(
        AccountActivity(month=NOVEMBER, account_id=admin.id, organisation_id=world.organisation_id)
    )
    return world


async def test_the_page_shows_the_figures_charts_and_tables(
    client: AsyncTestClient, used: World
) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    html = (await client.get(f"/reports/platform-use?month={MONTH}")).text
    assert "プラットフォームの利用状況（2026年11月）" in html
    assert '<dt>ログイン回数</dt>\n    <dd><span class="figure">2</span>' in html
    assert '<dt>利用した会員ユーザー</dt>\n    <dd><span class="figure">2</span>' in html
    assert '<dt>利用した会員団体</dt>\n    <dd><span class="figure">1</span>' in html
    assert html.count('role="img"') == 2 and html.count('class="chart-table"') == 2
    assert html.count("<tfoot>") == 1  # no total of users over months: each is counted once a month
    assert f'href="/reports/platform-use.xlsx?month={MONTH}&amp;table=months"' in html
    assert 'href="/reports/platform-use" aria-current="page"' in html
    assert " style=" not in html


async def test_an_empty_period_says_so(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    html = (await client.get("/reports/platform-use?month=2025-05")).text
    assert "プラットフォームの利用の記録がありません" in html


async def test_tables_export_and_the_json_api_agrees(client: AsyncTestClient, used: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    response = await client.get(f"/reports/platform-use.csv?month={MONTH}&table=months")
    lines = response.content[len(UTF8_BOM) :].decode("utf-8").splitlines()
    assert lines[0].startswith("月,新しい会員アカウント,ログイン回数,利用した会員ユーザー")
    assert lines[-1].startswith("2026年11月,") and ",2,2,1," in lines[-1]
    response = await client.get("/reports/platform-use.xlsx?year=2026&table=summary")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("項目", "2026年度（令和8年度）", "2025年度（令和7年度）")
    assert ("ログイン回数", 2, 0, None) in rows
    data = (await client.get(f"/api/v1/reports/platform-use?month={MONTH}")).json()
    assert data["totals"]["logins"] == 2 and data["totals"]["active_organisations"] == 1
    assert data["by_month"][-1] == {"month": MONTH, "use": data["totals"]}
    assert (await client.get(f"/reports/platform-use.csv?month={MONTH}&table=x")).status_code == 404


@pytest.mark.parametrize("query", ["month=2026-13", "year=1999"])
async def test_a_mistyped_period_is_explained_in_japanese(
    client: AsyncTestClient, world: World, query: str
) -> None:
    await login_as(client, role_email(Role.STAFF))
    response = await client.get(f"/reports/platform-use?{query}")
    assert response.status_code == 422 and "選んでください" in response.text
    api = await client.get(f"/api/v1/reports/platform-use?{query.replace('year', 'fiscal_year')}")
    assert api.status_code == 422
