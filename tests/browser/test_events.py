"""Events in the browser: the calendar, an event page, the three registration steps (and the
error state) and cancellation by the mailed link, members' one-step registration with the
keyboard alone and their list, each page with axe-core and the Nu Html Checker.

Every registration made here is cancelled again, so the demo events keep their seats.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.browser.conftest import ADMIN, MEMBER_ADMIN, PageAudit, latest_link, login
from tests.browser.test_keyboard import focused, press_enter_and_wait, tab_to
from tests.browser.test_pages import submit, submit_and_check


def event_path(page: Any, title: str) -> str:
    page.goto("/events")
    # The consortium's own event (a notice of another organiser may have a similar title).
    href = page.locator("a[href^='/events/']", has_text=title).first.get_attribute("href")
    assert href and re.fullmatch(r"/events/\d+", href), href
    return href


def test_the_calendar_and_registration_for_the_open_event(
    page: Any, new_context: Any, audit: PageAudit
) -> None:
    audit.visit(page, "/events", label="/events (calendar)")
    audit.visit(page, "/events?when=past", label="/events?when=past")
    audit.visit(page, "/events?kind=seminar", label="/events?kind=seminar")
    forum = event_path(page, "くまもとDXフォーラム")
    audit.visit(page, forum, label="/events/<forum>")
    page.get_by_role("link", name="申込フォームへ進む").click()
    page.wait_for_load_state("load")
    audit.check(page, "/events/<forum>/register (入力)")
    submit_and_check(audit, page, "確認画面へ進む", 422, "/events/<forum>/register (error)")
    assert page.locator("#field-name").get_attribute("aria-invalid") == "true"
    email = f"browser-{uuid.uuid4().hex[:8]}@example.jp"
    page.locator("#field-name").fill("ブラウザ 試験")
    page.locator("#field-name_kana").fill("ぶらうざ しけん")
    page.locator("#field-email").fill(email)
    page.get_by_label("オンラインで参加").check()
    submit_and_check(audit, page, "確認画面へ進む", 200, "/events/<forum>/register/confirm (確認)")
    assert "ブラウザ シケン" in page.locator("main").inner_text()
    submit_and_check(audit, page, "申し込む", 200, "/events/<forum>/registered (完了)")
    assert "参加登録を受け付けました" in page.locator("main").inner_text()

    # The confirmation mail's link cancels it (the embedded mode shows mails to the admin).
    admin = new_context().new_page()
    login(admin, *ADMIN)
    audit.visit(page, latest_link(admin, email, "/events/cancel/"), label="/events/cancel/<token>")
    submit_and_check(audit, page, "キャンセルする", 200, "/events/cancel/<token> (done)")
    assert "キャンセルを受け付けました" in page.locator("main").inner_text()
    audit.finish()


def test_a_member_registers_with_the_keyboard_alone_and_cancels(
    page: Any, audit: PageAudit
) -> None:
    login(page, *MEMBER_ADMIN)
    seminar = event_path(page, "生成AI活用セミナー")
    audit.visit(page, seminar, label="/events/<seminar> (member)")
    # Keyboard only: to the online option, choose it, on to the button, Enter.
    tab_to(page, "#field-mode-2, #field-mode-1")
    if focused(page, "el.id") != "field-mode-2":
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit].button")
    assert focused(page, "el.textContent.trim()") == "申し込む"
    response = press_enter_and_wait(page)
    assert response.status == 200 and "/registered" in page.url, page.url
    audit.check(page, "/events/<seminar>/registered (member)")
    audit.visit(page, "/platform/events", label="/platform/events")
    assert "生成AI活用セミナー" in page.locator("main").inner_text()
    audit.visit(page, seminar, label="/events/<seminar> (registered)")
    submit(page, "お申し込みをキャンセルする", 200)
    assert "キャンセルしました" in page.locator("main").inner_text()
    audit.check(page, "/events/<seminar> (cancelled)")
    audit.finish()
