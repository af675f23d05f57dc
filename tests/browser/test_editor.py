"""The editors' console in the browser: every page checked with axe-core and vnu (the list, the
form and its error state, the live preview after typing, the check results, revisions and the
diff, the signed preview, static pages and themes), and publishing a case study with the
keyboard alone, ending on its public page.

The server is shared by the session: everything made here has a slug of its own per run.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlparse

from tests.browser.conftest import STAFF, PageAudit, login
from tests.browser.test_keyboard import (
    assert_focus_visible,
    focused,
    keyboard_login,
    press_enter_and_wait,
    tab_to,
    wait_for_focus,
)
from tests.browser.test_reflow import WIDTH, reflow_problems

EDITOR = ("editor@example.jp", "demo-editor-2026")  # api/demo.py DEMO_ACCOUNTS
RUN = str(int(time.time() * 1000))[-9:]


def submit(page: Any, button: str, expected_status: int) -> Any:
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button, exact=True).click()
    response = navigation.value
    assert response is not None and response.status == expected_status, (
        page.url,
        response.status if response else None,
    )
    return response


def test_editor_pages_pass_axe_and_vnu(page: Any, audit: PageAudit) -> None:
    login(page, *EDITOR)
    audit.visit(page, "/console/articles")
    audit.visit(page, "/console/articles/new?kind=event_info", label="new event info")

    # The form's error state: the summary takes focus, the messages sit next to the fields.
    audit.visit(page, "/console/articles/new?kind=case_study", label="new case study")
    page.get_by_label("スラッグ（URLの一部）").fill("Not A Slug")
    response = submit(page, "下書きとして保存する", 422)
    audit.validator.add("new case study (errors, served)", response.text())
    audit.check(page, "new case study (errors)")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert "タイトルを入力してください" in page.locator("#error-title").inner_text()

    slug = f"browser-case-{RUN}"
    page.get_by_label("タイトル", exact=False).first.fill("ブラウザで作った導入事例")
    page.get_by_label("スラッグ（URLの一部）").fill(slug)
    page.get_by_label("市町村").fill("八代市")
    page.locator("#field-body_markdown").fill("## 取り組み\n\n最初の本文です。\n")
    submit(page, "下書きとして保存する", 200)
    assert re.search(r"/console/articles/\d+\?done=created$", page.url)
    article_url = page.url.split("?")[0]

    # The live preview follows the typing (htmx), focus stays in the field.
    body = page.locator("#field-body_markdown")
    body.click()
    body.press("End")
    page.keyboard.type("\n![](media:999999)\n\n詳しくは[こちら](https://example.jp/)。\n")
    page.locator("#body-preview a[href='https://example.jp/']").wait_for()
    assert focused(page, "el.id") == "field-body_markdown"
    audit.check(page, "edit form (live preview)")

    # The check lists findings by line; its heading takes focus; a finding's link goes to the
    # line in the field.
    page.get_by_role("button", name="アクセシビリティを確認").click()
    wait_for_focus(page, "#check-heading")
    assert "指摘があります" in page.locator("#check-heading").inner_text()
    audit.check(page, "edit form (check results)")
    page.locator("#check-results a[data-editor-line]").first.click()
    assert focused(page, "el.id") == "field-body_markdown"

    # Save the second version, then see the revisions and the diff.
    page.get_by_label("版のメモ（任意）").fill("見出しを追加")
    submit(page, "保存する", 200)
    audit_path = urlparse(article_url).path
    audit.visit(page, f"{audit_path}/revisions", label="revisions")
    submit(page, "選んだ2つの版を比べる", 200)
    assert "<ins>" in page.content() and "追加" in page.locator("table.diff-lines").inner_text()
    audit.check(page, "diff")

    # The signed preview, for someone without an account.
    page.goto(audit_path)
    submit(page, "プレビュー用リンクを作成", 200)
    link = page.locator(".notice a.token-value").get_attribute("href")
    assert link and "/preview/" in link
    audit.check(page, "edit form (preview link)")
    anonymous = page.context.browser.new_context()
    try:
        other = anonymous.new_page()
        response = other.goto(link)
        assert response is not None and response.status == 200
        assert other.locator(".preview-banner").inner_text().startswith("プレビュー（未公開）")
    finally:
        anonymous.close()
    audit.visit(page, urlparse(link).path, label="preview")

    audit.visit(page, "/console/pages")
    audit.visit(page, "/console/pages/new", label="new page")
    first_page = page.locator("table.pages-table a").first
    if first_page.count():
        href = first_page.get_attribute("href")
        audit.visit(page, href, label="edit page")
    audit.visit(page, "/console/themes")
    audit.finish()


def test_publish_a_case_study_with_the_keyboard_alone(page: Any) -> None:
    slug = f"keyboard-case-{RUN}"
    keyboard_login(page, *STAFF)
    assert page.url.endswith("/console")

    tab_to(page, "a[href='/console/articles']")
    press_enter_and_wait(page)
    tab_to(page, "#new-kind")
    assert focused(page, "el.value") == "case_study"
    tab_to(page, "form[action='/console/articles/new'] button")
    press_enter_and_wait(page)
    assert "/console/articles/new?kind=case_study" in page.url

    fields = [
        ("#field-title", "キーボードだけで公開した導入事例"),
        ("#field-slug", slug),
        ("#field-summary", "マウスを使わずに作成から公開までを行いました。"),
        ("#field-organisation_name", "株式会社キーボード"),
        ("#field-municipality", "熊本市"),
    ]
    for selector, text in fields:
        tab_to(page, selector, limit=80)
        page.keyboard.type(text)
    tab_to(page, "#field-theme_ids-1", limit=20)
    page.keyboard.press("Space")
    assert focused(page, "el.checked")
    tab_to(page, "#field-body_markdown", limit=40)
    page.keyboard.type("## 取り組み\n\n受発注を電子化しました。\n")
    tab_to(page, "form.article-form button.button:not(.secondary)", limit=80)
    assert focused(page, "el.textContent.trim()") == "下書きとして保存する"
    response = press_enter_and_wait(page)
    assert response.status == 200 and "done=created" in page.url
    wait_for_focus(page, ".notice")  # the notice takes focus after the redirect

    tab_to(page, "form[action$='/publish'] button", limit=120)
    assert_focus_visible(page)
    response = press_enter_and_wait(page)
    assert response.status == 200 and "done=published" in page.url
    assert "公開中" in page.locator("dl.summary-list").inner_text()

    public = page.goto(f"/case-studies/{slug}")
    assert public is not None and public.status == 200
    assert page.locator("h1").inner_text() == "キーボードだけで公開した導入事例"
    assert "受発注を電子化しました。" in page.locator(".article-body").inner_text()


def test_editor_pages_reflow_at_320px(new_context: Any) -> None:
    page = new_context(viewport={"width": WIDTH, "height": 640}).new_page()
    login(page, *STAFF)
    page.goto("/console/articles")
    first = page.locator("table.articles-table a").first
    edit = first.get_attribute("href") if first.count() else None
    paths = [
        "/console/articles", "/console/articles/new?kind=case_study",
        "/console/articles/new?kind=event_info", "/console/pages", "/console/pages/new",
        "/console/themes",
    ]  # fmt: skip
    if edit:
        paths += [edit, f"{edit}/revisions"]
    problems = []
    for path in paths:
        page.goto(path)
        problems += reflow_problems(page, path)
    assert not problems, "\n".join(problems)
