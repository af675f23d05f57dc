"""The user filter on /console/users: enhanced by htmx (swap, focus, announcement) and working
as a plain GET form without JavaScript."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import ADMIN, HtmlValidator, check_axe, login

RESULTS_ROWS = "#users-results tbody tr"


def emails_in_results(page: Any) -> set[str]:
    return set(page.locator(f"{RESULTS_ROWS} td:nth-child(2)").all_inner_texts())


def test_filter_swaps_results_moves_focus_and_announces(
    page: Any, html_validator: HtmlValidator
) -> None:
    login(page, *ADMIN)
    page.goto("/console/users")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.__sameDocument = true; }")
    assert "admin@example.jp" in emails_in_results(page)

    page.get_by_label("氏名・メールアドレス").focus()
    page.keyboard.type("member")
    with page.expect_response(
        lambda r: "/console/users?" in r.url and r.request.headers.get("hx-request") == "true"
    ) as swap:
        page.keyboard.press("Enter")
    assert swap.value.status == 200
    assert "HX-Request" in swap.value.headers.get("vary", "")

    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'users-results-heading'"
    )
    heading = page.locator("#users-results-heading").inner_text()
    assert heading == "検索結果 2件"
    page.wait_for_function(
        "(text) => document.getElementById('live-region').textContent === text", arg=heading
    )
    assert emails_in_results(page) == {"member@example.jp", "member-admin@example.jp"}
    # A swap, not a page load: same document, the URL follows the filter, one page shell.
    assert page.evaluate("() => window.__sameDocument") is True
    assert "q=member" in page.url
    assert page.locator("h1").count() == 1
    assert page.locator("#users-results #users-results").count() == 0
    check_axe(page, "/console/users (after htmx swap)")
    html_validator.add_page(page, "/console/users (after htmx swap)")

    # Changing a select filters at once but leaves focus on the select; the count is announced.
    page.get_by_label("役割").focus()
    with page.expect_response(lambda r: "role=member_admin" in r.url):
        page.get_by_label("役割").select_option(label="会員管理者")
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent === '検索結果 1件'"
    )
    assert page.evaluate("() => document.activeElement.id") == "field-role"
    assert emails_in_results(page) == {"member-admin@example.jp"}

    # No match: the message replaces the table and is announced.
    with page.expect_response(lambda r: "role=&" in r.url):
        page.get_by_label("役割").select_option(label="すべて")
    page.get_by_label("氏名・メールアドレス").fill("no-such-person")
    page.get_by_label("氏名・メールアドレス").press("Enter")
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent === '検索結果 0件'"
    )
    assert page.locator("#users-results table").count() == 0
    assert "条件に合うユーザーはいません" in page.locator("#users-results").inner_text()
    check_axe(page, "/console/users (no results)")
    html_validator.add_page(page, "/console/users (no results)")

    # Back in history shows the earlier results again (a full load: no history snapshot of
    # personal data is kept in the browser's storage).
    page.go_back()
    page.wait_for_function("() => !location.search.includes('no-such-person')")
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "ユーザーと役割"
    assert emails_in_results(page) == {"member@example.jp", "member-admin@example.jp"}
    assert page.evaluate("() => Object.keys(localStorage)") == []
    html_validator.assert_valid()


def test_filter_works_without_javascript(new_context: Any) -> None:
    page = new_context(java_script_enabled=False).new_page()
    login(page, *ADMIN)
    page.goto("/console/users")
    page.get_by_label("氏名・メールアドレス").fill("member")
    with page.expect_navigation() as navigation:
        page.get_by_label("氏名・メールアドレス").press("Enter")
    assert navigation.value.status == 200
    assert "/console/users?" in page.url and "q=member" in page.url
    assert page.locator("h1").inner_text() == "ユーザーと役割"
    assert page.locator("#users-results-heading").inner_text() == "検索結果 2件"
    assert emails_in_results(page) == {"member@example.jp", "member-admin@example.jp"}
    assert page.get_by_label("氏名・メールアドレス").input_value() == "member"

    page.get_by_label("役割").select_option(label="会員管理者")
    with page.expect_navigation():
        page.get_by_role("button", name="絞り込む").click()
    assert "role=member_admin" in page.url
    assert emails_in_results(page) == {"member-admin@example.jp"}
