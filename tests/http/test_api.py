"""The API surface: the OpenAPI schema and its page, health checks, problem details."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from api.health import routes as health
from api.permissions import Role
from tests.conftest import csrf_token
from tests.http.conftest import World, is_japanese, login_as, role_email

API_PATHS = {
    "/api/v1/auth/login",
    "/api/v1/auth/logout",
    "/api/v1/me",
    "/api/v1/me/password",
    "/api/v1/users",
    "/api/v1/users/{account_id}",
    "/api/v1/tokens",
    "/api/v1/tokens/{token_id}",
    "/api/v1/audit",
    "/api/v1/jobs",
    "/api/v1/jobs/{job_id}/retry",
}


def _assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail"}
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert is_japanese(body["title"]) and is_japanese(body["detail"])
    return body


async def test_openapi_schema_lists_the_api(client: AsyncTestClient) -> None:
    response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "json" in response.headers["content-type"]
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "熊本県DX推進コンソーシアム API"
    paths = set(schema["paths"])
    assert API_PATHS <= paths
    # Only the JSON API is described: no pages, health checks or the schema itself.
    assert all(path.startswith("/api/v1/") for path in paths), paths
    users = schema["paths"]["/api/v1/users"]
    assert {"get", "post"} <= set(users)
    for item in schema["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "summary" in operation:
                assert is_japanese(operation["summary"]), operation["summary"]


async def test_openapi_schema_needs_no_login_and_no_cookie(client: AsyncTestClient) -> None:
    response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "kdx_session" not in response.headers.get("set-cookie", "")


async def test_unknown_schema_file_is_a_japanese_404(client: AsyncTestClient) -> None:
    for path in ["/api/openapi.yaml", "/api/swagger", "/api/redoc"]:
        _assert_problem(await client.get(path), 404)


async def test_api_docs_page_renders(client: AsyncTestClient) -> None:
    response = await client.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="ja">' in response.text
    assert "熊本県DX推進コンソーシアム API" in response.text
    assert "GET /api/v1/users" in response.text
    assert "POST /api/v1/auth/login" in response.text
    assert 'href="/api/openapi.json"' in response.text
    assert "<script>" not in response.text  # no inline script (CSP)


async def test_healthz(client: AsyncTestClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "set-cookie" not in response.headers


async def test_readyz(client: AsyncTestClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_readyz_is_503_when_the_database_does_not_answer(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    class DeadEngine:
        async def run_ddl(self, *_: object, **__: object) -> None:
            raise ConnectionRefusedError("database is down")

    monkeypatch.setattr(health, "current_engine", lambda: DeadEngine())
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "error"}
    assert "database is down" not in response.text
    # The process itself still answers.
    assert (await client.get("/healthz")).status_code == 200


async def test_problem_details_for_401(client: AsyncTestClient) -> None:
    response = await client.get("/api/v1/users")
    body = _assert_problem(response, 401)
    assert body["title"] == "ログインが必要です。"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_problem_details_for_403(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.MEMBER_USER))
    body = _assert_problem(await client.get("/api/v1/users"), 403)
    assert body["title"] == "この操作を行う権限がありません。"


async def test_problem_details_for_404(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    body = _assert_problem(await client.get("/api/v1/users/999999"), 404)
    assert body["detail"] == "指定されたユーザーは見つかりませんでした。"
    _assert_problem(await client.get("/api/v1/no-such-route"), 404)


async def test_problem_details_for_422_name_the_fields(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.ADMIN))
    response = await client.post(
        "/api/v1/users",
        json={"email": "not an address", "display_name": "", "roles": ["emperor"]},
        headers={"X-CSRF-Token": await csrf_token(client)},
    )
    body = _assert_problem(response, 422)
    assert body["title"] == "入力内容に誤りがあります。"
    assert set(body["errors"]) == {"email", "display_name", "roles"}
    assert all(is_japanese(message) for message in body["errors"].values())


async def test_problem_details_for_400_and_405(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.ADMIN))
    headers = {"X-CSRF-Token": await csrf_token(client), "Content-Type": "application/json"}
    _assert_problem(await client.post("/api/v1/users", content=b"{", headers=headers), 400)
    _assert_problem(await client.get("/api/v1/users?page=0"), 400)
    _assert_problem(await client.delete("/api/v1/users", headers=headers), 405)


async def test_users_api_lists_pages_and_reads(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    response = await client.get("/api/v1/users", params={"per_page": 3, "page": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["page"] == 2 and body["per_page"] == 3
    assert body["total"] == len(world.accounts) + 2  # the target and the other organisation's admin
    assert len(body["items"]) == 3
    assert all("password_hash" not in item for item in body["items"])
    one = await client.get(f"/api/v1/users/{world.target.id}")
    assert one.json()["email"] == "target@example.jp"
    assert one.json()["has_password"] is False
    search = await client.get("/api/v1/users", params={"q": "TARGET"})
    assert [item["email"] for item in search.json()["items"]] == ["target@example.jp"]
    # % and _ are matched literally, not as LIKE wildcards.
    assert (await client.get("/api/v1/users", params={"q": "%"})).json()["total"] == 0
    underscore = await client.get("/api/v1/users", params={"q": "r_a"})
    assert [item["email"] for item in underscore.json()["items"]] == ["member_admin@example.jp"]


async def test_admin_updates_a_user_through_the_api(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.ADMIN))
    headers = {"X-CSRF-Token": await csrf_token(client)}
    response = await client.patch(
        f"/api/v1/users/{world.target.id}",
        json={"display_name": "ＡＢＣ　太郎", "roles": ["editor", "staff"]},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["display_name"] == "ABC 太郎"  # full-width ASCII normalised
    assert body["roles"] == ["editor", "staff"]
    assert body["is_active"] is True
    audit = await client.get("/api/v1/audit", params={"action": "account.roles_change"})
    assert audit.status_code == 200
    assert audit.json()["items"][0]["target_label"] == "target@example.jp"


async def test_tokens_api_creates_lists_and_revokes(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.ADMIN))
    headers = {"X-CSRF-Token": await csrf_token(client)}
    created = await client.post(
        "/api/v1/tokens",
        json={
            "account_id": world.accounts[Role.STAFF].id,
            "name": "県ポータル連携",
            "scopes": ["users:read"],
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    assert token.startswith("kdx_")
    listed = await client.get("/api/v1/tokens")
    assert all(item["token"] is None for item in listed.json())  # never shown again
    assert token not in listed.text
    unknown = await client.post(
        "/api/v1/tokens",
        json={"account_id": 999999, "name": "x", "scopes": ["users:read"]},
        headers=headers,
    )
    assert "account_id" in _assert_problem(unknown, 422)["errors"]
    token_id = created.json()["id"]
    assert (await client.delete(f"/api/v1/tokens/{token_id}", headers=headers)).status_code == 204
    client.cookies.clear()
    response = await client.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"})
    _assert_problem(response, 401)


async def test_jobs_api_retries_only_failed_jobs(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.ADMIN))
    headers = {"X-CSRF-Token": await csrf_token(client)}
    jobs = await client.get("/api/v1/jobs", params={"status": "failed"})
    assert [job["id"] for job in jobs.json()["items"]] == [world.job_id]
    retry = await client.post(f"/api/v1/jobs/{world.job_id}/retry", headers=headers)
    assert retry.status_code == 204
    again = await client.post(f"/api/v1/jobs/{world.job_id}/retry", headers=headers)
    _assert_problem(again, 409)
