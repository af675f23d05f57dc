"""Console forms: API tokens named by e-mail address, and error summaries in form order."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from api.accounts import service as accounts
from api.accounts.tables import ApiToken
from api.permissions import Role
from tests.conftest import csrf_token
from tests.http.conftest import World, admin_principal, login_as, role_email


def _summary_fields(html: str) -> list[str]:
    """The fields the error summary links to, in the order it lists them."""
    found = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert found, "no error summary"
    return re.findall(r'href="#field-([\w-]+)"', found.group(0))


async def _create_token(client: AsyncTestClient, **form: object):
    data = {"name": "連携用", "scopes": ["users:read"], **form}
    return await client.post("/console/tokens", data={**data, "_csrf": await csrf_token(client)})


async def test_token_form_asks_for_an_email_address_not_a_list_of_users(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.ADMIN))
    page = await client.get("/console/tokens")
    assert page.status_code == 200
    assert re.search(
        r'<input id="field-account_email" name="account_email" type="email"', page.text
    )
    assert "<select" not in page.text
    # Nobody's address is listed on the page before a token exists for them.
    assert role_email(Role.EDITOR) not in page.text


async def test_token_is_created_for_the_account_with_that_email(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.ADMIN))
    member = world.accounts[Role.MEMBER_USER]
    # Typed in full-width and capitals: normalised like every address.
    response = await _create_token(client, account_email="ＭＥＭＢＥＲ_ＵＳＥＲ＠example.jp")
    assert response.status_code == 201, response.text
    assert re.search(r'<code class="token-value">kdx_', response.text)
    rows = await ApiToken.select().where(ApiToken.name == "連携用")
    assert [row["account"] for row in rows] == [member.id]


async def test_token_for_an_unknown_or_inactive_address_is_refused_at_the_field(
    client: AsyncTestClient, world: World
) -> None:
    admin = world.accounts[Role.ADMIN]
    editor = world.accounts[Role.EDITOR]
    await accounts.update_account(admin_principal(admin), editor.id, is_active=False)
    await login_as(client, role_email(Role.ADMIN))
    before = await ApiToken.count()
    cases = {
        "nobody@example.jp": "このメールアドレスのユーザーは登録されていません。",
        editor.email: "このメールアドレスのユーザーは無効になっているため、トークンを発行できません。",
        "": "メールアドレスを入力してください。",
        "not an address": "メールアドレスの形式が正しくありません",
    }
    for address, message in cases.items():
        response = await _create_token(client, account_email=address)
        assert response.status_code == 422, address
        error = re.search(
            r'<p class="error-message" id="error-account_email">(.*?)</p>', response.text
        )
        assert error and message in error.group(1), (address, response.text[:500])
        assert 'aria-describedby="hint-account_email error-account_email"' in response.text
        assert f'value="{address}"' in response.text  # the typed value stays in the field
    assert await ApiToken.count() == before


async def test_error_summary_follows_the_order_of_the_form(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.ADMIN))
    csrf = await csrf_token(client)
    # The service finds the e-mail problem first; the form asks for the name first.
    response = await client.post(
        "/console/users",
        data={"display_name": "", "email": "not an address", "roles": ["emperor"], "_csrf": csrf},
    )
    assert response.status_code == 422
    assert _summary_fields(response.text) == ["display_name", "email", "roles"]
    fields = re.findall(
        r'<(?:input|fieldset)[^>]* id="field-(display_name|email|roles)"', response.text
    )
    assert fields == ["display_name", "email", "roles"]

    response = await _create_token(client, name="", account_email="", scopes=["everything"])
    assert response.status_code == 422
    assert _summary_fields(response.text) == ["name", "account_email", "scopes"]
