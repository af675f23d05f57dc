"""The search page for case studies: works without JavaScript, answers htmx with the fragment,
is never cached, keeps the filters in the pages' links, says when search is unavailable, and
notes which result was opened (only published case studies, never another address)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.permissions import Role
from api.searching import log as search_log
from api.searching.tables import SearchClick
from search.base import SearchUnavailable
from tests.http.conftest import Editorial, login_as, role_email
from tests.http.test_page_cache import case
from tests.http.test_platform import ADMIN_B, USER_A, api_headers
from tests.http.test_search_api import indexed
from tests.http.test_solutions_api import categories, create_as, solution_body

__all__ = ["categories"]


async def test_the_search_page_without_and_with_htmx(
    app: Litestar, client: AsyncTestClient, editorial: Editorial
) -> None:
    await editorial.published(case("aso-farm", "阿蘇の農場でスマート農業", industry="A"))
    await editorial.published(case("factory", "工場の設備点検", industry="E"))
    await indexed(app)
    client.cookies.clear()
    full = await client.get("/search", params={"q": "農業"})
    assert full.status_code == 200 and full.headers["cache-control"] == "no-store"
    assert 'role="search"' in full.text and "<mark>農業</mark>" in full.text
    assert "「農業」の検索結果: 1件" in full.text
    assert 'href="/search/open?id=' in full.text
    assert 'name="industry" value="A"' in full.text and "農業，林業" in full.text
    fragment = await client.get(
        "/search", params={"q": "点検", "industry": "E"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "工場の設備<mark>点検</mark>" in fragment.text
    assert 'value="E" checked' in fragment.text
    empty = await client.get("/search", params={"q": "宇宙ロケット"})
    assert "見つかりませんでした" in empty.text and "事務局" in empty.text
    everything = await client.get("/search")
    assert "検索結果: 2件" in everything.text
    assert (await client.get("/")).text.count('action="/search"') == 1  # the header's box


async def test_an_opened_result_is_noted_and_only_case_studies_are_opened(
    app: Litestar, client: AsyncTestClient, editorial: Editorial
) -> None:
    article = await editorial.published(case("aso-farm", "阿蘇の農場でスマート農業"))
    await search_log.flush()
    opened = await client.get(
        "/search/open", params={"id": str(article.id), "position": "3", "q": "農業"}
    )
    assert opened.status_code == 303 and opened.headers["location"] == "/case-studies/aso-farm"
    await search_log.flush()
    rows = await SearchClick.select(SearchClick.document_id, SearchClick.position)
    assert rows == [{"document_id": str(article.id), "position": 3}]
    for bad in ("999999", "abc", "1" * 30, f"{article.id}/../../evil"):
        assert (await client.get("/search/open", params={"id": bad})).status_code == 404


async def test_an_unavailable_search_says_so_and_the_page_still_works(
    app: Litestar, client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(*args: Any, **kwargs: Any) -> Any:
        raise SearchUnavailable("connection refused")

    monkeypatch.setattr(app.state.search, "search", down)
    response = await client.get("/search", params={"q": "農業"})
    assert response.status_code == 200
    assert (
        "検索は一時的に利用できません" in response.text and 'href="/case-studies"' in response.text
    )


async def test_members_search_solutions_and_open_only_listed_ones(
    app: Litestar, client: AsyncTestClient, world: Any, categories: dict[str, int]
) -> None:
    created = await create_as(client, USER_A, solution_body(categories))
    await indexed(app)
    client.cookies.clear()
    assert (await client.get("/platform/solutions/search?q=在庫")).status_code in (302, 303, 401)
    await login_as(client, ADMIN_B)
    found = await client.get("/platform/solutions/search", params={"q": "在庫管理"})
    assert found.status_code == 200 and "<mark>在庫管理</mark>" in found.text
    assert 'aria-current="page">キーワードで探す' in found.text
    assert f'href="/platform/solutions/search/open?id={created["id"]}&amp;position=1' in found.text
    opened = await client.get(
        "/platform/solutions/search/open", params={"id": created["id"], "position": 1}
    )
    assert opened.headers["location"] == f"/platform/solutions/{created['id']}"
    await login_as(client, role_email(Role.EDITOR))
    assert (await client.get("/platform/solutions/search?q=在庫")).status_code == 403
    await login_as(client, USER_A)
    hidden = await client.post(
        f"/api/v1/organisation/solutions/{created['id']}/visibility",
        json={"hidden": True}, headers=api_headers(client),
    )  # fmt: skip
    assert hidden.status_code == 200
    gone = await client.get("/platform/solutions/search/open", params={"id": created["id"]})
    assert gone.status_code == 404
