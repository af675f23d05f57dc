"""JSON API of the searches: case studies (anyone) and solutions (members and the secretariat),
with the same parameters, visibility and logging as the search pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromQuery, QueryParameter

from api import periods
from api.articles import service as articles
from api.articles.service import ThemeView
from api.http.auth import principal_of
from api.http.params import PageNumber, PerPage, request_principal
from api.members.reference import INDUSTRY_LABELS
from api.searching import analytics, service
from api.searching.service import CaseStudySearch, SearchPage, SolutionSearch
from api.solutions.taxonomy import CategoryView, list_categories

Values = Annotated[
    list[str] | None, QueryParameter(description="繰り返して複数指定（いずれかに一致）")
]


class FacetValue(msgspec.Struct):
    value: str
    label: str
    count: int


class CaseStudyHit(msgspec.Struct):
    id: int
    slug: str
    url: str
    title: str
    summary: str
    organisation_name: str
    industry: str
    municipality: str
    published_at: datetime | None
    highlights: Annotated[
        dict[str, str], msgspec.Meta(description="項目ごとの抜粋（HTML。一致箇所を<mark>で囲む）")
    ]


class SolutionHit(msgspec.Struct):
    id: int
    url: str
    title: str
    summary: str
    organisation_name: str
    categories: list[str]
    area: str
    highlights: dict[str, str]


class CaseStudyResults(msgspec.Struct):
    items: list[CaseStudyHit]
    total: int
    page: int
    per_page: int
    pages: int
    facets: dict[str, list[FacetValue]]
    took_ms: float


class SolutionResults(msgspec.Struct):
    items: list[SolutionHit]
    total: int
    page: int
    per_page: int
    pages: int
    facets: dict[str, list[FacetValue]]
    took_ms: float


def facet_values(
    counts: dict[str, dict[str, int]], labels: dict[str, dict[str, str]]
) -> dict[str, list[FacetValue]]:
    """Counts with the names people read (an id or code without a name is left out)."""
    return {
        field: [
            FacetValue(value, labels.get(field, {}).get(value, value), count)
            for value, count in values.items()
            if field not in labels or value in labels[field]
        ]
        for field, values in counts.items()
    }


def case_study_labels(themes: list[ThemeView]) -> dict[str, dict[str, str]]:
    return {"theme": {str(t.id): t.name for t in themes}, "industry": dict(INDUSTRY_LABELS)}


def solution_labels(categories: list[CategoryView]) -> dict[str, dict[str, str]]:
    """Retired categories too: the solutions that have one keep it."""
    return {"category": {str(c.id): c.name for c in categories}, "industry": dict(INDUSTRY_LABELS)}


def case_study_results(
    page: SearchPage[Any], labels: dict[str, dict[str, str]]
) -> CaseStudyResults:
    return CaseStudyResults(
        items=[
            CaseStudyHit(
                id=found.item.id, slug=found.item.slug, url=f"/case-studies/{found.item.slug}",
                title=found.item.title, summary=found.item.summary,
                organisation_name=found.item.organisation_name, industry=found.item.industry,
                municipality=found.item.municipality, published_at=found.item.published_at,
                highlights=found.highlights,
            )
            for found in page.items
        ],
        total=page.total, page=page.page, per_page=page.per_page, pages=page.pages,
        facets=facet_values(page.facets, labels), took_ms=round(page.took_ms, 2),
    )  # fmt: skip


def solution_results(page: SearchPage[Any], labels: dict[str, dict[str, str]]) -> SolutionResults:
    return SolutionResults(
        items=[
            SolutionHit(
                id=found.item.id, url=f"/platform/solutions/{found.item.id}",
                title=found.item.title, summary=found.item.summary,
                organisation_name=found.item.organisation_name,
                categories=found.item.category_names, area=found.item.area_label,
                highlights=found.highlights,
            )
            for found in page.items
        ],
        total=page.total, page=page.page, per_page=page.per_page, pages=page.pages,
        facets=facet_values(page.facets, labels), took_ms=round(page.took_ms, 2),
    )  # fmt: skip


class SearchController(Controller):
    path = "/api/v1/search"
    tags = ["検索"]

    @get(
        "/case-studies",
        opt={"action": "public.view"},
        summary="導入事例の検索（どなたでも）",
        description="q（語句。日本語の複合語・かな・全角半角・法人格の表記ゆれ・同義語に対応）、"
        "theme・industry・municipality（繰り返して複数）、sort（relevance または newest）。",
    )
    async def case_studies(
        self,
        request: Request,
        q: FromQuery[str] = "",
        theme: Values = None,
        industry: Values = None,
        municipality: Values = None,
        sort: FromQuery[str] = "relevance",
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> CaseStudyResults:
        search = CaseStudySearch(
            q=q, theme=tuple(theme or ()), industry=tuple(industry or ()),
            municipality=tuple(municipality or ()), sort=sort, page=page, per_page=per_page,
        )  # fmt: skip
        result = await service.search_case_studies(
            principal_of(request.scope), request.app.state.search, search
        )
        return case_study_results(result, case_study_labels(await articles.list_themes()))

    @get(
        "/solutions",
        opt={"action": "solutions.view"},
        summary="ソリューションの検索（会員・事務局）",
        description="q、category・industry・municipality（繰り返して複数）、subsidy（true で"
        "補助金の対象のみ）、sort（relevance または updated）。",
    )
    async def solutions(
        self,
        request: Request,
        q: FromQuery[str] = "",
        category: Values = None,
        industry: Values = None,
        municipality: Values = None,
        subsidy: FromQuery[bool] = False,
        sort: FromQuery[str] = "relevance",
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> SolutionResults:
        search = SolutionSearch(
            q=q, category=tuple(category or ()), industry=tuple(industry or ()),
            municipality=tuple(municipality or ()), subsidy=subsidy, sort=sort, page=page,
            per_page=per_page,
        )  # fmt: skip
        result = await service.search_solutions(
            request_principal(request), request.app.state.search, search
        )
        labels = solution_labels(await list_categories(include_retired=True))
        return solution_results(result, labels)


class FiguresOut(msgspec.Struct):
    searches: int
    distinct_queries: int
    zero_results: int
    zero_share: float | None  # per cent of searches
    clicks: int
    click_through: float | None  # clicks per search, per cent
    average_position: float | None  # of the opened results (1 is the first)

    @classmethod
    def of(cls, figures: analytics.Figures) -> FiguresOut:
        return cls(
            searches=figures.searches, distinct_queries=figures.distinct_queries,
            zero_results=figures.zero_results, zero_share=figures.zero_share,
            clicks=figures.clicks, click_through=figures.click_through,
            average_position=figures.average_position,
        )  # fmt: skip


class AudienceFiguresOut(msgspec.Struct):
    audience: str  # public, member or staff
    label: str
    figures: FiguresOut


class MonthFiguresOut(msgspec.Struct):
    month: str  # 2026-11
    figures: FiguresOut


class QueryFiguresOut(msgspec.Struct):
    query: str
    index: str  # solutions or case_studies
    index_label: str
    searches: int
    zero_results: int
    clicks: int
    click_through: float | None
    try_url: str  # the search page with this query


class SearchAnalyticsOut(msgspec.Struct):
    kind: str  # month or fiscal_year
    period: str  # 2026-11 or 2026
    label: str
    first_day: date
    last_day: date
    totals: FiguresOut
    previous: FiguresOut  # the previous month or fiscal year
    by_audience: list[AudienceFiguresOut]
    by_month: list[MonthFiguresOut]  # the fiscal year's months, or the 12 up to the month
    top_queries: list[QueryFiguresOut]
    no_result_queries: list[QueryFiguresOut]
    rolled_up_at: datetime | None

    @classmethod
    def of(cls, report: analytics.SearchAnalytics) -> SearchAnalyticsOut:
        def queries(found: list[analytics.QueryFigures]) -> list[QueryFiguresOut]:
            return [
                QueryFiguresOut(
                    query=q.query,
                    index=q.index,
                    index_label=q.index_label,
                    searches=q.searches,
                    zero_results=q.zero_results,
                    clicks=q.clicks,
                    click_through=q.click_through,
                    try_url=q.try_url,
                )
                for q in found
            ]

        period = report.period
        return cls(
            kind=period.kind, period=period.code, label=period.label, first_day=period.first,
            last_day=period.end - timedelta(days=1), totals=FiguresOut.of(report.totals),
            previous=FiguresOut.of(report.previous),
            by_audience=[
                AudienceFiguresOut(code, label, FiguresOut.of(figures))
                for code, label, figures in report.by_audience
            ],
            by_month=[
                MonthFiguresOut(periods.month_period(month).code, FiguresOut.of(figures))
                for month, figures in report.by_month
            ],
            top_queries=queries(report.top_queries),
            no_result_queries=queries(report.no_result_queries),
            rolled_up_at=report.rolled_up_at,
        )  # fmt: skip


class SearchAnalyticsController(Controller):
    path = "/api/v1/reports/search"
    tags = ["検索の分析"]

    @get(
        "",
        opt={"action": "reports.search"},
        summary="検索の分析（月または年度）",
        description=(
            "month（2026-11 の形、省略時は今月）または fiscal_year（西暦の開始年、4月〜翌年3月）。"
            "検索回数は1ページ目の表示の数、クリック率は検索1回あたりの結果を開いた回数（%）です。"
            "数値は月ごとの集計から読みます（毎時と事務局の操作で集計し、古い生ログを消しても残ります）。"
        ),
    )
    async def report(
        self, month: FromQuery[str] = "", fiscal_year: FromQuery[str] = ""
    ) -> SearchAnalyticsOut:
        period = periods.parse_period(month, fiscal_year)
        return SearchAnalyticsOut.of(await analytics.analytics(period))


ROUTES = [SearchController, SearchAnalyticsController]
