"""Demo solutions: about 150 from the demo organisations, spread over categories, industries and
update dates; the demo member's own page has something of every kind; loading is idempotent."""

from __future__ import annotations

from collections import Counter

import pytest

from api.demo import load_demo_content
from api.demo_solutions import demo_solution_count
from api.pagination import PageRequest
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from api.solutions import inquiries, service
from api.solutions.service import SolutionFilter
from api.solutions.tables import Solution, SolutionTag
from tests.querycount import count_queries


@pytest.fixture(autouse=True)
def _without_demo_articles(monkeypatch: pytest.MonkeyPatch) -> None:
    async def nothing(*args: object, **kwargs: object) -> int:
        return 0

    monkeypatch.setattr("api.demo.load_demo_articles", nothing)


async def test_demo_solutions_are_many_varied_and_loaded_once(settings: Settings, db: None) -> None:
    await load_demo_content(settings)
    assert 140 <= demo_solution_count() == await Solution.count() <= 170
    with count_queries() as again:
        await load_demo_content(settings)
    assert again.count <= 10 and await Solution.count() == demo_solution_count()
    tags = await SolutionTag.select(SolutionTag.facet, SolutionTag.value)
    by_facet = Counter(tag["facet"] for tag in tags)
    assert len({t["value"] for t in tags if t["facet"] == "category"}) == 12  # every category
    assert len({t["value"] for t in tags if t["facet"] == "industry"}) >= 8
    assert by_facet["delivery"] >= demo_solution_count()
    staff = Principal(account_id=1, email="s@example.jp", display_name="s",
                      roles=frozenset({Role.STAFF}))  # fmt: skip
    stale = await service.list_stale(staff, PageRequest.of(1, 100))
    assert stale.total > 10  # updates spread over two years
    listed = await service.list_directory(staff, SolutionFilter(), PageRequest.of(1, 1))
    # The demo member's hidden and moderated ones and the suspended members' are not listed.
    assert 120 <= listed.total < demo_solution_count()


async def test_demo_member_organisation_has_every_kind_of_thing(
    settings: Settings, db: None
) -> None:
    from api.accounts import service as accounts

    await load_demo_content(settings)
    member = (
        await accounts.login(settings, "member-admin@example.jp", "demo-member-admin-2026", "x")
    ).principal
    own = await service.list_own_solutions(member, PageRequest.of(1, 100))
    assert own.total >= 3
    assert any(s.moderated and s.moderation_reason for s in own.items)
    assert any(s.provider_hidden for s in own.items)
    assert await inquiries.unread_count(member) == 1
    stats = await service.provider_statistics(member)
    assert sum(s.total_views for s in stats) > 0
