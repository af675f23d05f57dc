"""Every page of the shell, as the role that sees it: no axe-core violations (WCAG 2.0/2.1 A and
AA), one h1 and ordered headings, a skip link, and valid HTML (Nu Html Checker).

Each test validates all its pages in one vnu run at the end and reports every problem at once.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.browser.conftest import ADMIN, MEMBER, STAFF, PageAudit, latest_link, login


def submit(page: Any, button: str, expected_status: int) -> Any:
    """Click a form's submit button and wait for the page it leads to."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    response = navigation.value
    assert response is not None
    assert response.status == expected_status, f"{page.url}: {response.status}"
    return response


def submit_and_check(
    audit: PageAudit, page: Any, button: str, expected_status: int, label: str
) -> None:
    response = submit(page, button, expected_status)
    if expected_status == 422:
        # The title says the submission failed, before anything else.
        assert page.title().startswith("エラー: "), page.title()
    audit.validator.add(f"{label} (served)", response.text())
    audit.check(page, label)


def test_public_pages_as_anonymous(page: Any, audit: PageAudit) -> None:
    for path in ("/", "/accessibility", "/privacy", "/api/docs", "/login", "/password-reset"):
        audit.visit(page, path)

    page.goto("/login")
    submit_and_check(audit, page, "ログインする", 422, "/login (error: empty form)")
    assert page.locator(".error-summary").is_visible()

    page.goto("/password-reset")
    submit_and_check(audit, page, "再設定用のリンクを送る", 422, "/password-reset (error)")
    assert page.locator(".error-summary").is_visible()
    page.get_by_label("メールアドレス").fill("nobody@example.jp")
    submit_and_check(audit, page, "再設定用のリンクを送る", 200, "/password-reset (sent)")
    assert page.locator(".notice").is_visible()

    audit.visit(page, "/no-such-page", 404)
    audit.visit(page, "/account", 401)
    audit.visit(page, "/password-reset/not-a-real-token", 404)
    audit.finish()


def test_token_pages(new_context: Any, audit: PageAudit) -> None:
    anonymous = new_context().new_page()
    anonymous.goto("/password-reset")
    anonymous.get_by_label("メールアドレス").fill(STAFF[0])
    submit(anonymous, "再設定用のリンクを送る", 200)

    admin = new_context().new_page()
    login(admin, *ADMIN)
    invitee = f"invitee-{uuid.uuid4().hex[:8]}@example.jp"
    admin.goto("/console/users/new")
    admin.get_by_label("氏名").fill("招待 テスト")
    admin.get_by_label("メールアドレス").fill(invitee)
    admin.get_by_role("checkbox", name="会員ユーザー").check()
    submit_and_check(audit, admin, "招待メールを送る", 200, "/console/users/<id> (invited)")
    assert re.search(r"/console/users/\d+\?done=invited$", admin.url), admin.url

    reset_path = latest_link(admin, STAFF[0], "/password-reset/")
    invitation_path = latest_link(admin, invitee, "/invitation/")

    audit.visit(anonymous, reset_path, label="/password-reset/<token>")
    submit_and_check(
        audit, anonymous, "パスワードを設定する", 422, "/password-reset/<token> (error)"
    )
    audit.visit(anonymous, invitation_path, label="/invitation/<token>")
    submit_and_check(audit, anonymous, "パスワードを設定する", 422, "/invitation/<token> (error)")
    audit.finish()


def test_console_pages_as_admin(page: Any, audit: PageAudit) -> None:
    login(page, *ADMIN)
    for path in (
        "/console",
        "/console/users",
        "/console/users/new",
        "/console/audit",
        "/console/jobs",
        "/console/mail",
        "/console/tokens",
        "/account",
        "/",
    ):
        audit.visit(page, path)

    page.goto("/console/users")
    href = page.get_by_role("link", name="天草 健").get_attribute("href")
    audit.visit(page, href, label="/console/users/<id>")
    page.get_by_label("氏名").fill("")
    submit_and_check(audit, page, "変更を保存する", 422, "/console/users/<id> (error)")

    page.goto("/console/users/new")
    submit_and_check(audit, page, "招待メールを送る", 422, "/console/users/new (error)")

    page.goto("/console/tokens")
    submit_and_check(audit, page, "トークンを発行する", 422, "/console/tokens (error)")
    page.get_by_label("トークン名").fill("ブラウザーテスト")
    page.get_by_label("ユーザーのメールアドレス").fill(MEMBER[0])
    page.locator("input[name=scopes]").first.check()
    submit_and_check(audit, page, "トークンを発行する", 201, "/console/tokens (created)")
    assert page.locator(".token-value").is_visible()

    audit.visit(page, "/console/audit?action=account.create", label="/console/audit (filtered)")
    audit.visit(page, "/console/jobs?status=done", label="/console/jobs (filtered)")
    audit.finish()


def test_member_pages(page: Any, audit: PageAudit) -> None:
    login(page, *MEMBER)
    assert page.url.endswith("/account")
    audit.visit(page, "/account")
    submit_and_check(audit, page, "パスワードを変更する", 422, "/account (error)")
    audit.visit(page, "/console", 403, label="/console (403 as member)")
    audit.visit(page, "/console/users", 403, label="/console/users (403 as member)")
    audit.finish()
