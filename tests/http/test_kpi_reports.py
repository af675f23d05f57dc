"""The KPIs over HTTP (who may read them: test_report_access.py): the page with its status and
charts, staff setting targets through the form (errors next to fields, nothing saved on a
mistake) and through the API, officials refused, exports, and the member report's target."""

from __future__ import annotations

import io

import pytest
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from api.accounts import service as accounts
from api.permissions import Role
from api.reports import kpis
from api.reports.tables import KpiTarget
from api.spreadsheets import UTF8_BOM
from tests.http.conftest import World, admin_principal, login_as, role_email
from tests.http.test_applications import csrf_data


async def token_headers(world: World, role: Role, scopes: list[str]) -> dict[str, str]:
    _, token = await accounts.create_api_token(
        admin_principal(world.accounts[Role.ADMIN]), world.accounts[role].id, "KPI", scopes
    )
    return {"Authorization": f"Bearer {token}"}


def form(**changes: str) -> dict[str, str]:
    values = {f"target_{kpi.key}": str(kpi.default_target) for kpi in kpis.KPIS}
    return values | changes


async def test_the_page_shows_every_kpi_with_its_status_and_chart(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    html = (await client.get("/reports/kpis?year=2026")).text
    assert "KPIの進捗（2026年度（令和8年度））" in html
    for kpi in kpis.KPIS:
        assert kpi.label in html
    assert "未入力" in html  # the survey's responses
    assert html.count('role="img"') == 1 and html.count('class="chart-table"') == 1
    assert 'href="/reports/kpis.csv?year=2026&amp;table=months"' in html
    assert 'href="/reports/kpis" aria-current="page"' in html
    assert "目標と入力値を編集する" not in html and " style=" not in html


async def test_staff_set_targets_and_a_mistake_saves_nothing(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    page = await client.get("/reports/kpis/targets?year=2026")
    assert page.status_code == 200 and 'value="50"' in page.text
    refused = await client.post(
        "/reports/kpis/targets?year=2026",
        data=await csrf_data(client, form(target_seminars="五", actual_survey_responses="-3")),
    )
    assert refused.status_code == 422
    assert 'id="error-target_seminars"' in refused.text
    assert 'id="error-actual_survey_responses"' in refused.text
    assert 'href="#field-target_seminars"' in refused.text  # the summary links to the field
    assert 'value="五"' in refused.text  # what was typed stays
    assert await KpiTarget.count() == 0
    saved = await client.post(
        "/reports/kpis/targets?year=2026",
        data=await csrf_data(client, form(target_new_members="40", actual_survey_responses="612")),
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/reports/kpis?year=2026&saved=1"
    html = (await client.get(saved.headers["location"])).text
    assert "目標と入力値を保存しました" in html and "612件" in html
    report = (await client.get("/reports/members?year=2026")).text
    assert "40" in report  # the member report's target follows the KPI


async def test_officials_may_not_set_targets(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    assert (await client.get("/reports/kpis/targets")).status_code == 403
    refused = await client.post("/reports/kpis/targets", data=await csrf_data(client, form()))
    assert refused.status_code == 403 and await KpiTarget.count() == 0


async def test_the_api_reads_and_sets_targets(client: AsyncTestClient, world: World) -> None:
    client.cookies.clear()
    staff = await token_headers(world, Role.STAFF, ["reports:read", "reports:write"])
    response = await client.put(
        "/api/v1/reports/kpis/targets?fiscal_year=2026",
        json={"seminars": {"target": 6}, "survey_responses": {"target": 500, "actual": 321}},
        headers=staff,
    )
    assert response.status_code == 200, response.text
    data = response.json()
    found = {item["key"]: item for item in data["kpis"]}
    assert found["seminars"]["target"] == 6 and found["new_members"]["target"] == 50
    assert found["survey_responses"]["actual"] == 321
    assert found["survey_responses"]["share"] == 64.2
    for bad in ({"nothing": {"target": 1}}, {"seminars": {"target": 1, "actual": 3}},
                {"seminars": {"target": -1}}):  # fmt: skip
        refused = await client.put(
            "/api/v1/reports/kpis/targets?fiscal_year=2026", json=bad, headers=staff
        )
        assert refused.status_code in (400, 422), bad
    reader = await token_headers(world, Role.OFFICIAL, ["reports:read"])
    assert (await client.get("/api/v1/reports/kpis", headers=reader)).status_code == 200
    denied = await client.put(
        "/api/v1/reports/kpis/targets", json={"seminars": {"target": 1}}, headers=reader
    )
    assert denied.status_code == 403


async def test_tables_export(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    response = await client.get("/reports/kpis.csv?year=2026&table=summary")
    lines = response.content[len(UTF8_BOM) :].decode("utf-8").splitlines()
    assert lines[0] == "KPI,目標,実績,見込み,達成率（%）,状況"
    response = await client.get("/reports/kpis.xlsx?year=2026&table=months")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("KPI", "4月", "5月") and rows[0][-1] == "年度の目標"
    assert len(rows) == 1 + len(kpis.KPIS)
    assert (await client.get("/reports/kpis.csv?table=x")).status_code == 404


@pytest.mark.parametrize("year", ["1999", "abc", "2099"])
async def test_a_mistyped_year_is_explained_in_japanese(
    client: AsyncTestClient, world: World, year: str
) -> None:
    await login_as(client, role_email(Role.STAFF))
    response = await client.get(f"/reports/kpis?year={year}")
    assert response.status_code == 422 and "選んでください" in response.text
    assert (await client.get(f"/api/v1/reports/kpis?fiscal_year={year}")).status_code == 422
