"""The secretariat's member tools over HTTP: pages and JSON API, permissions, CSRF, exports,
imports, hostile input and bounded queries."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from api.audit.tables import AuditEntry
from api.http.guards import action_of
from api.members import service
from api.members.tables import Organisation
from api.permissions import Role
from tests.conftest import csrf_token
from tests.factories import corporate_number, make_organisation, organisation_form
from tests.http.conftest import World, is_japanese, login_as, role_email
from tests.querycount import count_queries

CONTACT_EMAIL = "contact1@example.jp"  # the factory's contact of the world's organisation
IMPORT_HEADER = (
    "団体名,団体名フリガナ,法人番号,種別,業種コード,従業員規模,郵便番号,市区町村,"
    "町名・番地・建物名,代表者氏名,担当者1 氏名,担当者1 メールアドレス,担当者1 電話番号"
)


def import_line(index: int, **changes: str) -> str:
    values = {
        "name": f"株式会社取込{index}", "kana": f"とりこみ{index}",
        "number": corporate_number(7700000000 + index), "kind": "企業（法人）", "industry": "G",
        "size": "1〜5人", "postal": "860-0001", "city": "熊本市", "address": f"中央区{index}",
        "rep": "代表 太郎", "contact": "担当 一郎", "email": f"imp{index}@example.jp",
        "phone": "096-000-1111",
    }  # fmt: skip
    values.update(changes)
    return ",".join(values.values())


def import_file(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join([IMPORT_HEADER, *lines]) + "\r\n").encode()


async def form_post(client: AsyncTestClient, url: str, data: dict[str, str]):
    return await client.post(url, data={**data, "_csrf": await csrf_token(client)})


# --- who may do what ---------------------------------------------------------------------------


async def test_officials_read_organisation_data_but_never_contacts_or_changes(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    listing = await client.get("/console/members")
    assert listing.status_code == 200
    assert "株式会社テスト1" in listing.text and "株式会社テスト2" in listing.text
    assert (
        "export-with-contacts" not in listing.text and "/console/members/import" not in listing.text
    )
    detail = await client.get(f"/console/members/{world.organisation_id}")
    assert detail.status_code == 200 and "株式会社テスト1" in detail.text
    for secret in (CONTACT_EMAIL, "担当 花子1", "member_user@example.jp", "/suspend", "/edit"):
        assert secret not in detail.text, secret
    export = await client.get("/console/members/export.csv")
    assert export.status_code == 200 and "株式会社テスト1" in export.text
    assert CONTACT_EMAIL not in export.text

    before = await service.get_organisation(world.organisation_id)
    refused = [
        await client.get("/console/members/export-with-contacts.csv"),
        await client.get(f"/console/members/{world.organisation_id}/edit"),
        await form_post(client, f"/console/members/{world.organisation_id}/edit", organisation_form(1, name="変更")),
        await form_post(client, f"/console/members/{world.organisation_id}/suspend",
                        {"suspend_date": "2024-05-01", "suspend_confirm": "yes"}),
        await client.get("/console/members/import"),
        await client.get(f"/api/v1/members/{world.organisation_id}/contacts"),
        await client.get(f"/api/v1/members/{world.organisation_id}/accounts"),
        await client.get("/api/v1/members/export-with-contacts.csv"),
        await client.patch(f"/api/v1/members/{world.organisation_id}", json={"name": "変更"},
                           headers={"X-CSRF-Token": await csrf_token(client)}),
        await client.post(f"/api/v1/members/{world.organisation_id}/withdraw",
                          json={"date": "2024-05-01"}, headers={"X-CSRF-Token": await csrf_token(client)}),
    ]  # fmt: skip
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert await service.get_organisation(world.organisation_id) == before
    api = await client.get("/api/v1/members", params={"q": "テスト1"})
    assert api.status_code == 200 and api.json()["items"][0]["name"] == "株式会社テスト1"
    assert "contacts" not in api.json()["items"][0]


@pytest.mark.parametrize("role", [Role.MEMBER_USER, Role.MEMBER_ADMIN, Role.EDITOR])
async def test_member_roles_and_editors_are_refused(
    client: AsyncTestClient, world: World, role: Role
) -> None:
    await login_as(client, role_email(role))
    for path in (
        "/console/members",
        f"/console/members/{world.other_organisation_id}",
        "/console/members/export.csv",
        "/api/v1/members",
        f"/api/v1/members/{world.organisation_id}",
    ):
        assert (await client.get(path)).status_code == 403, path


async def test_staff_see_contacts_and_the_organisations_accounts(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    detail = await client.get(f"/console/members/{world.organisation_id}")
    assert detail.status_code == 200
    assert detail.headers["cache-control"] == "no-store"
    for expected in (CONTACT_EMAIL, "member_user@example.jp", "member_admin@example.jp",
                     "会員管理者", "休止にする", "退会を記録する"):  # fmt: skip
        assert expected in detail.text, expected
    contacts = await client.get(f"/api/v1/members/{world.organisation_id}/contacts")
    assert contacts.json()[0]["email"] == CONTACT_EMAIL
    accounts = await client.get(f"/api/v1/members/{world.organisation_id}/accounts")
    assert {a["email"] for a in accounts.json()} == {
        "member_user@example.jp", "member_admin@example.jp",
    }  # fmt: skip
    assert (await client.get("/console/members/99999")).status_code == 404
    assert (await client.get("/api/v1/members/99999999999")).status_code in (400, 404)


# --- the list ----------------------------------------------------------------------------------


async def test_list_filters_as_a_page_and_as_an_htmx_fragment(
    client: AsyncTestClient, world: World
) -> None:
    await make_organisation(
        3, name="株式会社くまもと製造", name_kana="クマモトセイゾウ", industry="E"
    )
    await login_as(client, role_email(Role.STAFF))
    page = await client.get("/console/members", params={"q": "くまもと", "industry": "E"})
    assert page.status_code == 200 and "<h1>会員団体</h1>" in page.text
    assert "検索結果 1件" in page.text and "株式会社くまもと製造" in page.text
    assert "株式会社テスト1" not in page.text
    assert 'value="くまもと"' in page.text  # the form keeps the filter
    # The export links carry the current filter.
    assert "/console/members/export.csv?q=%E3%81%8F" in page.text
    assert "industry=E" in page.text

    fragment = await client.get(
        "/console/members", params={"industry": "G"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "<h1" not in fragment.text
    assert 'id="members-results-heading"' in fragment.text and "検索結果 2件" in fragment.text
    assert "HX-Request" in fragment.headers["vary"]
    restore = await client.get(
        "/console/members",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.text


async def test_list_pages_send_a_bounded_number_of_queries(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    await client.get("/console/members")  # warm up: the session's touch is not counted twice
    with count_queries() as few:
        assert (await client.get("/console/members")).status_code == 200
    with count_queries() as few_api:
        assert (await client.get("/api/v1/members?per_page=100")).status_code == 200
    for index in range(3, 45):
        await make_organisation(index, joined_on=date(2020 + index % 5, 5, 1))
    with count_queries() as many:
        response = await client.get("/console/members")
    assert "検索結果 44件" in response.text and "次のページ" in response.text
    with count_queries() as many_api:
        body = (await client.get("/api/v1/members?per_page=100")).json()
    assert len(body["items"]) == 44
    assert many.count == few.count and many_api.count == few_api.count
    assert many.count <= 8, many.statements


async def test_hostile_filters_and_ids_never_fail(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    for q in ("' OR '1'='1' --", "%_%", "\\", "<script>alert(1)</script>", "a\x00b", "長" * 500):
        for path in ("/console/members", "/api/v1/members", "/console/members/export.csv"):
            response = await client.get(
                path, params={"q": q, "fiscal_year": "1e9", "status": "<x>", "industry": "'"}
            )
            assert response.status_code == 200, (path, q, response.status_code)
            assert "<script>alert(1)</script>" not in response.text
    for bad in ("99999999999999999999", "-1", "abc"):
        response = await client.get(f"/console/members/{bad}")
        assert response.status_code in (400, 404) and is_japanese(response.text)
    assert (await client.get("/console/members?page_number=0")).status_code == 400


# --- editing and status ------------------------------------------------------------------------


async def test_staff_edit_with_errors_then_success(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    url = f"/console/members/{world.organisation_id}/edit"
    form = await client.get(url)
    assert form.status_code == 200 and 'value="株式会社テスト1"' in form.text
    assert 'name="contact_4_email"' in form.text and 'value="contact1@example.jp"' in form.text

    bad = organisation_form(1, name="株式会社テスト2", postal_code="abc", contact_0_email="x")
    response = await form_post(client, url, bad)
    assert response.status_code == 422
    assert "入力内容を確認してください" in response.text
    assert (
        'href="#field-name"' in response.text and 'href="#field-contact_0_email"' in response.text
    )
    assert "同じ名称の団体がすでに会員として登録されています。" in response.text
    assert 'value="abc"' in response.text  # what was typed stays

    good = organisation_form(1, address_line="中央区水前寺6-18-1")
    good.update({"contact_1_name": "副担当 次郎", "contact_1_email": "jiro@example.jp",
                 "contact_1_phone": "096-111-2222"})  # fmt: skip
    response = await form_post(client, url, good)
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/members/{world.organisation_id}?done=saved"
    detail = await client.get(response.headers["location"])
    assert "変更を保存しました。" in detail.text and "中央区水前寺6-18-1" in detail.text
    assert "jiro@example.jp" in detail.text


async def test_forms_without_the_csrf_token_change_nothing(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    before = await service.get_organisation(world.organisation_id, with_contacts=True)
    for path, data in (
        (f"/console/members/{world.organisation_id}/edit", organisation_form(1, name="乗っ取り")),
        (f"/console/members/{world.organisation_id}/withdraw",
         {"withdraw_date": "2024-05-01", "withdraw_confirm": "yes"}),
    ):  # fmt: skip
        assert (await client.post(path, data=data)).status_code == 403
        assert (await client.post(path, data={**data, "_csrf": "forged"})).status_code == 403
    response = await client.patch(f"/api/v1/members/{world.organisation_id}", json={"name": "x"})
    assert response.status_code == 403
    assert await service.get_organisation(world.organisation_id, with_contacts=True) == before


async def test_status_changes_need_confirmation_and_lock_the_members_out(
    app: Litestar, client: AsyncTestClient, world: World
) -> None:
    member = AsyncTestClient(app=app)
    async with member:
        member.follow_redirects = False
        await login_as(member, role_email(Role.MEMBER_USER))
        own_pages = [
            route.path
            for route in app.routes
            for handler in route.route_handlers
            if action_of(handler) == "organisation.view" and "{" not in route.path
        ]
        assert own_pages  # the member platform's own-organisation pages and API
        for path in own_pages:
            assert (await member.get(path)).status_code == 200, path

        await login_as(client, role_email(Role.STAFF))
        url = f"/console/members/{world.organisation_id}/suspend"
        today = service.today().isoformat()  # the factory's organisation joined today
        unconfirmed = await form_post(client, url, {"suspend_date": today})
        assert unconfirmed.status_code == 422
        assert "確認のチェックを入れてください" in unconfirmed.text
        future = await form_post(client, url, {"suspend_date": "2999-01-01", "suspend_confirm": "yes"})  # fmt: skip
        assert future.status_code == 422 and "未来の日付" in future.text
        assert 'href="#field-suspend_date"' in future.text
        done = await form_post(client, url, {"suspend_date": today, "suspend_note": "会費未納",
                                             "suspend_confirm": "yes"})  # fmt: skip
        assert done.status_code == 303
        detail = await client.get(done.headers["location"])
        assert "休止にしました" in detail.text and "休止を解除する" in detail.text

        # The member's very next request is refused; the account and its session remain.
        for path in own_pages:
            assert (await member.get(path)).status_code == 403, path
        again = await form_post(client, url, {"suspend_date": today, "suspend_confirm": "yes"})  # fmt: skip
        assert again.status_code == 422 and "この団体はすでに休止中です。" in again.text

        withdraw = await client.post(
            f"/api/v1/members/{world.organisation_id}/withdraw",
            json={"date": today, "note": "解散"},
            headers={"X-CSRF-Token": await csrf_token(client)},
        )
        assert withdraw.status_code == 200 and withdraw.json()["status"] == "withdrawn"
        final = await client.post(
            f"/api/v1/members/{world.organisation_id}/reactivate", json={},
            headers={"X-CSRF-Token": await csrf_token(client)},
        )  # fmt: skip
        assert final.status_code == 422
        assert final.headers["content-type"].startswith("application/problem+json")
        assert "退会" in final.json()["errors"]["status"]


async def test_api_patch_changes_only_what_it_sends(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    headers = {"X-CSRF-Token": await csrf_token(client)}
    url = f"/api/v1/members/{world.organisation_id}"
    response = await client.patch(url, json={"website": "https://new.example.jp/"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["website"] == "https://new.example.jp/"
    view = await service.get_organisation(world.organisation_id, with_contacts=True)
    assert view.name == "株式会社テスト1" and [c.email for c in view.contacts] == [CONTACT_EMAIL]
    response = await client.patch(
        url, json={"contacts": [{"name": "新 担当", "email": "new@example.jp", "phone": "0961112222"}]},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    view = await service.get_organisation(world.organisation_id, with_contacts=True)
    assert [c.email for c in view.contacts] == ["new@example.jp"]
    response = await client.patch(url, json={"name": "株式会社テスト2", "postal_code": "1"}, headers=headers)  # fmt: skip
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name", "postal_code"}
    response = await client.patch(url, json={"contacts": []}, headers=headers)
    assert response.status_code == 422 and "contact_0_name" in response.json()["errors"]
    response = await client.patch(url, json={"name": 123}, headers=headers)
    assert response.status_code == 400


# --- exports -----------------------------------------------------------------------------------


async def test_exports_as_files_and_contacts_are_audited(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    response = await client.get("/console/members/export.csv", params={"q": "テスト1"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert (
        disposition.startswith('attachment; filename="members-')
        and "filename*=UTF-8''" in disposition
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert len(rows) == 2 and rows[1][0] == "株式会社テスト1"
    assert await AuditEntry.count().where(AuditEntry.action == "members.export_contacts") == 0

    response = await client.get(
        "/console/members/export-with-contacts.xlsx", params={"industry": "G"}
    )
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [cell.value for cell in sheet[2]]
    assert CONTACT_EMAIL in values
    entry = await AuditEntry.select().where(AuditEntry.action == "members.export_contacts").first()
    assert entry is not None and entry["actor_label"] == role_email(Role.STAFF)
    api = await client.get("/api/v1/members/export-with-contacts.csv")
    assert api.status_code == 200 and CONTACT_EMAIL in api.content.decode("utf-8-sig")
    assert await AuditEntry.count().where(AuditEntry.action == "members.export_contacts") == 2


# --- import ------------------------------------------------------------------------------------


async def upload(client: AsyncTestClient, content: bytes, name: str = "会員.csv"):
    return await client.post(
        "/console/members/import",
        files={"file": (name, content, "text/csv")},
        data={"_csrf": await csrf_token(client)},
    )


async def test_import_dry_run_then_apply_then_nothing_to_do(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    page = await client.get("/console/members/import")
    assert page.status_code == 200 and "団体名フリガナ" in page.text
    template = await client.get("/console/members/import/template.csv")
    assert template.content.decode("utf-8-sig").startswith("団体名,団体名フリガナ,法人番号")
    content = import_file(import_line(1), import_line(2))
    organisations = await Organisation.count()

    dry = await upload(client, content)
    assert dry.status_code == 200, dry.text
    assert "作成 2件、更新 0件、変更なし 0件、エラー 0件" in dry.text
    assert await Organisation.count() == organisations  # a dry run writes nothing
    key = re.search(r'name="key" value="([^"]+)"', dry.text)
    assert key is not None and key.group(1).startswith("imports/")

    applied = await form_post(
        client, "/console/members/import/apply", {"key": key.group(1), "file_name": "会員.csv"}
    )
    assert applied.status_code == 303
    assert applied.headers["location"].endswith("created=2&updated=0&unchanged=0")
    assert await Organisation.count() == organisations + 2
    result = await client.get(applied.headers["location"])
    assert "作成 2件、更新 0件、変更なし 0件" in result.text
    # The stored file is gone: applying twice is refused.
    again = await form_post(client, "/console/members/import/apply", {"key": key.group(1)})
    assert again.status_code == 422 and "有効期限" in again.text

    same = await upload(client, content)
    assert "作成 0件、更新 0件、変更なし 2件" in same.text
    assert 'name="key"' not in same.text and "取り込む必要はありません" in same.text


async def test_import_with_a_bad_row_offers_no_apply_and_explains_each_row(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    content = import_file(import_line(1), import_line(2, postal="12", industry="ZZ"))
    response = await upload(client, content)
    assert response.status_code == 422
    assert "誤りのある行が1行あります" in response.text
    assert "郵便番号: 郵便番号は7桁の数字で入力してください" in response.text
    assert "業種コード: 業種コード「ZZ」は一覧にありません。" in response.text
    assert 'name="key"' not in response.text
    for bogus in ("../../etc/passwd", "imports/" + "0" * 32 + ".csv", ""):
        refused = await form_post(client, "/console/members/import/apply", {"key": bogus})
        assert refused.status_code == 422
    assert await Organisation.count() == 2


async def test_import_refuses_files_it_cannot_read(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.STAFF))
    empty = await client.post("/console/members/import", data={"_csrf": await csrf_token(client)})
    assert empty.status_code == 422 and "ファイル（CSVまたはExcel）を選んでください" in empty.text
    image = await upload(client, b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "members.csv")
    assert image.status_code == 422 and "読み取れませんでした" in image.text
    fake_xlsx = await upload(client, b"PK\x03\x04garbage", "members.xlsx")
    assert fake_xlsx.status_code == 422 and "Excel（.xlsx）" in fake_xlsx.text
    too_big = await upload(client, b"a" * (6 * 1024 * 1024), "big.csv")
    assert too_big.status_code == 413 and is_japanese(too_big.text)
    no_csrf = await client.post(
        "/console/members/import",
        files={"file": ("a.csv", import_file(import_line(1)), "text/csv")},
    )
    assert no_csrf.status_code == 403


async def test_api_import_dry_run_and_all_or_nothing_apply(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    headers = {"X-CSRF-Token": await csrf_token(client)}
    bad = import_file(import_line(1), import_line(2, email="not-an-email"))
    files = {"file": ("members.csv", bad, "text/csv")}
    dry = await client.post("/api/v1/members/import", files=files, headers=headers)
    assert dry.status_code == 200, dry.text
    body = dry.json()
    assert body["valid"] is False and body["applied"] is False
    assert [row["action"] for row in body["rows"]] == ["create", "error"]
    assert body["rows"][1]["errors"] == {
        "担当者1 メールアドレス": "メールアドレスの形式が正しくありません（例: taro@example.jp）。"
    }
    applied = await client.post(
        "/api/v1/members/import?dry_run=false", files=files, headers=headers
    )
    assert applied.status_code == 422 and "3行目 担当者1 メールアドレス" in applied.json()["errors"]
    assert await Organisation.count() == 2

    good = {"file": ("members.csv", import_file(import_line(1), import_line(2)), "text/csv")}
    applied = await client.post("/api/v1/members/import?dry_run=false", files=good, headers=headers)
    assert applied.status_code == 200 and applied.json()["counts"]["create"] == 2
    assert await Organisation.count() == 4
    refused = await client.post("/api/v1/members/import", json={}, headers=headers)
    assert 400 <= refused.status_code < 500 and refused.status_code not in (401, 403)


async def test_openapi_documents_the_members_api(client: AsyncTestClient) -> None:
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    for path in (
        "/api/v1/members", "/api/v1/members/{organisation_id}",
        "/api/v1/members/{organisation_id}/contacts", "/api/v1/members/{organisation_id}/suspend",
        "/api/v1/members/export.csv", "/api/v1/members/export-with-contacts.xlsx",
        "/api/v1/members/import",
    ):  # fmt: skip
        assert path in paths, path
    assert (
        "multipart/form-data" in paths["/api/v1/members/import"]["post"]["requestBody"]["content"]
    )


async def test_hostile_bodies_get_japanese_4xx_and_change_nothing(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    headers = {"X-CSRF-Token": await csrf_token(client)}
    before = await service.get_organisation(world.organisation_id, with_contacts=True)
    base = f"/api/v1/members/{world.organisation_id}"
    for method, path in (
        ("PATCH", base),
        ("POST", f"{base}/suspend"),
        ("POST", f"{base}/withdraw"),
    ):
        for raw in (b"{not json", b"[]", b"null", b'{"date": "\xff"}', b"[" * 5000 + b"]" * 5000):
            response = await client.request(
                method, path, content=raw, headers={**headers, "Content-Type": "application/json"}
            )
            assert response.status_code in (400, 415, 422), (path, raw[:20], response.status_code)
            assert is_japanese(response.json()["detail"])
    cases = [
        ("PATCH", base, {"name": "長" * 10_000}, "name"),
        ("PATCH", base, {"name": "a\x00b"}, "name"),
        ("PATCH", base, {"industry": "' OR 1=1 --"}, "industry"),
        ("POST", f"{base}/suspend", {"date": service.today().isoformat(), "note": "長" * 1001}, "note"),
        ("POST", f"{base}/suspend", {"date": service.today().isoformat(), "note": "a\x00b"}, "note"),
        ("POST", f"{base}/withdraw", {"date": "2999-01-01"}, "date"),
    ]  # fmt: skip
    for method, path, body, field in cases:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 422, (path, body, response.text[:200])
        assert field in response.json()["errors"] and is_japanese(response.json()["errors"][field])
    bad_date = await client.post(f"{base}/suspend", json={"date": "明日"}, headers=headers)
    assert bad_date.status_code == 400
    assert await service.get_organisation(world.organisation_id, with_contacts=True) == before

    # HTML typed into a field is saved as text and shown escaped.
    form = organisation_form(1, name="<img src=x onerror=alert(1)>株式会社")
    response = await form_post(client, f"/console/members/{world.organisation_id}/edit", form)
    assert response.status_code == 303
    for path in ("/console/members", f"/console/members/{world.organisation_id}"):
        page = await client.get(path)
        assert "<img src=x" not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
