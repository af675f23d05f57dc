"""JSON routes of the reports domain under /api/v1: the member report and the KPIs per fiscal
year (and the KPIs' targets, which staff set), and the monthly report with its comments."""

from __future__ import annotations

from datetime import date, datetime

import msgspec
from litestar import Controller, Request, get, put
from litestar.params import FromPath, FromQuery, JSONBody

from api import periods
from api.analytics.routes import PageViewReportOut, PlatformUseOut
from api.dates import format_fiscal_year
from api.errors import ValidationFailed
from api.events.schemas import AttendanceOut
from api.http.auth import signed_in_principal
from api.progress import report as progress
from api.progress.routes import IssueOut, MinutesOut, ScheduleItemOut
from api.reports import kpis, monthly, service
from api.reports.schemas import MemberReportOut, ReportYearOut, ReportYearsOut
from api.searching.routes import SearchAnalyticsOut


class MemberReportController(Controller):
    path = "/api/v1/reports/members"
    tags = ["会員レポート"]

    @get("", opt={"action": "reports.members"}, summary="会員レポートの年度一覧")
    async def years(self) -> ReportYearsOut:
        years = await service.report_years()
        return ReportYearsOut(
            current=periods.current_fiscal_year(),
            years=[ReportYearOut(year=y, label=format_fiscal_year(y)) for y in years],
        )

    @get(
        "/{year:int}",
        opt={"action": "reports.members"},
        summary="年度の会員レポート（年度初め・年度末の会員数、新規入会と目標、退会、内訳）",
        description=(
            "年度は4月〜翌年3月（西暦の開始年で指定）。休止中の会員も会員数に含みます。"
            "年度初めの会員数は前年度末（3月31日）時点、年度途中の年度は今日時点の数です。"
            "範囲外の年度は422を返します。"
        ),
    )
    async def report(self, request: Request, year: FromPath[int]) -> MemberReportOut:
        year = periods.check_fiscal_year(year, service.FIRST_YEAR)
        settings = await kpis.settings_of(year, _defaults(request))
        target = settings["new_members"].target
        return MemberReportOut.of(await service.member_report(year, target))


def _defaults(request: Request) -> dict[str, int]:
    return kpis.configured_defaults(request.app.state.settings)


class KpiOut(msgspec.Struct):
    key: str
    label: str
    unit: str
    measured: bool  # False: the actual figure is entered by staff
    target: int
    actual: float | None  # None: not entered yet
    expected: float  # the straight line's figure today (or at the year's end)
    share: float | None  # the actual figure against the target, in per cent
    status: str  # achieved, on_track, behind or not_entered
    status_label: str
    by_month: list[float | None]  # April..March: cumulative, or the running average


class KpiReportOut(msgspec.Struct):
    fiscal_year: int
    label: str
    as_of: date
    elapsed: float  # the share of the year gone (1.0 once it is over)
    kpis: list[KpiOut]

    @classmethod
    def of(cls, report: kpis.KpiReport) -> KpiReportOut:
        return cls(
            fiscal_year=report.year, label=report.label, as_of=report.as_of,
            elapsed=report.elapsed,
            kpis=[
                KpiOut(
                    key=item.kpi.key, label=item.kpi.label, unit=item.kpi.unit,
                    measured=item.kpi.measured, target=item.target, actual=item.actual,
                    expected=item.expected, share=item.share, status=item.status,
                    status_label=item.status_label, by_month=list(item.by_month),
                )
                for item in report.items
            ],
        )  # fmt: skip


class KpiSettingIn(msgspec.Struct, forbid_unknown_fields=True):
    target: int
    actual: int | None = None  # only for the KPIs staff enter; null: not entered


class KpiController(Controller):
    path = "/api/v1/reports/kpis"
    tags = ["KPI"]

    @get(
        "",
        opt={"action": "reports.kpis"},
        summary="年度のKPI（目標・実績・直線の見込み・月ごとの累計）",
        description="fiscal_year は西暦の開始年（4月〜翌年3月）。省略時は今年度。",
    )
    async def report(self, request: Request, fiscal_year: FromQuery[str] = "") -> KpiReportOut:
        year = periods.parse_fiscal_year(fiscal_year)
        return KpiReportOut.of(await kpis.kpi_report(year, _defaults(request)))

    @put(
        "/targets",
        opt={"action": "kpis.manage"},
        summary="年度のKPIの目標と、事務局が入力する実績の設定",
        description=(
            "KPIのキーごとに target（目標）と actual（サイトで数えられないKPIの実績。省略または"
            "null は未入力）を指定します。指定したKPIだけが置き換わり、ほかは変わりません。"
        ),
    )
    async def set_targets(
        self,
        request: Request,
        data: JSONBody[dict[str, KpiSettingIn]],
        fiscal_year: FromQuery[str] = "",
    ) -> KpiReportOut:
        year = periods.parse_fiscal_year(fiscal_year)
        values = kpis.form_values(await kpis.settings_of(year, _defaults(request)))
        for key, setting in data.items():
            kpi = kpis.BY_KEY.get(key)
            if kpi is None:
                raise ValidationFailed(
                    {key: "このKPIはありません。"}, f"このKPIはありません: {key}"
                )
            if setting.actual is not None and kpi.measured:
                message = "このKPIの実績はサイトの記録から数えるため、入力できません。"
                raise ValidationFailed({f"actual_{key}": message}, message)
            values[f"target_{key}"] = str(setting.target)
            values.pop(f"actual_{key}", None)
            if setting.actual is not None:
                values[f"actual_{key}"] = str(setting.actual)
        await kpis.save_settings(signed_in_principal(request), year, kpis.parse_settings(values))
        return KpiReportOut.of(await kpis.kpi_report(year, _defaults(request)))


class MembersOut(msgspec.Struct):
    members_at_end: int
    new_members: list[str]  # the names of the organisations that joined in the month
    withdrawn: int
    applications: int  # received in the month
    approved: int
    rejected: int
    pending: int  # waiting for a decision at the month's end


class NoteOut(msgspec.Struct):
    comments: str
    sent_at: datetime | None
    sent_by: str
    updated_at: datetime | None

    @classmethod
    def of(cls, note: monthly.Note) -> NoteOut:
        return cls(note.comments, note.sent_at, note.sent_by, note.updated_at)


class KpiAtMonthEndOut(msgspec.Struct):
    label: str
    target: int
    actual: float | None
    expected: float


class ScheduleStatusOut(msgspec.Struct):
    item: ScheduleItemOut
    status_at_end: str  # at the period's end: late, in_progress, not_started or done


class ProgressOut(msgspec.Struct):
    """The schedule and the issues at the period's end (today for a running period), the
    issues resolved in the period and the minutes kept with its months."""

    as_of: date
    schedule_counts: dict[str, int]
    schedule: list[ScheduleStatusOut]
    open_issues: list[IssueOut]
    resolved_issues: list[IssueOut]
    minutes: list[MinutesOut]

    @classmethod
    def of(cls, section: progress.ProgressSection) -> ProgressOut:
        return cls(
            as_of=section.as_of, schedule_counts=section.counts,
            schedule=[
                ScheduleStatusOut(ScheduleItemOut.of(item), section.status_of(item))
                for item in section.items
            ],
            open_issues=[IssueOut.of(entry) for entry in section.open_issues],
            resolved_issues=[IssueOut.of(entry) for entry in section.resolved_issues],
            minutes=[MinutesOut.of(found) for found in section.minutes],
        )  # fmt: skip


class MonthlyReportOut(msgspec.Struct):
    month: str  # 2026-11 (the annual report: 2026, its fiscal year)
    label: str
    era_label: str  # 令和8年11月
    fiscal_year_label: str
    note: NoteOut
    page_views: PageViewReportOut
    search: SearchAnalyticsOut
    platform_use: PlatformUseOut
    members: MembersOut
    events: list[AttendanceOut]
    kpis: KpiReportOut
    kpis_at_month_end: list[KpiAtMonthEndOut]
    progress: ProgressOut

    @classmethod
    def of(cls, report: monthly.PrefectureReport) -> MonthlyReportOut:
        m = report.members
        return cls(
            month=report.period.code, label=report.period.label, era_label=report.era_label,
            fiscal_year_label=report.fiscal_year_label, note=NoteOut.of(report.note),
            page_views=PageViewReportOut.of(report.page_views),
            search=SearchAnalyticsOut.of(report.search),
            platform_use=PlatformUseOut.of(report.platform_use),
            members=MembersOut(
                m.members_at_end, m.new_members, m.withdrawn, m.applications, m.approved,
                m.rejected, m.pending,
            ),
            events=[AttendanceOut.of(row) for row in report.events],
            kpis=KpiReportOut.of(report.kpis),
            kpis_at_month_end=[
                KpiAtMonthEndOut(label, target, actual, expected)
                for label, target, actual, expected in monthly.kpi_table(report).rows
            ],
            progress=ProgressOut.of(report.progress),
        )  # fmt: skip


class MonthlyNoteIn(msgspec.Struct, forbid_unknown_fields=True):
    comments: str | None = None  # replaces the comments (not on a sent report)
    sent: bool | None = None  # marks the report sent to the prefecture, or takes that back


class MonthlyReportController(Controller):
    path = "/api/v1/reports/monthly"
    tags = ["月次報告"]

    @get(
        "",
        opt={"action": "reports.monthly"},
        summary="県への月次報告（閲覧数・検索・利用状況・会員と入会申込・イベント・KPI・所見）",
        description="month は 2026-11 の形（省略時は今月）。各章の数値はそれぞれのレポートと同じです。",
    )
    async def report(self, request: Request, month: FromQuery[str] = "") -> MonthlyReportOut:
        period = periods.month_period(periods.parse_month(month))
        found = await monthly.monthly_report(
            signed_in_principal(request), period, _defaults(request)
        )
        return MonthlyReportOut.of(found)

    @put(
        "/note",
        opt={"action": "monthly_report.manage"},
        summary="月次報告の所見と送付済みの印",
        description=(
            "comments は所見を置き換えます（送付済みの報告は変更できません）。sent は県へ"
            "送付済みにする（true）か、取り消す（false）かです。両方を指定すると所見を先に保存します。"
        ),
    )
    async def note(
        self, request: Request, data: JSONBody[MonthlyNoteIn], month: FromQuery[str] = ""
    ) -> NoteOut:
        chosen = periods.parse_month(month)
        actor = signed_in_principal(request)
        if data.comments is not None:
            await monthly.save_comments(actor, chosen, data.comments)
        if data.sent is not None:
            await monthly.mark_sent(actor, chosen, data.sent)
        return NoteOut.of(await monthly.note_of(chosen))


class AnnualReportController(Controller):
    path = "/api/v1/reports/annual"
    tags = ["年度報告書"]

    @get(
        "",
        opt={"action": "reports.annual"},
        summary="県への年度報告書（閲覧数・検索・利用状況・会員と入会申込・イベント・KPI）",
        description=(
            "fiscal_year は西暦の開始年（4月〜翌年3月、省略時は今年度）。月次報告と同じ形で、"
            "期間が年度です（所見と送付の印は月次報告のみ）。"
        ),
    )
    async def report(self, request: Request, fiscal_year: FromQuery[str] = "") -> MonthlyReportOut:
        year = periods.parse_fiscal_year(fiscal_year)
        found = await monthly.annual_report(signed_in_principal(request), year, _defaults(request))
        return MonthlyReportOut.of(found)


ROUTES: list = [
    MemberReportController,
    KpiController,
    MonthlyReportController,
    AnnualReportController,
]
