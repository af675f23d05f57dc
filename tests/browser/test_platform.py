"""The member platform in the browser: axe-core (zero WCAG A/AA violations), the structure rules
and valid HTML for the home page, the profile (view, edit, error state), the colleagues page
(with its error states) and the directory (list, filtered by htmx, an entry).

The demo member admin (阿蘇 美咲) belongs to the demo organisation 株式会社阿蘇デジタルワークス.
Nothing here changes the demo data other tests rely on: forms are only sent with errors, and the
one invitation uses an address no other test searches for.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.browser.conftest import (
    MEMBER,
    MEMBER_ADMIN,
    STAFF,
    HtmlValidator,
    PageAudit,
    check_axe,
    login,
)

DEMO_ORGANISATION = "株式会社阿蘇デジタルワークス"
# Contact details of the demo organisations: never in the directory.
PERSONAL = re.compile(r"@example\.jp|\d{2,4}-\d{2,4}-\d{4}")


def submit(page: Any, button: str, expected_status: int) -> Any:
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button, exact=True).click()
    response = navigation.value
    assert response is not None
    assert response.status == expected_status, f"{page.url}: {response.status}"
    return response


def submit_and_check(
    audit: PageAudit, page: Any, button: str, expected_status: int, label: str
) -> None:
    response = submit(page, button, expected_status)
    if expected_status == 422:
        assert page.title().startswith("エラー: "), page.title()
        assert page.locator(".error-summary").is_visible()
    audit.validator.add(f"{label} (served)", response.text())
    audit.check(page, label)


def test_member_admin_pages(page: Any, audit: PageAudit) -> None:
    login(page, *MEMBER_ADMIN)
    audit.visit(page, "/platform")
    assert DEMO_ORGANISATION in page.locator("main").inner_text()

    audit.visit(page, "/platform/organisation")
    assert "@example.jp" in page.locator("main").inner_text()  # the admin sees the contacts

    audit.visit(page, "/platform/organisation/edit")
    page.get_by_label("団体名", exact=False).first.fill("")
    page.locator("#field-contact_0_email").fill("not-an-address")
    submit_and_check(audit, page, "変更を保存する", 422, "/platform/organisation/edit (error)")
    # The summary links to the fields; each field says what is wrong next to it.
    assert page.locator("#error-name").is_visible()
    assert page.locator("#error-contact_0_email").is_visible()
    assert page.locator("#field-name").get_attribute("aria-invalid") == "true"
    page.locator(".error-summary a[href='#field-name']").click()
    assert page.evaluate("() => document.activeElement.id") == "field-name"

    audit.visit(page, "/platform/organisation/users")
    rows = page.locator("table tbody tr")
    assert rows.count() >= 2
    # The only admin cannot step down: the page says why.
    page.get_by_role("button", name="会員管理者を外れる").click()
    page.wait_for_load_state("load")
    assert "会員管理者が1人以上必要です" in page.locator(".error-summary").inner_text()
    audit.check(page, "/platform/organisation/users (error: last admin)")

    page.goto("/platform/organisation/users")
    submit_and_check(audit, page, "招待メールを送る", 422, "/platform/organisation/users (error)")
    assert page.locator("#error-email").is_visible()
    invitee = f"colleague-{uuid.uuid4().hex[:8]}@example.jp"
    page.get_by_label("氏名", exact=False).fill("同僚 招待")
    page.get_by_label("メールアドレス", exact=False).fill(invitee)
    submit_and_check(audit, page, "招待メールを送る", 200, "/platform/organisation/users (invited)")
    assert invitee in page.locator("table").inner_text()
    assert page.locator(".notice").is_visible()
    audit.finish()


def test_directory(page: Any, audit: PageAudit) -> None:
    login(page, *MEMBER)
    audit.visit(page, "/platform")
    assert page.get_by_role("link", name="同僚のアカウント").count() == 0  # not an admin
    audit.visit(page, "/platform/organisation")

    audit.visit(page, "/platform/directory")
    main = page.locator("main").inner_text()
    assert not PERSONAL.search(main), PERSONAL.search(main)
    heading = page.locator("#directory-results-heading").inner_text()
    assert re.fullmatch(r"検索結果 \d+件", heading) and heading != "検索結果 0件"

    page.locator(".directory-list h3 a").first.click()
    page.wait_for_load_state("load")
    assert re.search(r"/platform/directory/\d+$", page.url)
    response_text = page.content()
    audit.validator.add("/platform/directory/<id> (served)", response_text)
    audit.check(page, "/platform/directory/<id>")
    assert not PERSONAL.search(page.locator("main").inner_text())

    audit.visit(page, "/platform/directory?municipality=県外", label="/platform/directory (県外)")
    audit.visit(page, "/platform/directory?q=存在しない団体", label="/platform/directory (none)")
    assert "条件に合う団体はありません" in page.locator("main").inner_text()
    audit.finish()


def test_directory_filter_with_htmx(page: Any, html_validator: HtmlValidator) -> None:
    login(page, *MEMBER)
    page.goto("/platform/directory")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.__sameDocument = true; }")
    before = page.locator("#directory-results-heading").inner_text()

    page.get_by_label("業種").focus()
    with page.expect_response(lambda r: "industry=G" in r.url) as swap:
        page.get_by_label("業種").select_option("G")
    assert swap.value.status == 200
    assert "HX-Request" in swap.value.headers.get("vary", "")
    page.wait_for_function(
        "(before) => document.getElementById('live-region').textContent.startsWith('検索結果')"
        " && document.getElementById('directory-results-heading').textContent !== before",
        arg=before,
    )
    # A change of a select announces the count and leaves focus where the user is.
    assert page.evaluate("() => document.activeElement.id") == "field-industry"
    assert page.evaluate("() => window.__sameDocument") is True
    assert "industry=G" in page.url
    assert page.locator("h1").count() == 1
    assert DEMO_ORGANISATION in page.locator("#directory-results").inner_text()
    check_axe(page, "/platform/directory (after htmx swap)")
    html_validator.add_page(page, "/platform/directory (after htmx swap)")

    # Typing a reading in hiragana and pressing Enter: focus moves to the results heading.
    page.get_by_label("団体名・フリガナ").fill("あそでじたる")
    with page.expect_response(lambda r: "q=" in r.url):
        page.get_by_label("団体名・フリガナ").press("Enter")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'directory-results-heading'"
    )
    assert page.locator("#directory-results-heading").inner_text() == "検索結果 1件"
    assert DEMO_ORGANISATION in page.locator("#directory-results").inner_text()
    html_validator.assert_valid()


def test_directory_works_without_javascript(new_context: Any) -> None:
    page = new_context(java_script_enabled=False).new_page()
    login(page, *STAFF)  # the secretariat reads the directory without an organisation
    page.goto("/platform/directory")
    page.get_by_label("所在地").select_option("県外")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="絞り込む").click()
    assert navigation.value.status == 200
    assert "municipality=" in page.url
    assert page.locator("h1").inner_text() == "会員名簿"
    assert page.get_by_label("所在地").input_value() == "県外"
