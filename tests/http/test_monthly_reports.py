"""The monthly report over HTTP (who may read it: test_report_access.py): the page with every
section and the era and fiscal year, comments with errors next to the field, marking it sent,
officials reading without changing, the workbook with one sheet per section, and the API."""

from __future__ import annotations

import io

from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from api.permissions import Role
from api.reports.tables import MonthlyReportNote
from tests.http.conftest import World, login_as, role_email
from tests.http.test_applications import csrf_data
from tests.http.test_kpi_reports import token_headers

MONTH = "2026-11"


async def test_the_page_has_every_section_and_the_era(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    html = (await client.get(f"/reports/monthly?month={MONTH}")).text
    assert "月次報告（2026年11月）" in html and "令和8年11月分" in html
    assert "2026年度（令和8年度）" in html and "未送付" in html
    titles = ("閲覧数", "よく見られたページと来訪元", "検索", "結果が0件だった検索", "プラットフォームの利用",
              "会員と入会申込", "イベント", "KPI", "スケジュールの状況", "課題と議事録")  # fmt: skip
    for number, title in enumerate(titles, start=1):
        assert f"{number}. {title}</h2>" in html, title
    assert html.count('class="report-page"') == len(titles)
    assert f'href="/reports/monthly.xlsx?month={MONTH}"' in html
    assert "所見を保存する" not in html and "県へ送付済みにする" not in html  # officials read
    assert " style=" not in html


async def test_staff_write_comments_and_mark_the_report_sent(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    too_long = await client.post(
        f"/reports/monthly/comments?month={MONTH}",
        data=await csrf_data(client, {"comments": "あ" * 4001}),
    )
    assert too_long.status_code == 422
    assert 'id="error-comments"' in too_long.text and "4,000文字以内" in too_long.text
    assert await MonthlyReportNote.count() == 0
    saved = await client.post(
        f"/reports/monthly/comments?month={MONTH}",
        data=await csrf_data(client, {"comments": "<b>順調</b>です。\n来月は公開イベント。"}),
    )
    assert saved.status_code == 303
    html = (await client.get(saved.headers["location"])).text
    assert "所見を保存しました" in html
    assert "<p>&lt;b&gt;順調&lt;/b&gt;です。</p>" in html
    sent = await client.post(
        f"/reports/monthly/sent?month={MONTH}", data=await csrf_data(client, {"sent": "true"})
    )
    assert sent.status_code == 303
    html = (await client.get(sent.headers["location"])).text
    assert "県へ送付済み（" in html and "送付済みを取り消す" in html
    assert "所見を保存する" not in html  # a sent report keeps its comments
    await login_as(client, role_email(Role.OFFICIAL))
    for path in ("comments", "sent"):
        refused = await client.post(
            f"/reports/monthly/{path}?month={MONTH}",
            data=await csrf_data(client, {"comments": "x", "sent": "false"}),
        )
        assert refused.status_code == 403


async def test_the_workbook_has_one_sheet_per_section(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.STAFF))
    response = await client.get(f"/reports/monthly.xlsx?month={MONTH}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "概要", "閲覧数", "よく見られたページと来訪元", "検索", "結果が0件だった検索",
        "プラットフォームの利用", "会員と入会申込", "イベント", "KPI", "スケジュールの状況",
        "課題と議事録",
    ]  # fmt: skip
    cover = list(book["概要"].iter_rows(values_only=True))
    assert cover[0][0] == "概要" and ("報告の期間", "2026年11月（令和8年11月）") in cover
    kpis = list(book["KPI"].iter_rows(values_only=True))
    assert kpis[1] == ("KPI", "年度の目標", "実績", "見込み")


async def test_the_api_reads_the_report_and_keeps_the_note(
    client: AsyncTestClient, world: World
) -> None:
    client.cookies.clear()
    staff = await token_headers(world, Role.STAFF, ["reports:read", "reports:write"])
    data = (await client.get(f"/api/v1/reports/monthly?month={MONTH}", headers=staff)).json()
    assert data["month"] == MONTH and data["era_label"] == "令和8年11月"
    assert data["page_views"]["label"] == "2026年11月" and data["kpis"]["fiscal_year"] == 2026
    assert data["members"]["applications"] == 0 and data["note"]["sent_at"] is None
    response = await client.put(
        f"/api/v1/reports/monthly/note?month={MONTH}",
        json={"comments": "API から記入", "sent": True},
        headers=staff,
    )
    assert response.status_code == 200, response.text
    assert response.json()["comments"] == "API から記入" and response.json()["sent_at"]
    reader = await token_headers(world, Role.OFFICIAL, ["reports:read"])
    denied = await client.put(
        f"/api/v1/reports/monthly/note?month={MONTH}", json={"sent": False}, headers=reader
    )
    assert denied.status_code == 403
    bad = await client.get("/api/v1/reports/monthly?month=2026-13", headers=staff)
    assert bad.status_code == 422


async def test_the_annual_report_page_workbook_and_api(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.OFFICIAL))
    html = (await client.get("/reports/annual?year=2026")).text
    assert "年度報告書（2026年度（令和8年度））" in html and "年度の概要" in html
    assert html.count('class="report-page"') == 12 and "所見" not in html
    assert 'href="/reports/annual.xlsx?year=2026"' in html
    response = await client.get("/reports/annual.xlsx?year=2026")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "概要" and len(book.sheetnames) == 13
    assert ("報告の期間", "2026年度（令和8年度）") in list(book["概要"].iter_rows(values_only=True))
    assert (await client.get("/reports/annual?year=1999")).status_code == 422
    data = (await client.get("/api/v1/reports/annual?fiscal_year=2026")).json()
    assert data["month"] == "2026" and data["era_label"] == "令和8年度"
    assert len(data["platform_use"]["by_month"]) == 12


async def test_the_api_carries_the_progress_section(client: AsyncTestClient, world: World) -> None:
    from api.progress import issues, schedule
    from tests.http.conftest import admin_principal

    staff = admin_principal(world.accounts[Role.STAFF])
    await schedule.create_item(staff, {"title": "取材", "owner": "事務局", "due_on": "2026-11-10"})
    await issues.create_issue(staff, {"title": "回収率", "owner": "県", "raised_on": "2026-11-02"})
    await login_as(client, role_email(Role.OFFICIAL))
    data = (await client.get(f"/api/v1/reports/monthly?month={MONTH}")).json()["progress"]
    assert data["as_of"] == "2026-11-30" and data["schedule_counts"]["late"] == 1
    assert [row["item"]["title"] for row in data["schedule"]] == ["取材"]
    assert data["schedule"][0]["status_at_end"] == "late"
    assert [entry["title"] for entry in data["open_issues"]] == ["回収率"]
