"""Reports for staff and prefecture officials: the member report per fiscal year, and the search
analytics, the page views and the platform use per month or fiscal year, and the fiscal year's
KPIs with the form where staff set their targets, and the monthly report for the prefecture
with its comments and the annual report (the same page for a fiscal year).

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
from api.http.headers import NO_STORE
from api.periods import Breakdown, Bucket
from api.reports import kpis, monthly, service
from api.searching import analytics
from api.spreadsheets import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes, xlsx_workbook
from web.downloads import download
from web.forms import form_values
from web.rendering import page, signed_in_principal


def _kpi_defaults(request: Request) -> dict[str, int]:
    """The contract's KPI targets as this deployment configures them."""
    return kpis.configured_defaults(request.app.state.settings)


async def _target(request: Request, year: int) -> int:
    """The year's new-members target, as the KPIs hold it."""
    settings = await kpis.settings_of(year, _kpi_defaults(request))
    return settings["new_members"].target


def _year_options(years: list[int], selected: int | None) -> list[tuple[str, str]]:
    choices = sorted({*years, *([selected] if selected else [])}, reverse=True)
    return [(str(y), f"{y}年度（{format_fiscal_year(y)}）") for y in choices]


@get("/reports/members", opt={"action": "reports.members"}, include_in_schema=False)
async def member_report(request: Request, year: FromQuery[str] = "") -> Template:
    years = await service.report_years()
    try:
        chosen = periods.parse_fiscal_year(year, service.FIRST_YEAR)
        report = await service.member_report(chosen, await _target(request, chosen))
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
    chosen = periods.parse_fiscal_year(year, service.FIRST_YEAR)
    report = await service.member_report(chosen, await _target(request, chosen))
    body = csv_bytes(service.EXPORT_HEADER, service.report_rows(report))
    return download(body, CSV_TYPE, service.export_filename(report, "csv"))


@get("/reports/members.xlsx", opt={"action": "reports.members"}, include_in_schema=False)
async def member_report_xlsx(request: Request, year: FromQuery[str] = "") -> Response[bytes]:
    chosen = periods.parse_fiscal_year(year, service.FIRST_YEAR)
    report = await service.member_report(chosen, await _target(request, chosen))
    body = xlsx_bytes(
        f"会員レポート{report.year}", service.EXPORT_HEADER, service.report_rows(report),
        widths=(36, 40, 24),
    )  # fmt: skip
    return download(body, XLSX_TYPE, service.export_filename(report, "xlsx"))


# --- reports per month or fiscal year (search analytics, page views) -------------------------


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
    return _export(found, spec.export_names(report, found, extension), extension)


def _export(table: periods.ReportTable, names: tuple[str, str], extension: str) -> Response[bytes]:
    """A report table as a CSV or XLSX download."""
    if extension == "csv":
        return download(csv_bytes(table.header, table.rows), CSV_TYPE, names)
    widths = (24, 30, *([16] * (len(table.header) - 2)))
    body = xlsx_bytes(table.title, table.header, table.rows, widths=widths)
    return download(body, XLSX_TYPE, names)


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


# --- KPIs per fiscal year ---------------------------------------------------------------------

KPIS = {"action": "reports.kpis"}
KPIS_MANAGE = {"action": "kpis.manage"}


async def _kpi_report(request: Request, year: int) -> kpis.KpiReport:
    return await kpis.kpi_report(year, _kpi_defaults(request))


@get("/reports/kpis", opt=KPIS, include_in_schema=False)
async def kpi_report(
    request: Request, year: FromQuery[str] = "", saved: FromQuery[str] = ""
) -> Template:
    choices = {"year_options": periods.year_choices(), "report_path": "/reports/kpis"}
    try:
        chosen = periods.parse_fiscal_year(year)
    except ValidationFailed as exc:
        return page(
            request, "reports/kpis.html", status_code=422, headers=NO_STORE, errors=exc.errors,
            report=None, selected_year=year[:10], **choices,
        )  # fmt: skip
    report = await _kpi_report(request, chosen)
    return page(
        request, "reports/kpis.html", headers=NO_STORE, report=report, tables=kpis.tables(report),
        chart=kpis.chart(report), selected_year=str(chosen), saved=saved == "1",
        period_query=urlencode({"year": chosen}), **choices,
    )  # fmt: skip


async def _kpi_download(request: Request, year: str, table: str, extension: str) -> Response[bytes]:
    report = await _kpi_report(request, periods.parse_fiscal_year(year))
    found = kpis.tables(report).get(table)
    if found is None:
        raise NotFoundException("no such table")
    return _export(found, kpis.export_names(report, found, extension), extension)


@get("/reports/kpis.csv", opt=KPIS, include_in_schema=False)
async def kpi_report_csv(
    request: Request, year: FromQuery[str] = "", table: FromQuery[str] = "summary"
) -> Response[bytes]:
    return await _kpi_download(request, year, table, "csv")


@get("/reports/kpis.xlsx", opt=KPIS, include_in_schema=False)
async def kpi_report_xlsx(
    request: Request, year: FromQuery[str] = "", table: FromQuery[str] = "summary"
) -> Response[bytes]:
    return await _kpi_download(request, year, table, "xlsx")


def _kpi_form(
    request: Request, year: int, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Template:
    labels = {}
    for kpi in kpis.KPIS:
        labels[f"target_{kpi.key}"] = f"{kpi.label}の目標"
        if not kpi.measured:
            labels[f"actual_{kpi.key}"] = f"{kpi.label}の実績"
    return page(
        request, "reports/kpi_targets.html", status_code=status, headers=NO_STORE, year=year,
        label=periods.year_period(year).label, kpis=kpis.KPIS, values=values, errors=errors,
        labels=labels,
    )  # fmt: skip


@get("/reports/kpis/targets", opt=KPIS_MANAGE, include_in_schema=False)
async def kpi_targets(request: Request, year: FromQuery[str] = "") -> Template:
    chosen = periods.parse_fiscal_year(year)
    current = await kpis.settings_of(chosen, _kpi_defaults(request))
    return _kpi_form(request, chosen, kpis.form_values(current), {})


@post("/reports/kpis/targets", opt=KPIS_MANAGE, include_in_schema=False)
async def save_kpi_targets(request: Request, year: FromQuery[str] = "") -> Template | Redirect:
    chosen = periods.parse_fiscal_year(year)
    values, _ = await form_values(request)
    try:
        parsed = kpis.parse_settings(values)
    except ValidationFailed as exc:
        return _kpi_form(request, chosen, values, exc.errors, status=422)
    await kpis.save_settings(signed_in_principal(request), chosen, parsed)
    return Redirect(f"/reports/kpis?year={chosen}&saved=1", status_code=303)


# --- the monthly report ----------------------------------------------------------------------

MONTHLY = {"action": "reports.monthly"}
MONTHLY_MANAGE = {"action": "monthly_report.manage"}
DONE = {
    "comments": "所見を保存しました。",
    "sent": "県へ送付済みにしました。",
    "unsent": "送付済みを取り消しました。",
}


async def _monthly(request: Request, month: periods.Period) -> monthly.PrefectureReport:
    return await monthly.monthly_report(signed_in_principal(request), month, _kpi_defaults(request))


def _monthly_page(
    request: Request, report: monthly.PrefectureReport | None, *, status: int = 200,
    errors: dict[str, str] | None = None, comments: str | None = None, done: str = "",
    selected: str = "", annual: bool = False,
) -> Template:  # fmt: skip
    """The monthly report's page, or the annual report's (the same page for a fiscal year)."""
    code = report.period.code if report else selected
    return page(
        request, "reports/monthly.html", status_code=status, headers=NO_STORE, report=report,
        sections=monthly.sections(report) if report else [], annual=annual,
        timeline_chart=page_views.charts(report.page_views)["timeline"] if report else None,
        month_options=periods.month_choices(), year_options=periods.year_choices(),
        selected_month="" if annual else code, selected_year=code if annual else "",
        report_path="/reports/annual" if annual else "/reports/monthly",
        period_query=urlencode(report.period.query) if report else "",
        errors=errors or {}, done=DONE.get(done, ""),
        comments_value=comments if comments is not None else (report.note.comments if report else ""),
    )  # fmt: skip


@get("/reports/monthly", opt=MONTHLY, include_in_schema=False)
async def monthly_report(
    request: Request, month: FromQuery[str] = "", done: FromQuery[str] = ""
) -> Template:
    try:
        period = periods.month_period(periods.parse_month(month))
    except ValidationFailed as exc:
        return _monthly_page(request, None, status=422, errors=exc.errors, selected=month[:10])
    return _monthly_page(request, await _monthly(request, period), done=done)


@get("/reports/monthly.xlsx", opt=MONTHLY, include_in_schema=False)
async def monthly_report_xlsx(request: Request, month: FromQuery[str] = "") -> Response[bytes]:
    report = await _monthly(request, periods.month_period(periods.parse_month(month)))
    body = xlsx_workbook(monthly.workbook_sheets(report))
    return download(body, XLSX_TYPE, monthly.export_names(report))


@post("/reports/monthly/comments", opt=MONTHLY_MANAGE, include_in_schema=False)
async def save_monthly_comments(
    request: Request, month: FromQuery[str] = ""
) -> Template | Redirect:
    period = periods.month_period(periods.parse_month(month))
    values, _ = await form_values(request)
    text = values.get("comments", "")
    try:
        await monthly.save_comments(signed_in_principal(request), period.first, text)
    except ValidationFailed as exc:
        report = await _monthly(request, period)
        return _monthly_page(request, report, status=422, errors=exc.errors, comments=text)
    return Redirect(f"/reports/monthly?month={period.code}&done=comments", status_code=303)


@post("/reports/monthly/sent", opt=MONTHLY_MANAGE, include_in_schema=False)
async def mark_monthly_sent(request: Request, month: FromQuery[str] = "") -> Redirect:
    period = periods.month_period(periods.parse_month(month))
    values, _ = await form_values(request)
    sent = values.get("sent") == "true"
    await monthly.mark_sent(signed_in_principal(request), period.first, sent)
    done = "sent" if sent else "unsent"
    return Redirect(f"/reports/monthly?month={period.code}&done={done}", status_code=303)


ANNUAL = {"action": "reports.annual"}


@get("/reports/annual", opt=ANNUAL, include_in_schema=False)
async def annual_report(request: Request, year: FromQuery[str] = "") -> Template:
    try:
        chosen = periods.parse_fiscal_year(year)
    except ValidationFailed as exc:
        return _monthly_page(
            request, None, status=422, errors=exc.errors, selected=year[:10], annual=True
        )
    return _monthly_page(request, await _monthly(request, periods.year_period(chosen)), annual=True)


@get("/reports/annual.xlsx", opt=ANNUAL, include_in_schema=False)
async def annual_report_xlsx(request: Request, year: FromQuery[str] = "") -> Response[bytes]:
    report = await _monthly(request, periods.year_period(periods.parse_fiscal_year(year)))
    body = xlsx_workbook(monthly.workbook_sheets(report))
    return download(body, XLSX_TYPE, monthly.export_names(report))


ROUTES = [
    member_report, member_report_csv, member_report_xlsx, search_report, search_report_csv,
    search_report_xlsx, search_roll_up, page_view_report, page_view_report_csv,
    page_view_report_xlsx, page_view_roll_up, platform_use_report, platform_use_csv,
    platform_use_xlsx, kpi_report, kpi_report_csv, kpi_report_xlsx, kpi_targets,
    save_kpi_targets, monthly_report, monthly_report_xlsx, save_monthly_comments,
    mark_monthly_sent, annual_report, annual_report_xlsx,
]  # fmt: skip
