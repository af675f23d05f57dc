"""CORS on the JSON API: the configured origins may read it from the browser (no cookies),
other origins get no CORS headers, pages are left alone, and nothing changes without origins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient

from api.settings import Settings
from web.app import create_app

ALLOWED = "https://www.pref.kumamoto.jp"
OTHER = "https://evil.example"


@pytest.fixture
async def cors_client(settings: Settings, db: None) -> AsyncIterator[AsyncTestClient]:
    configured = replace(settings, cors_origins=(ALLOWED, "http://localhost:3000"))
    async with AsyncTestClient(app=create_app(configured, migrate_on_start=False)) as client:
        yield client


async def test_an_allowed_origin_reads_the_api(cors_client: AsyncTestClient) -> None:
    response = await cors_client.get("/api/v1/articles", headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "ETag" in response.headers["access-control-expose-headers"]
    assert "access-control-allow-credentials" not in response.headers
    assert "Origin" in response.headers["vary"]


async def test_a_preflight_for_a_token_read_is_allowed(cors_client: AsyncTestClient) -> None:
    response = await cors_client.options(
        "/api/v1/articles",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, if-none-match",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert set(response.headers["access-control-allow-methods"].split(", ")) == {
        "GET", "HEAD", "OPTIONS",
    }  # fmt: skip
    assert "Authorization" in response.headers["access-control-allow-headers"]
    assert "access-control-allow-credentials" not in response.headers
    assert "content-security-policy" in response.headers  # security headers as everywhere


async def test_writes_and_other_origins_get_no_cors_headers(cors_client: AsyncTestClient) -> None:
    other = await cors_client.get("/api/v1/articles", headers={"Origin": OTHER})
    assert other.status_code == 200
    assert "access-control-allow-origin" not in other.headers
    assert "Origin" in other.headers["vary"]
    for origin, method, wanted in (
        (OTHER, "GET", ""),
        (ALLOWED, "POST", ""),
        (ALLOWED, "GET", "x-csrf-token"),
    ):
        headers = {"Origin": origin, "Access-Control-Request-Method": method}
        if wanted:
            headers["Access-Control-Request-Headers"] = wanted
        refused = await cors_client.options("/api/v1/editor/articles", headers=headers)
        assert "access-control-allow-origin" not in refused.headers, (origin, method, wanted)
    write = await cors_client.post("/api/v1/editor/articles", headers={"Origin": ALLOWED})
    assert write.status_code in (401, 403)
    assert "access-control-allow-origin" not in write.headers


async def test_pages_are_left_alone(cors_client: AsyncTestClient) -> None:
    page = await cors_client.get("/", headers={"Origin": ALLOWED})
    assert page.status_code == 200
    assert "access-control-allow-origin" not in page.headers
    assert "Origin" not in page.headers["vary"]
    preflight = await cors_client.options(
        "/", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in preflight.headers


async def test_without_origins_there_are_no_cors_headers(client: AsyncTestClient) -> None:
    response = await client.get("/api/v1/articles", headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert not [name for name in response.headers if name.startswith("access-control-")]
    assert "Origin" not in response.headers.get("vary", "")
