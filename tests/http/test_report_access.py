"""Who reads the reports for the prefecture and the progress pages: staff and officials (pages, CSV, XLSX and the JSON
API), never members, editors or accounts without roles, and anonymous visitors are asked to
log in. Each report's own file checks its figures."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from api.permissions import Role
from tests.http.conftest import World, login_as, role_email

MONTH = "2026-11"
PATHS = (
    f"/reports/search?month={MONTH}",
    "/reports/search?year=2026",
    f"/reports/search.csv?month={MONTH}&table=top",
    "/reports/search.xlsx?year=2026&table=months",
    f"/api/v1/reports/search?month={MONTH}",
    "/api/v1/reports/search?fiscal_year=2026",
    f"/reports/page-views?month={MONTH}",
    "/reports/page-views?year=2026",
    f"/reports/page-views.csv?month={MONTH}&table=pages",
    "/reports/page-views.xlsx?year=2026&table=timeline",
    f"/api/v1/reports/page-views?month={MONTH}",
    "/api/v1/reports/page-views?fiscal_year=2026",
    f"/reports/platform-use?month={MONTH}",
    "/reports/platform-use?year=2026",
    f"/reports/platform-use.csv?month={MONTH}&table=months",
    "/reports/platform-use.xlsx?year=2026&table=summary",
    f"/api/v1/reports/platform-use?month={MONTH}",
    "/api/v1/reports/platform-use?fiscal_year=2026",
    "/reports/kpis?year=2026",
    "/reports/kpis.csv?year=2026&table=months",
    "/reports/kpis.xlsx?table=summary",
    "/api/v1/reports/kpis?fiscal_year=2026",
    f"/reports/monthly?month={MONTH}",
    f"/reports/monthly.xlsx?month={MONTH}",
    f"/api/v1/reports/monthly?month={MONTH}",
    "/reports/annual?year=2026",
    "/reports/annual.xlsx",
    "/api/v1/reports/annual?fiscal_year=2026",
    "/reports/schedule?year=2026",
    "/reports/issues?status=all",
    "/reports/minutes",
    "/api/v1/progress/schedule?fiscal_year=2026",
    "/api/v1/progress/issues",
    "/api/v1/progress/minutes",
)


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.STAFF, Role.ADMIN])
async def test_staff_and_officials_read_every_report(
    client: AsyncTestClient, world: World, role: Role
) -> None:
    await login_as(client, role_email(role))
    for path in PATHS:
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text[:300])


@pytest.mark.parametrize("role", [Role.MEMBER_USER, Role.MEMBER_ADMIN, Role.EDITOR, None])
async def test_members_editors_and_accounts_without_roles_do_not(
    client: AsyncTestClient, world: World, role: Role | None
) -> None:
    await login_as(client, role_email(role))
    for path in PATHS:
        response = await client.get(path)
        assert response.status_code == 403, path


async def test_anonymous_visitors_are_asked_to_log_in(
    client: AsyncTestClient, world: World
) -> None:
    for path in PATHS:
        assert (await client.get(path)).status_code == 401, path
