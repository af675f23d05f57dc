"""The reports for the prefecture: the monthly report (one month's page views, search,
platform use, new members and applications, events and attendance, and the fiscal year's KPIs
at the month's end, with the comments staff write before they send it and when it was sent)
and the annual report (年度報告書: the same for a fiscal year, with the year's KPIs against
their targets).

Each section is read by the service that owns it (api.analytics, api.searching.analytics,
api.events); this module only puts them together, adds the members' section and keeps the
comments. Every table of every section comes out as a ReportTable, so the page, the print view
and the workbook (one sheet per section) show the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from api import clock, periods
from api.analytics import platform_use
from api.analytics import service as page_views
from api.applications.tables import Application
from api.audit import service as audit
from api.dates import fiscal_month_index, fiscal_year, format_era_date, format_fiscal_year
from api.db import transaction
from api.errors import ValidationFailed
from api.events import service as events
from api.members.tables import Organisation
from api.periods import Period, ReportTable, month_span
from api.principal import Principal
from api.progress import report as progress
from api.reports import kpis
from api.reports.tables import MonthlyReportNote
from api.searching import analytics as search
from api.text import text_problem

MAX_COMMENTS = 4000


@dataclass(frozen=True, slots=True)
class MembersSection:
    members_at_end: int
    new_members: list[str]  # the names of the organisations that joined in the month
    withdrawn: int
    applications: int  # received in the month
    approved: int  # decided in the month
    rejected: int
    pending: int  # waiting for a decision at the month's end


@dataclass(frozen=True, slots=True)
class Note:
    comments: str
    sent_at: datetime | None
    sent_by: str  # the display name of who marked it sent
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class PrefectureReport:
    """A report for the prefecture: of a month (the monthly report) or of a fiscal year (the
    annual report)."""

    period: Period
    page_views: page_views.PageViewReport
    search: search.SearchAnalytics
    platform_use: platform_use.PlatformUse
    members: MembersSection
    events: list[events.Attendance]  # the period's events
    kpis: kpis.KpiReport
    progress: progress.ProgressSection  # the schedule, the issues and the minutes
    month_index: int  # the month (the last one for a year) within its fiscal year (0 is April)
    note: Note  # a month's only

    @property
    def is_annual(self) -> bool:
        return self.period.kind == "fiscal_year"

    @property
    def title(self) -> str:
        if self.is_annual:
            return f"年度報告書（{self.period.label}）"
        return f"月次報告（{self.period.label}）"

    @property
    def fiscal_year_label(self) -> str:
        year = fiscal_year(self.period.first)
        return f"{year}年度（{format_fiscal_year(year)}）"

    @property
    def era_label(self) -> str:
        """令和8年11月 (a month in the Japanese era, for the printed report), or 令和8年度."""
        if self.is_annual:
            return format_fiscal_year(self.period.first.year)
        return format_era_date(self.period.first).rsplit("1日", 1)[0]

    @property
    def is_sent(self) -> bool:
        return self.note.sent_at is not None


async def _members(period: Period) -> MembersSection:
    first, last = period.first, period.end - timedelta(days=1)
    start, end = month_span(first)
    members_at_end = await Organisation.count().where(
        Organisation.joined_on.is_not_null() & (Organisation.joined_on <= last)
        & (Organisation.withdrawn_on.is_null() | (Organisation.withdrawn_on > last))
    )  # fmt: skip
    joined = await (
        Organisation.select(Organisation.name)
        .where((Organisation.joined_on >= first) & (Organisation.joined_on <= last))
        .order_by(Organisation.name_kana)
    )
    withdrawn = await Organisation.count().where(
        (Organisation.withdrawn_on >= first) & (Organisation.withdrawn_on <= last)
    )
    rows = await Application.raw(
        "SELECT "
        "sum(CASE WHEN submitted_at >= {} AND submitted_at < {} THEN 1 ELSE 0 END) AS received, "
        "sum(CASE WHEN status = 'approved' AND decided_at >= {} AND decided_at < {} "
        "THEN 1 ELSE 0 END) AS approved, "
        "sum(CASE WHEN status = 'rejected' AND decided_at >= {} AND decided_at < {} "
        "THEN 1 ELSE 0 END) AS rejected, "
        "sum(CASE WHEN submitted_at < {} AND (decided_at IS NULL OR decided_at >= {}) "
        "THEN 1 ELSE 0 END) AS pending FROM membership_application",
        start, end, start, end, start, end, end, end,
    )  # fmt: skip
    counts = rows[0] if rows else {}
    return MembersSection(
        members_at_end=members_at_end,
        new_members=[row["name"] for row in joined],
        withdrawn=withdrawn,
        applications=int(counts.get("received") or 0),
        approved=int(counts.get("approved") or 0),
        rejected=int(counts.get("rejected") or 0),
        pending=int(counts.get("pending") or 0),
    )


async def note_of(month: date) -> Note:
    row = await MonthlyReportNote.select(
        MonthlyReportNote.comments, MonthlyReportNote.sent_at, MonthlyReportNote.updated_at,
        MonthlyReportNote.sent_by.display_name.as_alias("sent_by_name"),
    ).where(MonthlyReportNote.month == month).first()  # fmt: skip
    if row is None:
        return Note("", None, "", None)
    return Note(row["comments"], row["sent_at"], row["sent_by_name"] or "", row["updated_at"])


async def monthly_report(
    actor: Principal, period: Period, kpi_defaults: dict[str, int] | None = None
) -> PrefectureReport:
    """The report of a month, or of a fiscal year (each section from its own service)."""
    year = fiscal_year(period.first)
    attendance = await events.attendance(actor, year)
    start, end = month_span(period.first)[0], month_span(period.last)[1]
    last_month = min(period.last, periods.current_month())
    return PrefectureReport(
        period=period,
        page_views=await page_views.page_views(period),
        search=await search.analytics(period),
        platform_use=await platform_use.platform_use(period),
        members=await _members(period),
        events=[row for row in attendance if start <= row.event.starts_at < end],
        kpis=await kpis.kpi_report(year, kpi_defaults),
        progress=await progress.progress_of(period),
        month_index=fiscal_month_index(last_month),
        note=await note_of(period.first) if period.kind == "month" else Note("", None, "", None),
    )


async def annual_report(
    actor: Principal, year: int, kpi_defaults: dict[str, int] | None = None
) -> PrefectureReport:
    """The annual report (年度報告書) of a fiscal year."""
    return await monthly_report(actor, periods.year_period(year), kpi_defaults)


# --- the comments and the sending ------------------------------------------------------------


def _checked_comments(text: str) -> str:
    comments = text.replace("\r\n", "\n").strip()
    if problem := text_problem(comments, "所見", MAX_COMMENTS, multiline=True):
        raise ValidationFailed({"comments": problem})
    return comments


async def save_comments(actor: Principal, month: date, text: str) -> None:
    """Keep the month's comments (a report already sent is not changed)."""
    comments = _checked_comments(text)
    before = await note_of(month)
    if before.sent_at is not None:
        raise ValidationFailed(
            {
                "comments": "送付済みの報告の所見は変更できません。送付済みを取り消してから編集してください。"
            }
        )
    now = clock.now()
    async with transaction():
        await MonthlyReportNote.delete().where(MonthlyReportNote.month == month)
        await MonthlyReportNote.insert(
            MonthlyReportNote(month=month, comments=comments, updated_at=now)
        )
        await audit.record(
            actor, "report.comments", "monthly_report", month.isoformat(),
            target_label=periods.format_month(month),
            before={"comments": before.comments}, after={"comments": comments},
        )  # fmt: skip


async def mark_sent(actor: Principal, month: date, sent: bool) -> None:
    """Mark the month's report as sent to the prefecture (or take the mark back)."""
    before = await note_of(month)
    now = clock.now()
    async with transaction():
        await MonthlyReportNote.delete().where(MonthlyReportNote.month == month)
        await MonthlyReportNote.insert(
            MonthlyReportNote(
                month=month, comments=before.comments, updated_at=before.updated_at or now,
                sent_at=now if sent else None, sent_by=actor.account_id if sent else None,
            )
        )  # fmt: skip
        await audit.record(
            actor, "report.sent" if sent else "report.unsent", "monthly_report",
            month.isoformat(), target_label=periods.format_month(month),
        )  # fmt: skip


# --- sections and tables ---------------------------------------------------------------------


def members_table(report: PrefectureReport) -> ReportTable:
    m = report.members
    end = "年度末" if report.is_annual else "月末"
    return ReportTable(
        "members", "会員と入会申込", ("項目", "件数"),
        [
            (f"{end}の会員数", m.members_at_end), ("新規入会", len(m.new_members)),
            ("退会", m.withdrawn), ("受け付けた入会申込", m.applications), ("承認", m.approved),
            ("却下", m.rejected), (f"{end}に審査中の申込", m.pending),
        ],
    )  # fmt: skip


def events_table(report: PrefectureReport) -> ReportTable:
    return ReportTable(
        "events", "イベントと参加状況",
        ("イベント", "種類", "開催日", "申込", "出席", "うち会員の出席"),
        [
            (row.event.title, row.event.kind_label, format_era_date(row.event.starts_at),
             row.registered, row.attended, row.members_attended)
            for row in report.events
        ],
    )  # fmt: skip


def kpi_table(report: PrefectureReport) -> ReportTable:
    """The KPIs at the month's end against the straight line to that month."""
    index = report.month_index
    rows = []
    for item in report.kpis.items:
        actual = item.by_month[index] if item.kpi.measured else item.actual
        expected = (
            float(item.target) if item.kpi.kind == kpis.AVERAGE
            else report.kpis.expected_by(index, item.target)
        )  # fmt: skip
        rows.append((item.kpi.label, item.target, actual, expected))
    return ReportTable(
        "kpis", f"KPIの進捗（{report.period.label}末時点）", ("KPI", "年度の目標", "実績", "見込み"),
        rows,
    )  # fmt: skip


# Each section is one printed A4 page: the longest lists are split into sections of their own.
SECTIONS = (
    ("page_views", "閲覧数"), ("top_pages", "よく見られたページと来訪元"), ("search", "検索"),
    ("no_results", "結果が0件だった検索"), ("platform_use", "プラットフォームの利用"),
    ("members", "会員と入会申込"), ("events", "イベント"), ("kpis", "KPI"),
    ("schedule", "スケジュールの状況"), ("issues", "課題と議事録"),
)  # fmt: skip
REFERRERS_SHOWN = 10


def sections(report: PrefectureReport) -> list[tuple[str, str, list[ReportTable]]]:
    """Every section's tables, in the report's order: (name, title, tables)."""
    views = page_views.tables(report.page_views)
    referrers = views["referrers"]
    searched = search.tables(report.search)
    progressed = progress.tables(report.progress)
    shown_referrers = replace(
        referrers, title=f"{referrers.title}（上位{REFERRERS_SHOWN}件）",
        rows=referrers.rows[:REFERRERS_SHOWN],
    )  # fmt: skip
    found = {
        "page_views": [views["summary"], views["kinds"], views["devices"]],
        "top_pages": [views["pages"], shown_referrers],
        "search": [searched["summary"], searched["top"]],
        "no_results": [searched["no_results"]],
        "platform_use": [platform_use.tables(report.platform_use)["summary"]],
        "members": [members_table(report)],
        "events": [events_table(report)],
        "kpis": [kpi_table(report)],
        "schedule": [progressed["schedule_counts"], progressed["schedule"]],
        "issues": [
            progressed["open_issues"], progressed["resolved_issues"], progressed["minutes"]
        ],
    }  # fmt: skip
    chosen = [(name, title, found[name]) for name, title in SECTIONS]
    if report.is_annual:
        # The year's own pages: its months (each a page of its own), and the KPIs with status.
        chosen.insert(1, ("months", "月ごとの閲覧数", [views["timeline"]]))
        months = platform_use.tables(report.platform_use)["months"]
        after_use = [name for name, _, _ in chosen].index("platform_use") + 1
        chosen.insert(after_use, ("platform_months", "月ごとの利用状況", [months]))
        at = [name for name, _, _ in chosen].index("kpis")
        chosen[at] = ("kpis", "KPI", [kpis.summary_table(report.kpis)])
    return chosen


def cover_table(report: PrefectureReport) -> ReportTable:
    """The report's first page as a table: the period, a month's status and comments, and the
    overview."""
    rows: list[tuple[str | int | float | None, ...]] = [
        ("報告の期間", report.period.label if report.is_annual
         else f"{report.period.label}（{report.era_label}）"),
        ("年度", report.fiscal_year_label),
    ]  # fmt: skip
    if not report.is_annual:
        note = report.note
        status = "未送付"
        if note.sent_at is not None:
            status = f"送付済み（{format_era_date(note.sent_at)}、{note.sent_by}）"
        rows += [("状況", status), ("所見", note.comments or "（未記入）")]
    rows += [
        ("閲覧数", report.page_views.views), ("検索回数", report.search.totals.searches),
        ("会員のログイン", report.platform_use.totals.logins),
        ("新規入会", len(report.members.new_members)), ("イベント", len(report.events)),
        ("遅れているスケジュールの項目", report.progress.late),
        ("未解決の課題", len(report.progress.open_issues)),
    ]  # fmt: skip
    return ReportTable("cover", "概要", ("項目", "内容"), rows)


def workbook_sheets(report: PrefectureReport) -> list[tuple[str, list[ReportTable]]]:
    """The workbook: the overview, then one sheet per section."""
    return [("概要", [cover_table(report)])] + [
        (title, tables) for _, title, tables in sections(report)
    ]


def export_names(report: PrefectureReport) -> tuple[str, str]:
    if report.is_annual:
        return (
            f"annual-report-{report.period.code}.xlsx",
            f"年度報告書_{report.period.label}.xlsx",
        )
    return (f"monthly-report-{report.period.code}.xlsx", f"月次報告_{report.period.label}.xlsx")
