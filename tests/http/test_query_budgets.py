"""Query budgets of signed-in pages: a small, bounded number of statements per page type, none
of them repeated within a request (the principal, with its roles, is one statement)."""

from __future__ import annotations

from collections import Counter

import pytest
from litestar.testing import AsyncTestClient

from api.events import service as events
from api.permissions import Role
from api.progress import issues, minutes, schedule
from api.recordings.tables import Recording
from api.settings import Settings
from api.solutions import service as solutions
from api.solutions import taxonomy
from api.solutions.validation import SolutionInput
from tests.http.conftest import Editorial, World, admin_principal, login_as, role_email
from tests.http.test_events_api import staff_event
from tests.http.test_progress_pages import ISSUE, ITEM, MINUTES
from tests.http.test_public_site import case
from tests.http.test_solutions_pages import form, member_b
from tests.querycount import count_queries
from tests.service.test_events import person

# Statements per request, the page's own work included. Reaching a budget means a page grew a
# query: look for one that could join another before raising it.
BUDGETS: list[tuple[Role, str, int]] = [
    (Role.MEMBER_USER, "/platform", 2),
    (Role.MEMBER_USER, "/platform/directory", 2),  # the page carries its total
    (Role.MEMBER_USER, "/platform/solutions", 6),
    (Role.MEMBER_USER, "{solution}", 6),
    (Role.MEMBER_USER, "/case-studies/{case_study}", 4),
    (Role.MEMBER_USER, "/api/v1/solutions", 5),
    (Role.STAFF, "/console", 1),
    (Role.STAFF, "/console/applications", 2),
    (Role.STAFF, "/console/members", 3),
    (Role.EDITOR, "/console/articles", 3),
    (Role.OFFICIAL, "/reports/members", 4),  # and the year's new-members target (the KPIs)
    (Role.OFFICIAL, "/reports/search", 8),  # the session and seven reads of the monthly rows
    # The session and five reads of the daily rows (and one per kind of content among the top
    # pages for their titles: none here).
    (Role.OFFICIAL, "/reports/page-views", 6),
    # The session, five grouped counts over the months and two over the periods.
    (Role.OFFICIAL, "/reports/platform-use", 8),
    # The session, the targets, events and their attendance, members and case studies.
    (Role.OFFICIAL, "/reports/kpis", 6),
    # Every section's own reads (page views 5, search 7, platform use 7, KPIs 5, events 2,
    # progress 4), the members' section 4, the note and the session.
    (Role.OFFICIAL, "/reports/monthly?month=2026-11", 36),
    (Role.OFFICIAL, "/reports/annual?year=2026", 36),  # the same sections over a year
    # Progress management: the session and the year's items, the page of issues and its count,
    # the year's minutes, one issue, one set of minutes (with who wrote them).
    (Role.OFFICIAL, "/reports/schedule", 2),
    (Role.OFFICIAL, "/reports/issues", 3),
    (Role.OFFICIAL, "/reports/minutes", 2),
    (Role.OFFICIAL, "/reports/issues/{issue}", 2),
    (Role.OFFICIAL, "/reports/minutes/{minutes}", 2),
    (Role.MEMBER_USER, "/events", 6),
    (Role.MEMBER_USER, "/events/{event}", 5),
    (Role.MEMBER_ADMIN, "/events/{event}", 6),  # and the colleagues it may register
    (Role.MEMBER_USER, "/platform/events", 5),
    (Role.STAFF, "/console/events", 4),
    (Role.STAFF, "/console/events/{event}", 4),
    (Role.STAFF, "/console/events/{event}/participants", 5),
    (Role.STAFF, "/console/events/{event}/check-in", 5),
    (Role.OFFICIAL, "/reports/events", 3),
    (Role.MEMBER_USER, "/platform/recordings", 4),  # and the filters' events and themes
    (Role.MEMBER_USER, "/platform/recordings/{recording}", 3),  # and the month's view count
]


@pytest.fixture
async def content(settings: Settings, world: World, editorial: Editorial) -> dict[str, str]:
    await taxonomy.ensure_default_categories()
    categories = {c.name: c.id for c in await taxonomy.list_categories()}
    solution = await solutions.create_solution(
        await member_b(world), SolutionInput.from_mapping(form(categories))
    )
    await editorial.published(case("budget-case"))
    event = await staff_event(world)
    for index in range(1, 4):
        await events.register(settings, None, event.id, person(index))
    recording = await Recording.insert(
        Recording(
            event=event.id, title="予算の録画", state="published", storage_key="recordings/x.mp4",
            content_type="video/mp4", size=1, exemption_reason="試験", published_at=event.starts_at,
        )
    ).returning(Recording.id)  # fmt: skip
    staff = admin_principal(world.accounts[Role.STAFF])
    await schedule.create_item(staff, ITEM)
    issue = await issues.create_issue(staff, ISSUE)
    written = await minutes.create_minutes(staff, MINUTES)
    return {
        "issue": str(issue),
        "minutes": str(written),
        "solution": f"/platform/solutions/{solution.id}",
        "case_study": "budget-case",
        "event": str(event.id),
        "recording": str(recording[0]["id"]),
    }


@pytest.mark.parametrize(("role", "path", "budget"), BUDGETS, ids=lambda v: str(v))
async def test_signed_in_pages_stay_within_their_query_budget(
    client: AsyncTestClient, content: dict[str, str], role: Role, path: str, budget: int
) -> None:
    await login_as(client, role_email(role))
    url = path.format(**content)
    assert (await client.get(url)).status_code == 200  # the first visit may count a view
    with count_queries() as counter:
        response = await client.get(url)
    assert response.status_code == 200
    repeated = [sql for sql, times in Counter(counter.statements).items() if times > 1]
    print(f"{role.value} {url}: {counter.count} statements")
    assert not repeated, repeated
    assert counter.count <= budget, counter.statements
