"""The search pages: case studies for anyone at /search (the header's search box leads there)
and the results opened from them (/search/open, which notes the click and its position before
going to the page). Thin: the searching, its visibility and its log are api.searching.

A GET form that works without JavaScript; with htmx the results and the facet counts follow
the typing (debounced) and every choice, and the count is announced.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from api.articles import service as articles
from api.errors import NotFound, Unavailable
from api.http.auth import principal_of
from api.http.params import PageNumber
from api.members.reference import INDUSTRY_LABELS, KUMAMOTO_MUNICIPALITIES
from api.searching import log as search_log
from api.searching import service
from api.searching.reference import CASE_STUDIES
from api.searching.routes import FacetValue, case_study_labels, facet_values
from api.searching.service import CaseStudySearch
from web.rendering import page, wants_fragment

PUBLIC = {"action": "public.view"}  # never from the page cache: every search is logged
NO_STORE = {"Cache-Control": "no-store", "Vary": "HX-Request"}
SORTS = [("relevance", "関連度の高い順"), ("newest", "新しい順")]
FACET_LEGENDS = {"theme": "テーマ", "industry": "業種", "municipality": "市町村"}


def _chosen(request: Request, name: str) -> tuple[str, ...]:
    return tuple(value[:40] for value in request.query_params.getall(name, [])[:20])


@get("/search", opt=PUBLIC, include_in_schema=False)
async def search_page(
    request: Request, q: FromQuery[str] = "", sort: FromQuery[str] = "relevance",
    page_number: PageNumber = 1,
) -> Template:  # fmt: skip
    search = CaseStudySearch(
        q=q, theme=_chosen(request, "theme"), industry=_chosen(request, "industry"),
        municipality=_chosen(request, "municipality"),
        sort=sort if sort in dict(SORTS) else "relevance", page=page_number,
    )  # fmt: skip
    labels = await case_study_labels()
    labels["municipality"] = {name: name for name in KUMAMOTO_MUNICIPALITIES}
    unavailable = ""
    result = None
    try:
        result = await service.search_case_studies(
            principal_of(request.scope), request.app.state.search, search
        )
    except Unavailable as exc:
        unavailable = exc.message
    chosen = {
        "theme": search.theme,
        "industry": search.industry,
        "municipality": search.municipality,
    }
    facets = facet_values(result.facets, labels) if result else {}
    # A chosen value the results no longer hold stays on screen (with 0), so it can be unticked.
    for name, values in chosen.items():
        shown = {facet.value for facet in facets.get(name, [])}
        for value in values:
            if value not in shown and value in labels.get(name, {}):
                facets.setdefault(name, []).append(FacetValue(value, labels[name][value], 0))
    params: dict[str, Any] = {"q": search.q[:100], "sort": search.sort, **chosen}
    template = "search/_results.html" if wants_fragment(request) else "search/case_studies.html"
    return page(
        request, template, headers=NO_STORE, result=result, q=search.q[:100], sort=search.sort,
        sorts=SORTS, facets=facets, legends=FACET_LEGENDS, chosen=chosen, params=params,
        unavailable=unavailable, themes=(await articles.list_themes())[:8],
        industry_labels=INDUSTRY_LABELS,
    )  # fmt: skip


@get("/search/open", opt=PUBLIC, include_in_schema=False)
async def open_result(
    request: Request, id: FromQuery[str] = "", position: FromQuery[int] = 0, q: FromQuery[str] = ""
) -> Redirect:
    """Note which result was opened, at which position, then go to it (a published case study
    only: never a way to send people elsewhere)."""
    found = []
    if id.isdigit() and len(id) < 11:
        found = await articles.get_articles_brief([int(id)], published_only=True)
    if not found or found[0].kind != "case_study":
        raise NotFound()
    search_log.opened(CASE_STUDIES, q, id, max(1, min(position, 1000)), principal_of(request.scope))
    return Redirect(f"/case-studies/{found[0].slug}", status_code=303)


ROUTES = [search_page, open_result]
