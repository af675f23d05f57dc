"""Unexpected failures give an accessible Japanese 500 page (or problem details), never a trace."""

import pytest
from litestar.testing import AsyncTestClient

from api.accounts import service
from tests.conftest import make_account, web_login


async def _boom(*_: object, **__: object) -> None:
    raise RuntimeError("database exploded: secret internals")


async def test_unexpected_error_shows_japanese_500_page(
    client: AsyncTestClient, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_account(settings, "member@example.jp")
    await web_login(client, "member@example.jp")
    monkeypatch.setattr(service, "get_account", _boom)
    response = await client.get("/account")
    assert response.status_code == 500
    assert "サーバーで問題が発生しました" in response.text
    assert '<html lang="ja">' in response.text
    assert "secret internals" not in response.text


async def test_unexpected_api_error_is_problem_details(
    client: AsyncTestClient, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_account(settings, "member@example.jp")
    await web_login(client, "member@example.jp")
    monkeypatch.setattr(service, "get_account", _boom)
    response = await client.get("/api/v1/me")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 500 and "サーバー" in body["title"]
    assert "secret internals" not in response.text


async def test_failure_while_resolving_the_session_is_still_a_clean_500(
    client: AsyncTestClient, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_account(settings, "member@example.jp")
    await web_login(client, "member@example.jp")
    monkeypatch.setattr(service, "resolve_session", _boom)
    response = await client.get("/")
    assert response.status_code == 500
    assert "サーバーで問題が発生しました" in response.text
    assert "secret internals" not in response.text
