"""The member report in a real browser (demo data): axe-core, HTML validation, structure, the
year selector without JavaScript, and the page at 320 px."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import (
    OFFICIAL,
    STAFF,
    PageAudit,
    axe_violations,
    describe_violations,
    login,
)


def test_report_pages_pass_axe_and_validate(new_context: Any, audit: PageAudit) -> None:
    official = new_context().new_page()
    login(official, *OFFICIAL)
    audit.visit(official, "/reports/members", label="/reports/members (official, this year)")
    # The demo data spans four fiscal years, so the selector offers them.
    options = official.locator("#field-year option").all_inner_texts()
    assert len(options) >= 4 and all("年度（令和" in text for text in options), options
    # Every chart: a text alternative and its data table next to it.
    charts = official.locator("figure.bar-chart [role='img']")
    assert charts.count() == 5
    for index in range(charts.count()):
        label = charts.nth(index).get_attribute("aria-label") or ""
        assert "横棒グラフ" in label and "表" in label, label
    assert official.locator("table.chart-table caption").count() == 5
    assert "休止中の会員も会員数に含みます" in official.locator("main").inner_text()

    last_year = options[1].split("年度")[0]
    audit.visit(
        official, f"/reports/members?year={last_year}", label="/reports/members?year=<last>"
    )
    assert "年度途中" not in official.locator("main").inner_text()
    audit.visit(official, "/reports/members?year=2010", label="/reports/members (empty year)")
    assert "会員データはありません" in official.locator("main").inner_text()
    audit.visit(official, "/reports/members?year=abc", 422, label="/reports/members (bad year)")
    assert official.title().startswith("エラー: ")
    assert official.locator(".error-summary").is_visible()

    staff = new_context().new_page()
    login(staff, *STAFF)
    audit.visit(staff, "/reports/members", label="/reports/members (staff)")
    assert staff.get_by_role("navigation", name="パンくずリスト").is_visible()
    audit.finish()


def test_the_year_selector_works_without_javascript(new_context: Any) -> None:
    page = new_context(java_script_enabled=False).new_page()
    login(page, *OFFICIAL)
    page.goto("/reports/members")
    values = page.locator("#field-year option").evaluate_all("(os) => os.map((o) => o.value)")
    page.get_by_label("年度", exact=True).select_option(values[-1])
    with page.expect_navigation():
        page.get_by_role("button", name="表示する").click()
    assert page.url.endswith(f"/reports/members?year={values[-1]}"), page.url
    heading = page.locator("h1").inner_text()
    assert heading.startswith("会員レポート（令和"), heading
    with page.expect_download() as download:
        page.get_by_role("link", name="CSVでダウンロード", exact=False).click()
    assert download.value.suggested_filename.endswith(".csv")


def test_the_report_reflows_at_320px(new_context: Any) -> None:
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    login(page, *OFFICIAL)
    page.goto("/reports/members")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"scrollWidth {width}"
    report = describe_violations("/reports/members at 320px", axe_violations(page))
    assert not report, report


def test_search_analytics_pass_axe_and_validate(
    new_context: Any, page: Any, audit: PageAudit
) -> None:
    # A search to count: the log is written within seconds, then staff roll it up.
    page.goto("/search?q=いちご")
    staff = new_context().new_page()
    login(staff, *STAFF)
    staff.goto("/reports/search")
    staff.wait_for_timeout(2500)  # the log's batch (every two seconds)
    with staff.expect_navigation():
        staff.get_by_role("button", name="いま集計する").click()
    audit.check(staff, "/reports/search (staff, after rolling up)")
    main = staff.locator("main").inner_text()
    assert "検索ログを集計しました" in main and "いちご" in main
    charts = staff.locator("figure.bar-chart [role='img']")
    assert charts.count() == 2
    assert staff.locator("table.chart-table caption").count() == 2
    with staff.expect_download() as download:
        staff.get_by_role(
            "link", name="「よく検索された言葉」をCSVでダウンロード", exact=False
        ).click()
    assert download.value.suggested_filename.endswith(".csv")

    official = new_context().new_page()
    login(official, *OFFICIAL)
    audit.visit(official, "/reports/search?year=2026", label="/reports/search?year=2026")
    assert official.get_by_role("button", name="いま集計する").count() == 0
    audit.visit(official, "/reports/search?month=2021-05", label="/reports/search (empty)")
    assert "検索の記録はありません" in official.locator("main").inner_text()
    audit.visit(official, "/reports/search?month=13", 422, label="/reports/search (bad month)")
    assert official.locator(".error-summary").is_visible()
    audit.finish()


def test_page_views_pass_axe_and_validate(new_context: Any, audit: PageAudit) -> None:
    staff = new_context().new_page()
    login(staff, *STAFF)
    staff.goto("/reports/page-views")
    # The demo log (three months and the same months a year before), counted by day.
    with staff.expect_navigation():
        staff.get_by_role("button", name="いま集計する").click()
    audit.check(staff, "/reports/page-views (staff, after counting)")
    main = staff.locator("main").inner_text()
    assert "閲覧の記録を集計しました" in main and "よく見られたページ" in main
    charts = staff.locator("figure.bar-chart [role='img']")
    assert charts.count() == 5
    assert staff.locator("table.chart-table caption").count() == 5
    assert staff.locator("nav.report-links a[aria-current='page']").inner_text() == "閲覧数"
    with staff.expect_download() as download:
        staff.get_by_role(
            "link", name="「よく見られたページ」をCSVでダウンロード", exact=False
        ).click()
    assert download.value.suggested_filename.endswith(".csv")

    official = new_context().new_page()
    login(official, *OFFICIAL)
    official.goto("/reports/members")
    official.get_by_role("link", name="閲覧数", exact=True).click()
    official.select_option("#field-year", index=0)
    with official.expect_navigation():
        official.get_by_role("button", name="この年度を表示").click()
    audit.check(official, "/reports/page-views?year=… (official)")
    assert "年度" in official.locator("h1").inner_text()
    assert official.get_by_role("button", name="いま集計する").count() == 0
    audit.visit(official, "/reports/page-views?month=2021-05", label="/reports/page-views (empty)")
    assert "閲覧の記録はありません" in official.locator("main").inner_text()
    audit.visit(official, "/reports/page-views?month=13", 422, label="/reports/page-views (bad)")
    assert official.locator(".error-summary").is_visible()
    audit.finish()


def test_platform_use_passes_axe_and_validates(new_context: Any, audit: PageAudit) -> None:
    official = new_context().new_page()
    login(official, *OFFICIAL)
    official.goto("/reports/page-views")
    official.get_by_role("link", name="利用状況", exact=True).click()
    official.wait_for_url("**/reports/platform-use")
    audit.check(official, "/reports/platform-use (official, this month)")
    charts = official.locator("figure.bar-chart [role='img']")
    assert charts.count() == 2
    assert official.locator("table.chart-table caption").count() == 2
    main = official.locator("main").inner_text()
    assert "利用した会員ユーザー" in main and "月ごとの推移" in main
    official.select_option("#field-year", index=0)
    with official.expect_navigation():
        official.get_by_role("button", name="この年度を表示").click()
    audit.check(official, "/reports/platform-use?year=… (official)")
    with official.expect_download() as download:
        official.get_by_role("link", name="「月ごとの推移」をExcel（XLSX）でダウンロード").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    audit.finish()


def test_kpis_pass_axe_and_validate_and_staff_set_targets(
    new_context: Any, audit: PageAudit
) -> None:
    official = new_context().new_page()
    login(official, *OFFICIAL)
    official.goto("/")
    official.get_by_role("navigation", name="メインメニュー").get_by_role(
        "link", name="レポート"
    ).click()
    official.wait_for_url("**/reports/kpis")
    audit.check(official, "/reports/kpis (official)")
    rows = official.locator("table.data-table").first.locator("tbody tr")
    assert rows.count() == 9
    assert official.get_by_role("link", name="目標と入力値を編集する").count() == 0
    assert official.locator("figure.bar-chart [role='img']").count() == 1

    staff = new_context().new_page()
    login(staff, *STAFF)
    staff.goto("/reports/kpis")
    staff.get_by_role("link", name="目標と入力値を編集する").click()
    staff.wait_for_url("**/reports/kpis/targets?year=*")
    audit.check(staff, "/reports/kpis/targets (staff)")
    seminars = staff.get_by_label("目標（回）").nth(1)  # the open event's, then the seminars'
    original = seminars.input_value()
    seminars.fill("五回")
    with staff.expect_navigation():
        staff.get_by_role("button", name="保存する").click()
    audit.check(staff, "/reports/kpis/targets (a mistake)")
    summary = staff.locator(".error-summary")
    assert summary.is_visible() and "整数で入力してください" in summary.inner_text()
    staff.get_by_label("目標（回）").nth(1).fill(original)
    with staff.expect_navigation():
        staff.get_by_role("button", name="保存する").click()
    assert "目標と入力値を保存しました" in staff.locator("main").inner_text()
    audit.finish()


def test_the_monthly_report_passes_axe_and_prints_one_page_per_section(
    new_context: Any, audit: PageAudit
) -> None:
    staff = new_context().new_page()
    login(staff, *STAFF)
    staff.goto("/reports/kpis")
    staff.get_by_role("link", name="月次報告", exact=True).click()
    staff.wait_for_url("**/reports/monthly")
    staff.select_option("#field-month", index=1)  # last month: a whole month of demo data
    with staff.expect_navigation():
        staff.get_by_role("button", name="この月を表示").click()
    audit.check(staff, "/reports/monthly?month=<last> (staff)")
    pages = staff.locator("section.report-page").count()
    assert pages == 11  # the cover and ten sections
    # Printed, every section's page repeats the report, the era month and the fiscal year.
    assert staff.locator(".report-running").first.is_hidden()
    staff.emulate_media(media="print")
    running = staff.locator(".report-running")
    assert running.count() == pages - 1 and running.last.is_visible()
    assert "令和" in running.last.inner_text() and "年度" in running.last.inner_text()
    staff.emulate_media(media="null")  # back to no emulation: page.pdf() prints as print media
    # On A4 each is one page; a section that overflowed, or a table cut in two, adds a page.
    pdf = staff.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == pages
    # Comments saved, sent, the mark taken back and the comments cleared (the demo stays as
    # it was). The field stops at 4,000 characters; the server's own check is tested over HTTP.
    comments = staff.get_by_label("所見（県へ送る前に記入します）")
    assert comments.get_attribute("maxlength") == "4000"
    comments.fill("今月は順調です。")
    with staff.expect_navigation():
        staff.get_by_role("button", name="所見を保存する").click()
    audit.check(staff, "/reports/monthly (comments saved)")
    assert "所見を保存しました" in staff.locator("main").inner_text()
    with staff.expect_navigation():
        staff.get_by_role("button", name="県へ送付済みにする").click()
    assert "県へ送付済みにしました" in staff.locator("main").inner_text()
    with staff.expect_navigation():
        staff.get_by_role("button", name="送付済みを取り消す").click()
    staff.get_by_label("所見（県へ送る前に記入します）").fill("")
    with staff.expect_navigation():
        staff.get_by_role("button", name="所見を保存する").click()

    official = new_context().new_page()
    login(official, *OFFICIAL)
    audit.visit(official, "/reports/monthly", label="/reports/monthly (official, this month)")
    assert official.get_by_role("button", name="県へ送付済みにする").count() == 0
    audit.visit(official, "/reports/monthly?month=2026-13", 422, label="/reports/monthly (bad)")
    audit.finish()


def test_the_annual_report_passes_axe_and_prints_one_page_per_section(
    new_context: Any, audit: PageAudit
) -> None:
    official = new_context().new_page()
    login(official, *OFFICIAL)
    official.goto("/reports/monthly")
    official.get_by_role("link", name="年度報告書", exact=True).click()
    official.wait_for_url("**/reports/annual")
    audit.check(official, "/reports/annual (official, this year)")
    assert official.locator("h1").inner_text().startswith("年度報告書（")
    pages = official.locator("section.report-page").count()
    assert pages == 13  # the cover and twelve sections
    pdf = official.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == pages
    with official.expect_download() as download:
        official.get_by_role("link", name="年度報告書をExcel", exact=False).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    audit.visit(official, "/reports/annual?year=abc", 422, label="/reports/annual (bad year)")
    audit.finish()
