"""The outbox page shows mail bodies (with their links) only while mail is not really sent."""

from dataclasses import replace

from litestar.testing import AsyncTestClient

from api.accounts import service
from api.permissions import Role
from api.settings import Settings
from tests.conftest import make_account, web_login
from web.app import create_app


async def _outbox_as_admin(settings: Settings) -> str:
    await make_account(settings, "admin@example.jp", {Role.ADMIN})
    await make_account(settings, "member@example.jp")
    await service.request_password_reset(settings, "member@example.jp")
    async with AsyncTestClient(app=create_app(settings, migrate_on_start=False)) as client:
        client.follow_redirects = False
        await web_login(client, "admin@example.jp")
        response = await client.get("/console/mail")
    assert response.status_code == 200
    return response.text


async def test_embedded_outbox_shows_the_reset_link(settings: Settings, db: None) -> None:
    html = await _outbox_as_admin(settings)
    assert "/password-reset/" in html


async def test_with_smtp_the_outbox_hides_bodies(settings: Settings, db: None) -> None:
    html = await _outbox_as_admin(replace(settings, smtp_url="smtp://127.0.0.1:2525"))
    assert "パスワード再設定のご案内" in html
    assert "/password-reset/" not in html
    assert "本文は表示しません" in html
