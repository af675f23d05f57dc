"""The public site in the browser, with the demo content: the lists and a detail of each kind
(reached from its list, as a visitor would), the static pages and the site map, each checked
with axe-core, the structure rules and vnu; the filter form works without JavaScript and
the pages reflow at 320 CSS pixels.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.browser.conftest import PageAudit, axe_violations, describe_violations
from tests.browser.test_reflow import OVERFLOW, WIDTH, scroll_width


def first_item(page: Any, list_path: str, selector: str) -> str:
    """The href of the first item on a list page (the demo content must have one)."""
    page.goto(list_path)
    links = page.locator(selector)
    assert links.count() > 0, f"{list_path} lists nothing: is the demo content loaded?"
    href = links.first.get_attribute("href")
    assert href
    return href


def test_lists_details_and_pages(page: Any, audit: PageAudit) -> None:
    for path in (
        "/",
        "/case-studies",
        "/news",
        "/event-info",
        "/event-info?past=1",
        "/pages/about",
        "/pages/about/grand-design",
        "/site-map",
    ):
        audit.visit(page, path)

    # A demo case study with a lead image (other tests publish some without one).
    case_path = first_item(
        page, "/case-studies", ".content-cards .content-card:has(img) .content-card-title a"
    )
    assert re.fullmatch(r"/case-studies/[a-z0-9-]+", case_path), case_path
    audit.visit(page, case_path, label="/case-studies/<slug>")
    lead = page.locator(".lead-image img")
    assert lead.count() == 1 and lead.get_attribute("alt")
    page.wait_for_function("() => document.querySelector('.lead-image img').naturalWidth > 0")
    data = json.loads(page.locator("script[type='application/ld+json']").text_content())
    assert data["@type"] == "Article" and data["headline"] == page.locator("h1").inner_text()
    crumbs = page.get_by_role("navigation", name="パンくずリスト")
    assert crumbs.locator("[aria-current='page']").inner_text() == data["headline"]

    news_path = first_item(page, "/news", ".news-list a")
    audit.visit(page, news_path, label="/news/<slug>")
    event_path = first_item(page, "/event-info", ".event-list a")
    audit.visit(page, event_path, label="/event-info/<slug>")
    assert "外部サイト" in page.locator("main").inner_text()

    # Following a theme link from the detail lands on the filtered list.
    page.goto(case_path)
    theme = page.locator(".tag-list a").first
    theme_name = theme.inner_text().replace("の導入事例一覧", "").strip()
    with page.expect_navigation():
        theme.click()
    assert "theme=" in page.url
    audit.check(page, "/case-studies?theme=<slug>")
    assert page.get_by_label("テーマ").evaluate("s => s.selectedOptions[0].text") == theme_name
    audit.visit(page, "/case-studies?municipality=五木村&industry=B", label="/case-studies (empty)")
    assert page.get_by_role("link", name="絞り込みを解除してすべての導入事例を見る").is_visible()
    audit.finish()


def test_filter_form_works_without_javascript(new_context: Any) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/case-studies")
    page.get_by_label("業種").select_option(label="製造業")
    with page.expect_navigation():
        page.get_by_role("button", name="絞り込む").click()
    assert "industry=E" in page.url
    facts = page.locator(".content-card dd").all_inner_texts()
    cards = page.locator(".content-card").count()
    if cards:
        assert sum(1 for text in facts if text == "製造業") == cards
    else:
        assert page.get_by_text("条件に合う導入事例はありません").is_visible()


def test_content_pages_reflow_at_320px(new_context: Any) -> None:
    page = new_context(viewport={"width": WIDTH, "height": 640}).new_page()
    # A demo case study with a lead image (other tests publish some without one).
    case_path = first_item(
        page, "/case-studies", ".content-cards .content-card:has(img) .content-card-title a"
    )
    event_path = first_item(page, "/event-info", ".event-list a")
    problems = []
    for path in (
        "/case-studies", case_path, "/news", "/event-info", event_path,
        "/pages/about", "/pages/about/grand-design", "/site-map",
    ):  # fmt: skip
        page.goto(path)
        if scroll_width(page) > WIDTH:
            problems.append(f"{path}: {page.evaluate(OVERFLOW)}")
        report = describe_violations(f"{path} at {WIDTH}px", axe_violations(page))
        if report:
            problems.append(report)
    assert not problems, "\n".join(problems)
