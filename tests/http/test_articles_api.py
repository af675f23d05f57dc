"""The publishing JSON API: the public sees published content only, editors cannot publish,
CSRF and token scopes, ETag/304, hostile input is a Japanese 4xx, never a 500."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from api.accounts import service as accounts
from api.articles import service
from api.articles.tables import Article
from api.permissions import Role
from tests.conftest import csrf_token
from tests.http.conftest import World, admin_principal, is_japanese, login_as, role_email

GOOD_BODY = "## 背景\n\n紙の台帳でした。\n\n![倉庫で在庫を数える社員](media:a.png)\n"
BAD_BODY = "## 背景\n\n紙の台帳でした。\n\n![](media:a.png)\n"


def draft_json(slug: str = "case-1", **extra: object) -> dict[str, object]:
    return {
        "kind": "case_study", "slug": slug, "title": "在庫管理をクラウド化", "summary": "概要",
        "body_markdown": GOOD_BODY, "organisation_name": "株式会社テスト", "industry": "E",
        "municipality": "熊本市", **extra,
    }  # fmt: skip


async def as_role(client: AsyncTestClient, role: Role) -> dict[str, str]:
    await login_as(client, role_email(role))
    return {"X-CSRF-Token": await csrf_token(client)}


async def create_draft(client: AsyncTestClient, **extra: object) -> dict:
    headers = await as_role(client, Role.EDITOR)
    response = await client.post(
        "/api/v1/editor/articles", json=draft_json(**extra), headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_editor_workflow_and_public_visibility(client: AsyncTestClient, world: World) -> None:
    created = await create_draft(client)
    article_id = created["id"]
    # Anonymous: the draft is invisible through the public API.
    client.cookies.clear()
    listing = await client.get("/api/v1/articles")
    assert listing.status_code == 200 and listing.json()["total"] == 0
    assert (await client.get("/api/v1/articles/case_study/case-1")).status_code == 404
    assert (await client.get(f"/api/v1/editor/articles/{article_id}")).status_code == 401
    # The editor saves (with the version), submits, but cannot publish.
    headers = await as_role(client, Role.EDITOR)
    saved = await client.patch(
        f"/api/v1/editor/articles/{article_id}",
        json=draft_json(title="在庫管理をクラウド化した事例", version=1),
        headers=headers,
    )
    assert saved.status_code == 200 and saved.json()["version"] == 2
    stale = await client.patch(
        f"/api/v1/editor/articles/{article_id}", json=draft_json(version=1), headers=headers
    )
    assert stale.status_code == 409 and is_japanese(stale.json()["detail"])
    submitted = await client.post(
        f"/api/v1/editor/articles/{article_id}/submit", json={"version": 2}, headers=headers
    )
    assert submitted.status_code == 200 and submitted.json()["state"] == "in_review"
    refused = await client.post(
        f"/api/v1/editor/articles/{article_id}/publish", json={}, headers=headers
    )
    assert refused.status_code == 403
    # Staff publish.
    headers = await as_role(client, Role.STAFF)
    published = await client.post(
        f"/api/v1/editor/articles/{article_id}/publish", json={}, headers=headers
    )
    assert published.status_code == 200 and published.json()["state"] == "published"
    client.cookies.clear()
    detail = await client.get("/api/v1/articles/case_study/case-1")
    assert detail.status_code == 200
    body = detail.json()["article"]
    assert body["title"] == "在庫管理をクラウド化した事例"
    assert "<h2" in body["body_html"] and "state" not in body and "id" not in body
    # Unpublished again: gone from the public API.
    headers = await as_role(client, Role.STAFF)
    await client.post(f"/api/v1/editor/articles/{article_id}/unpublish", json={}, headers=headers)
    client.cookies.clear()
    assert (await client.get("/api/v1/articles/case_study/case-1")).status_code == 404


async def test_public_list_sorts_and_refuses_an_unknown_sort(
    client: AsyncTestClient, world: World
) -> None:
    actor = admin_principal(world.accounts[Role.ADMIN])
    for slug, title in (("b-case", "い事例"), ("a-case", "あ事例"), ("c-case", "う事例")):
        created = await client_free_create(actor, slug, title)
        await service.publish_now(actor, created)
    newest = (await client.get("/api/v1/articles")).json()["items"]
    assert [item["slug"] for item in newest] == ["c-case", "a-case", "b-case"]
    oldest = (await client.get("/api/v1/articles", params={"sort": "oldest"})).json()["items"]
    assert [item["slug"] for item in oldest] == ["b-case", "a-case", "c-case"]
    by_title = (await client.get("/api/v1/articles", params={"sort": "title"})).json()["items"]
    assert [item["title"] for item in by_title] == ["あ事例", "い事例", "う事例"]
    refused = await client.get("/api/v1/articles", params={"sort": "drop table"})
    assert refused.status_code == 400 and is_japanese(refused.text)


async def client_free_create(actor, slug: str, title: str) -> int:
    data = service.ArticleInput(kind="news", slug=slug, title=title, body_markdown="本文")
    return (await service.create_article(actor, data)).id


async def test_accessibility_findings_are_listed_by_line(
    client: AsyncTestClient, world: World
) -> None:
    created = await create_draft(client, body_markdown=BAD_BODY)
    headers = {"X-CSRF-Token": await csrf_token(client)}
    response = await client.post(
        f"/api/v1/editor/articles/{created['id']}/submit", json={}, headers=headers
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(message.startswith("5行目") for message in errors.values()), errors


async def test_revisions_diff_restore_and_preview(client: AsyncTestClient, world: World) -> None:
    created = await create_draft(client)
    article_id = created["id"]
    headers = {"X-CSRF-Token": await csrf_token(client)}
    changed = GOOD_BODY.replace("紙の台帳", "表計算")
    await client.patch(
        f"/api/v1/editor/articles/{article_id}",
        json=draft_json(body_markdown=changed, version=1),
        headers=headers,
    )
    revisions = (await client.get(f"/api/v1/editor/articles/{article_id}/revisions")).json()
    assert [r["number"] for r in revisions] == [2, 1]
    diff = await client.get(
        f"/api/v1/editor/articles/{article_id}/diff",
        params={"from_revision": 1, "to_revision": 2},
    )
    lines = diff.json()["lines"]
    assert {"kind": "added", "text": "表計算でした。", "old_line": None, "new_line": 3} in lines
    restored = await client.post(
        f"/api/v1/editor/articles/{article_id}/revisions/1/restore",
        json={"version": 2},
        headers=headers,
    )
    assert restored.status_code == 200 and restored.json()["version"] == 3
    link = await client.post(
        f"/api/v1/editor/articles/{article_id}/preview-link", json={"revision": 2}, headers=headers
    )
    assert link.status_code == 200
    url = link.json()["url"]
    client.cookies.clear()
    preview = await client.get(url)
    assert preview.status_code == 200
    assert preview.json()["revision"]["number"] == 2
    assert preview.headers["cache-control"] == "no-store"
    tampered = await client.get(url[:-4] + "0000")
    assert tampered.status_code == 404 and is_japanese(tampered.json()["detail"])


async def test_etag_and_304(client: AsyncTestClient, world: World) -> None:
    created = await create_draft(client)
    headers = await as_role(client, Role.ADMIN)
    await client.post(f"/api/v1/editor/articles/{created['id']}/publish", json={}, headers=headers)
    client.cookies.clear()
    for url in ("/api/v1/articles", "/api/v1/articles/case_study/case-1", "/api/v1/themes"):
        first = await client.get(url)
        etag = first.headers["etag"]
        again = await client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert (await client.get(url, headers={"If-None-Match": '"other"'})).status_code == 200
    # A change makes a new ETag.
    listing = await client.get("/api/v1/articles")
    await Article.update({Article.title: "変更後"}).where(Article.id == created["id"])
    changed = await client.get(
        "/api/v1/articles", headers={"If-None-Match": listing.headers["etag"]}
    )
    assert changed.status_code == 200


async def test_csrf_is_required_for_cookie_writes(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.EDITOR))
    response = await client.post("/api/v1/editor/articles", json=draft_json())
    assert response.status_code == 403
    assert await Article.count() == 0


async def test_token_scopes(client: AsyncTestClient, world: World) -> None:
    admin = admin_principal(world.accounts[Role.ADMIN])
    editor = world.accounts[Role.EDITOR]
    _, read_token = await accounts.create_api_token(admin, editor.id, "読む", ["articles:read"])
    _, write_token = await accounts.create_api_token(
        admin, editor.id, "書く", ["articles:read", "articles:write", "articles:publish"]
    )
    client.cookies.clear()
    read = {"Authorization": f"Bearer {read_token}"}
    write = {"Authorization": f"Bearer {write_token}"}
    assert (await client.get("/api/v1/editor/articles", headers=read)).status_code == 200
    assert (
        await client.post("/api/v1/editor/articles", json=draft_json(), headers=read)
    ).status_code == 403
    created = await client.post("/api/v1/editor/articles", json=draft_json(), headers=write)
    assert created.status_code == 201
    # The scope does not give an editor the publishing right.
    published = await client.post(
        f"/api/v1/editor/articles/{created.json()['id']}/publish", json={}, headers=write
    )
    assert published.status_code == 403
    staff = world.accounts[Role.STAFF]
    _, staff_token = await accounts.create_api_token(admin, staff.id, "公開", ["articles:publish"])
    published = await client.post(
        f"/api/v1/editor/articles/{created.json()['id']}/publish",
        json={},
        headers={"Authorization": f"Bearer {staff_token}"},
    )
    assert published.status_code == 200


async def test_schedule_through_the_api(client: AsyncTestClient, world: World) -> None:
    created = await create_draft(client)
    headers = await as_role(client, Role.STAFF)
    url = f"/api/v1/editor/articles/{created['id']}/schedule"
    past = await client.post(url, json={"publish_at": "2000-01-01T00:00:00+09:00"}, headers=headers)
    assert past.status_code == 422
    naive = await client.post(url, json={"publish_at": "2999-01-01T00:00:00"}, headers=headers)
    assert naive.status_code in (400, 422)
    ok = await client.post(url, json={"publish_at": "2027-06-01T09:00:00+09:00"}, headers=headers)
    assert ok.status_code == 200, ok.text
    assert ok.json()["state"] == "scheduled"


async def test_pages_api(client: AsyncTestClient, world: World) -> None:
    headers = await as_role(client, Role.EDITOR)
    created = await client.post(
        "/api/v1/editor/pages",
        json={
            "slug": "about",
            "title": "コンソーシアムについて",
            "body_markdown": "## 目的\n\n本文",
        },
        headers=headers,
    )
    assert created.status_code == 201
    page_id = created.json()["id"]
    assert (
        await client.post(f"/api/v1/editor/pages/{page_id}/publish", json={}, headers=headers)
    ).status_code == 403
    client.cookies.clear()
    assert (await client.get("/api/v1/pages")).json() == []
    assert (await client.get("/api/v1/pages/by-path", params={"path": "about"})).status_code == 404
    headers = await as_role(client, Role.STAFF)
    published = await client.post(
        f"/api/v1/editor/pages/{page_id}/publish", json={}, headers=headers
    )
    assert published.status_code == 200
    client.cookies.clear()
    tree = (await client.get("/api/v1/pages")).json()
    assert [node["path"] for node in tree] == ["about"]
    page = await client.get("/api/v1/pages/by-path", params={"path": "about"})
    assert page.status_code == 200 and "<h2" in page.json()["body_html"]


HOSTILE_TEXT = ["a\x00b", "'; DROP TABLE article; --", "長" * 5000, "\u202e", "%_%"]
HUGE_IDS = ["99999999999999999999", "9223372036854775808", "-1", "0", "abc", "2147483648"]


@pytest.mark.parametrize("value", HOSTILE_TEXT)
async def test_hostile_text_never_500(client: AsyncTestClient, world: World, value: str) -> None:
    headers = await as_role(client, Role.ADMIN)
    query = value[:500]  # a URL has its own limit
    for url, params in (
        ("/api/v1/articles", {"kind": query, "industry": query, "theme": query, "municipality": query}),
        ("/api/v1/editor/articles", {"state": query, "q": query, "theme": query}),
        ("/api/v1/articles/preview", {"token": query}),
        ("/api/v1/pages/by-path", {"path": query}),
    ):  # fmt: skip
        response = await client.get(url, params=params)
        assert response.status_code < 500, (url, response.status_code)
    fields = ("slug", "title", "body_markdown", "municipality", "venue", "event_url")
    for name in fields:
        response = await client.post(
            "/api/v1/editor/articles", json=draft_json(**{name: value}), headers=headers
        )
        assert response.status_code in (201, 400, 422), (name, response.text[:200])
    for body in (
        {"slug": value, "title": value},
        {"slug": "ok", "title": "t", "parent_id": 2**40},
        {"slug": "ok2", "title": "t", "position": 2**40},
    ):
        response = await client.post("/api/v1/editor/pages", json=body, headers=headers)
        assert response.status_code in (201, 400, 422), (body, response.text[:200])
    response = await client.post(
        "/api/v1/editor/themes", json={"name": value, "slug": value}, headers=headers
    )
    assert response.status_code in (400, 422)


async def test_hostile_ids_and_bodies_never_500(client: AsyncTestClient, world: World) -> None:
    headers = await as_role(client, Role.ADMIN)
    for value in HUGE_IDS:
        for method, url in (
            ("GET", f"/api/v1/editor/articles/{value}"),
            ("PATCH", f"/api/v1/editor/articles/{value}"),
            ("POST", f"/api/v1/editor/articles/{value}/publish"),
            ("GET", f"/api/v1/editor/articles/{value}/revisions/{value}"),
            ("GET", f"/api/v1/editor/articles/1/diff?from_revision={value}&to_revision=1"),
            ("POST", f"/api/v1/editor/articles/1/revisions/{value}/restore"),
            ("GET", f"/api/v1/editor/pages/{value}"),
            ("PATCH", f"/api/v1/editor/themes/{value}"),
        ):
            response = await client.request(method, url, json={"version": 1}, headers=headers)
            assert response.status_code in (400, 404, 422), (method, url, response.status_code)
    for body in (
        draft_json(organisation_id=2**40),
        draft_json(theme_ids=[2**40]),
        draft_json(related_ids=[-1]),
        draft_json(lead_image=2**63),
        draft_json(interview_date="2024-13-45"),
        draft_json(event_starts_at="not a date"),
        {"kind": ["x"]},
        [],
    ):
        response = await client.post("/api/v1/editor/articles", json=body, headers=headers)
        assert response.status_code in (400, 422), (body, response.text[:200])
        assert response.headers["content-type"].startswith("application/problem+json")
    raw = await client.post(
        "/api/v1/editor/articles",
        content=b"\xff\xfe{",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert raw.status_code == 400
