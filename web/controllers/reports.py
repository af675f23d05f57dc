"""Reports for staff and prefecture officials: the member report per fiscal year, and the search
analytics, the page views and the platform use per month or fiscal year.

Each page, its CSV and its XLSX come from one service call (api.reports.service.member_report,
api.searching.analytics.analytics, api.analytics.service.page_views); periods come in as text so that a mistyped one gets a
Japanese message instead of a framework error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from api import periods
from api.analytics import platform_use
from api.analytics import service as page_views
from api.dates import format_fiscal_year
from api.errors import ValidationFailed
from api.periods import Breakdown, Bucket
from api.reports import service
from api.searching import analytics
from api.spreadsheets import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes
from web.downloads import download
from web.forms import form_values
from web.rendering import page


def _target(request: Request) -> int:
    return request.app.state.settings.new_members_target


def _year_options(years: list[int], selected: int | None) -> list[tuple[str, str]]:
    choices = sorted({*years, *([selected] if selected else [])}, reverse=True)
    return [(str(y), f"{y}年度（{format_fiscal_year(y)}）") for y in choices]


@get("/reports/members", opt={"action": "reports.members"}, include_in_schema=False)
async def member_report(request: Request, year: FromQuery[str] = "") -> Template:
    years = await service.report_years()
    try:
        report = await service.member_report(service.parse_year(year), _target(request))
    except ValidationFailed as exc:
        return page(
            request, "reports/members.html", status_code=422, errors=exc.errors, report=None,
            year_options=_year_options(years, None), selected=str(year)[:10],
        )  # fmt: skip
    return page(
        request, "reports/members.html", report=report,
        year_options=_year_options(years, report.year), selected=str(report.year),
        period=service.describe_period(report),
    )  # fmt: skip


@get("/reports/members.csv", opt={"action": "reports.members"}, include_in_schema=False)
async def member_report_csv(request: Request, year: FromQuery[str] = "") -> Response[bytes]:
    report = await service.member_report(service.parse_year(year), _target(request))
    body = csv_bytes(service.EXPORT_HEADER, service.report_rows(report))
    return download(body, CSV_TYPE, service.export_filename(report, "csv"))


@get("/reports/members.xlsx", opt={"action": "reports.members"}, include_in_schema=False)
async def member_report_xlsx(request: Request, year: FromQuery[str] = "") -> Response[bytes]:
    report = await service.member_report(service.parse_year(year), _target(request))
    body = xlsx_bytes(
        f"会員レポート{report.year}", service.EXPORT_HEADER, service.report_rows(report),
        widths=(36, 40, 24),
    )  # fmt: skip
    return download(body, XLSX_TYPE, service.export_filename(report, "xlsx"))


# --- reports per month or fiscal year (search analytics, page views) -------------------------

NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True, slots=True)
class PeriodReport:
    """A report read per month or fiscal year: its page, each table's CSV and XLSX, and counting
    its log now (the worker does it every hour)."""

    path: str
    template: str
    read: Callable[[periods.Period], Awaitable[Any]]
    tables: Callable[[Any], dict[str, periods.ReportTable]]
    export_names: Callable[[Any, periods.ReportTable, str], tuple[str, str]]
    context: Callable[[Any], dict[str, Any]]  # the page's charts
    roll_up: Callable[[], Awaitable[Any]] | None = None  # counts its log now


SEARCH_REPORT = PeriodReport(
    "/reports/search", "reports/search.html", analytics.analytics, analytics.tables,
    analytics.export_names,
    lambda report: {
        "month_chart": _month_chart(report), "audience_chart": _audience_chart(report)
    },
    analytics.roll_up_pending,
)  # fmt: skip
PLATFORM_USE_REPORT = PeriodReport(
    "/reports/platform-use", "reports/platform_use.html", platform_use.platform_use,
    platform_use.tables, platform_use.export_names,
    lambda report: {"charts": platform_use.charts(report)},
)  # fmt: skip
PAGE_VIEW_REPORT = PeriodReport(
    "/reports/page-views", "reports/page_views.html", page_views.page_views, page_views.tables,
    page_views.export_names, lambda report: {"charts": page_views.charts(report)},
    page_views.roll_up_pending,
)  # fmt: skip


def _month_chart(report: analytics.SearchAnalytics) -> Breakdown:
    buckets = tuple(
        Bucket(periods.month_period(month).code, periods.format_month(month), f.searches)
        for month, f in report.by_month
    )
    return Breakdown("months", "月ごとの検索回数", buckets)


def _audience_chart(report: analytics.SearchAnalytics) -> Breakdown:
    buckets = tuple(Bucket(code, label, f.searches) for code, label, f in report.by_audience)
    return Breakdown("audiences", "利用者の区分ごとの検索回数", buckets)


async def _period_page(
    request: Request, spec: PeriodReport, month: str, year: str, rolled: str
) -> Template:
    choices = {
        "month_options": periods.month_choices(), "year_options": periods.year_choices(),
        "report_path": spec.path,
    }  # fmt: skip
    try:
        period = periods.parse_period(month, year)
    except ValidationFailed as exc:
        return page(
            request, spec.template, status_code=422, headers=NO_STORE, errors=exc.errors,
            report=None, selected_month=month[:10], selected_year=year[:10], **choices,
        )  # fmt: skip
    report = await spec.read(period)
    return page(
        request, spec.template, headers=NO_STORE, report=report, tables=spec.tables(report),
        period_query=urlencode(period.query),
        selected_month=period.code if period.kind == "month" else "",
        selected_year=period.code if period.kind == "fiscal_year" else "",
        rolled=rolled == "1", change=periods.change, **spec.context(report), **choices,
    )  # fmt: skip


async def _table_download(
    spec: PeriodReport, month: str, year: str, table: str, extension: str
) -> Response[bytes]:
    report = await spec.read(periods.parse_period(month, year))
    found = spec.tables(report).get(table)
    if found is None:
        raise NotFoundException("no such table")
    names = spec.export_names(report, found, extension)
    if extension == "csv":
        return download(csv_bytes(found.header, found.rows), CSV_TYPE, names)
    widths = (24, 30, *([16] * (len(found.header) - 2)))
    return download(
        xlsx_bytes(found.title, found.header, found.rows, widths=widths), XLSX_TYPE, names
    )


async def _roll_up(request: Request, spec: PeriodReport) -> Redirect:
    values, _ = await form_values(request)
    try:
        period = periods.parse_period(values.get("month", ""), values.get("year", ""))
    except ValidationFailed:
        period = periods.month_period(periods.current_month())
    assert spec.roll_up is not None
    await spec.roll_up()
    return Redirect(f"{spec.path}?{urlencode(period.query)}&rolled=1", status_code=303)


SEARCH = {"action": "reports.search"}
PAGE_VIEWS = {"action": "reports.page_views"}


@get("/reports/search", opt=SEARCH, include_in_schema=False)
async def search_report(
    request: Request, month: FromQuery[str] = "", year: FromQuery[str] = "",
    rolled: FromQuery[str] = "",
) -> Template:  # fmt: skip
    return await _period_page(request, SEARCH_REPORT, month, year, rolled)


@get("/reports/search.csv", opt=SEARCH, include_in_schema=False)
async def search_report_csv(
    month: FromQuery[str] = "", year: FromQuery[str] = "", table: FromQuery[str] = "summary"
) -> Response[bytes]:
    return await _table_download(SEARCH_REPORT, month, year, table, "csv")


@get("/reports/search.xlsx", opt=SEARCH, include_in_schema=False)
async def search_report_xlsx(
    month: FromQuery[str] = "", year: FromQuery[str] = "", table: FromQuery[str] = "summary"
) -> Response[bytes]:
    return await _table_download(SEARCH_REPORT, month, year, table, "xlsx")


@post("/reports/search/roll-up", opt={"action": "search.roll_up"}, include_in_schema=False)
async def search_roll_up(request: Request) -> Redirect:
    """Count the log into the monthly figures now (the worker does it every hour)."""
    return await _roll_up(request, SEARCH_REPORT)


@get("/reports/page-views", opt=PAGE_VIEWS, include_in_schema=False)
async def page_view_report(
    request: Request, month: FromQuery[str] = "", year: FromQuery[str] = "",
    rolled: FromQuery[str] = "",
) -> Template:  # fmt: skip
    return await _period_page(request, PAGE_VIEW_REPORT, month, year, rolled)


@get("/reports/page-views.csv", opt=PAGE_VIEWS, include_in_schema=False)
async def page_view_report_csv(
    month: FromQuery[str] = "", year: FromQuery[str] = "", table: FromQuery[str] = "summary"
) -> Response[bytes]:
    return await _table_download(PAGE_VIEW_REPORT, month, year, table, "csv")


@get("/reports/page-views.xlsx", opt=PAGE_VIEWS, include_in_schema=False)
async def page_view_report_xlsx(
    month: FromQuery[str] = "", year: FromQuery[str] = "", table: FromQuery[str] = "summary"
) -> Response[bytes]:
    return await _table_download(PAGE_VIEW_REPORT, month, year, table, "xlsx")


@post("/reports/page-views/roll-up", opt={"action": "page_views.roll_up"}, include_in_schema=False)
async def page_view_roll_up(request: Request) -> Redirect:
    """Count today's (and any pending day's) page views now."""
    return await _roll_up(request, PAGE_VIEW_REPORT)


PLATFORM_USE = {"action": "reports.platform_use"}


@get("/reports/platform-use", opt=PLATFORM_USE, include_in_schema=False)
async def platform_use_report(
    request: Request, month: FromQuery[str] = "", year: FromQuery[str] = ""
) -> Template:
    return await _period_page(request, PLATFORM_USE_REPORT, month, year, "")


@get("/reports/platform-use.csv", opt=PLATFORM_USE, include_in_schema=False)
async def platform_use_csv(
    month: FromQuery[str] = "", year: FromQuery[str] = "", table: FromQuery[str] = "summary"
) -> Response[bytes]:
    return await _table_download(PLATFORM_USE_REPORT, month, year, table, "csv")


@get("/reports/platform-use.xlsx", opt=PLATFORM_USE, include_in_schema=False)
async def platform_use_xlsx(
    month: FromQuery[str] = "", year: FromQuery[str] = "", table: FromQuery[str] = "summary"
) -> Response[bytes]:
    return await _table_download(PLATFORM_USE_REPORT, month, year, table, "xlsx")


ROUTES = [
    member_report, member_report_csv, member_report_xlsx, search_report, search_report_csv,
    search_report_xlsx, search_roll_up, page_view_report, page_view_report_csv,
    page_view_report_xlsx, page_view_roll_up, platform_use_report, platform_use_csv,
    platform_use_xlsx,
]  # fmt: skip
