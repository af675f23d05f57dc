"""JSON routes of the analytics domain under /api/v1: the page views and the platform use of a
month or fiscal year."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import msgspec
from litestar import Controller, get
from litestar.params import FromQuery

from api import periods
from api.analytics import platform_use, service
from api.periods import Bucket


class CountOut(msgspec.Struct):
    code: str
    label: str
    views: int

    @classmethod
    def all(cls, buckets: list[Bucket]) -> list[CountOut]:
        return [cls(bucket.code, bucket.label, bucket.count) for bucket in buckets]


class TimelineOut(msgspec.Struct):
    start: date  # the day, or the first day of the month in a fiscal year
    label: str
    views: int


class PageOut(msgspec.Struct):
    path: str
    kind: str  # case_study, news, solution ... ('' for other pages)
    kind_label: str
    title: str  # '' when the page has no title of its own
    views: int


class PageViewReportOut(msgspec.Struct):
    kind: str  # month or fiscal_year
    period: str  # 2026-11 or 2026
    label: str
    first_day: date
    last_day: date
    views: int
    previous: int  # the previous month or fiscal year
    year_before: int  # the same month or fiscal year a year earlier
    over_time: list[TimelineOut]  # per day (a month) or per month (a fiscal year)
    by_area: list[CountOut]
    by_audience: list[CountOut]
    by_device: list[CountOut]
    by_kind: list[CountOut]
    top_pages: list[PageOut]
    top_referrers: list[CountOut]
    rolled_up_at: datetime | None

    @classmethod
    def of(cls, report: service.PageViewReport) -> PageViewReportOut:
        period = report.period
        return cls(
            kind=period.kind, period=period.code, label=period.label, first_day=period.first,
            last_day=period.end - timedelta(days=1), views=report.views, previous=report.previous,
            year_before=report.year_before,
            over_time=[TimelineOut(start, label, views) for start, label, views in report.over_time],
            by_area=CountOut.all(report.by_area), by_audience=CountOut.all(report.by_audience),
            by_device=CountOut.all(report.by_device), by_kind=CountOut.all(report.by_kind),
            top_pages=[
                PageOut(page.path, page.kind, page.kind_label, page.title, page.views)
                for page in report.top_pages
            ],
            top_referrers=CountOut.all(report.top_referrers), rolled_up_at=report.rolled_up_at,
        )  # fmt: skip


class PageViewReportController(Controller):
    path = "/api/v1/reports/page-views"
    tags = ["閲覧数"]

    @get(
        "",
        opt={"action": "reports.page_views"},
        summary="公開サイトと会員プラットフォームの閲覧数（月または年度）",
        description=(
            "month（2026-11 の形、省略時は今月）または fiscal_year（西暦の開始年、4月〜翌年3月）。"
            "ロボットと事務局の画面は数えません。数値は日ごとの集計から読みます（毎時と事務局の操作で"
            "集計し、古い記録を消しても残ります）。個人を識別する情報は記録していません。"
        ),
    )
    async def report(
        self, month: FromQuery[str] = "", fiscal_year: FromQuery[str] = ""
    ) -> PageViewReportOut:
        period = periods.parse_period(month, fiscal_year)
        return PageViewReportOut.of(await service.page_views(period))


class UseOut(msgspec.Struct):
    new_accounts: int  # member accounts created
    logins: int  # sign-ins of member accounts
    active_users: int  # member users who signed in or used a session
    active_organisations: int
    case_study_views: int
    solution_views: int
    recording_views: int
    contacts: int  # messages sent to solution providers

    @classmethod
    def of(cls, use: platform_use.MonthUse) -> UseOut:
        return cls(**{name: getattr(use, name) for name in platform_use.LABELS})


class MonthUseOut(msgspec.Struct):
    month: str  # 2026-11
    use: UseOut


class PlatformUseOut(msgspec.Struct):
    kind: str  # month or fiscal_year
    period: str
    label: str
    first_day: date
    last_day: date
    totals: UseOut  # active users and organisations: each once over the period
    previous: UseOut  # the previous month or fiscal year
    by_month: list[MonthUseOut]  # the fiscal year's months, or the 12 up to the month

    @classmethod
    def of(cls, report: platform_use.PlatformUse) -> PlatformUseOut:
        period = report.period
        return cls(
            kind=period.kind, period=period.code, label=period.label, first_day=period.first,
            last_day=period.end - timedelta(days=1), totals=UseOut.of(report.totals),
            previous=UseOut.of(report.previous),
            by_month=[
                MonthUseOut(periods.month_period(month).code, UseOut.of(use))
                for month, use in report.by_month
            ],
        )  # fmt: skip


class PlatformUseController(Controller):
    path = "/api/v1/reports/platform-use"
    tags = ["利用状況"]

    @get(
        "",
        opt={"action": "reports.platform_use"},
        summary="会員プラットフォームの利用状況（月または年度）",
        description=(
            "month（2026-11 の形、省略時は今月）または fiscal_year（西暦の開始年）。会員団体の"
            "ユーザーだけを数えます。利用したユーザー・団体は、期間中に一度でも利用したものを1と"
            "数えます。閲覧数は日ごとの集計から読みます。"
        ),
    )
    async def report(
        self, month: FromQuery[str] = "", fiscal_year: FromQuery[str] = ""
    ) -> PlatformUseOut:
        period = periods.parse_period(month, fiscal_year)
        return PlatformUseOut.of(await platform_use.platform_use(period))


ROUTES: list = [PageViewReportController, PlatformUseController]
