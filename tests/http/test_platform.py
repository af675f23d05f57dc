"""The member platform over HTTP: pages and JSON API of the own organisation, the colleagues and
the directory. Organisation A's admin never reaches organisation B; member users never manage;
the directory never shows contacts' personal data."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.accounts import service as accounts
from api.accounts.tables import Account
from api.members.reference import MembershipStatus
from api.members.tables import Organisation
from api.permissions import Role
from api.settings import Settings
from tests.conftest import csrf_token, make_account
from tests.factories import make_organisation, organisation_form
from tests.http.conftest import (
    World,
    admin_principal,
    browser,
    is_japanese,
    login_as,
    role_email,
    row_counts,
)
from tests.querycount import count_queries

ADMIN_A = role_email(Role.MEMBER_ADMIN)
USER_A = role_email(Role.MEMBER_USER)
ADMIN_B = "other-admin@example.jp"
# What factories.organisation_input puts into the contacts and the representative.
PERSONAL = ["担当 花子", "contact1@example.jp", "contact2@example.jp", "096-000-0000", "代表 太郎"]


async def post_form(client: AsyncTestClient, url: str, data: dict[str, Any]) -> Any:
    return await client.post(url, data={**data, "_csrf": await csrf_token(client)})


def api_headers(client: AsyncTestClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies["kdx_csrf"]}


async def account_id(email: str) -> int:
    rows = await Account.select(Account.id).where(Account.email == email)
    return rows[0]["id"]


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert is_japanese(body["detail"]), body
    return body


# --- pages of the own organisation -----------------------------------------------------------------


async def test_member_admin_pages(client: AsyncTestClient, world: World) -> None:
    await login_as(client, ADMIN_A)
    home = await client.get("/platform")
    assert home.status_code == 200
    assert "株式会社テスト1" in home.text and "有効" in home.text
    assert 'href="/platform/organisation/users"' in home.text
    profile = await client.get("/platform/organisation")
    assert profile.status_code == 200
    assert profile.headers["cache-control"] == "no-store"
    assert "contact1@example.jp" in profile.text  # the admin sees the contacts
    assert "株式会社テスト2" not in profile.text
    edit = await client.get("/platform/organisation/edit")
    assert edit.status_code == 200
    assert 'name="corporate_number"' not in edit.text  # shown read-only, never sent
    assert "readonly" in edit.text


async def test_member_user_reads_but_never_manages(client: AsyncTestClient, world: World) -> None:
    await login_as(client, USER_A)
    home = await client.get("/platform")
    assert home.status_code == 200
    assert "/platform/organisation/users" not in home.text
    profile = await client.get("/platform/organisation")
    assert profile.status_code == 200
    assert "contact1@example.jp" not in profile.text
    assert "会員管理者だけが確認できます" in profile.text
    before = await row_counts()
    for url in ("/platform/organisation/edit", "/platform/organisation/users"):
        assert (await client.get(url)).status_code == 403, url
    admin_id = await account_id(ADMIN_A)
    for url, data in [
        ("/platform/organisation", organisation_form(1, name="乗っ取り株式会社")),
        ("/platform/organisation/users", {"email": "x@example.jp", "display_name": "招待"}),
        (f"/platform/organisation/users/{admin_id}/active", {"is_active": "false"}),
        (f"/platform/organisation/users/{admin_id}/role", {"role": "member_user"}),
        ("/platform/organisation/handover", {"account_id": str(admin_id)}),
    ]:
        assert (await post_form(client, url, data)).status_code == 403, url
    api = await client.get("/api/v1/organisation")
    assert api.status_code == 200 and api.json()["contacts"] is None
    assert_problem(
        await client.patch(
            "/api/v1/organisation", json={"name": "乗っ取り"}, headers=api_headers(client)
        ),
        403,
    )
    assert_problem(await client.get("/api/v1/organisation/users"), 403)
    assert await row_counts() == before
    organisation = await Organisation.select(Organisation.name).where(
        Organisation.id == world.organisation_id
    )
    assert organisation[0]["name"] == "株式会社テスト1"


async def test_profile_form_saves_and_shows_errors_next_to_fields(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, ADMIN_A)
    bad = organisation_form(1, name="", contact_0_email="not-an-address", postal_code="86")
    response = await post_form(client, "/platform/organisation", bad)
    assert response.status_code == 422
    page = response.text
    assert page.count('aria-invalid="true"') == 3
    for field in ("name", "contact_0_email", "postal_code"):
        assert f'id="error-{field}"' in page and f'href="#field-{field}"' in page
    assert 'value="not-an-address"' in page  # what was typed stays
    assert "<title>エラー: " in page

    good = organisation_form(1, name="株式会社テスト改", profile_text="新しい紹介")
    good["corporate_number"] = "1234567890123"  # ignored: the secretariat changes it
    response = await post_form(client, "/platform/organisation", good)
    assert response.status_code == 303
    assert response.headers["location"] == "/platform/organisation?done=saved"
    profile = await client.get("/platform/organisation?done=saved")
    assert "株式会社テスト改" in profile.text and "登録情報を保存しました" in profile.text
    rows = await Organisation.select(Organisation.name, Organisation.corporate_number).where(
        Organisation.id == world.organisation_id
    )
    assert rows[0]["name"] == "株式会社テスト改"
    assert rows[0]["corporate_number"] != "1234567890123"


async def test_members_of_a_suspended_organisation_get_403_pages_and_problems(
    client: AsyncTestClient, world: World
) -> None:
    await Organisation.update({Organisation.status: MembershipStatus.SUSPENDED.value}).where(
        Organisation.id == world.organisation_id
    )
    for email in (ADMIN_A, USER_A):
        await login_as(client, email)
        for url in ("/platform", "/platform/organisation", "/platform/directory"):
            response = await client.get(url)
            assert response.status_code == 403, url
            assert "会員資格が有効ではない" in response.text
        assert_problem(await client.get("/api/v1/organisation"), 403)
        assert_problem(await client.get("/api/v1/directory"), 403)


# --- organisation A's admin against organisation B ---------------------------------------------


async def test_admin_of_a_cannot_touch_b_in_pages(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    user_b = await make_account(
        settings, "user-b@example.jp", {Role.MEMBER_USER},
        organisation_id=world.other_organisation_id,
    )  # fmt: skip
    admin_b = await account_id(ADMIN_B)
    await login_as(client, ADMIN_A)
    users = await client.get("/platform/organisation/users")
    assert users.status_code == 200
    assert ADMIN_A in users.text and USER_A in users.text
    assert ADMIN_B not in users.text and "user-b@example.jp" not in users.text
    before = await row_counts()
    for target in (admin_b, user_b.id):
        for url, data in [
            (f"/platform/organisation/users/{target}/active", {"is_active": "false"}),
            (f"/platform/organisation/users/{target}/role", {"role": "member_user"}),
            (f"/platform/organisation/users/{target}/invitation", {}),
            ("/platform/organisation/handover", {"account_id": str(target)}),
        ]:
            response = await post_form(client, url, data)
            assert response.status_code == 404, (url, response.status_code)
            assert "見つかりませんでした" in response.text
    assert await row_counts() == before
    for email, role in ((ADMIN_B, Role.MEMBER_ADMIN), ("user-b@example.jp", Role.MEMBER_USER)):
        view = await accounts.get_account(await account_id(email))
        assert view.is_active and view.roles == {role}
    # The profile form always writes the admin's own organisation, whatever ids are sent.
    form = organisation_form(1, name="株式会社テスト1", id=str(world.other_organisation_id))
    assert (await post_form(client, "/platform/organisation", form)).status_code == 303
    other = await Organisation.select(Organisation.name).where(
        Organisation.id == world.other_organisation_id
    )
    assert other[0]["name"] == "株式会社テスト2"


async def test_admin_of_a_cannot_touch_b_in_the_api(client: AsyncTestClient, world: World) -> None:
    admin_b = await account_id(ADMIN_B)
    await login_as(client, ADMIN_A)
    own = await client.get("/api/v1/organisation")
    assert own.status_code == 200
    assert own.json()["id"] == world.organisation_id
    listed = await client.get("/api/v1/organisation/users")
    assert {item["email"] for item in listed.json()["items"]} == {ADMIN_A, USER_A}
    headers = api_headers(client)
    assert_problem(await client.get(f"/api/v1/organisation/users/{admin_b}"), 404)
    for body in ({"is_active": False}, {"role": "member_user"}):
        assert_problem(
            await client.patch(f"/api/v1/organisation/users/{admin_b}", json=body, headers=headers),
            404,
        )
    assert_problem(
        await client.post(
            f"/api/v1/organisation/users/{admin_b}/handover", json={}, headers=headers
        ),
        404,
    )
    # B's admin, for their part, sees only B.
    await login_as(client, ADMIN_B)
    other = await client.get("/api/v1/organisation")
    assert other.json()["id"] == world.other_organisation_id
    assert {
        i["email"] for i in (await client.get("/api/v1/organisation/users")).json()["items"]
    } == {ADMIN_B}
    assert (await accounts.get_account(admin_b)).roles == {Role.MEMBER_ADMIN}


# --- colleagues ------------------------------------------------------------------------------------


async def test_invite_deactivate_and_hand_over_through_the_pages(
    app: Litestar, client: AsyncTestClient, world: World
) -> None:
    await login_as(client, ADMIN_A)
    response = await post_form(
        client,
        "/platform/organisation/users",
        {"email": "colleague@example.jp", "display_name": "同僚 一郎"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/platform/organisation/users?done=invited"
    page = await client.get("/platform/organisation/users?done=invited")
    assert "colleague@example.jp" in page.text and "招待中" in page.text

    taken = await post_form(
        client, "/platform/organisation/users", {"email": ADMIN_B, "display_name": "重複"}
    )
    assert taken.status_code == 422
    assert "このメールアドレスはすでに登録されています" in taken.text
    assert 'id="error-email"' in taken.text

    # The only admin cannot step down; the page says why.
    me = await account_id(ADMIN_A)
    refused = await post_form(
        client, f"/platform/organisation/users/{me}/role", {"role": "member_user"}
    )
    assert refused.status_code == 422
    assert "会員管理者が1人以上必要です" in refused.text

    user = await account_id(USER_A)
    async with browser(app) as other:
        await login_as(other, USER_A)
        assert (await other.get("/platform")).status_code == 200
        deactivated = await post_form(
            client, f"/platform/organisation/users/{user}/active", {"is_active": "false"}
        )
        assert deactivated.status_code == 303
        assert (await other.get("/platform")).status_code == 401  # their session ended at once
    reactivated = await post_form(
        client, f"/platform/organisation/users/{user}/active", {"is_active": "true"}
    )
    assert reactivated.status_code == 303

    handed = await post_form(
        client,
        "/platform/organisation/handover",
        {"account_id": str(user), "step_down": "on"},
    )
    assert handed.status_code == 303
    assert handed.headers["location"] == "/platform?done=handed_over"
    assert (await accounts.get_account(user)).roles == {Role.MEMBER_ADMIN}
    assert (await accounts.get_account(me)).roles == {Role.MEMBER_USER}
    # No longer an admin: the colleagues page is closed to them at the next request.
    assert (await client.get("/platform/organisation/users")).status_code == 403


async def test_colleague_api(client: AsyncTestClient, world: World) -> None:
    await login_as(client, ADMIN_A)
    headers = api_headers(client)
    created = await client.post(
        "/api/v1/organisation/users",
        json={"email": "api-colleague@example.jp", "display_name": "API 同僚"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "member_user" and created.json()["state"] == "invited"
    new_id = created.json()["id"]
    again = await client.post(
        "/api/v1/organisation/users",
        json={"email": "api-colleague@example.jp", "display_name": "API 同僚"},
        headers=headers,
    )
    assert "email" in assert_problem(again, 422)["errors"]
    promoted = await client.patch(
        f"/api/v1/organisation/users/{new_id}", json={"role": "member_admin"}, headers=headers
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "member_admin"
    me = await account_id(ADMIN_A)
    # The new admin has not accepted the invitation: the only usable admin stays.
    last = await client.patch(
        f"/api/v1/organisation/users/{me}", json={"role": "member_user"}, headers=headers
    )
    assert "会員管理者" in assert_problem(last, 422)["detail"]
    bad_role = await client.patch(
        f"/api/v1/organisation/users/{new_id}", json={"role": "admin"}, headers=headers
    )
    assert "role" in assert_problem(bad_role, 422)["errors"]
    user = await account_id(USER_A)
    handover = await client.post(
        f"/api/v1/organisation/users/{user}/handover", json={"step_down": False}, headers=headers
    )
    assert handover.status_code == 200 and handover.json()["role"] == "member_admin"
    stepped = await client.patch(
        f"/api/v1/organisation/users/{me}", json={"role": "member_user"}, headers=headers
    )
    assert stepped.status_code == 200 and stepped.json()["role"] == "member_user"


async def test_own_organisation_api_patch(client: AsyncTestClient, world: World) -> None:
    await login_as(client, ADMIN_A)
    headers = api_headers(client)
    own = await client.get("/api/v1/organisation")
    assert own.json()["contacts"][0]["email"] == "contact1@example.jp"
    changed = await client.patch(
        "/api/v1/organisation",
        json={"profile_text": "APIで変更", "profile_public": False},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["profile_text"] == "APIで変更" and body["profile_public"] is False
    assert body["name"] == own.json()["name"]
    assert body["corporate_number"] == own.json()["corporate_number"]
    refused = await client.patch(
        "/api/v1/organisation",
        json={"name": "", "contacts": [{"name": "x", "email": "bad", "phone": "1"}]},
        headers=headers,
    )
    errors = assert_problem(refused, 422)["errors"]
    assert {"name", "contact_0_email", "contact_0_phone"} <= set(errors)
    # A corporate number in the body is not a field of the API at all.
    unknown = await client.patch(
        "/api/v1/organisation", json={"corporate_number": "1234567890123"}, headers=headers
    )
    assert unknown.status_code in (200, 400)
    assert (await client.get("/api/v1/organisation")).json()["corporate_number"] == own.json()[
        "corporate_number"
    ]


async def test_member_admin_api_tokens_are_narrowed_by_their_scopes(
    client: AsyncTestClient, world: World
) -> None:
    issuer = admin_principal(world.accounts[Role.ADMIN])
    member_admin = world.accounts[Role.MEMBER_ADMIN]
    _, reading = await accounts.create_api_token(
        issuer, member_admin.id, "読むだけ", ["organisation:read", "directory:read"]
    )
    _, writing = await accounts.create_api_token(
        issuer, member_admin.id, "書く", ["organisation:read", "organisation:write"]
    )
    client.cookies.clear()
    read = {"Authorization": f"Bearer {reading}"}
    own = await client.get("/api/v1/organisation", headers=read)
    assert own.status_code == 200 and own.json()["contacts"] is None  # no write scope
    assert (await client.get("/api/v1/directory", headers=read)).status_code == 200
    assert_problem(await client.get("/api/v1/organisation/users", headers=read), 403)
    assert_problem(
        await client.patch("/api/v1/organisation", json={"profile_text": "x"}, headers=read), 403
    )
    write = {"Authorization": f"Bearer {writing}"}
    changed = await client.patch(
        "/api/v1/organisation", json={"profile_text": "トークンで変更"}, headers=write
    )
    assert changed.status_code == 200, changed.text  # no CSRF token needed with a bearer token
    assert changed.json()["profile_text"] == "トークンで変更"
    assert_problem(await client.get("/api/v1/directory", headers=write), 403)


# --- CSRF and hostile input ----------------------------------------------------------------------


async def test_forms_and_api_need_the_csrf_token(client: AsyncTestClient, world: World) -> None:
    await login_as(client, ADMIN_A)
    user = await account_id(USER_A)
    before = await row_counts()
    for url, data in [
        ("/platform/organisation", organisation_form(1, name="株式会社CSRF")),
        ("/platform/organisation/users", {"email": "csrf@example.jp", "display_name": "CSRF"}),
        (f"/platform/organisation/users/{user}/active", {"is_active": "false"}),
        (f"/platform/organisation/users/{user}/role", {"role": "member_admin"}),
        ("/platform/organisation/handover", {"account_id": str(user)}),
    ]:
        response = await client.post(url, data=data)
        assert response.status_code == 403, url
        response = await client.post(url, data={**data, "_csrf": "forged"})
        assert response.status_code == 403, url
    for method, url, body in [
        ("PATCH", "/api/v1/organisation", {"name": "株式会社CSRF"}),
        ("POST", "/api/v1/organisation/users", {"email": "c@example.jp", "display_name": "C"}),
        ("PATCH", f"/api/v1/organisation/users/{user}", {"is_active": False}),
    ]:
        assert (await client.request(method, url, json=body)).status_code == 403, url
    assert await row_counts() == before
    assert (await accounts.get_account(user)).is_active


async def test_hostile_input_is_refused_or_escaped(client: AsyncTestClient, world: World) -> None:
    await login_as(client, ADMIN_A)
    script = '"><script>alert(1)</script>'
    response = await post_form(
        client, "/platform/organisation/users", {"email": script, "display_name": "a\x00b"}
    )
    assert response.status_code == 422
    assert "<script>alert(1)" not in response.text
    saved = await post_form(
        client,
        "/platform/organisation",
        organisation_form(1, name=f"株式会社{script}", profile_text="<img src=x onerror=alert(1)>"),
    )
    assert saved.status_code == 303
    for url in (
        "/platform",
        "/platform/organisation",
        f"/platform/directory/{world.organisation_id}",
        "/platform/directory?q=" + "%3Cscript%3E",
    ):
        page = await client.get(url)
        assert page.status_code == 200, url
        assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text, url
    for form in (
        organisation_form(1, name="長" * 5000),
        organisation_form(1, contact_0_name="a\x00b"),
        organisation_form(1, website="javascript:alert(1)"),
        organisation_form(1, industry="' OR 1=1 --"),
    ):
        response = await post_form(client, "/platform/organisation", form)
        assert response.status_code == 422, response.text[:300]
    for odd in ("99999999999999999999", "9223372036854775808", "0", "-1"):
        response = await post_form(
            client, f"/platform/organisation/users/{odd}/active", {"is_active": "false"}
        )
        assert response.status_code in (400, 404), (odd, response.status_code)
        response = await post_form(client, "/platform/organisation/handover", {"account_id": odd})
        assert response.status_code in (404, 422), (odd, response.status_code)
        api = await client.get(f"/api/v1/directory/{odd}")
        assert api.status_code in (400, 404), (odd, api.status_code)
    response = await post_form(
        client, f"/platform/organisation/users/{await account_id(USER_A)}/active",
        {"is_active": "maybe"},
    )  # fmt: skip
    assert response.status_code == 422


# --- the directory -------------------------------------------------------------------------------


async def test_directory_never_shows_personal_data(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    await make_organisation(3, profile_public=False, name="非公開株式会社")
    await make_organisation(4, status=MembershipStatus.WITHDRAWN, name="退会済株式会社")
    await login_as(client, USER_A)
    texts = []
    listing = await client.get("/platform/directory")
    assert listing.status_code == 200
    assert "株式会社テスト1" in listing.text and "株式会社テスト2" in listing.text
    assert "非公開株式会社" not in listing.text and "退会済株式会社" not in listing.text
    texts.append(listing.text)
    entry = await client.get(f"/platform/directory/{world.other_organisation_id}")
    assert entry.status_code == 200 and "テスト用の団体です。" in entry.text
    texts.append(entry.text)
    api_list = await client.get("/api/v1/directory?per_page=100")
    assert api_list.status_code == 200 and api_list.json()["total"] == 2
    texts.append(api_list.text)
    api_entry = await client.get(f"/api/v1/directory/{world.other_organisation_id}")
    texts.append(api_entry.text)
    fragment = await client.get("/platform/directory?industry=G", headers={"HX-Request": "true"})
    texts.append(fragment.text)
    for text in texts:
        for personal in PERSONAL:
            assert personal not in text, personal
        assert "@example.jp" not in text.replace(USER_A, "")  # only the viewer's own address
    hidden = await Organisation.select(Organisation.id).where(Organisation.name == "非公開株式会社")
    assert (await client.get(f"/platform/directory/{hidden[0]['id']}")).status_code == 404
    assert_problem(await client.get(f"/api/v1/directory/{hidden[0]['id']}"), 404)


async def test_directory_filters_and_htmx_fragment(client: AsyncTestClient, world: World) -> None:
    await make_organisation(
        5, name="菊陽製作所株式会社", name_kana="キクヨウセイサクショ", industry="E",
        municipality="菊陽町",
    )  # fmt: skip
    await login_as(client, USER_A)
    page = await client.get("/platform/directory?industry=E&municipality=菊陽町")
    assert page.status_code == 200
    assert "検索結果 1件" in page.text and "菊陽製作所株式会社" in page.text
    assert "株式会社テスト1" not in page.text
    assert "HX-Request" in page.headers["vary"].split(", ")
    fragment = await client.get("/platform/directory?q=きくよう", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "菊陽製作所株式会社" in fragment.text
    assert 'id="directory-results-heading"' in fragment.text
    restore = await client.get(
        "/platform/directory",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.text
    api = await client.get("/api/v1/directory?municipality=県外")
    assert api.json()["total"] == 0
    odd = await client.get("/platform/directory?industry=%00&size=<x>&page_number=999")
    assert odd.status_code == 200


async def test_staff_read_the_directory_without_an_organisation(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    assert (await client.get("/platform/directory")).status_code == 200
    entry = await client.get(f"/platform/directory/{world.organisation_id}")
    assert entry.status_code == 200 and 'href="/console"' in entry.text
    assert (await client.get("/platform")).status_code == 403
    await login_as(client, role_email(Role.OFFICIAL))
    assert (await client.get("/platform/directory")).status_code == 403


async def test_directory_query_count_does_not_grow_with_the_page(
    client: AsyncTestClient, world: World
) -> None:
    for index in range(10, 60):
        await make_organisation(index)
    await make_organisation(60, industry="E")
    await login_as(client, USER_A)
    counts = {}
    for per_page in (5, 50):
        with count_queries() as counter:
            response = await client.get(f"/api/v1/directory?per_page={per_page}")
        assert response.status_code == 200 and len(response.json()["items"]) == per_page
        counts[per_page] = counter.count
    assert counts[5] == counts[50], counts
    pages = {}
    for query, rows in (("?industry=E", 1), ("", 20)):  # the page shows 20 at most
        with count_queries() as counter:
            response = await client.get(f"/platform/directory{query}")
        assert response.status_code == 200
        assert response.text.count('<li>\n    <h3><a href="/platform/directory/') == rows
        pages[query] = counter.count
    assert pages["?industry=E"] == pages[""], pages


async def test_openapi_documents_the_platform_api(client: AsyncTestClient) -> None:
    schema = (await client.get("/api/openapi.json")).json()
    paths = schema["paths"]
    assert {"get", "patch"} <= set(paths["/api/v1/organisation"])
    assert {"get", "post"} <= set(paths["/api/v1/organisation/users"])
    assert "patch" in paths["/api/v1/organisation/users/{account_id}"]
    assert "post" in paths["/api/v1/organisation/users/{account_id}/handover"]
    assert (
        "get" in paths["/api/v1/directory"]
        and "get" in paths["/api/v1/directory/{organisation_id}"]
    )
