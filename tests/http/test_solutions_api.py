"""The solutions JSON API: members only, each organisation changes only its own solutions, field
errors in Japanese, the contact flow, bookmarks, moderation and the taxonomy for staff."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from api.accounts import service as accounts
from api.mail.tables import OutboxMail
from api.members import service as members
from api.permissions import Role
from api.settings import Settings
from api.solutions import taxonomy
from api.solutions.tables import Solution, SolutionInquiry
from tests.http.conftest import World, admin_principal, login_as, role_email
from tests.http.test_platform import ADMIN_B, USER_A, api_headers, assert_problem
from tests.service.test_media import png_bytes


@pytest.fixture
async def categories(world: World) -> dict[str, int]:
    await taxonomy.ensure_default_categories()
    return {c.name: c.id for c in await taxonomy.list_categories()}


def solution_body(categories: dict[str, int], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "在庫管理クラウド",
        "summary": "小売店向けの在庫管理サービス",
        "description": "## 特長\n\nバーコードで入出庫を記録します。",
        "category_ids": [categories["業務効率化"]],
        "industries": ["I"],
        "all_kumamoto": True,
        "sizes": ["1-5", "6-20"],
        "price_model": "subscription",
        "price_text": "月額5,000円",
        "delivery": ["cloud"],
        "subsidy_eligible": True,
        "website": "https://example.jp/zaiko",
    }
    body.update(overrides)
    return body


async def create_as(client: AsyncTestClient, email: str, body: dict[str, Any]) -> dict[str, Any]:
    await login_as(client, email)
    response = await client.post(
        "/api/v1/organisation/solutions", json=body, headers=api_headers(client)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_anonymous_callers_are_refused(client: AsyncTestClient, world: World) -> None:
    client.cookies.clear()
    for url in ("/api/v1/solutions", "/api/v1/solutions/1", "/api/v1/solution-categories"):
        assert_problem(await client.get(url), 401)


async def test_member_creates_and_another_member_finds_it(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    created = await create_as(client, USER_A, solution_body(categories))
    assert created["organisation_id"] == world.organisation_id
    assert created["listed"] and created["categories"][0]["name"] == "業務効率化"
    assert "<h2>特長</h2>" in created["description_html"]
    await login_as(client, ADMIN_B)
    found = (
        await client.get("/api/v1/solutions", params={"industry": "I", "subsidy": "true"})
    ).json()
    assert [item["title"] for item in found["items"]] == ["在庫管理クラウド"]
    assert found["total"] == 1 and found["pages"] == 1
    detail = await client.get(f"/api/v1/solutions/{created['id']}")
    assert detail.status_code == 200
    # The directory never carries the provider's contacts.
    assert "contact1@example.jp" not in detail.text


async def test_field_errors_in_japanese_and_nothing_written(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    await login_as(client, USER_A)
    response = await client.post(
        "/api/v1/organisation/solutions",
        json=solution_body(categories, title="", price_model="gift", category_ids=[999999]),
        headers=api_headers(client),
    )
    body = assert_problem(response, 422)
    assert set(body["errors"]) == {"title", "price_model", "category_ids"}
    wrong_type = await client.post(
        "/api/v1/organisation/solutions",
        json=solution_body(categories, category_ids="業務効率化"),
        headers=api_headers(client),
    )
    assert wrong_type.status_code == 400
    assert await Solution.count() == 0


async def test_another_organisation_can_never_change_it(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    created = await create_as(client, USER_A, solution_body(categories))
    url = f"/api/v1/organisation/solutions/{created['id']}"
    await login_as(client, ADMIN_B)
    headers = api_headers(client)
    attempts = [
        await client.get(url),
        await client.put(url, json=solution_body(categories, title="乗っ取り"), headers=headers),
        await client.post(f"{url}/visibility", json={"hidden": True}, headers=headers),
        await client.delete(url, headers=headers),
    ]
    for response in attempts:
        assert_problem(response, 404)
    rows = await Solution.select(Solution.title, Solution.provider_hidden)
    assert rows == [{"title": "在庫管理クラウド", "provider_hidden": False}]


async def test_provider_edits_hides_and_deletes(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    created = await create_as(client, USER_A, solution_body(categories))
    url = f"/api/v1/organisation/solutions/{created['id']}"
    headers = api_headers(client)
    replaced = await client.put(
        url, json=solution_body(categories, title="在庫管理クラウド Pro"), headers=headers
    )
    assert replaced.status_code == 200 and replaced.json()["title"] == "在庫管理クラウド Pro"
    hidden = await client.post(f"{url}/visibility", json={"hidden": True}, headers=headers)
    assert hidden.json()["listed"] is False
    await login_as(client, ADMIN_B)
    assert (await client.get("/api/v1/solutions")).json()["total"] == 0
    assert_problem(await client.get(f"/api/v1/solutions/{created['id']}"), 404)
    await login_as(client, USER_A)
    own = (await client.get("/api/v1/organisation/solutions")).json()
    assert [item["provider_hidden"] for item in own["items"]] == [True]
    assert (await client.delete(url, headers=api_headers(client))).status_code == 204
    assert await Solution.count() == 0


async def test_suspension_takes_solutions_off_the_directory(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    await create_as(client, ADMIN_B, solution_body(categories))
    staff = admin_principal(world.accounts[Role.STAFF])
    await members.suspend(staff, world.other_organisation_id, members.today().isoformat())
    await login_as(client, USER_A)
    assert (await client.get("/api/v1/solutions")).json()["total"] == 0
    await members.reactivate(staff, world.other_organisation_id)
    assert (await client.get("/api/v1/solutions")).json()["total"] == 1


async def test_contact_flow_shares_the_address_with_the_provider_only(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    created = await create_as(client, ADMIN_B, solution_body(categories))
    await login_as(client, USER_A)
    sent = await client.post(
        f"/api/v1/solutions/{created['id']}/inquiries",
        json={"subject": "見積もり依頼", "body": "5店舗で使えますか。<script>x</script>"},
        headers=api_headers(client),
    )
    assert sent.status_code == 201, sent.text
    assert set(sent.json()) == {"id", "solution_id", "subject", "created_at"}
    mails = await OutboxMail.select(OutboxMail.to_address, OutboxMail.body).where(
        OutboxMail.subject.like("%見積もり依頼%")
    )
    assert [m["to_address"] for m in mails] == ["contact2@example.jp"]
    assert role_email(Role.MEMBER_USER) in mails[0]["body"]
    # Members of the provider read it in their inbox; the sender's organisation cannot.
    inbox = (await client.get("/api/v1/organisation/inquiries")).json()
    assert inbox["total"] == 0
    await login_as(client, ADMIN_B)
    inbox = (await client.get("/api/v1/organisation/inquiries")).json()
    assert inbox["items"][0]["sender_email"] == role_email(Role.MEMBER_USER)
    inquiry_id = inbox["items"][0]["id"]
    assert (await client.get(f"/api/v1/organisation/inquiries/{inquiry_id}")).json()["read_at"]
    await login_as(client, USER_A)
    assert_problem(await client.get(f"/api/v1/organisation/inquiries/{inquiry_id}"), 404)
    detail = await client.get(f"/api/v1/solutions/{created['id']}")
    assert role_email(Role.MEMBER_USER) not in detail.text


async def test_bad_inquiry_is_refused_at_the_fields(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    created = await create_as(client, ADMIN_B, solution_body(categories))
    await login_as(client, USER_A)
    response = await client.post(
        f"/api/v1/solutions/{created['id']}/inquiries",
        json={"subject": "", "body": ""},
        headers=api_headers(client),
    )
    assert set(assert_problem(response, 422)["errors"]) == {"subject", "body"}
    assert await SolutionInquiry.count() == 0
    assert not await OutboxMail.exists().where(OutboxMail.subject.like("%お問い合わせ%"))


async def test_bookmarks(client: AsyncTestClient, world: World, categories: dict[str, int]) -> None:
    created = await create_as(client, ADMIN_B, solution_body(categories))
    await login_as(client, USER_A)
    url = f"/api/v1/solutions/{created['id']}/bookmark"
    assert (await client.put(url, headers=api_headers(client))).status_code == 204
    marks = (await client.get("/api/v1/bookmarks")).json()
    assert [item["id"] for item in marks["items"]] == [created["id"]]
    assert marks["items"][0]["bookmarked"] is True
    assert (await client.delete(url, headers=api_headers(client))).status_code == 204
    assert (await client.get("/api/v1/bookmarks")).json()["total"] == 0
    assert_problem(
        await client.put("/api/v1/solutions/999999/bookmark", headers=api_headers(client)), 404
    )


async def test_staff_moderate_and_keep_the_taxonomy(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    created = await create_as(client, ADMIN_B, solution_body(categories))
    await login_as(client, role_email(Role.STAFF))
    headers = api_headers(client)
    refused = await client.post(
        f"/api/v1/solutions/{created['id']}/moderation", json={"reason": ""}, headers=headers
    )
    assert "reason" in assert_problem(refused, 422)["errors"]
    hidden = await client.post(
        f"/api/v1/solutions/{created['id']}/moderation",
        json={"reason": "連絡先が確認できないため"},
        headers=headers,
    )
    assert hidden.status_code == 200 and hidden.json()["moderated"] is True
    assert (await client.get("/api/v1/solutions/moderated")).json()["total"] == 1
    asked = await client.post(f"/api/v1/solutions/{created['id']}/refresh-request", headers=headers)
    assert asked.status_code == 200 and asked.json()["refresh_requested_at"]
    again = await client.post(f"/api/v1/solutions/{created['id']}/refresh-request", headers=headers)
    assert_problem(again, 409)
    added = await client.post("/api/v1/solution-categories", json={"name": "EC"}, headers=headers)
    assert added.status_code == 201
    in_use = await client.delete(
        f"/api/v1/solution-categories/{categories['業務効率化']}", headers=headers
    )
    assert_problem(in_use, 409)
    retired = await client.patch(
        f"/api/v1/solution-categories/{added.json()['id']}",
        json={"name": "EC・通販", "position": 20, "active": False},
        headers=headers,
    )
    assert retired.json() == {
        "id": added.json()["id"],
        "name": "EC・通販",
        "position": 20,
        "active": False,
    }
    await login_as(client, ADMIN_B)
    own = (await client.get(f"/api/v1/organisation/solutions/{created['id']}")).json()
    assert own["moderation_reason"] == "連絡先が確認できないため"
    names = [c["name"] for c in (await client.get("/api/v1/solution-categories")).json()]
    assert "EC・通販" not in names and "業務効率化" in names


async def test_scoped_token_reads_but_cannot_write(
    settings: Settings, client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    admin = admin_principal(world.accounts[Role.ADMIN])
    _, token = await accounts.create_api_token(
        admin, world.accounts[Role.MEMBER_USER].id, "読むだけ", ["solutions:read"]
    )
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/solutions", headers=headers)).status_code == 200
    response = await client.post(
        "/api/v1/organisation/solutions", json=solution_body(categories), headers=headers
    )
    assert response.status_code == 403


async def test_control_characters_and_markup_are_refused_or_escaped(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    await login_as(client, USER_A)
    for field in ("title", "summary", "description", "price_text", "website"):
        response = await client.post(
            "/api/v1/organisation/solutions",
            json=solution_body(categories, **{field: "a\x00b"}),
            headers=api_headers(client),
        )
        assert field in assert_problem(response, 422)["errors"], field
    created = await client.post(
        "/api/v1/organisation/solutions",
        json=solution_body(
            categories,
            title="<script>alert(1)</script>",
            description="<img src=x onerror=alert(1)>\n\n[リンク](javascript:alert(1))",
            industries=["I", "\x00"],
        ),
        headers=api_headers(client),
    )
    assert created.status_code == 201, created.text
    html = created.json()["description_html"]
    # Raw HTML stays text; script links lose their href.
    assert "<img" not in html and "&lt;img" in html and "javascript:" not in html
    response = await client.post(
        f"/api/v1/solutions/{created.json()['id']}/inquiries",
        json={"subject": "x", "body": "a\x00b"},
        headers=api_headers(client),
    )
    assert "body" in assert_problem(response, 422)["errors"]


async def test_files_through_the_api(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    created = await create_as(client, USER_A, solution_body(categories))
    url = f"/api/v1/organisation/solutions/{created['id']}/files"
    headers = api_headers(client)
    added = await client.post(
        url, data={"kind": "image", "text": "製品の写真"},
        files={"file": ("photo.png", png_bytes(), "image/png")}, headers=headers,
    )  # fmt: skip
    assert added.status_code == 201, added.text
    image = added.json()
    assert image["alt_text"] == "製品の写真" and len(image["renditions"]) >= 1
    refused = await client.post(
        url, data={"kind": "brochure", "text": ""},
        files={"file": ("x.pdf", png_bytes(), "image/png")}, headers=headers,
    )  # fmt: skip
    assert "file" in assert_problem(refused, 422)["errors"]
    patched = await client.patch(
        f"{url}/{image['id']}", json={"text": "新しい説明"}, headers=headers
    )
    assert patched.json()["alt_text"] == "新しい説明"
    detail = (await client.get(f"/api/v1/organisation/solutions/{created['id']}")).json()
    assert [i["id"] for i in detail["images"]] == [image["id"]]
    await login_as(client, ADMIN_B)
    assert_problem(await client.delete(f"{url}/{image['id']}", headers=api_headers(client)), 404)
    await login_as(client, USER_A)
    assert (
        await client.delete(f"{url}/{image['id']}", headers=api_headers(client))
    ).status_code == 204
