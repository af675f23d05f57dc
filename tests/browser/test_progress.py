"""Progress management in a real browser (demo data): the schedule, the issues list and the
minutes pass axe-core and the HTML checker as officials read them and as staff fill in their
forms (mistakes included); staff add, change and remove an entry of each kind through the
pages, leaving the demo as it was."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import (
    OFFICIAL,
    STAFF,
    PageAudit,
    login,
)
from tests.browser.test_reflow import WIDTH, reflow_problems


def test_officials_read_the_progress_pages(new_context: Any, audit: PageAudit) -> None:
    official = new_context().new_page()
    login(official, *OFFICIAL)
    official.goto("/reports/kpis")
    official.get_by_role("navigation", name="レポート").get_by_role(
        "link", name="スケジュール"
    ).click()
    official.wait_for_url("**/reports/schedule")
    audit.check(official, "/reports/schedule (official)")
    assert official.locator("table.data-table tbody tr").count() == 10
    assert official.get_by_role("link", name="項目を追加する").count() == 0
    official.select_option("#field-status", "late")
    with official.expect_navigation():
        official.get_by_role("button", name="表示する").click()
    audit.check(official, "/reports/schedule?status=late (official)")
    audit.visit(official, "/reports/issues", label="/reports/issues (official)")
    official.locator("table.data-table tbody th a").first.click()
    official.wait_for_url("**/reports/issues/*")
    audit.check(official, "/reports/issues/<id> (official)")
    audit.visit(official, "/reports/minutes", label="/reports/minutes (official)")
    official.locator("table.data-table tbody th a").first.click()
    official.wait_for_url("**/reports/minutes/*")
    audit.check(official, "/reports/minutes/<id> (official)")
    assert official.locator(".article-body h2").count() >= 1
    assert official.get_by_role("button", name="承認済みにする").count() == 0
    audit.visit(official, "/reports/schedule?year=1999", 422, label="/reports/schedule (bad)")
    audit.finish()


def test_staff_keep_the_schedule_issues_and_minutes(new_context: Any, audit: PageAudit) -> None:
    staff = new_context().new_page()
    login(staff, *STAFF)
    # The schedule: a mistake, then the item, then it goes again.
    staff.goto("/console")
    staff.get_by_role("link", name="スケジュール", exact=True).click()
    staff.get_by_role("link", name="項目を追加する").click()
    staff.wait_for_url("**/reports/schedule/new")
    audit.check(staff, "/reports/schedule/new (staff)")
    staff.get_by_label("項目名").fill("ブラウザ試験の作業")
    staff.get_by_label("担当").fill("事務局")
    with staff.expect_navigation():
        staff.get_by_role("button", name="追加する").click()
    audit.check(staff, "/reports/schedule/new (a mistake)")
    assert "期限を入力してください" in staff.locator(".error-summary").inner_text()
    assert staff.get_by_label("項目名").input_value() == "ブラウザ試験の作業"
    staff.get_by_label("期限").fill("2027-02-26")
    with staff.expect_navigation():
        staff.get_by_role("button", name="追加する").click()
    assert "追加しました" in staff.locator("main").inner_text()
    staff.get_by_role("link", name="編集 （ブラウザ試験の作業）").click()
    audit.check(staff, "/reports/schedule/<id>/edit (staff)")
    staff.get_by_label("この項目（ブラウザ試験の作業）を削除します（元に戻せません）").check()
    with staff.expect_navigation():
        staff.get_by_role("button", name="削除する").click()
    assert "削除しました" in staff.locator("main").inner_text()
    assert "ブラウザ試験の作業" not in staff.locator("main").inner_text()

    # The issues list: a decision without who decided, then the entry, then it goes again.
    audit.visit(staff, "/reports/issues/new", label="/reports/issues/new (staff)")
    staff.get_by_label("課題").fill("ブラウザ試験の課題")
    staff.get_by_label("担当").fill("事務局")
    staff.get_by_label("決定事項").fill("試験として記録する。")
    with staff.expect_navigation():
        staff.get_by_role("button", name="追加する").click()
    audit.check(staff, "/reports/issues/new (a mistake)")
    staff.get_by_label("決定者").fill("定例会議")
    with staff.expect_navigation():
        staff.get_by_role("button", name="追加する").click()
    audit.check(staff, "/reports/issues/<id> (staff, created)")
    assert "定例会議" in staff.locator("main").inner_text()
    staff.get_by_role("link", name="編集する").click()
    staff.get_by_label("この課題", exact=False).check()
    with staff.expect_navigation():
        staff.get_by_role("button", name="削除する").click()
    assert "削除しました" in staff.locator("main").inner_text()

    # The minutes: written, approved, the approval taken back, removed.
    audit.visit(staff, "/reports/minutes/new", label="/reports/minutes/new (staff)")
    staff.get_by_label("会議名").fill("ブラウザ試験の会議")
    staff.get_by_label("議事録").fill("## 議題\n\n- 試験")
    with staff.expect_navigation():
        staff.get_by_role("button", name="保存する").click()
    audit.check(staff, "/reports/minutes/<id> (staff, draft)")
    with staff.expect_navigation():
        staff.get_by_role("button", name="承認済みにする").click()
    audit.check(staff, "/reports/minutes/<id> (approval without a name)")
    staff.get_by_label("承認者").fill("県DX推進課")
    with staff.expect_navigation():
        staff.get_by_role("button", name="承認済みにする").click()
    assert "承認を記録しました" in staff.locator("main").inner_text()
    with staff.expect_navigation():
        staff.get_by_role("button", name="承認を取り消す").click()
    staff.get_by_label("この議事録を削除します（元に戻せません）").check()
    with staff.expect_navigation():
        staff.get_by_role("button", name="削除する").click()
    assert "ブラウザ試験の会議" not in staff.locator("main").inner_text()
    audit.finish()


def test_the_progress_pages_reflow_at_320px(new_context: Any) -> None:
    page = new_context(viewport={"width": WIDTH, "height": 640}).new_page()
    login(page, *STAFF)
    problems = []
    for path in ("/reports/schedule", "/reports/issues", "/reports/minutes", "/reports/issues/new"):
        page.goto(path)
        problems.extend(reflow_problems(page, path))
    assert not problems, "\n".join(problems)
