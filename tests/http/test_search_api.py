"""The search API: case studies for anyone, solutions for members; what is not published or
listed never comes back, whatever the index holds; a backend that is down gives 503 with a
Japanese message; every search is logged without names or addresses."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.articles import service as articles
from api.permissions import Role
from api.searching import indexing
from api.searching import log as search_log
from api.searching.tables import SearchLog
from search.base import SearchUnavailable
from tests.http.conftest import Editorial, World, login_as, role_email
from tests.http.test_page_cache import case
from tests.http.test_platform import ADMIN_B, USER_A, api_headers, assert_problem
from tests.http.test_solutions_api import categories, create_as, solution_body

__all__ = ["categories"]


async def indexed(app: Litestar) -> None:
    """What the worker does: set the indexes up, then apply the outbox."""
    await indexing.configure_indexes(app.state.search)
    await indexing.apply_all(app.state.search)


async def test_anyone_searches_published_case_studies(
    app: Litestar, client: AsyncTestClient, editorial: Editorial
) -> None:
    published = await editorial.published(
        case("aso-farm", "阿蘇の農場でスマート農業", industry="A", municipality="阿蘇市")
    )
    await editorial.draft(case("draft-farm", "下書きの農業事例"))
    unpublished = await editorial.published(case("old-farm", "取り下げた農業事例"))
    await articles.unpublish(editorial.staff, unpublished.id)
    await indexed(app)
    client.cookies.clear()
    found = await client.get("/api/v1/search/case-studies", params={"q": "農業"})
    assert found.status_code == 200, found.text
    body = found.json()
    assert [item["slug"] for item in body["items"]] == ["aso-farm"] and body["total"] == 1
    assert body["items"][0]["url"] == "/case-studies/aso-farm"
    assert "<mark>農業</mark>" in body["items"][0]["highlights"]["title"]
    assert {"value": "A", "label": "農業，林業", "count": 1} in body["facets"]["industry"]
    filtered = await client.get(
        "/api/v1/search/case-studies", params={"q": "農業", "industry": ["E", "I"]}
    )
    assert filtered.json()["total"] == 0
    assert published.id == body["items"][0]["id"]


async def test_solutions_are_searched_by_members_only_and_hidden_ones_never_show(
    app: Litestar, client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    created = await create_as(client, USER_A, solution_body(categories))
    await indexed(app)
    client.cookies.clear()
    assert_problem(await client.get("/api/v1/search/solutions", params={"q": "在庫"}), 401)
    await login_as(client, role_email(Role.EDITOR))
    assert_problem(await client.get("/api/v1/search/solutions", params={"q": "在庫"}), 403)
    await login_as(client, ADMIN_B)
    found = (await client.get("/api/v1/search/solutions", params={"q": "在庫管理"})).json()
    assert [item["id"] for item in found["items"]] == [created["id"]]
    assert found["facets"]["category"][0]["label"] == "業務効率化"
    # Hidden by its provider: gone at once, even before the index hears of it.
    await login_as(client, USER_A)
    hidden = await client.post(
        f"/api/v1/organisation/solutions/{created['id']}/visibility",
        json={"hidden": True}, headers=api_headers(client),
    )  # fmt: skip
    assert hidden.status_code in (200, 204), hidden.text
    await login_as(client, ADMIN_B)
    found = (await client.get("/api/v1/search/solutions", params={"q": "在庫管理"})).json()
    assert found["items"] == []


async def test_a_backend_that_is_down_gives_503_in_japanese(
    app: Litestar, client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(*args: Any, **kwargs: Any) -> Any:
        raise SearchUnavailable("connection refused")

    monkeypatch.setattr(app.state.search, "search", down)
    problem = assert_problem(await client.get("/api/v1/search/case-studies?q=農業"), 503)
    assert "一時的に利用できません" in problem["detail"]


async def test_searches_are_logged_without_who_asked(
    app: Litestar, client: AsyncTestClient, world: World
) -> None:
    await search_log.flush()
    client.cookies.clear()
    await client.get("/api/v1/search/case-studies", params={"q": "  ＤＸ　推進 ", "industry": "E"})
    await login_as(client, role_email(Role.MEMBER_USER))
    await client.get("/api/v1/search/solutions", params={"q": "AI"})
    assert await search_log.flush() == 2
    rows = await SearchLog.select().order_by(SearchLog.id)
    assert [(r["index"], r["query"], r["audience"], r["result_count"]) for r in rows] == [
        ("case_studies", "dx 推進", "public", 0), ("solutions", "ai", "member", 0),
    ]  # fmt: skip
    assert rows[0]["filters"] == '{"industry": ["E"]}'
    assert set(rows[0]) == {
        "id", "index", "query", "filters", "result_count", "page", "audience", "created_at",
    }  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [{"q": "x" * 5000}, {"q": '"*NEAR(('}, {"page": "0"}, {"page": "9999999"},
     {"per_page": "100000"}, {"industry": ["Z", "<script>"]}, {"theme": ["-1", "abc"]},
     {"sort": "evil"}],
)  # fmt: skip
async def test_hostile_parameters_never_fail(
    client: AsyncTestClient, world: World, params: dict[str, Any]
) -> None:
    response = await client.get("/api/v1/search/case-studies", params=params)
    assert response.status_code in (200, 400), response.text


async def test_the_site_sees_what_the_worker_indexed_after_its_first_search(
    app: Litestar, client: AsyncTestClient, editorial: Editorial, settings: Any
) -> None:
    """The worker keeps the index with its own connection; the pages' backend sees every
    change it makes, not the state of its first search."""
    from search import open_search

    worker_backend = open_search("", settings.data_dir)
    try:
        await indexing.configure_indexes(worker_backend)
        assert (await client.get("/api/v1/search/case-studies?q=農業")).json()["total"] == 0
        await editorial.published(case("aso-farm", "阿蘇の農場でスマート農業"))
        await indexing.apply_all(worker_backend)
        assert (await client.get("/api/v1/search/case-studies?q=農業")).json()["total"] == 1
    finally:
        await worker_backend.close()
