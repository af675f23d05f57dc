"""The monthly report: its own members' section exact in Japan time, the KPIs read at the
month's end, every section's tables in order, and the comments and the sending (audited; a
sent report's comments stay as they were sent)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from api import clock, periods
from api.applications.tables import Application
from api.audit.tables import AuditEntry
from api.dates import JST
from api.errors import ValidationFailed
from api.members.tables import Organisation
from api.permissions import Role
from api.principal import Principal
from api.reports import monthly
from api.settings import Settings
from tests.conftest import make_account
from tests.factories import make_organisation
from tests.service.test_kpis import event

pytestmark = pytest.mark.usefixtures("db")

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=JST)
NOVEMBER = periods.month_period(date(2026, 11, 1))


@pytest.fixture(autouse=True)
def now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
async def staff(settings: Settings) -> Principal:
    account = await make_account(settings, "staff@example.jp", {Role.STAFF})
    return Principal(account.id, account.email, "事務局 花子", frozenset({Role.STAFF}))


async def application(
    index: int, status: str, submitted: datetime, decided: datetime | None
) -> None:
    await Application.insert(
        Application(
            reference=f"R8-{index:04d}", status=status, organisation_name=f"申込{index}",
            name_kana="もうしこみ", name_key=f"key{index}", data="{}", applicant_name="申込 太郎",
            applicant_email=f"a{index}@example.jp", submission_key=f"s{index}",
            declaration_name="申込 太郎", submitted_at=submitted, decided_at=decided,
        )
    )  # fmt: skip


async def test_the_members_section_is_exact_in_japan_time(staff: Principal) -> None:
    await make_organisation(1, joined_on=date(2026, 4, 1))
    await make_organisation(2, joined_on=date(2026, 11, 1))
    await make_organisation(3, joined_on=date(2026, 11, 30))
    await make_organisation(4, joined_on=date(2026, 12, 1))  # December
    gone = await make_organisation(5, joined_on=date(2025, 4, 1))
    await Organisation.update({Organisation.withdrawn_on: date(2026, 11, 15)}).where(
        Organisation.id == gone
    )
    last_minute = datetime(2026, 11, 30, 23, 59, tzinfo=JST)
    await application(1, "submitted", last_minute, None)  # received, pending at the end
    await application(
        2, "approved", datetime(2026, 10, 20, tzinfo=JST), datetime(2026, 11, 2, tzinfo=JST)
    )
    await application(
        3, "rejected", datetime(2026, 11, 3, tzinfo=JST), datetime(2026, 11, 4, tzinfo=JST)
    )
    await application(
        4, "approved", datetime(2026, 11, 28, tzinfo=JST), datetime(2026, 12, 1, tzinfo=JST)
    )
    report = await monthly.monthly_report(staff, NOVEMBER)
    members = report.members
    assert members.members_at_end == 3 and len(members.new_members) == 2
    assert members.withdrawn == 1
    assert (members.applications, members.approved, members.rejected) == (3, 1, 1)
    assert members.pending == 2  # the one sent at 23:59 and the one decided in December
    assert monthly.members_table(report).rows[0] == ("月末の会員数", 3)


async def test_the_sections_come_in_order_and_the_kpis_are_read_at_the_months_end(
    staff: Principal,
) -> None:
    await make_organisation(1, joined_on=date(2026, 11, 10))
    await make_organisation(2, joined_on=date(2026, 12, 2))  # after November
    await event("seminar", datetime(2026, 11, 12, 14, tzinfo=JST), onsite=8, online=2)
    report = await monthly.monthly_report(staff, NOVEMBER)
    assert [name for name, _, _ in monthly.sections(report)] == [
        "page_views", "top_pages", "search", "no_results", "platform_use", "members", "events",
        "kpis", "schedule", "issues",
    ]  # fmt: skip
    kpi_rows = {row[0]: row for row in monthly.kpi_table(report).rows}
    assert kpi_rows["新規会員"] == ("新規会員", 50, 1, 33.3)  # 8 of 12 months of 50
    assert kpi_rows["会員向けセミナーの開催"][2] == 1
    assert kpi_rows["セミナー1回あたりの参加者"][2:] == (10.0, 30.0)
    assert [row[0] for row in monthly.events_table(report).rows] == ["催し"]
    assert report.era_label == "令和8年11月" and report.fiscal_year_label == "2026年度（令和8年度）"
    sheets = monthly.workbook_sheets(report)
    assert [title for title, _ in sheets][:2] == ["概要", "閲覧数"] and len(sheets) == 11


async def test_comments_are_kept_until_the_report_is_sent(staff: Principal) -> None:
    month = NOVEMBER.first
    with pytest.raises(ValidationFailed) as refused:
        await monthly.save_comments(staff, month, "あ" * 4001)
    assert "4,000文字以内" in refused.value.errors["comments"]
    await monthly.save_comments(staff, month, "  今月は順調です。\r\n来月は公開イベント。  ")
    note = await monthly.note_of(month)
    assert note.comments == "今月は順調です。\n来月は公開イベント。" and note.sent_at is None
    await monthly.mark_sent(staff, month, True)
    sent = await monthly.note_of(month)
    assert sent.sent_at == NOW and sent.sent_by == "テスト 利用者"  # the account's name
    assert sent.comments == note.comments
    with pytest.raises(ValidationFailed):
        await monthly.save_comments(staff, month, "書き換え")
    await monthly.mark_sent(staff, month, False)
    assert (await monthly.note_of(month)).sent_at is None
    actions = [
        row["action"] for row in await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id)
    ]
    assert actions[-3:] == ["report.comments", "report.sent", "report.unsent"]
    assert (await monthly.note_of(date(2026, 10, 1))).comments == ""


async def test_the_annual_report_covers_the_fiscal_year(staff: Principal) -> None:
    await make_organisation(1, joined_on=date(2026, 4, 1))
    await make_organisation(2, joined_on=date(2026, 11, 10))
    await make_organisation(3, joined_on=date(2026, 3, 31))  # the year before
    await event("seminar", datetime(2026, 5, 12, 14, tzinfo=JST), onsite=8)
    await event("seminar", datetime(2026, 11, 12, 14, tzinfo=JST), onsite=4)
    report = await monthly.annual_report(staff, 2026)
    assert report.is_annual and report.title == "年度報告書（2026年度（令和8年度））"
    assert report.era_label == "令和8年度"
    assert len(report.members.new_members) == 2 and report.members.members_at_end == 3
    assert len(report.events) == 2
    found = {name: tables for name, _, tables in monthly.sections(report)}
    assert [name for name, _, _ in monthly.sections(report)] == [
        "page_views", "months", "top_pages", "search", "no_results", "platform_use",
        "platform_months", "members", "events", "kpis", "schedule", "issues",
    ]  # fmt: skip
    assert found["months"][0].name == "timeline" and found["platform_months"][0].name == "months"
    kpi_rows = {row[0]: row for row in found["kpis"][0].rows}
    assert kpi_rows["新規会員"][1:3] == (50, 2)  # the year's target and new members so far
    assert kpi_rows["会員向けセミナーの開催"][2] == 2
    assert ("年度末の会員数", 3) in monthly.members_table(report).rows
    cover = monthly.cover_table(report).rows
    assert (
        cover[0] == ("報告の期間", "2026年度（令和8年度）（令和8年度）")
        or cover[0][0] == "報告の期間"
    )
    assert all(row[0] not in ("状況", "所見") for row in cover)  # a month's only
    assert monthly.export_names(report)[1] == "年度報告書_2026年度（令和8年度）.xlsx"


async def test_the_progress_sections_read_the_schedule_and_issues_at_the_months_end(
    staff: Principal,
) -> None:
    from api.progress import issues, minutes, schedule

    def item(title: str, due: str, status: str = "in_progress") -> dict[str, str]:
        return {"title": title, "owner": "事務局", "due_on": due, "status": status}

    await schedule.create_item(staff, item("11月の作業", "2026-11-20"))
    await schedule.create_item(staff, item("10月の遅れ", "2026-10-15"))
    await schedule.create_item(staff, item("1月の作業", "2027-01-20"))
    finished = await schedule.create_item(staff, item("済んだ作業", "2026-11-25"))
    await schedule.update_item(staff, finished, item("済んだ作業", "2026-11-25", "done"))
    open_issue = {"title": "未解決", "owner": "事務局", "raised_on": "2026-10-01"}
    await issues.create_issue(staff, open_issue)
    await issues.create_issue(
        staff, open_issue | {"title": "12月に起票", "raised_on": "2026-12-01"}
    )
    await minutes.create_minutes(
        staff,
        {"title": "第7回", "held_on": "2026-12-03", "report_month": "2026-11", "body": "議事"},
    )
    report = await monthly.monthly_report(staff, NOVEMBER)
    found = {name: tables for name, _, tables in monthly.sections(report)}
    counts, items = found["schedule"]
    # At the end of November: the item done on 6 December was still late then, like October's.
    assert dict(counts.rows) == {"遅れ": 3, "進行中": 1, "未着手": 0, "完了": 0}
    assert counts.title == "スケジュールの状況（2026年11月30日時点）"
    assert [row[0] for row in items.rows] == ["10月の遅れ", "11月の作業", "済んだ作業"]
    open_issues, resolved, kept = found["issues"]
    assert [row[0].split(" ", 1)[1] for row in open_issues.rows] == ["未解決"]
    assert resolved.rows == [] and [row[0] for row in kept.rows] == ["第7回"]
    cover = dict(monthly.cover_table(report).rows)
    assert cover["遅れているスケジュールの項目"] == 3 and cover["未解決の課題"] == 1
