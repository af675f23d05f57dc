"""The secretariat's member tools in the browser: the list (htmx filter and plain GET form), the
detail and edit pages with their error states, and the import's dry run. Every page is checked
with axe-core, the heading rules and the Nu Html Checker.

These tests change nothing lasting on the shared server: forms are sent with errors, an edit is
saved unchanged, and imports stop at the dry run (HTTP tests cover applying them).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import OFFICIAL, STAFF, PageAudit, check_axe, login

ORGANISATION = "株式会社肥後システムサービス"  # a demo member (api.demo_members), active
RESULT_NAMES = "#members-results tbody tr td:first-child a"
IMPORT_HEADER = (
    "団体名,団体名フリガナ,法人番号,種別,業種コード,従業員規模,郵便番号,市区町村,"
    "町名・番地・建物名,代表者氏名,担当者1 氏名,担当者1 メールアドレス,担当者1 電話番号"
)


def submit(page: Any, button: str, expected_status: int) -> Any:
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    response = navigation.value
    assert response is not None and response.status == expected_status, (
        f"{page.url}: {response.status if response else None}"
    )
    return response


def check_submitted(audit: PageAudit, page: Any, response: Any, label: str) -> None:
    audit.validator.add(f"{label} (served)", response.text())
    audit.check(page, label)


def test_member_list_filters_with_htmx_and_moves_focus(page: Any, audit: PageAudit) -> None:
    login(page, *STAFF)
    audit.visit(page, "/console/members")
    assert page.locator("#members-results-heading").inner_text().startswith("検索結果 ")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.__sameDocument = true; }")

    # Typed in hiragana, found by the katakana reading; a swap, not a page load.
    page.get_by_label("団体名・フリガナ").fill("ひごしすてむ")
    with page.expect_response(
        lambda r: "/console/members?" in r.url and r.request.headers.get("hx-request") == "true"
    ) as swap:
        page.get_by_label("団体名・フリガナ").press("Enter")
    assert swap.value.status == 200 and "HX-Request" in swap.value.headers.get("vary", "")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'members-results-heading'"
    )
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent === '検索結果 1件'"
    )
    assert page.locator(RESULT_NAMES).all_inner_texts() == [ORGANISATION]
    assert page.evaluate("() => window.__sameDocument") is True
    assert "q=" in page.url and page.locator("h1").count() == 1
    # The export links follow the filter.
    href = page.get_by_role("link", name=re.compile("CSVで出力")).first.get_attribute("href")
    assert href is not None and href.startswith("/console/members/export.csv?q=")
    audit.check(page, "/console/members (after htmx swap)")

    # A select filters at once and leaves focus where the user is choosing.
    page.get_by_label("団体名・フリガナ").fill("")
    with page.expect_response(lambda r: "/console/members?" in r.url):
        page.get_by_label("団体名・フリガナ").press("Enter")
    page.get_by_label("会員状態").focus()
    with page.expect_response(lambda r: "status=withdrawn" in r.url):
        page.get_by_label("会員状態").select_option(label="退会")
    page.wait_for_function(
        "() => /^検索結果 [1-9]/.test(document.getElementById('live-region').textContent)"
    )
    assert page.evaluate("() => document.activeElement.id") == "field-status"
    for row in page.locator("#members-results tbody tr").all():
        assert row.locator("td").nth(5).inner_text() == "退会"
    audit.check(page, "/console/members (withdrawn, htmx)")
    audit.finish()


def test_member_list_works_without_javascript(new_context: Any, audit: PageAudit) -> None:
    page = new_context(java_script_enabled=False).new_page()
    login(page, *STAFF)
    page.goto("/console/members")
    page.get_by_label("業種").select_option(value="G")
    page.get_by_label("市区町村").select_option(label="熊本市")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="絞り込む").click()
    assert navigation.value.status == 200
    assert "industry=G" in page.url and "municipality=" in page.url
    assert page.locator("h1").inner_text() == "会員団体"
    names = page.locator(RESULT_NAMES).all_inner_texts()
    assert ORGANISATION in names
    assert page.get_by_label("業種").input_value() == "G"
    audit.validator.add_page(page, "/console/members?industry=G (no JS)")
    audit.finish()


def _open_organisation(page: Any) -> str:
    page.goto("/console/members?q=" + ORGANISATION)
    with page.expect_navigation():
        page.get_by_role("link", name=ORGANISATION).click()
    assert re.search(r"/console/members/\d+$", page.url), page.url
    return page.url.split("://", 1)[1].split("/", 1)[1]


def test_detail_and_edit_pages_with_their_error_states(page: Any, audit: PageAudit) -> None:
    login(page, *STAFF)
    path = "/" + _open_organisation(page)
    audit.visit(page, path, label="/console/members/<id>")
    assert page.get_by_role("heading", name="担当者").is_visible()  # staff see contacts
    assert page.get_by_role("heading", name="アカウント").is_visible()

    # The suspension needs its confirmation: the error is tied to the checkbox and takes focus.
    page.get_by_label("休止の理由・メモ").fill("テスト（確認なし）")
    response = submit(page, "休止にする", 422)
    check_submitted(audit, page, response, "/console/members/<id>/suspend (error)")
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    assert page.get_by_label("休止の理由・メモ").input_value() == "テスト（確認なし）"
    page.locator(".error-summary a").first.click()
    assert page.evaluate("() => document.activeElement.id") == "field-suspend_confirm"

    page.goto(path + "/edit")
    audit.check(page, "/console/members/<id>/edit")
    name_field = page.locator("#field-name")
    original = name_field.input_value()
    assert original == ORGANISATION
    name_field.fill("")
    page.locator("#field-contact_0_email").fill("not-an-email")
    response = submit(page, "変更を保存する", 422)
    check_submitted(audit, page, response, "/console/members/<id>/edit (error)")
    assert page.title().startswith("エラー: ")
    summary = page.locator(".error-summary").inner_text()
    assert "団体名を入力してください。" in summary and "担当者1 メールアドレス" in summary
    assert page.locator("#field-contact_0_email").get_attribute("aria-invalid") == "true"

    # Put the values back and save: the detail page says so (and nothing really changed).
    page.goto(path + "/edit")
    response = submit(page, "変更を保存する", 200)
    assert page.url.endswith("?done=saved")
    check_submitted(audit, page, response, "/console/members/<id>?done=saved")
    assert "変更を保存しました。" in page.locator(".notice").inner_text()
    audit.finish()


def test_officials_see_no_contacts_and_no_forms(page: Any, audit: PageAudit) -> None:
    login(page, *OFFICIAL)
    audit.visit(page, "/console/members", label="/console/members (official)")
    path = "/" + _open_organisation(page)
    audit.visit(page, path, label="/console/members/<id> (official)")
    text = page.locator("main").inner_text()
    assert "担当者" not in text and "@example.jp" not in text
    assert page.locator("main form").count() == 0
    audit.finish()


def test_import_dry_run_pages(page: Any, audit: PageAudit, tmp_path: Path) -> None:
    login(page, *STAFF)
    _open_organisation(page)
    number = page.locator("dt:text-is('法人番号') + dd").inner_text()
    audit.visit(page, "/console/members/import")

    # Nothing chosen: the error is tied to the file field.
    response = submit(page, "内容を確認する", 422)
    check_submitted(audit, page, response, "/console/members/import (no file)")

    rows = [
        "株式会社ブラウザ確認,ぶらうざかくにん,,個人事業主,G,1〜5人,860-0001,熊本市,中央区1-1,確認 太郎,確認 花子,check@example.jp,096-000-0000",
        "株式会社誤り,アヤマリ,,宇宙人,ZZ,1〜5人,12,熊本市,中央区1-2,誤り 太郎,誤り 花子,bad,096-000-0000",
        # The demo member, matched on its corporate number: a new address is an update.
        f"{ORGANISATION},ヒゴシステムサービス,{number},企業（法人）,G,51〜100人,860-0801,熊本市,中央区安政町3-1,緒方 誠,,,",
    ]
    bad_file = tmp_path / "会員名簿.csv"
    bad_file.write_bytes(("\ufeff" + "\r\n".join([IMPORT_HEADER, *rows]) + "\r\n").encode())
    page.locator("#field-file").set_input_files(str(bad_file))
    response = submit(page, "内容を確認する", 422)
    check_submitted(audit, page, response, "/console/members/import (rows with errors)")
    assert "誤りのある行が1行あります" in page.locator(".error-summary").inner_text()
    table = page.locator("table.import-result")
    assert table.locator("tbody tr").count() == 3
    assert "種別: 種別「宇宙人」は一覧にありません。" in table.inner_text()
    results = table.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert results == ["作成", "エラー", "更新"]
    assert "変更する列: 町名・番地・建物名" in table.locator("tbody tr").nth(2).inner_text()
    assert page.get_by_role("button", name=re.compile("取り込む")).count() == 0

    good_file = tmp_path / "members-sjis.csv"
    good_file.write_bytes(("\r\n".join([IMPORT_HEADER, rows[0]]) + "\r\n").encode("cp932"))
    page.locator("#field-file").set_input_files(str(good_file))
    response = submit(page, "内容を確認する", 200)
    check_submitted(audit, page, response, "/console/members/import (valid dry run)")
    assert page.evaluate("() => document.activeElement.id") == "import-result"
    assert "作成 1件、更新 0件、変更なし 0件、エラー 0件" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="取り込む（作成 1件・更新 0件）").is_visible()
    check_axe(page, "/console/members/import (valid dry run, live)")
    audit.finish()
