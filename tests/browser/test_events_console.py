"""The secretariat's event pages in the browser with axe-core and the Nu Html Checker: the list,
the form and its error state, an event's overview, participants, the mail preview, the check-in
page (its htmx toggle, and reflow at 320 px for a phone or a small tablet), and the attendance
report as an official. Nothing is created or sent: a check-in is undone again."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import OFFICIAL, STAFF, PageAudit, login
from tests.browser.test_pages import submit_and_check
from tests.browser.test_reflow import WIDTH, scroll_width


def console_event(page: Any, title: str) -> str:
    page.goto("/console/events")
    href = page.locator("a[href^='/console/events/']", has_text=title).first.get_attribute("href")
    assert href and re.fullmatch(r"/console/events/\d+", href), href
    return href


def test_the_secretariats_event_pages(page: Any, audit: PageAudit) -> None:
    login(page, *STAFF)
    audit.visit(page, "/console/events", label="/console/events")
    audit.visit(page, "/console/events?state=published", label="/console/events?state=published")
    audit.visit(page, "/console/events/new", label="/console/events/new")
    page.locator("#field-title").fill("")
    page.locator("#field-capacity_onsite").fill("0")
    submit_and_check(audit, page, "下書きとして作成する", 422, "/console/events/new (error)")
    assert page.locator("#field-title").get_attribute("aria-invalid") == "true"
    seminar = console_event(page, "生成AI活用セミナー")
    audit.visit(page, seminar, label="/console/events/<id>")
    audit.visit(page, f"{seminar}/edit", label="/console/events/<id>/edit")
    audit.visit(page, f"{seminar}/participants", label="/console/events/<id>/participants")
    audit.visit(page, f"{seminar}/mail", label="/console/events/<id>/mail")
    page.locator("#field-body").fill("会場の入口が変わりました。")
    submit_and_check(
        audit, page, "送信先の人数と内容を確認する", 200, "/console/events/<id>/mail (preview)"
    )
    assert page.get_by_role("button", name=re.compile(r"\d+人に送信する")).is_visible()
    audit.finish()


def test_check_in_toggles_with_htmx_and_reflows(new_context: Any, audit: PageAudit) -> None:
    page = new_context(viewport={"width": WIDTH, "height": 800}).new_page()
    login(page, *STAFF)
    seminar = console_event(page, "生成AI活用セミナー")
    audit.visit(page, f"{seminar}/check-in", label="/console/events/<id>/check-in (320px)")
    assert scroll_width(page) <= WIDTH
    counts = page.locator(".check-in-counts")
    before = counts.inner_text()
    first = page.locator(".check-in-item").first
    name = first.locator(".check-in-name").inner_text()
    with page.expect_response(lambda r: "/check-in/" in r.url and r.request.method == "POST"):
        first.get_by_role("button", name=re.compile("出席にする")).click()
    item = page.locator(".check-in-item", has_text=name)
    item.get_by_role("button", name=re.compile("出席済み")).wait_for()
    assert counts.inner_text() != before and "/check-in" in page.url
    audit.check(page, "/console/events/<id>/check-in (after a tap)")
    with page.expect_response(lambda r: "/check-in/" in r.url and r.request.method == "POST"):
        item.get_by_role("button", name=re.compile("出席済み")).click()
    item.get_by_role("button", name=re.compile("出席にする")).wait_for()
    assert counts.inner_text() == before  # undone: the demo data is as it was
    page.locator("#field-q").fill(name.split()[0])
    page.locator(".check-in-item").first.wait_for()
    assert scroll_width(page) <= WIDTH
    audit.finish()


def test_officials_read_the_attendance_report(page: Any, audit: PageAudit) -> None:
    login(page, *OFFICIAL)
    audit.visit(page, "/reports/events", label="/reports/events (official)")
    assert page.locator("table.data-table tbody tr").count() >= 1
    audit.finish()
