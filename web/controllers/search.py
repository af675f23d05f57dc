"""The search pages: case studies for anyone at /search (the header's search box leads there),
solutions for members at /platform/solutions/search, and the results opened from them
(.../open, which notes the click and its position before going to the page). Thin: the
searching, its visibility and its log are api.searching.

A GET form that works without JavaScript; with htmx the results and the facet counts follow
the typing (debounced) and every choice, and the count is announced.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from api.articles import service as articles
from api.errors import NotFound, Unavailable
from api.http.auth import principal_of
from api.http.headers import NO_STORE_HTMX
from api.http.params import PageNumber
from api.members.reference import INDUSTRY_LABELS, KUMAMOTO_MUNICIPALITIES
from api.searching import log as search_log
from api.searching import service
from api.searching.reference import CASE_STUDIES, SOLUTIONS
from api.searching.routes import FacetValue, case_study_labels, facet_values, solution_labels
from api.searching.service import CaseStudySearch, SearchPage, SolutionSearch
from api.solutions import service as solutions
from api.solutions.taxonomy import list_categories
from web.rendering import page, signed_in_principal, wants_fragment

PUBLIC = {"action": "public.view"}  # never from the page cache: every search is logged
MEMBERS = {"action": "solutions.view"}
CASE_STUDY_PATH = "/search"
SOLUTION_PATH = "/platform/solutions/search"
CASE_STUDY_SORTS = [("relevance", "関連度の高い順"), ("newest", "新しい順")]
SOLUTION_SORTS = [("relevance", "関連度の高い順"), ("updated", "更新の新しい順")]
CASE_STUDY_LEGENDS = {"theme": "テーマ", "industry": "業種", "municipality": "市町村"}
SOLUTION_LEGENDS = {"category": "カテゴリ", "industry": "対象業種", "municipality": "対応地域"}


def _chosen(request: Request, names: dict[str, str]) -> dict[str, tuple[str, ...]]:
    return {
        name: tuple(value[:40] for value in request.query_params.getall(name, [])[:20])
        for name in names
    }


def _facets(
    result: SearchPage[Any] | None,
    labels: dict[str, dict[str, str]],
    chosen: dict[str, tuple[str, ...]],
) -> dict[str, list[FacetValue]]:
    """The counts with their names; a chosen value the results no longer hold stays on screen
    (with 0), so it can be unticked."""
    facets = facet_values(result.facets, labels) if result else {}
    for name, values in chosen.items():
        shown = {facet.value for facet in facets.get(name, [])}
        for value in values:
            if value not in shown and value in labels.get(name, {}):
                facets.setdefault(name, []).append(FacetValue(value, labels[name][value], 0))
    return facets


def _render(
    request: Request, kind: str, q: str, sort: str, chosen: dict[str, tuple[str, ...]],
    result: SearchPage[Any] | None, unavailable: str, labels: dict[str, dict[str, str]],
    **context: Any,
) -> Template:  # fmt: skip
    template = "search/_results.html" if wants_fragment(request) else "search/page.html"
    return page(
        request, template, headers=NO_STORE_HTMX, kind=kind, result=result, q=q[:100], sort=sort,
        facets=_facets(result, labels, chosen), chosen=chosen, unavailable=unavailable,
        params={"q": q[:100], "sort": sort, **chosen}, industry_labels=INDUSTRY_LABELS,
        **context,
    )  # fmt: skip


async def _outcome(search: Awaitable[SearchPage[Any]]) -> tuple[SearchPage[Any] | None, str]:
    """The results, or the message that search is unavailable (the page still shows)."""
    try:
        return await search, ""
    except Unavailable as exc:
        return None, exc.message


def _with_municipalities(labels: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {**labels, "municipality": {name: name for name in KUMAMOTO_MUNICIPALITIES}}


@get(CASE_STUDY_PATH, opt=PUBLIC, include_in_schema=False)
async def case_study_search(
    request: Request, q: FromQuery[str] = "", sort: FromQuery[str] = "relevance",
    page_number: PageNumber = 1,
) -> Template:  # fmt: skip
    chosen = _chosen(request, CASE_STUDY_LEGENDS)
    sort = sort if sort in dict(CASE_STUDY_SORTS) else "relevance"
    search = CaseStudySearch(q=q, sort=sort, page=page_number, **chosen)
    result, unavailable = await _outcome(
        service.search_case_studies(principal_of(request.scope), request.app.state.search, search)
    )
    themes = await articles.list_themes()
    return _render(
        request, "case_studies", q, sort, chosen, result, unavailable,
        _with_municipalities(case_study_labels(themes)), heading="導入事例の検索",
        action=CASE_STUDY_PATH, sorts=CASE_STUDY_SORTS, legends=CASE_STUDY_LEGENDS,
        browse_path="/case-studies", related_label="テーマから探す:",
        related=[(f"/case-studies?theme={t.slug}", t.name) for t in themes[:8]],
    )  # fmt: skip


@get(SOLUTION_PATH, opt=MEMBERS, include_in_schema=False)
async def solution_search(
    request: Request, q: FromQuery[str] = "", sort: FromQuery[str] = "relevance",
    page_number: PageNumber = 1,
) -> Template:  # fmt: skip
    chosen = _chosen(request, SOLUTION_LEGENDS)
    sort = sort if sort in dict(SOLUTION_SORTS) else "relevance"
    search = SolutionSearch(q=q, sort=sort, page=page_number, **chosen)
    result, unavailable = await _outcome(
        service.search_solutions(signed_in_principal(request), request.app.state.search, search)
    )
    categories = await list_categories(include_retired=True)
    active = [c for c in categories if c.active]
    return _render(
        request, "solutions", q, sort, chosen, result, unavailable,
        _with_municipalities(solution_labels(categories)),
        heading="キーワードでソリューションを探す", action=SOLUTION_PATH, sorts=SOLUTION_SORTS,
        legends=SOLUTION_LEGENDS, browse_path="/platform/solutions",
        related_label="カテゴリから探す:",
        related=[(f"/platform/solutions?category={c.id}", c.name) for c in active[:8]],
    )  # fmt: skip


def _position(position: int) -> int:
    return max(1, min(position, 1000))


@get(f"{CASE_STUDY_PATH}/open", opt=PUBLIC, include_in_schema=False)
async def open_case_study(
    request: Request, id: FromQuery[str] = "", position: FromQuery[int] = 0, q: FromQuery[str] = ""
) -> Redirect:
    """Note which result was opened, at which position, then go to it (a published case study
    only: never a way to send people elsewhere)."""
    found = []
    if id.isdigit() and len(id) < 11:
        found = await articles.get_articles_brief([int(id)], published_only=True)
    if not found or found[0].kind != "case_study":
        raise NotFound()
    search_log.opened(CASE_STUDIES, q, id, _position(position), principal_of(request.scope))
    return Redirect(f"/case-studies/{found[0].slug}", status_code=303)


@get(f"{SOLUTION_PATH}/open", opt=MEMBERS, include_in_schema=False)
async def open_solution(
    request: Request, id: FromQuery[str] = "", position: FromQuery[int] = 0, q: FromQuery[str] = ""
) -> Redirect:
    """The same for a listed solution."""
    found = await solutions.listed_views([int(id)]) if id.isdigit() and len(id) < 11 else []
    if not found:
        raise NotFound()
    search_log.opened(SOLUTIONS, q, id, _position(position), signed_in_principal(request))
    return Redirect(f"/platform/solutions/{found[0].id}", status_code=303)


ROUTES = [case_study_search, solution_search, open_case_study, open_solution]
