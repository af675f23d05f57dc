"""The member report over HTTP: who may see it, the page, CSV, XLSX and the JSON API."""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import unquote

import pytest
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from api import periods
from api.accounts import service as accounts
from api.members.reference import MembershipStatus
from api.permissions import Role
from api.reports import service as reports
from tests.factories import make_organisation
from tests.http.conftest import World, admin_principal, is_japanese, login_as, role_email

PATHS = ("/reports/members", "/reports/members.csv", "/reports/members.xlsx")
API_PATHS = ("/api/v1/reports/members", "/api/v1/reports/members/2025")


@pytest.fixture
async def members_2025(world: World) -> World:
    """The world's two members joined today; three more with dates in fiscal year 2025."""
    await make_organisation(11, joined_on=date(2025, 4, 1), industry="E")
    await make_organisation(12, joined_on=date(2025, 10, 1), municipality="八代市")
    await make_organisation(
        13, joined_on=date(2024, 4, 1), status=MembershipStatus.SUSPENDED,
        prefecture="福岡県", municipality="福岡市",
    )  # fmt: skip
    return world


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.STAFF, Role.ADMIN])
async def test_staff_and_officials_see_the_report(
    client: AsyncTestClient, world: World, role: Role
) -> None:
    await login_as(client, role_email(role))
    for path in (*PATHS, *API_PATHS):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text)


@pytest.mark.parametrize("role", [Role.MEMBER_USER, Role.MEMBER_ADMIN, Role.EDITOR, None])
async def test_members_and_editors_do_not(
    client: AsyncTestClient, world: World, role: Role | None
) -> None:
    await login_as(client, role_email(role))
    for path in (*PATHS, *API_PATHS):
        response = await client.get(path)
        assert response.status_code == 403, (path, response.status_code)
        assert "年度初めの会員数" not in response.text and "members_at_start" not in response.text


async def test_anonymous_visitors_are_asked_to_log_in(
    client: AsyncTestClient, world: World
) -> None:
    for path in (*PATHS, *API_PATHS):
        assert (await client.get(path)).status_code == 401, path


async def test_the_page_shows_figures_charts_and_tables(
    client: AsyncTestClient, members_2025: World
) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    response = await client.get("/reports/members?year=2025")
    assert response.status_code == 200
    html = response.text
    assert "会員レポート（令和7年度）" in html
    assert "休止中の会員も会員数に含みます" in html
    assert "2 / 50（4%）" in html  # new members against the target
    assert 'role="img"' in html and "<caption" in html and 'scope="row"' in html
    assert "県外" in html and "八代市" in html
    assert 'href="/reports/members.csv?year=2025"' in html
    assert " style=" not in html  # the CSP forbids inline styles
    # The year selector works without JavaScript: a GET form with the years to choose from.
    assert 'method="get" action="/reports/members"' in html
    assert '<option value="2025" selected>' in html


async def test_a_year_without_data_says_so(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    response = await client.get("/reports/members?year=2010")
    assert response.status_code == 200
    assert "会員データはありません" in response.text
    assert "<table" not in response.text


@pytest.mark.parametrize("year", ["1999", "3000", "abc", "-1", "99999999999999999999"])
async def test_a_bad_year_gets_a_clear_message_never_a_500(
    client: AsyncTestClient, world: World, year: str
) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    response = await client.get(f"/reports/members?year={year}")
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text and "年度は" in response.text
    for path in ("/reports/members.csv", "/reports/members.xlsx"):
        export = await client.get(f"{path}?year={year}")
        assert export.status_code == 422, (path, year)
        assert "年度は" in export.text
    api = await client.get(f"/api/v1/reports/members/{year}")
    assert 400 <= api.status_code < 500, (year, api.status_code)
    assert api.headers["content-type"].startswith("application/problem+json")
    assert is_japanese(api.json()["detail"])


async def test_the_api_refuses_an_out_of_range_year_per_field(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    response = await client.get("/api/v1/reports/members/1999")
    assert response.status_code == 422
    assert "年度" in response.json()["errors"]["year"]


async def test_csv_opens_in_excel(client: AsyncTestClient, members_2025: World) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    response = await client.get("/reports/members.csv?year=2025")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert (
        disposition.startswith("attachment;") and 'filename="member-report-2025.csv"' in disposition
    )
    assert "会員レポート_令和7年度.csv" in unquote(disposition)
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body[3:].decode("utf-8")
    lines = text.split("\r\n")
    assert lines[0] == "区分,項目,値"
    assert "\n" not in text.replace("\r\n", "")
    assert "概要,新規入会数,2" in lines
    assert any(line.startswith("月別の新規入会,2025年4月,1") for line in lines)


async def test_xlsx_opens_with_the_same_rows(client: AsyncTestClient, members_2025: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    response = await client.get("/reports/members.xlsx?year=2025")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("区分", "項目", "値")
    assert ("概要", "新規入会数", 2) in rows
    report = await reports.member_report(2025, 50)
    assert len(rows) == 1 + len(reports.report_rows(report))


async def test_json_report_and_years(client: AsyncTestClient, members_2025: World) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    body = (await client.get("/api/v1/reports/members/2025")).json()
    assert body["label"] == "令和7年度"
    assert body["start_date"] == "2025-04-01" and body["end_date"] == "2026-03-31"
    assert body["new_members"] == 2 and body["target"] == 50 and body["target_percent"] == 4
    assert body["members_at_start"] == 1  # the suspended one, joined in 2024
    assert body["by_industry"]["total"] == body["members_at_end"]
    assert len(body["new_by_month"]["buckets"]) == 12
    years = (await client.get("/api/v1/reports/members")).json()
    assert years["current"] == periods.current_fiscal_year()
    assert [y["year"] for y in years["years"]][-1] == 2024
    assert years["years"][-1]["label"] == "令和6年度"


async def test_an_api_token_needs_the_reports_scope(client: AsyncTestClient, world: World) -> None:
    admin = admin_principal(world.accounts[Role.ADMIN])
    official = world.accounts[Role.OFFICIAL]
    _, with_scope = await accounts.create_api_token(admin, official.id, "報告用", ["reports:read"])
    _, without = await accounts.create_api_token(admin, official.id, "別用途", ["members:read"])
    client.cookies.clear()
    allowed = await client.get(
        "/api/v1/reports/members/2025", headers={"Authorization": f"Bearer {with_scope}"}
    )
    assert allowed.status_code == 200
    refused = await client.get(
        "/api/v1/reports/members/2025", headers={"Authorization": f"Bearer {without}"}
    )
    assert refused.status_code == 403


async def test_the_report_is_in_the_openapi_schema(client: AsyncTestClient) -> None:
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    assert "/api/v1/reports/members/{year}" in paths
    assert "/api/v1/reports/members" in paths
