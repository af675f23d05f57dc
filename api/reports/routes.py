"""JSON routes of the reports domain under /api/v1: the member report per fiscal year."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath

from api.dates import format_fiscal_year
from api.reports import service
from api.reports.schemas import MemberReportOut, ReportYearOut, ReportYearsOut


class MemberReportController(Controller):
    path = "/api/v1/reports/members"
    tags = ["会員レポート"]

    @get("", opt={"action": "reports.members"}, summary="会員レポートの年度一覧")
    async def years(self) -> ReportYearsOut:
        years = await service.report_years()
        return ReportYearsOut(
            current=service.current_fiscal_year(),
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
        target = request.app.state.settings.new_members_target
        return MemberReportOut.of(await service.member_report(year, target))


ROUTES: list = [MemberReportController]
