"""The login and password-change flows with the keyboard alone: Tab, Shift+Tab, typing and Enter.

No clicks: every step is a key press, and every step checks where the focus is.
"""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import MEMBER, OFFICIAL

FOCUSED = "document.activeElement"


def focused(page: Any, expression: str) -> Any:
    return page.evaluate(f"() => {{ const el = {FOCUSED}; return el ? {expression} : null; }}")


def focused_id(page: Any) -> str:
    return focused(page, "el.id")


def wait_for_focus(page: Any, selector: str) -> None:
    page.wait_for_function(
        "(selector) => document.activeElement && document.activeElement.matches(selector)",
        arg=selector,
    )


FOCUS_INDICATOR = """(() => {
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    return outline || style.boxShadow !== "none";
})()"""


def assert_focus_visible(page: Any) -> None:
    """The focused control shows a focus indicator (an outline of 2px or more, or a ring)."""
    if not focused(page, FOCUS_INDICATOR):
        raise AssertionError(f"no visible focus on {focused(page, 'el.outerHTML.slice(0, 120)')}")


def tab_to(page: Any, selector: str, *, backwards: bool = False, limit: int = 40) -> int:
    """Press Tab (or Shift+Tab) until the focused element matches selector; returns the count.
    Every element passed on the way must show where the focus is."""
    key = "Shift+Tab" if backwards else "Tab"
    for count in range(1, limit + 1):
        page.keyboard.press(key)
        assert_focus_visible(page)
        if focused(page, f"el.matches({selector!r})"):
            return count
    raise AssertionError(f"{selector} is not reachable with {key} (at {page.url})")


def press_enter_and_wait(page: Any) -> Any:
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    return navigation.value


def keyboard_login(page: Any, email: str, password: str) -> None:
    page.goto("/login")
    tab_to(page, "#field-email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-password"
    page.keyboard.type(password)
    response = press_enter_and_wait(page)
    assert response.status == 200, page.url


def test_login_with_keyboard_only(page: Any) -> None:
    page.goto("/login")

    # The skip link is the first Tab stop, is visible when focused, and moves focus to main.
    page.keyboard.press("Tab")
    assert focused(page, "el.getAttribute('href')") == "#main"
    assert_focus_visible(page)
    assert focused(page, "el.textContent.trim()") == "本文へ移動"
    box = focused(
        page, "(() => { const r = el.getBoundingClientRect(); return [r.top, r.bottom]; })()"
    )
    assert box[0] >= 0 and box[1] > box[0], f"the focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    wait_for_focus(page, "main#main")

    # From main, the next Tab stop is the first field of the form.
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-email"
    assert_focus_visible(page)
    page.keyboard.type(MEMBER[0])
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-password"
    page.keyboard.type("not the password")
    response = press_enter_and_wait(page)
    assert response.status == 422

    # The error summary takes focus, and its link leads to the field in error.
    wait_for_focus(page, ".error-summary")
    assert "入力内容を確認してください" in focused(page, "el.textContent")
    page.keyboard.press("Tab")
    assert focused(page, "el.getAttribute('href')") == "#field-email"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    wait_for_focus(page, "#field-email")
    assert page.input_value("#field-email") == MEMBER[0]
    described_by = focused(page, "el.getAttribute('aria-describedby')")
    assert "error-email" in described_by.split()
    assert focused(page, "el.getAttribute('aria-invalid')") == "true"

    page.keyboard.press("Tab")
    assert focused_id(page) == "field-password"
    page.keyboard.type(MEMBER[1])
    # Shift+Tab goes back to the email field; Tab returns to the password, still filled.
    page.keyboard.press("Shift+Tab")
    assert focused_id(page) == "field-email"
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-password"
    response = press_enter_and_wait(page)

    assert response.status == 200
    assert page.url.endswith("/account")
    assert page.locator("h1").inner_text() == "アカウント"


def test_password_change_with_keyboard_only(page: Any) -> None:
    email, old_password = OFFICIAL
    new_password = "keyboard only change 2026"
    keyboard_login(page, email, old_password)
    assert page.url.endswith("/account")

    # A mismatched confirmation: the error summary takes focus and names the field.
    tab_to(page, "#field-current_password")
    page.keyboard.type(old_password)
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-new_password"
    page.keyboard.type(new_password)
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-new_password_confirmation"
    page.keyboard.type(new_password + "x")
    response = press_enter_and_wait(page)
    assert response.status == 422
    wait_for_focus(page, ".error-summary")
    summary = focused(page, "el.textContent")
    assert "新しいパスワード（確認）" in summary

    # Back through the form with Tab, and from the submit button up with Shift+Tab.
    tab_to(page, "#field-current_password")
    page.keyboard.type(old_password)
    tab_to(page, "button[type=submit]:not(.link-button)")
    tab_to(page, "#field-new_password", backwards=True)
    page.keyboard.type(new_password)
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-new_password_confirmation"
    page.keyboard.type(new_password)
    response = press_enter_and_wait(page)
    assert response.status == 200
    assert page.url.endswith("/account?done=password")
    wait_for_focus(page, ".notice")
    assert "パスワードを変更しました" in focused(page, "el.textContent")

    # Log out with the keyboard and log in with the new password.
    tab_to(page, "button.link-button", backwards=True)
    assert focused(page, "el.textContent.trim()") == "ログアウト"
    press_enter_and_wait(page)
    assert page.url.endswith("/login?done=logout")
    keyboard_login(page, email, new_password)
    assert page.url.endswith("/account")

    # The browser tests share one server and its demo accounts: put the old password back.
    page.fill("#field-current_password", new_password)
    page.fill("#field-new_password", old_password)
    page.fill("#field-new_password_confirmation", old_password)
    with page.expect_navigation():
        page.click("form[action='/account/password'] button[type=submit]")
    assert page.url.endswith("/account?done=password")
