"""JSON API of the searches: case studies (anyone) and solutions (members and the secretariat),
with the same parameters, visibility and logging as the search pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromQuery, QueryParameter

from api.articles import service as articles
from api.articles.service import ThemeView
from api.http.auth import principal_of
from api.http.params import PageNumber, PerPage, request_principal
from api.members.reference import INDUSTRY_LABELS
from api.searching import service
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


ROUTES = [SearchController]
