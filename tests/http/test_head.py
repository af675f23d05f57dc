"""HEAD on every GET route: the GET status and headers, no body."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from api.accounts.tables import Account
from api.http.headers import CONTENT_SECURITY_POLICY
from api.permissions import Role
from tests.http.conftest import World, login_as, role_email

# Headers that differ between two requests by nature (a fresh CSRF cookie, the time).
VARYING = {"set-cookie", "date"}


def _stable(headers) -> dict[str, str]:
    return {key: value for key, value in headers.items() if key not in VARYING}


async def _compare(client: AsyncTestClient, path: str, status: int) -> None:
    get = await client.get(path)
    head = await client.head(path)
    assert (get.status_code, head.status_code) == (status, status), path
    assert head.content == b"", path
    assert _stable(head.headers) == _stable(get.headers), path
    # The length of the body as sent (compressed when the client accepts it).
    assert int(head.headers["content-length"]) == get.num_bytes_downloaded, path


async def test_head_on_pages_answers_like_get_without_a_body(
    client: AsyncTestClient, world: World
) -> None:
    for path in ["/", "/login", "/password-reset", "/accessibility", "/api/docs", "/healthz"]:
        await _compare(client, path, 200)
    await _compare(client, "/api/openapi.json", 200)
    await _compare(client, "/static/css/site.css", 200)
    # Refusals and unknown paths keep their status: 401, 404 (page and problem details).
    await _compare(client, "/console", 401)
    await _compare(client, "/api/v1/me", 401)
    await _compare(client, "/no-such-page", 404)
    await _compare(client, "/api/v1/no-such-thing", 404)
    head = await client.head("/")
    assert head.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert head.headers["content-type"].startswith("text/html")


async def test_head_needs_the_same_permission_as_get(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.MEMBER_USER))
    await _compare(client, "/account", 200)
    await _compare(client, "/console/users", 403)
    await login_as(client, role_email(Role.ADMIN))
    await _compare(client, "/console/users", 200)
    await _compare(client, f"/api/v1/users/{world.target.id}", 200)


async def test_head_where_there_is_no_get_is_405_and_changes_nothing(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.ADMIN))
    before = await Account.count()
    for path in ["/logout", "/account/password", f"/console/users/{world.target.id}/invitation"]:
        response = await client.head(path)
        assert response.status_code == 405, path
        assert response.content == b""
        assert "POST" in response.headers["allow"]
    assert await Account.count() == before
    # The session survived the HEAD on /logout.
    assert (await client.get("/console")).status_code == 200
