"""The searches members and visitors run: solutions (members of active organisations and the
secretariat) and case studies (anyone).

Visibility is decided twice: an index holds only what may be shown (listed solutions, published
case studies), and the hits are read back from the database through the same rules as the
lists, so an entry whose change still waits in the outbox is never shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from api.articles import service as articles
from api.articles.service import ArticleView
from api.errors import Unavailable
from api.members.reference import INDUSTRY_LABELS, KUMAMOTO_MUNICIPALITIES
from api.principal import Principal
from api.searching import indexing
from api.searching import log as search_log
from api.searching.reference import CASE_STUDIES, SOLUTIONS
from api.solutions import service as solutions
from api.solutions.service import SolutionView, check_directory_access
from api.text import lookup_text
from search.base import SearchBackend, SearchQuery, SearchResult, SearchUnavailable

T = TypeVar("T")
MAX_QUERY = 100
MAX_PAGE = 50  # deeper pages are never useful and cost the backend most

SOLUTION_SORTS = {"relevance": "", "updated": "-updated"}
CASE_STUDY_SORTS = {"relevance": "", "newest": "-published"}
SOLUTION_FACETS = ("category", "industry", "municipality")
CASE_STUDY_FACETS = ("theme", "industry", "municipality")


@dataclass(frozen=True, slots=True)
class Found(Generic[T]):
    item: T
    highlights: dict[str, str]  # field -> escaped HTML with <mark>


@dataclass(frozen=True, slots=True)
class SearchPage(Generic[T]):
    items: list[Found[T]]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    took_ms: float = 0.0

    @property
    def pages(self) -> int:
        return max(1, min(MAX_PAGE, -(-self.total // self.per_page)))


def _query(
    text: str,
    filters: dict[str, tuple[str, ...]],
    facets: tuple[str, ...],
    sort: str,
    page: int,
    per_page: int,
) -> SearchQuery:
    """The backend's query: the text cut to size, the filters given, the page within the
    pages worth reading."""
    return SearchQuery(
        text=lookup_text(text, MAX_QUERY), filters={k: v for k, v in filters.items() if v},
        facets=facets, sort=sort, page=min(max(1, page), MAX_PAGE),
        per_page=min(max(1, per_page), 50),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class SolutionSearch:
    q: str = ""
    category: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    municipality: tuple[str, ...] = ()
    subsidy: bool = False
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    def query(self) -> SearchQuery:
        filters: dict[str, tuple[str, ...]] = {
            "category": tuple(v for v in self.category if v.isdigit())[:20],
            "industry": tuple(v for v in self.industry if v in INDUSTRY_LABELS),
            "municipality": tuple(v for v in self.municipality if v in KUMAMOTO_MUNICIPALITIES),
        }
        if self.subsidy:
            filters["subsidy"] = ("1",)
        return _query(
            self.q, filters, SOLUTION_FACETS, SOLUTION_SORTS.get(self.sort, ""), self.page,
            self.per_page,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class CaseStudySearch:
    q: str = ""
    theme: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    municipality: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    def query(self) -> SearchQuery:
        filters = {
            "theme": tuple(v for v in self.theme if v.isdigit())[:20],
            "industry": tuple(v for v in self.industry if v in INDUSTRY_LABELS),
            "municipality": tuple(v for v in self.municipality if v in KUMAMOTO_MUNICIPALITIES),
        }
        return _query(
            self.q, filters, CASE_STUDY_FACETS, CASE_STUDY_SORTS.get(self.sort, ""), self.page,
            self.per_page,
        )  # fmt: skip


UNAVAILABLE = "検索は一時的に利用できません。しばらくたってから再度お試しください。"


async def run_search(backend: SearchBackend, index: str, query: SearchQuery) -> SearchResult:
    """A search on the backend; an index not set up yet is set up first, a backend that is
    down raises Unavailable (503 with a Japanese message)."""
    try:
        try:
            return await backend.search(index, query)
        except LookupError:  # a new installation whose worker has not set the indexes up yet
            await indexing.configure_indexes(backend)
            return await backend.search(index, query)
    except SearchUnavailable:
        raise Unavailable(UNAVAILABLE) from None


def _in_hit_order(result: SearchResult, items: dict[int, Any]) -> list[Found[Any]]:
    found = []
    for hit in result.hits:
        item = items.get(int(hit.id)) if hit.id.isdigit() else None
        if item is not None:
            found.append(Found(item, hit.highlights))
    return found


async def search_solutions(
    principal: Principal, backend: SearchBackend, search: SolutionSearch
) -> SearchPage[SolutionView]:
    """Listed solutions matching the search, best first (raises SearchUnavailable when the
    backend is down; the pages say so)."""
    check_directory_access(principal)
    query = search.query()
    result = await run_search(backend, SOLUTIONS, query)
    search_log.searched(SOLUTIONS, query.text, query.filters, result.total, query.page, principal)
    views = await solutions.listed_views([int(h.id) for h in result.hits if h.id.isdigit()])
    return SearchPage(
        _in_hit_order(result, {view.id: view for view in views}), result.total, query.page,
        query.per_page, result.facets, result.took_ms,
    )  # fmt: skip


async def search_case_studies(
    principal: Principal | None, backend: SearchBackend, search: CaseStudySearch
) -> SearchPage[ArticleView]:
    """Published case studies matching the search, best first (anyone may search them)."""
    query = search.query()
    result = await run_search(backend, CASE_STUDIES, query)
    search_log.searched(
        CASE_STUDIES, query.text, query.filters, result.total, query.page, principal
    )
    ids = [int(hit.id) for hit in result.hits if hit.id.isdigit()]
    views = await articles.get_articles_brief(ids, published_only=True)
    return SearchPage(
        _in_hit_order(result, {view.id: view for view in views if view.kind == "case_study"}),
        result.total, query.page, query.per_page, result.facets, result.took_ms,
    )  # fmt: skip
