"""The case-study search in the browser: the page with results, facets chosen and the empty
state under axe-core and the Nu Html Checker; the results follow the typing with the keyboard
alone, focus stays in the box and the count is announced; the header's box leads there."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import MEMBER, STAFF, PageAudit, login
from tests.browser.test_keyboard import focused, tab_to


def test_search_pages_with_facets_and_the_empty_state(page: Any, audit: PageAudit) -> None:
    audit.visit(page, "/search?q=いちご", label="/search?q=いちご")
    assert page.locator(".search-hit mark").first.inner_text() == "いちご"
    audit.visit(page, "/search?q=&industry=A", label="/search (a facet chosen)")
    assert page.locator("input[name=industry][value=A]").is_checked()
    audit.visit(page, "/search?q=宇宙ロケット", label="/search (nothing found)")
    assert "見つかりませんでした" in page.locator(".empty-state").inner_text()
    audit.finish()


def test_the_results_follow_the_typing_with_the_keyboard_alone(page: Any) -> None:
    page.goto("/")
    tab_to(page, "#site-search-q")
    page.keyboard.type("データ")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/search?q=" in page.url
    tab_to(page, "#search-q")
    page.keyboard.press("Control+A")
    page.keyboard.type("いちご")
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent.includes('いちご')"
    )
    assert focused(page, "el.id") == "search-q"  # typing is never interrupted
    assert "q=%E3%81%84%E3%81%A1%E3%81%94" in page.url  # the address follows (back works)
    # A facet ticked with the keyboard: the results change, focus stays on the box ticked.
    tab_to(page, ".facet input[type=checkbox]")
    chosen = focused(page, "el.id")
    page.keyboard.press("Space")
    page.wait_for_function(
        "(id) => document.getElementById(id) && document.getElementById(id).checked", arg=chosen
    )
    page.wait_for_function("(id) => document.activeElement.id === id", arg=chosen)


def test_members_search_solutions(page: Any, audit: PageAudit) -> None:
    login(page, *MEMBER)
    audit.visit(page, "/platform/solutions/search?q=クラウド", label="/platform/solutions/search")
    assert page.locator(".search-hit mark").first.inner_text() == "クラウド"
    first = page.locator(".facet input[type=checkbox]").first
    first.check()
    page.wait_for_function("() => location.search.includes('=')")
    audit.check(page, "/platform/solutions/search (a facet chosen)")
    audit.visit(
        page,
        "/platform/solutions/search?q=宇宙ロケット",
        label="/platform/solutions/search (nothing found)",
    )
    page.goto("/platform/solutions/search?q=クラウド")
    with page.expect_navigation():
        page.locator(".search-hit-title a").first.click()
    assert "/platform/solutions/" in page.url and "/search" not in page.url
    audit.finish()


def test_the_synonym_editor_with_a_preview(new_context: Any, audit: PageAudit) -> None:
    staff = new_context().new_page()
    login(staff, *STAFF)
    audit.visit(staff, "/console/search/synonyms", label="/console/search/synonyms")
    assert staff.locator("table.data-table tbody tr").count() >= 10  # the default groups
    staff.get_by_label("同じ意味の言葉").fill("いちご\n苺")
    with staff.expect_navigation():
        staff.get_by_role("button", name="プレビュー（保存しません）").click()
    audit.check(staff, "/console/search/synonyms (a preview)")
    preview = staff.locator(".synonym-preview")
    assert "プレビュー: いちご・苺" in preview.inner_text()
    assert staff.get_by_label("同じ意味の言葉").input_value() == "いちご\n苺"
    staff.get_by_label("同じ意味の言葉").fill("いちご")
    with staff.expect_navigation():
        staff.get_by_role("button", name="追加する").click()
    audit.check(staff, "/console/search/synonyms (an error)")
    assert staff.locator("#error-words").is_visible()
    first = staff.locator("table.data-table tbody tr a").first
    with staff.expect_navigation():
        first.click()
    audit.check(staff, "/console/search/synonyms/<id>")
    assert staff.get_by_role("button", name="削除する").is_visible()
    audit.finish()


def test_a_facet_ticked_while_results_load_stays_ticked(page: Any) -> None:
    """The latest request wins: a facet ticked while an earlier refresh is still on its way is
    not undone when that earlier answer arrives (it is cancelled)."""
    import time

    page.goto("/search?q=データ")
    checkbox = page.locator(".facet input[type=checkbox]").first
    name = checkbox.get_attribute("name")

    def slow_without_facet(route: Any) -> None:
        if f"{name}=" not in route.request.url:
            time.sleep(1.5)  # the sort's refresh, still loading when the facet is ticked
        route.continue_()

    page.route("**/search?**", slow_without_facet)
    page.select_option("#search-sort", index=1)
    page.wait_for_timeout(200)
    chosen = checkbox.get_attribute("id")
    checkbox.check()
    page.wait_for_timeout(2500)  # both answers have had time to arrive
    assert page.locator(f"#{chosen}").is_checked()
    assert f"{name}=" in page.url
