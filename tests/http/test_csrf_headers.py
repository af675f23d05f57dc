"""CSRF on every unsafe form and htmx request; security headers on every response."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.accounts import service as accounts
from api.accounts.tables import UserSession
from api.http.guards import SAFE_METHODS
from api.http.headers import CONTENT_SECURITY_POLICY
from api.mail.tables import OutboxMail
from api.permissions import Role
from api.piccolo_app import TABLES
from api.settings import Settings
from tests.conftest import PASSWORD, csrf_token
from tests.http.conftest import World, admin_principal, browser, login_as, role_email
from web.app import create_app

NEW_PASSWORD = "a brand new passphrase"


async def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table: "writes nothing" means this does not change."""
    return {
        table._meta.tablename: await table.select().order_by(table._meta.primary_key)
        for table in TABLES
    }


async def _reset_token(settings: Settings) -> str:
    await accounts.request_password_reset(settings, role_email(Role.MEMBER_USER))
    body = (await OutboxMail.select().order_by(OutboxMail.id, ascending=False).first())["body"]
    return body.rsplit("/password-reset/", 1)[1].split()[0]


async def _invitation_token(settings: Settings, world: World) -> str:
    """An invitation of its own, so that the routes acting on world.target leave it alone."""
    _, token = await accounts.invite_account(
        settings,
        admin_principal(world.accounts[Role.ADMIN]),
        accounts.AccountInput("invited@example.jp", "招待 花子", frozenset({Role.MEMBER_USER})),
    )
    return token


def _unsafe_web_routes(app: Litestar) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if route.path.startswith(("/api/", "/static")):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if method not in SAFE_METHODS:
                    found.add((method, route.path))
    return found


async def _valid_forms(settings: Settings, world: World) -> dict[tuple[str, str], tuple[str, dict]]:
    """For every unsafe form route: a URL and a form that succeeds when the CSRF token is sent."""
    reset = await _reset_token(settings)
    invitation = await _invitation_token(settings, world)
    password = {"new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD}
    target = world.target.id
    return {
        ("POST", "/login"): ("/login", {"email": role_email(Role.ADMIN), "password": PASSWORD}),
        ("POST", "/logout"): ("/logout", {}),
        ("POST", "/password-reset"): ("/password-reset", {"email": role_email(Role.STAFF)}),
        ("POST", "/password-reset/{token:str}"): (f"/password-reset/{reset}", password),
        ("POST", "/invitation/{token:str}"): (f"/invitation/{invitation}", password),
        ("POST", "/account/password"): (
            "/account/password",
            {"current_password": PASSWORD, **password},
        ),
        ("POST", "/console/users"): (
            "/console/users",
            {"email": "new@example.jp", "display_name": "新規 利用者", "roles": ["editor"]},
        ),
        # Resend the invitation before the update deactivates the target.
        ("POST", "/console/users/{account_id:int}/invitation"): (
            f"/console/users/{target}/invitation",
            {},
        ),
        ("POST", "/console/users/{account_id:int}"): (
            f"/console/users/{target}",
            {"display_name": "変更後", "roles": ["official"], "is_active": "false"},
        ),
        ("POST", "/console/jobs/{job_id:int}/retry"): (f"/console/jobs/{world.job_id}/retry", {}),
        ("POST", "/console/tokens"): (
            "/console/tokens",
            {
                "name": "新しいトークン",
                "account_id": str(world.accounts[Role.STAFF].id),
                "scopes": ["users:read"],
            },
        ),
        ("POST", "/console/tokens/{token_id:int}/revoke"): (
            f"/console/tokens/{world.token_id}/revoke",
            {},
        ),
    }


async def test_the_valid_forms_cover_every_unsafe_web_route(
    settings: Settings, app: Litestar, world: World
) -> None:
    assert set(await _valid_forms(settings, world)) == _unsafe_web_routes(app)


@pytest.mark.parametrize("how", ["no token", "another clients token", "no cookie", "empty"])
async def test_unsafe_form_posts_without_the_right_token_are_refused(
    settings: Settings, app: Litestar, client: AsyncTestClient, world: World, how: str
) -> None:
    forms = await _valid_forms(settings, world)
    async with browser(app) as other:
        other_token = await csrf_token(other)
        for (_, route), (url, form) in forms.items():
            await login_as(client, role_email(Role.ADMIN))
            data = dict(form)
            if how == "another clients token":
                data["_csrf"] = other_token
            elif how == "no cookie":
                data["_csrf"] = await csrf_token(client)
                client.cookies.delete("kdx_csrf")
            elif how == "empty":
                data["_csrf"] = ""
            before = await snapshot()
            response = await client.post(url, data=data)
            assert response.status_code == 403, f"{route}: {response.status_code}"
            assert "フォームの有効期限が切れたか、不正な送信です" in response.text, route
            assert await snapshot() == before, f"{route} wrote although refused"


async def test_the_same_forms_succeed_with_the_token(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    forms = await _valid_forms(settings, world)
    password = PASSWORD
    for (_, route), (url, form) in forms.items():
        await login_as(client, role_email(Role.ADMIN), password)
        before = await snapshot()
        response = await client.post(url, data={**form, "_csrf": await csrf_token(client)})
        assert response.status_code in (200, 201, 303), f"{route}: {response.status_code}"
        assert await snapshot() != before, f"{route} changed nothing"
        if route == "/account/password":
            password = NEW_PASSWORD


async def test_htmx_header_token_works(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.ADMIN))
    token = await csrf_token(client)
    response = await client.post(
        "/console/users",
        data={"email": "htmx@example.jp", "display_name": "htmx 利用者"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert response.status_code == 303, response.text
    wrong = await client.post(
        "/console/users",
        data={"email": "htmx2@example.jp", "display_name": "htmx 利用者"},
        headers={"X-CSRF-Token": "x" * 43, "HX-Request": "true"},
    )
    assert wrong.status_code == 403


async def test_multipart_form_token_works(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.ADMIN))
    token = await csrf_token(client)
    response = await client.post(
        "/console/users",
        data={"email": "multi@example.jp", "display_name": "マルチ", "_csrf": token},
        files={"ignored": ("a.txt", b"x", "text/plain")},
    )
    assert response.status_code == 303, response.text


async def test_api_with_a_session_needs_the_csrf_header(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.ADMIN))
    body = {"email": "api@example.jp", "display_name": "API 利用者", "roles": []}
    before = await snapshot()
    refused = await client.post("/api/v1/users", json=body)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "フォームの有効期限" in refused.json()["detail"]
    assert await snapshot() == before
    # A JSON body cannot carry the token as a form field; only the header counts.
    refused = await client.post("/api/v1/users", json={**body, "_csrf": client.cookies["kdx_csrf"]})
    assert refused.status_code == 403
    accepted = await client.post(
        "/api/v1/users", json=body, headers={"X-CSRF-Token": client.cookies["kdx_csrf"]}
    )
    assert accepted.status_code == 201, accepted.text


async def test_api_with_a_bearer_token_needs_no_csrf(client: AsyncTestClient, world: World) -> None:
    admin = world.accounts[Role.ADMIN]
    _, token = await accounts.create_api_token(
        admin_principal(admin), admin.id, "書き込み", ["users:write"]
    )
    client.cookies.clear()
    response = await client.post(
        "/api/v1/users",
        json={"email": "bearer@example.jp", "display_name": "トークン 作成"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    # A bearer request never gets a session: the session cookie is ignored for it.
    await login_as(client, role_email(Role.MEMBER_USER))
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403  # the token has no account:read scope


async def test_safe_requests_do_not_need_a_token(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.ADMIN))
    client.cookies.delete("kdx_csrf")
    assert (await client.get("/console/users")).status_code == 200


async def test_logout_without_token_keeps_the_session(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    assert (await client.post("/logout")).status_code == 403
    assert await UserSession.count() == 1
    assert (await client.get("/console")).status_code == 200


# --- security headers ---------------------------------------------------------------------------


def _assert_security_headers(response, hsts: bool = False) -> None:
    csp = response.headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-frame-options"] == "DENY"
    if hsts:
        assert response.headers["strict-transport-security"].startswith("max-age=")
    else:
        assert "strict-transport-security" not in response.headers


SAMPLE_REQUESTS = [
    ("GET", "/"),
    ("GET", "/login"),
    ("GET", "/api/v1/users"),  # 401 problem details
    ("GET", "/api/openapi.json"),
    ("GET", "/api/docs"),
    ("GET", "/no-such-page"),  # 404 from the router
    ("GET", "/api/v1/no-such-thing"),
    ("DELETE", "/"),  # 405 from the router
    ("GET", "/static/css/site.css"),
    ("GET", "/static/no-such-file.css"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("OPTIONS", "/console"),
    ("GET", "/console"),  # 401 page
]


async def test_security_headers_on_every_response(client: AsyncTestClient, world: World) -> None:
    for method, path in SAMPLE_REQUESTS:
        response = await client.request(method, path)
        assert response.status_code < 500, path
        _assert_security_headers(response)
    await login_as(client, role_email(Role.MEMBER_USER))
    forbidden = await client.get("/console/users")
    assert forbidden.status_code == 403
    _assert_security_headers(forbidden)
    me = await client.get("/api/v1/me")
    assert me.status_code == 200
    _assert_security_headers(me)


async def test_hsts_only_behind_tls(settings: Settings, db: None) -> None:
    tls_app = create_app(replace(settings, behind_tls=True), migrate_on_start=False)
    async with AsyncTestClient(app=tls_app) as client:
        for method, path in SAMPLE_REQUESTS:
            response = await client.request(method, path, follow_redirects=False)
            _assert_security_headers(response, hsts=True)


async def test_pages_with_personal_data_are_not_cached(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.ADMIN))
    for path in ["/account", "/console/users", f"/console/users/{world.target.id}", "/login"]:
        response = await client.get(path)
        assert response.status_code == 200
        assert "no-store" in response.headers.get("cache-control", ""), path


async def test_users_list_fragment_for_htmx(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    full = await client.get("/console/users")
    assert full.status_code == 200
    assert "<html" in full.text
    assert "HX-Request" in full.headers["vary"]
    fragment = await client.get("/console/users?q=target", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "<body" not in fragment.text
    assert "target@example.jp" in fragment.text
    assert "staff@example.jp" not in fragment.text
    assert "HX-Request" in fragment.headers["vary"]
    _assert_security_headers(fragment)
    # htmx restoring a page it lost from its history cache needs the whole page.
    restore = await client.get(
        "/console/users", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text
    assert "<html" in (await client.get("/console/users", headers={"HX-Request": "false"})).text
