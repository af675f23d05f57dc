"""Reports for staff and prefecture officials: the member report per fiscal year.

The page, its CSV and its XLSX all come from api.reports.service.member_report; the year comes in
as text so that a mistyped year gets a Japanese message instead of a framework error.
"""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.params import FromQuery
from litestar.response import Template

from api.dates import format_fiscal_year
from api.errors import ValidationFailed
from api.reports import service
from api.spreadsheets import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes
from web.downloads import download
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


ROUTES = [member_report, member_report_csv, member_report_xlsx]
