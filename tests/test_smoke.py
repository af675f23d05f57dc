from litestar.testing import AsyncTestClient

from api.permissions import Role
from tests.conftest import make_account, web_login


async def test_home_page_is_japanese(client: AsyncTestClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert '<html lang="ja">' in response.text
    assert "コンソーシアムの目的" in response.text


async def test_admin_logs_in_and_sees_console(client: AsyncTestClient, settings) -> None:
    await make_account(settings, "admin@example.jp", {Role.ADMIN})
    await web_login(client, "admin@example.jp")
    response = await client.get("/console/users")
    assert response.status_code == 200
    assert "admin@example.jp" in response.text
