"""The solutions directory in the browser: axe-core (zero WCAG A/AA violations), the structure
rules and valid HTML for the directory (also after an htmx filter), a solution's page, the
contact form and the edit form with their error states, the provider's pages and statistics,
the staff's pages; and creating a solution with an image and its alternative text with the
keyboard alone.

Demo data stays as it was: forms are sent with errors only, and the solution the keyboard test
creates is deleted at its end.
"""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

from PIL import Image

from tests.browser.conftest import (
    MEMBER,
    MEMBER_ADMIN,
    STAFF,
    HtmlValidator,
    PageAudit,
    check_axe,
    login,
)
from tests.browser.test_keyboard import (
    assert_focus_visible,
    focused,
    focused_id,
    keyboard_login,
    press_enter_and_wait,
    tab_to,
    wait_for_focus,
)
from tests.browser.test_platform import submit_and_check

SOLUTION_LINK = ".directory-list h3 a"


def test_directory_solution_and_contact_form(page: Any, audit: PageAudit) -> None:
    login(page, *MEMBER)
    audit.visit(page, "/platform")
    audit.visit(page, "/platform/solutions")
    heading = page.locator("#solution-results-heading").inner_text()
    assert re.fullmatch(r"検索結果 \d+件", heading) and heading != "検索結果 0件"
    audit.visit(page, "/platform/solutions?page_number=2", label="/platform/solutions (page 2)")
    audit.visit(
        page, "/platform/solutions?subsidy=1&sort=title", label="/platform/solutions (subsidy)"
    )
    audit.visit(page, "/platform/solutions?q=存在しない製品", label="/platform/solutions (none)")
    assert "条件に合うソリューションはありません" in page.locator("main").inner_text()

    # Another organisation's solution: its page, then the contact form and its error state.
    page.goto("/platform/solutions?q=ドローン")
    page.locator(SOLUTION_LINK).first.click()
    page.wait_for_load_state("load")
    assert re.search(r"/platform/solutions/\d+$", page.url)
    audit.validator.add("/platform/solutions/<id> (served)", page.content())
    audit.check(page, "/platform/solutions/<id>")
    assert "@example.jp" not in page.locator("main").inner_text()  # no contacts on the page
    page.get_by_role("link", name="この提供団体に問い合わせる").click()
    page.wait_for_load_state("load")
    audit.check(page, "/platform/solutions/<id>/contact")
    page.get_by_label("お問い合わせ内容", exact=False).fill("下書きの本文")
    submit_and_check(audit, page, "送信する", 422, "/platform/solutions/<id>/contact (error)")
    assert page.locator("#error-subject").is_visible()
    assert page.get_by_label("お問い合わせ内容", exact=False).input_value() == "下書きの本文"
    audit.visit(page, "/platform/bookmarks")
    audit.finish()


def test_directory_filter_with_htmx(page: Any, html_validator: HtmlValidator) -> None:
    login(page, *MEMBER)
    page.goto("/platform/solutions")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.__sameDocument = true; }")
    before = page.locator("#solution-results-heading").inner_text()
    page.get_by_label("カテゴリ").focus()
    with page.expect_response(lambda r: "category=" in r.url) as swap:
        page.get_by_label("カテゴリ").select_option(label="農業")
    assert swap.value.status == 200
    page.wait_for_function(
        "(before) => document.getElementById('solution-results-heading').textContent !== before",
        arg=before,
    )
    assert page.evaluate("() => document.activeElement.id") == "field-category"
    assert page.evaluate("() => window.__sameDocument") is True
    assert page.locator("h1").count() == 1
    check_axe(page, "/platform/solutions (after htmx swap)")
    html_validator.add_page(page, "/platform/solutions (after htmx swap)")
    html_validator.assert_valid()


def test_provider_pages_and_the_edit_form_error_state(page: Any, audit: PageAudit) -> None:
    login(page, *MEMBER_ADMIN)
    audit.visit(page, "/platform/organisation/solutions")
    main = page.locator("main").inner_text()
    assert "事務局により非公開" in main and "非掲載" in main
    audit.visit(page, "/platform/organisation/solution-statistics")
    assert page.locator("table caption").count() >= 3
    audit.visit(page, "/platform/inquiries")
    audit.visit(page, "/platform/organisation/solutions/new")
    submit_and_check(audit, page, "登録する", 422, "/platform/organisation/solutions/new (error)")
    assert page.locator("#error-title").is_visible()
    page.locator(".error-summary a[href='#field-category_ids']").click()
    # The link leads into the group: its first checkbox takes the focus.
    assert page.evaluate("() => document.activeElement.id") == "field-category_ids-1"
    # A solution of the demo organisation: its edit form, its files, its page.
    page.goto("/platform/organisation/solutions")
    edit = page.get_by_role("link", name=re.compile("^編集")).first.get_attribute("href")
    audit.visit(page, edit)
    audit.visit(page, edit.replace("/edit", "/files"))
    audit.visit(page, edit.replace("/organisation/solutions", "/solutions").replace("/edit", ""))
    audit.finish()


def test_staff_pages_and_the_moderation_error_state(page: Any, audit: PageAudit) -> None:
    login(page, *STAFF)
    audit.visit(page, "/console")
    audit.visit(page, "/console/solutions")
    assert page.locator(".directory-list > li").count() > 0  # the demo has stale solutions
    audit.visit(page, "/console/solutions?view=moderated", label="/console/solutions (moderated)")
    audit.visit(page, "/console/solution-categories")
    audit.visit(page, "/platform/solutions")
    page.locator(SOLUTION_LINK).first.click()
    page.wait_for_load_state("load")
    submit_and_check(
        audit,
        page,
        "このソリューションを非公開にする",
        422,
        "/platform/solutions/<id> (moderation error)",
    )
    assert page.locator("#error-reason").is_visible()
    audit.finish()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 500), (20, 120, 60)).save(out, "PNG")
    return out.getvalue()


def test_create_a_solution_with_an_image_with_the_keyboard_alone(page: Any) -> None:
    keyboard_login(page, *MEMBER_ADMIN)
    title = f"キーボード登録テスト {uuid.uuid4().hex[:6]}"
    page.goto("/platform/organisation/solutions/new")
    tab_to(page, "#field-title")
    page.keyboard.type(title)
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-summary"
    page.keyboard.type("キーボードだけで登録したソリューションです。")
    tab_to(page, "#field-category_ids-1")
    page.keyboard.press("Space")  # the first category
    tab_to(page, "#field-price_model-1")
    page.keyboard.press("Space")  # free
    tab_to(page, "#field-delivery-1")
    page.keyboard.press("Space")  # cloud
    assert page.is_checked("#field-all_kumamoto")  # the default: all of Kumamoto
    tab_to(page, "button[type=submit]")
    assert_focus_visible(page)
    response = press_enter_and_wait(page)
    assert response.status == 200 and "/files" in page.url, page.url
    assert "画像やパンフレット" in page.locator(".notice").inner_text()

    # The image: the file input is reached with Tab. The operating system's file dialog it
    # opens lies outside the page (headless Chromium shows none), so the file is set on the
    # focused input as that dialog would; everything else is typed.
    tab_to(page, "#field-image_file")
    page.locator("#field-image_file:focus").set_input_files(
        files=[{"name": "screen.png", "mimeType": "image/png", "buffer": _png()}]
    )
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-alt_text"
    page.keyboard.type("緑色の背景に製品名が表示された画面")
    response = press_enter_and_wait(page)
    assert response.status == 200
    wait_for_focus(page, ".notice")
    assert "ファイルを追加しました" in focused(page, "el.textContent")
    assert page.locator("img[alt='緑色の背景に製品名が表示された画面']").count() == 1
    check_axe(page, "/platform/organisation/solutions/<id>/files (after upload)")

    # The solution's page shows the image with its alternative text.
    solution_path = re.search(r"/platform/organisation/solutions/(\d+)/files", page.url)
    assert solution_path
    solution_id = solution_path.group(1)
    page.goto(f"/platform/solutions/{solution_id}")
    image = page.locator(".solution-images img")
    assert image.get_attribute("alt") == "緑色の背景に製品名が表示された画面"
    assert image.evaluate("el => el.complete && el.naturalWidth > 0")

    # Leave the demo data as it was.
    page.goto(f"/platform/organisation/solutions/{solution_id}/delete")
    with page.expect_navigation():
        page.get_by_role("button", name="削除する").click()
    assert title not in page.locator("main").inner_text()
