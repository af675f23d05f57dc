"""JSON routes of the reports domain under /api/v1: the member report and the KPIs per fiscal
year (and the KPIs' targets, which staff set)."""

from __future__ import annotations

from datetime import date

import msgspec
from litestar import Controller, Request, get, put
from litestar.params import FromPath, FromQuery, JSONBody

from api.dates import format_fiscal_year
from api.errors import ValidationFailed
from api.http.auth import signed_in_principal
from api.reports import kpis, service
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
        year = service.check_year(year)
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
        year = kpis.parse_fiscal_year(fiscal_year)
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
        year = kpis.parse_fiscal_year(fiscal_year)
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


ROUTES: list = [MemberReportController, KpiController]
