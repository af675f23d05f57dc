"""Walking the one permission table: every route x every role, the JSON API and the pages."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.accounts import service as accounts
from api.http.guards import SAFE_METHODS, action_of
from api.permissions import PERMISSIONS, SCOPES, Role
from api.settings import Settings
from tests.conftest import PASSWORD, csrf_token, make_account
from tests.http.conftest import (
    ROLE_CASES,
    World,
    admin_principal,
    every_scope_token,
    login_as,
    role_email,
)

ANONYMOUS = "anonymous"
_PARAM = re.compile(r"\{(\w+):\w+\}")


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str  # the route path with its parameter types, e.g. /console/users/{account_id:int}
    action: str | None

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    def url(self, values: dict[str, str]) -> str:
        return _PARAM.sub(lambda match: values[match.group(1)], self.path)


def endpoints(app: Litestar) -> list[Endpoint]:
    """Every method of every route, except the static files (a router of its own)."""
    found = []
    for route in app.routes:
        if route.path.startswith("/static"):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods):
                found.append(Endpoint(method, route.path, action_of(handler)))
    return sorted(found, key=lambda e: (e.path, e.method))


def test_every_route_has_an_action_in_the_table(app: Litestar) -> None:
    walked = endpoints(app)
    missing = [f"{e.method} {e.path}" for e in walked if e.action not in PERMISSIONS]
    assert missing == [], f"routes without an action in api.permissions.PERMISSIONS: {missing}"
    paths = {e.path for e in walked}
    # The walk covers the JSON API, the pages, the schema and the health checks.
    assert {"/api/v1/users", "/api/v1/me", "/api/openapi.json", "/console/users", "/login"} <= paths
    assert {"/", "/account", "/healthz", "/readyz", "/api/docs"} <= paths


def test_every_action_in_the_table_is_used(app: Litestar) -> None:
    used = {e.action for e in endpoints(app)}
    assert set(PERMISSIONS) - used == set()


def test_token_scopes_name_known_scopes() -> None:
    for action in PERMISSIONS.values():
        assert action.scope is None or action.scope in SCOPES, action.name


async def _request(
    client: AsyncTestClient, endpoint: Endpoint, world: World, *, bearer: str | None = None
):
    headers: dict[str, str] = {}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    url = endpoint.url(world.path_values())
    if endpoint.method in SAFE_METHODS:
        return await client.request(endpoint.method, url, headers=headers)
    if bearer is None:
        headers["X-CSRF-Token"] = await csrf_token(client)
    if endpoint.is_api:
        # An empty object: the route may refuse it as invalid, but never as unauthorised.
        return await client.request(endpoint.method, url, json={}, headers=headers)
    return await client.request(endpoint.method, url, data={"unknown": "x"}, headers=headers)


def _expected(action_name: str, role: Role | str | None) -> bool:
    action = PERMISSIONS[action_name]
    if role == ANONYMOUS:
        return action.public
    roles = frozenset({role}) if isinstance(role, Role) else frozenset()
    return action.allows(roles, None)


@pytest.mark.parametrize(
    "role", [ANONYMOUS, *ROLE_CASES], ids=lambda r: r if isinstance(r, str) else str(r or "norole")
)
async def test_each_role_gets_exactly_what_the_table_allows(
    app: Litestar, client: AsyncTestClient, world: World, role: Role | str | None
) -> None:
    problems = []
    walked = endpoints(app)
    logged_in = False
    for endpoint in walked:
        assert endpoint.action is not None
        if role == ANONYMOUS:
            client.cookies.clear()
        elif not logged_in:
            await login_as(client, role_email(role))  # type: ignore[arg-type]
        # Logging out ends the session: the next request logs in again.
        logged_in = role != ANONYMOUS and not endpoint.path.endswith("/logout")
        response = await _request(client, endpoint, world)
        allowed = _expected(endpoint.action, role)
        status = response.status_code
        label = f"{endpoint.method} {endpoint.path} ({endpoint.action}): {status}"
        if status >= 500:
            problems.append(f"server error {label}")
        elif allowed and status in (401, 403):
            problems.append(f"refused though allowed: {label} {response.text[:200]}")
        elif not allowed and status != (401 if role == ANONYMOUS else 403):
            problems.append(f"not refused: {label}")
    assert not problems, "\n".join(problems)
    assert any(e.is_api for e in walked) and any(not e.is_api for e in walked)


async def test_a_token_with_every_scope_reaches_only_scoped_actions(
    settings: Settings, client: AsyncTestClient, app: Litestar, world: World
) -> None:
    admin = world.accounts[Role.ADMIN]
    token = await every_scope_token(world)
    client.cookies.clear()
    problems = []
    for endpoint in endpoints(app):
        assert endpoint.action is not None
        action = PERMISSIONS[endpoint.action]
        response = await _request(client, endpoint, world, bearer=token)
        # The token acts as the admin: scoped actions of other roles (members) stay refused.
        allowed = action.public or action.allows(admin.roles, frozenset(SCOPES))
        status = response.status_code
        label = f"{endpoint.method} {endpoint.path} ({endpoint.action}): {status}"
        if status >= 500:
            problems.append(f"server error {label}")
        elif allowed and status in (401, 403):
            problems.append(f"refused though scoped: {label} {response.text[:200]}")
        elif not allowed and status != 403:
            problems.append(f"a token reached an unscoped action: {label}")
    assert not problems, "\n".join(problems)


# --- API tokens ----------------------------------------------------------------------------------


async def test_account_read_token_sees_me_but_not_users(
    client: AsyncTestClient, world: World
) -> None:
    headers = {"Authorization": f"Bearer {world.token}"}
    me = await client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["email"] == role_email(Role.MEMBER_USER)
    users = await client.get("/api/v1/users", headers=headers)
    assert users.status_code == 403
    assert users.headers["content-type"].startswith("application/problem+json")


async def test_token_scopes_never_exceed_the_accounts_roles(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    admin = admin_principal(world.accounts[Role.ADMIN])
    member = world.accounts[Role.MEMBER_USER]
    _, token = await accounts.create_api_token(admin, member.id, "広すぎる", list(SCOPES))
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    assert (await client.get("/api/v1/users", headers=headers)).status_code == 403
    created = await client.post(
        "/api/v1/users",
        json={"email": "new@example.jp", "display_name": "新規", "roles": ["admin"]},
        headers=headers,
    )
    assert created.status_code == 403
    # A staff account with users:read reads users, but cannot write them even with users:write.
    staff = world.accounts[Role.STAFF]
    _, staff_token = await accounts.create_api_token(admin, staff.id, "職員", list(SCOPES))
    staff_headers = {"Authorization": f"Bearer {staff_token}"}
    assert (await client.get("/api/v1/users", headers=staff_headers)).status_code == 200
    patch = await client.patch(
        f"/api/v1/users/{member.id}", json={"display_name": "変更"}, headers=staff_headers
    )
    assert patch.status_code == 403


async def test_admin_token_without_the_scope_is_refused(
    client: AsyncTestClient, world: World
) -> None:
    admin = world.accounts[Role.ADMIN]
    _, token = await accounts.create_api_token(
        admin_principal(admin), admin.id, "読むだけ", ["users:read"]
    )
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/users", headers=headers)).status_code == 200
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 403
    response = await client.post(
        "/api/v1/users", json={"email": "x@example.jp", "display_name": "x"}, headers=headers
    )
    assert response.status_code == 403
    # Actions without a scope (the audit log, tokens) are never open to tokens.
    assert (await client.get("/api/v1/audit", headers=headers)).status_code == 403
    assert (await client.get("/api/v1/tokens", headers=headers)).status_code == 403


async def test_revoked_token_gets_401(client: AsyncTestClient, world: World) -> None:
    headers = {"Authorization": f"Bearer {world.token}"}
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    await accounts.revoke_api_token(admin_principal(world.accounts[Role.ADMIN]), world.token_id)
    response = await client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["title"] == "ログインが必要です。"


async def test_token_of_a_deactivated_account_gets_401(
    client: AsyncTestClient, world: World
) -> None:
    headers = {"Authorization": f"Bearer {world.token}"}
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    await accounts.update_account(
        admin_principal(world.accounts[Role.ADMIN]),
        world.accounts[Role.MEMBER_USER].id,
        is_active=False,
    )
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_unknown_and_malformed_tokens_get_401(client: AsyncTestClient, world: World) -> None:
    for value in ["kdx_unknown", "", "x" * 500, world.token + "x", "bad token with spaces"]:
        response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {value}"})
        assert response.status_code == 401, value


async def test_token_requests_need_no_csrf_and_write_through_the_api(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    admin = world.accounts[Role.ADMIN]
    _, token = await accounts.create_api_token(
        admin_principal(admin), admin.id, "書き込み", ["users:write", "users:read"]
    )
    client.cookies.clear()
    response = await client.post(
        "/api/v1/users",
        json={"email": "api-made@example.jp", "display_name": "API 作成", "roles": ["editor"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["roles"] == ["editor"]
    assert "kdx_csrf" not in response.cookies  # token clients get no CSRF cookie


async def test_account_without_roles_uses_its_own_account_only(
    settings: Settings, client: AsyncTestClient
) -> None:
    await make_account(settings, "plain@example.jp", set())
    token = await csrf_token(client)
    response = await client.post(
        "/login", data={"email": "plain@example.jp", "password": PASSWORD, "_csrf": token}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account"  # the landing page must open
    assert (await client.get("/account")).status_code == 200
    assert (await client.get("/api/v1/me")).status_code == 200
    assert (await client.get("/console")).status_code == 403
