"""320 CSS pixels wide (WCAG 1.4.10 Reflow): no horizontal scrolling of the page, and no axe-core
violations that only show at that width (e.g. a table's scrolling box the keyboard cannot reach)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import ADMIN, axe_violations, describe_violations, login

WIDTH = 320
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > width + 1)
        .filter((el) => !el.closest(".table-wrap, .visually-hidden, .skip-link"))
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className} right=${el.getBoundingClientRect().right}`);
}"""


def scroll_width(page: Any) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def reflow_problems(page: Any, label: str) -> list[str]:
    """What is wrong with the page as shown at WIDTH: horizontal scrolling, axe violations."""
    problems = []
    width = scroll_width(page)
    if width > WIDTH:
        problems.append(f"{label}: scrollWidth {width} > {WIDTH}: {page.evaluate(OVERFLOW)}")
    report = describe_violations(f"{label} at {WIDTH}px", axe_violations(page))
    if report:
        problems.append(report)
    return problems


def test_no_horizontal_scrolling_at_320px(new_context: Any) -> None:
    page = new_context(viewport={"width": WIDTH, "height": 640}).new_page()
    problems: list[str] = []

    def check(label: str) -> None:
        problems.extend(reflow_problems(page, label))

    for path in ("/", "/login", "/password-reset", "/api/docs"):
        page.goto(path)
        check(path)
    page.goto("/login")
    page.get_by_role("button", name="ログインする").click()
    page.wait_for_load_state("load")
    check("/login (error)")

    login(page, *ADMIN)
    for path in ("/console", "/console/users", "/console/users/new", "/console/audit",
                 "/console/jobs", "/console/mail", "/console/tokens", "/account"):  # fmt: skip
        page.goto(path)
        check(path)
    assert not problems, "\n".join(problems)
