"""The solutions pages: members browse, bookmark, contact and keep their own solutions; staff
moderate and keep the categories. Every action works as a plain form (no JavaScript needed)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from api.mail.tables import OutboxMail
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from api.solutions import files, taxonomy
from api.solutions import service as solutions
from api.solutions.tables import Solution, SolutionBookmark, SolutionFile, SolutionInquiry
from api.solutions.validation import SolutionInput
from storage import open_store
from tests.http.conftest import World, login_as, role_email
from tests.http.test_platform import ADMIN_B, USER_A, account_id, post_form
from tests.querycount import count_queries
from tests.service.test_media import pdf_bytes, png_bytes

STAFF = role_email(Role.STAFF)


@pytest.fixture
async def categories(world: World) -> dict[str, int]:
    await taxonomy.ensure_default_categories()
    return {c.name: c.id for c in await taxonomy.list_categories()}


def form(categories: dict[str, int], **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "勤怠管理アプリ",
        "summary": "スマホで打刻、給与計算と連携",
        "description": "## 特長\n\n- 打刻\n- 集計",
        "category_ids": [str(categories["業務効率化"]), str(categories["会計・人事"])],
        "industries": ["E"],
        "all_kumamoto": "on",
        "sizes": ["6-20"],
        "price_model": "subscription",
        "price_text": "月額300円／人",
        "delivery": ["cloud"],
        "subsidy_eligible": "on",
        "website": "https://example.jp/kintai",
    }
    values.update(overrides)
    return values


async def member_b(world: World) -> Principal:
    return Principal(
        account_id=await account_id(ADMIN_B), email=ADMIN_B, display_name="B 管理者",
        roles=frozenset({Role.MEMBER_ADMIN}), organisation_id=world.other_organisation_id,
        organisation_active=True,
    )  # fmt: skip


async def solution_of_b(world: World, categories: dict[str, int], **overrides: Any) -> int:
    data = SolutionInput.from_mapping(form(categories, **overrides))
    return (await solutions.create_solution(await member_b(world), data)).id


async def test_anonymous_visitors_get_the_login_page(client: AsyncTestClient, world: World) -> None:
    client.cookies.clear()
    response = await client.get("/platform/solutions")
    assert response.status_code in (302, 303, 401)
    if response.status_code != 401:
        assert response.headers["location"].startswith("/login")


async def test_create_with_errors_then_fixed_through_the_form(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    await login_as(client, USER_A)
    new = await client.get("/platform/organisation/solutions/new")
    assert new.status_code == 200 and 'name="category_ids"' in new.text
    bad = await post_form(
        client, "/platform/organisation/solutions",
        form(categories, title="", price_model="", delivery=[], description="本文は残る"),
    )  # fmt: skip
    assert bad.status_code == 422
    assert 'class="error-summary"' in bad.text and 'href="#field-title"' in bad.text
    assert 'aria-invalid="true"' in bad.text
    assert "本文は残る" in bad.text  # nothing typed is lost
    assert "checked" in bad.text  # chosen categories stay chosen
    assert await Solution.count() == 0
    good = await post_form(client, "/platform/organisation/solutions", form(categories))
    assert good.status_code == 303
    location = good.headers["location"]
    assert location.startswith("/platform/organisation/solutions/")
    assert location.endswith("/files?done=created")  # next: pictures and brochures
    assert "画像やパンフレット" in (await client.get(location)).text
    solution_id = (await Solution.select(Solution.id))[0]["id"]
    page = await client.get(f"/platform/solutions/{solution_id}")
    assert page.status_code == 200 and "勤怠管理アプリ" in page.text
    assert "<h2>特長</h2>" in page.text and "業務効率化、会計・人事" in page.text


async def test_edit_hide_and_delete_own_solution(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    solution_id = await solution_of_b(world, categories)
    await login_as(client, ADMIN_B)
    edit = await client.get(f"/platform/organisation/solutions/{solution_id}/edit")
    assert edit.status_code == 200 and 'value="勤怠管理アプリ"' in edit.text
    saved = await post_form(
        client, f"/platform/organisation/solutions/{solution_id}", form(categories, title="勤怠Pro")
    )
    assert saved.status_code == 303
    hidden = await post_form(
        client, f"/platform/organisation/solutions/{solution_id}/visibility", {"hidden": "1"}
    )
    assert hidden.status_code == 303
    own = await client.get("/platform/organisation/solutions")
    assert "勤怠Pro" in own.text and "非掲載" in own.text
    confirm = await client.get(f"/platform/organisation/solutions/{solution_id}/delete")
    assert confirm.status_code == 200 and "元に戻せません" in confirm.text
    deleted = await post_form(client, f"/platform/organisation/solutions/{solution_id}/delete", {})
    assert deleted.status_code == 303 and await Solution.count() == 0


async def test_another_organisation_gets_404_on_every_page_and_form(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    solution_id = await solution_of_b(world, categories)
    await login_as(client, USER_A)
    base = f"/platform/organisation/solutions/{solution_id}"
    for response in (
        await client.get(f"{base}/edit"),
        await client.get(f"{base}/delete"),
        await post_form(client, base, form(categories, title="乗っ取り")),
        await post_form(client, f"{base}/visibility", {"hidden": "1"}),
        await post_form(client, f"{base}/delete", {}),
    ):
        assert response.status_code == 404
    rows = await Solution.select(Solution.title, Solution.provider_hidden)
    assert rows == [{"title": "勤怠管理アプリ", "provider_hidden": False}]


async def test_directory_filters_and_pages_with_bounded_queries(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    for index in range(25):
        await solution_of_b(world, categories, title=f"製品{index:02d}")
    await solution_of_b(
        world, categories, title="農業センサー", category_ids=[str(categories["農業"])]
    )
    await login_as(client, USER_A)
    counts = []
    for url in ("/platform/solutions", "/platform/solutions?page_number=2"):
        with count_queries() as counter:
            response = await client.get(url)
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    first = await client.get("/platform/solutions")
    assert "検索結果 26件" in first.text and "次のページ" in first.text
    farm = await client.get("/platform/solutions", params={"category": str(categories["農業"])})
    assert "農業センサー" in farm.text and "製品00" not in farm.text
    fragment = await client.get(
        "/platform/solutions", params={"q": "農業"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.text and "農業センサー" in fragment.text
    assert "HX-Request" in fragment.headers["vary"].split(", ")
    empty = await client.get("/platform/solutions", params={"q": "存在しない製品"})
    assert "条件に合うソリューションはありません" in empty.text


async def test_contact_form_sends_and_shows_errors_at_the_fields(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    solution_id = await solution_of_b(world, categories)
    await login_as(client, USER_A)
    detail = await client.get(f"/platform/solutions/{solution_id}")
    assert "この提供団体に問い合わせる" in detail.text
    assert "contact2@example.jp" not in detail.text  # the provider's contacts are never shown
    url = f"/platform/solutions/{solution_id}/contact"
    assert (await client.get(url)).status_code == 200
    bad = await post_form(client, url, {"subject": "", "body": "本文だけ"})
    assert bad.status_code == 422 and 'href="#field-subject"' in bad.text and "本文だけ" in bad.text
    sent = await post_form(client, url, {"subject": "見積もり", "body": "10名で使えますか"})
    assert sent.status_code == 303 and sent.headers["location"].endswith("?done=sent")
    assert await SolutionInquiry.count() == 1
    assert await OutboxMail.exists().where(OutboxMail.to_address == "contact2@example.jp")
    await login_as(client, ADMIN_B)
    inbox = await client.get("/platform/inquiries")
    assert "見積もり" in inbox.text and "未読" in inbox.text
    inquiry_id = (await SolutionInquiry.select(SolutionInquiry.id))[0]["id"]
    read = await client.get(f"/platform/inquiries/{inquiry_id}")
    assert role_email(Role.MEMBER_USER) in read.text and "10名で使えますか" in read.text
    await login_as(client, USER_A)
    assert (await client.get(f"/platform/inquiries/{inquiry_id}")).status_code == 404


async def test_bookmarks_and_statistics(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    solution_id = await solution_of_b(world, categories)
    await login_as(client, USER_A)
    assert (
        "ブックマークしたソリューションはありません"
        in (await client.get("/platform/bookmarks")).text
    )
    added = await post_form(client, f"/platform/solutions/{solution_id}/bookmark", {"on": "1"})
    assert added.status_code == 303
    assert "勤怠管理アプリ" in (await client.get("/platform/bookmarks")).text
    removed = await post_form(
        client, f"/platform/solutions/{solution_id}/bookmark", {"on": "0", "back": "bookmarks"}
    )
    assert removed.headers["location"] == "/platform/bookmarks?done=removed"
    assert await SolutionBookmark.count() == 0
    await login_as(client, ADMIN_B)
    stats = await client.get("/platform/organisation/solution-statistics")
    assert stats.status_code == 200 and "勤怠管理アプリ" in stats.text
    # USER_A opened the page twice above (the detail page is not visited: the form posts only).
    assert "<caption>" in stats.text


async def test_staff_moderate_with_a_reason_and_keep_categories(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    solution_id = await solution_of_b(world, categories)
    await login_as(client, STAFF)
    detail = await client.get(f"/platform/solutions/{solution_id}")
    assert "このソリューションを非公開にする" in detail.text
    refused = await post_form(
        client, f"/console/solutions/{solution_id}/moderation", {"reason": ""}
    )
    assert refused.status_code == 422 and 'href="#field-reason"' in refused.text
    hidden = await post_form(
        client, f"/console/solutions/{solution_id}/moderation", {"reason": "価格の表記を確認"}
    )
    assert hidden.status_code == 303
    listed = await client.get("/console/solutions", params={"view": "moderated"})
    assert "価格の表記を確認" in listed.text
    assert (await client.get("/console/solutions")).status_code == 200
    await login_as(client, ADMIN_B)
    own = await client.get("/platform/organisation/solutions")
    assert "事務局により非公開" in own.text and "価格の表記を確認" in own.text
    await login_as(client, STAFF)
    page = await client.get("/console/solution-categories")
    assert page.status_code == 200 and "業務効率化" in page.text
    added = await post_form(client, "/console/solution-categories", {"name": "EC"})
    assert added.status_code == 303
    duplicate = await post_form(client, "/console/solution-categories", {"name": "EC"})
    assert duplicate.status_code == 422 and "同じ名前" in duplicate.text
    in_use = await post_form(
        client, f"/console/solution-categories/{categories['業務効率化']}/delete", {}
    )
    assert in_use.status_code == 409 and "削除できません" in in_use.text
    renamed = await post_form(
        client, f"/console/solution-categories/{categories['建設']}",
        {"name": "", "position": "x"},
    )  # fmt: skip
    assert (
        renamed.status_code == 422 and f'href="#field-c{categories["建設"]}_name"' in renamed.text
    )


async def solution_forms(
    settings: Settings, world: World
) -> dict[tuple[str, str], tuple[Any, ...]]:
    """A valid post for every unsafe solutions route, each with items of its own (for the CSRF
    walk in test_csrf_headers): (url, form, role, writes[, files]). The member user's password changes
    in that walk, so the member admin of world.organisation_id posts the members' forms."""
    await taxonomy.ensure_default_categories()
    categories = {c.name: c.id for c in await taxonomy.list_categories()}
    admin_a = world.accounts[Role.MEMBER_ADMIN]
    member_a = Principal(
        account_id=admin_a.id, email=admin_a.email, display_name=admin_a.display_name,
        roles=frozenset({Role.MEMBER_ADMIN}), organisation_id=world.organisation_id,
        organisation_active=True,
    )  # fmt: skip

    async def own(title: str) -> int:
        data = SolutionInput.from_mapping(form(categories, title=title))
        return (await solutions.create_solution(member_a, data)).id

    edited, hidden, deleted = await own("編集用"), await own("非掲載用"), await own("削除用")
    bookmarked = await solution_of_b(world, categories, title="ブックマーク用")
    moderated = await solution_of_b(world, categories, title="非公開用")
    lifted = await solution_of_b(world, categories, title="解除用")
    with_file = await own("ファイル用")
    store = open_store(settings.storage_url, settings.data_dir)
    kept = await files.add_file(
        member_a, store, with_file, "image", "kept.png", io.BytesIO(png_bytes()), "説明"
    )
    removed = await files.add_file(
        member_a, store, with_file, "brochure", "removed.pdf", io.BytesIO(pdf_bytes()), ""
    )
    staff = Principal(
        account_id=world.accounts[Role.STAFF].id, email=STAFF, display_name="職員",
        roles=frozenset({Role.STAFF}),
    )  # fmt: skip
    await solutions.moderate(staff, lifted, "確認中")
    unused = await taxonomy.create_category(staff, "未使用のカテゴリ")
    own_path = "/platform/organisation/solutions"
    return {
        ("POST", own_path): (own_path, form(categories, title="新規"), Role.MEMBER_ADMIN, True),
        ("POST", f"{own_path}/{{solution_id:int}}"): (
            f"{own_path}/{edited}",
            form(categories, title="編集後"),
            Role.MEMBER_ADMIN,
            True,
        ),
        ("POST", f"{own_path}/{{solution_id:int}}/visibility"): (
            f"{own_path}/{hidden}/visibility",
            {"hidden": "1"},
            Role.MEMBER_ADMIN,
            True,
        ),
        ("POST", f"{own_path}/{{solution_id:int}}/delete"): (
            f"{own_path}/{deleted}/delete",
            {},
            Role.MEMBER_ADMIN,
            True,
        ),
        ("POST", "/platform/solutions/{solution_id:int}/bookmark"): (
            f"/platform/solutions/{bookmarked}/bookmark",
            {"on": "1"},
            Role.MEMBER_ADMIN,
            True,
        ),
        ("POST", "/platform/solutions/{solution_id:int}/contact"): (
            f"/platform/solutions/{bookmarked}/contact",
            {"subject": "お問い合わせ", "body": "詳しく教えてください。"},
            Role.MEMBER_ADMIN,
            True,
        ),
        ("POST", "/console/solutions/{solution_id:int}/moderation"): (
            f"/console/solutions/{moderated}/moderation",
            {"reason": "表記の確認"},
            Role.STAFF,
            True,
        ),
        ("POST", "/console/solutions/{solution_id:int}/moderation/lift"): (
            f"/console/solutions/{lifted}/moderation/lift",
            {},
            Role.STAFF,
            True,
        ),
        ("POST", f"{own_path}/{{solution_id:int}}/files"): (
            f"{own_path}/{with_file}/files",
            {"kind": "image", "alt_text": "新しい画像"},
            Role.MEMBER_ADMIN,
            True,
            {"image_file": ("new.png", png_bytes(), "image/png")},
        ),
        ("POST", f"{own_path}/{{solution_id:int}}/files/{{file_id:int}}"): (
            f"{own_path}/{with_file}/files/{kept.id}",
            {"text": "直した説明"},
            Role.MEMBER_ADMIN,
            True,
        ),
        ("POST", f"{own_path}/{{solution_id:int}}/files/{{file_id:int}}/delete"): (
            f"{own_path}/{with_file}/files/{removed.id}/delete",
            {},
            Role.MEMBER_ADMIN,
            True,
        ),
        ("POST", "/console/solutions/{solution_id:int}/refresh-request"): (
            f"/console/solutions/{bookmarked}/refresh-request",
            {},
            Role.STAFF,
            True,
        ),
        ("POST", "/console/solution-categories"): (
            "/console/solution-categories",
            {"name": "新しいカテゴリ"},
            Role.STAFF,
            True,
        ),
        ("POST", "/console/solution-categories/{category_id:int}"): (
            f"/console/solution-categories/{categories['建設']}",
            {"name": "建設・土木", "position": "11", "active": "on"},
            Role.STAFF,
            True,
        ),
        ("POST", "/console/solution-categories/{category_id:int}/delete"): (
            f"/console/solution-categories/{unused.id}/delete",
            {},
            Role.STAFF,
            True,
        ),
    }


async def test_images_and_brochures_through_the_pages(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    solution_id = await solution_of_b(world, categories)
    await login_as(client, ADMIN_B)
    url = f"/platform/organisation/solutions/{solution_id}/files"
    assert (await client.get(url)).status_code == 200
    token = client.cookies["kdx_csrf"]
    no_alt = await client.post(
        url, data={"kind": "image", "alt_text": "", "_csrf": token},
        files={"image_file": ("screen.png", png_bytes(), "image/png")},
    )  # fmt: skip
    assert no_alt.status_code == 422 and 'href="#field-alt_text"' in no_alt.text
    renamed = await client.post(
        url, data={"kind": "image", "alt_text": "画面", "_csrf": token},
        files={"image_file": ("virus.png", b"MZ\x90\x00" + b"\x00" * 100, "image/png")},
    )  # fmt: skip
    assert renamed.status_code == 422 and 'href="#field-image_file"' in renamed.text
    assert 'value="画面"' in renamed.text  # the alternative text typed is kept
    added = await client.post(
        url, data={"kind": "image", "alt_text": "打刻画面の例", "_csrf": token},
        files={"image_file": ("screen.png", png_bytes(), "image/png")},
    )  # fmt: skip
    assert added.status_code == 303
    pdf = await client.post(
        url, data={"kind": "brochure", "title": "製品カタログ", "_csrf": token},
        files={"brochure_file": ("catalog.pdf", pdf_bytes(), "application/pdf")},
    )  # fmt: skip
    assert pdf.status_code == 303
    await login_as(client, USER_A)
    detail = await client.get(f"/platform/solutions/{solution_id}")
    assert 'alt="打刻画面の例"' in detail.text and "製品カタログ（PDF、1KB）" in detail.text
    image_id, brochure_id = [
        row["id"] for row in await SolutionFile.select(SolutionFile.id).order_by(SolutionFile.id)
    ]
    picture = await client.get(f"/platform/solutions/{solution_id}/files/{image_id}/320")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/webp"
    assert picture.headers["cache-control"].startswith("private")
    again = await client.get(
        f"/platform/solutions/{solution_id}/files/{image_id}/320",
        headers={"If-None-Match": picture.headers["etag"]},
    )
    assert again.status_code == 304
    brochure = await client.get(f"/platform/solutions/{solution_id}/files/{brochure_id}")
    assert (
        brochure.content.startswith(b"%PDF")
        and "catalog.pdf" in brochure.headers["content-disposition"]
    )
    assert (
        await client.get(f"/platform/solutions/{solution_id}/files/{image_id}/999")
    ).status_code == 404
    # The file of another solution's path, and anonymous visitors, get nothing.
    assert (
        await client.get(f"/platform/solutions/{solution_id + 1}/files/{image_id}")
    ).status_code == 404
    client.cookies.clear()
    anonymous = await client.get(f"/platform/solutions/{solution_id}/files/{image_id}")
    assert anonymous.status_code in (302, 303, 401)


async def test_item_rows_post_the_field_names_the_routes_read(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    """Rows of one form per item (categories, files) repeat field names with ids of their own."""
    await login_as(client, STAFF)
    page = (await client.get("/console/solution-categories")).text
    construction = categories["建設"]
    assert f'id="field-c{construction}_name" name="name"' in page
    assert f'id="field-c{construction}_position" name="position"' in page
    saved = await post_form(
        client, f"/console/solution-categories/{construction}",
        {"name": "建設・土木", "position": "3", "active": "on"},
    )  # fmt: skip
    assert saved.status_code == 303
    assert "建設・土木" in (await client.get("/console/solution-categories")).text


async def test_linked_case_study_on_the_form_and_the_page(
    client: AsyncTestClient, world: World, categories: dict[str, int], editorial: Any
) -> None:
    from api.articles.service import ArticleInput
    from tests.http.conftest import ARTICLE_BODY

    case = await editorial.published(
        ArticleInput(kind="case_study", slug="kintai-case", title="勤怠管理の導入事例",
                     body_markdown=ARTICLE_BODY, organisation_name="株式会社テスト2")
    )  # fmt: skip
    solution_id = await solution_of_b(world, categories, case_study_ids=[str(case.id)])
    await login_as(client, ADMIN_B)
    edit = await client.get(f"/platform/organisation/solutions/{solution_id}/edit")
    assert f'name="case_study_ids" value="{case.id}" checked' in edit.text
    await login_as(client, USER_A)
    detail = await client.get(f"/platform/solutions/{solution_id}")
    assert '<a href="/case-studies/kintai-case">勤怠管理の導入事例</a>' in detail.text


async def test_staff_ask_for_a_refresh_from_the_stale_list(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    from datetime import timedelta

    from api import clock

    solution_id = await solution_of_b(world, categories, title="古い製品")
    old = clock.now() - timedelta(days=400)
    await Solution.update({Solution.updated_at: old}).where(Solution.id == solution_id)
    await login_as(client, STAFF)
    stale = await client.get("/console/solutions")
    assert "古い製品" in stale.text and "提供団体に更新を依頼する" in stale.text
    url = f"/console/solutions/{solution_id}/refresh-request"
    asked = await post_form(client, url, {})
    assert asked.status_code == 303 and asked.headers["location"].endswith("done=requested")
    assert "更新を依頼した日" in (await client.get("/console/solutions")).text
    assert await OutboxMail.exists().where(OutboxMail.subject.like("%更新のお願い%"))
    again = await post_form(client, url, {})
    assert again.status_code == 409 and "依頼済み" in again.text


async def test_hostile_form_values_never_fail_or_half_write(
    client: AsyncTestClient, world: World, categories: dict[str, int]
) -> None:
    from tests.http.test_hostile_input import CONTROL, INJECTIONS, LONG, _assert_page

    solution_id = await solution_of_b(world, categories)
    await login_as(client, ADMIN_B)
    valid = form(categories)
    for url in (
        "/platform/organisation/solutions",
        f"/platform/organisation/solutions/{solution_id}",
    ):
        for key in valid:
            for value in (LONG, *CONTROL, *INJECTIONS, ["E", LONG, "\x00"]):
                before = await Solution.select().order_by(Solution.id)
                response = await post_form(client, url, {**valid, key: value})
                if response.status_code == 303:
                    continue  # cleaned into something valid (e.g. NUL dropped from a choice)
                _assert_page(response, 422)
                assert await Solution.select().order_by(Solution.id) == before, (url, key)
    for value in (LONG, *CONTROL, *INJECTIONS):
        response = await post_form(
            client, f"/platform/solutions/{solution_id}/contact", {"subject": value, "body": value}
        )
        assert response.status_code in (303, 422), response.status_code
    for huge in ("99999999999", "2147483648", "-1", "0"):
        for path in (f"/platform/solutions/{huge}", f"/platform/organisation/solutions/{huge}/edit",
                     f"/platform/solutions/{solution_id}/files/{huge}"):  # fmt: skip
            assert (await client.get(path)).status_code in (400, 404), path


async def test_over_the_daily_limit_the_message_stays_in_the_form(
    client: AsyncTestClient, world: World, categories: dict[str, int], monkeypatch: Any
) -> None:
    from api.solutions import inquiries

    monkeypatch.setattr(inquiries, "DAILY_LIMIT", 1)
    solution_id = await solution_of_b(world, categories)
    await login_as(client, USER_A)
    url = f"/platform/solutions/{solution_id}/contact"
    assert (await post_form(client, url, {"subject": "一通目", "body": "本文"})).status_code == 303
    refused = await post_form(client, url, {"subject": "二通目", "body": "残したい本文"})
    assert refused.status_code == 429 and "残したい本文" in refused.text
    assert 'href="#field-body"' in refused.text
