"""Solutions: members publish their organisation's products and services; members browse them.

Rules kept here for every caller (JSON routes and pages alike):
- A member user or member admin changes only the solutions of their own, active organisation;
  another organisation's solution is answered as not found.
- The directory lists a solution while its organisation is active, the provider has not hidden
  it and staff have not hidden it (moderation). A suspended or withdrawn organisation's
  solutions leave the directory at once, because the check is part of every query.
- Members read the directory while their own organisation is active; the secretariat always.
- A list page costs a fixed number of queries whatever its size.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from api import clock
from api.articles.service import published_case_studies
from api.audit.service import record
from api.dates import format_date, month_of
from api.db import Where, contains_sql, is_storable_id, placeholders, transaction
from api.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from api.mail.service import queue_mail
from api.media.service import discard, format_size
from api.members.directory import SECRETARIAT, check_access
from api.members.reference import (
    INDUSTRY_LABELS,
    KUMAMOTO_MUNICIPALITIES,
    SIZE_LABELS,
    MembershipStatus,
)
from api.members.service import own_organisation_id
from api.members.tables import OrganisationContact
from api.pagination import Page, PageRequest, fetch_raw_page
from api.principal import Principal
from api.searching.outbox import changed as search_changed
from api.searching.reference import SOLUTIONS
from api.settings import Settings
from api.solutions import taxonomy
from api.solutions.reference import (
    DELIVERY_LABELS,
    FACET_CASE_STUDY,
    FACET_CATEGORY,
    FACET_DELIVERY,
    FACET_INDUSTRY,
    FACET_MUNICIPALITY,
    FACET_SIZE,
    MAX_MODERATION_REASON,
    PRICE_MODEL_LABELS,
    STALE_AFTER_DAYS,
)
from api.solutions.tables import (
    Solution,
    SolutionBookmark,
    SolutionFile,
    SolutionMonthlyStat,
    SolutionTag,
)
from api.solutions.validation import SolutionInput
from api.text import clean, lookup_text, required_text_problem
from storage import ObjectStore

NOT_FOUND = "指定されたソリューションは見つかりませんでした。"

# --- views ---------------------------------------------------------------------------------

FILE_KINDS = {"image": "画像", "brochure": "パンフレット（PDF）"}


@dataclass(frozen=True, slots=True)
class SolutionFileView:
    """An image or a PDF brochure of a solution; served to members under the solution's path."""

    id: int
    solution_id: int
    kind: str
    position: int
    storage_key: str
    file_name: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    alt_text: str
    title: str
    renditions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"/platform/solutions/{self.solution_id}/files/{self.id}"

    def rendition_url(self, width: int) -> str:
        return f"{self.url}/{width}"

    def rendition(self, width: int) -> dict[str, Any] | None:
        return next((r for r in self.renditions if r["width"] == width), None)

    @property
    def srcset(self) -> str:
        return ", ".join(f"{self.rendition_url(r['width'])} {r['width']}w" for r in self.renditions)

    def src(self, preferred: int = 640) -> str:
        """The widest rendition up to `preferred` (else the smallest), else the file itself."""
        fitting = [r for r in self.renditions if r["width"] <= preferred] or self.renditions[:1]
        return self.rendition_url(fitting[-1]["width"]) if fitting else self.url

    @property
    def link_text(self) -> str:
        """会社案内（PDF、245KB）: the type and size belong in the link text."""
        return f"{self.title or self.file_name}（PDF、{format_size(self.size)}）"


def files_view(row: dict[str, Any]) -> SolutionFileView:
    renditions = row["renditions"]
    if isinstance(renditions, str):
        try:
            renditions = json.loads(renditions or "[]")
        except ValueError:
            renditions = []
    return SolutionFileView(
        id=row["id"], solution_id=row["solution"], kind=row["kind"], position=row["position"],
        storage_key=row["storage_key"], file_name=row["file_name"],
        content_type=row["content_type"], size=row["size"], width=row["width"],
        height=row["height"], alt_text=row["alt_text"], title=row["title"],
        renditions=renditions if isinstance(renditions, list) else [],
    )  # fmt: skip


async def files_of(solution_ids: list[int]) -> dict[int, list[SolutionFileView]]:
    """The images and brochures of several solutions in their order (one query)."""
    found: dict[int, list[SolutionFileView]] = {solution_id: [] for solution_id in solution_ids}
    if solution_ids:
        rows = await SolutionFile.raw(
            "SELECT * FROM solution_file "  # noqa: S608
            f"WHERE solution IN ({placeholders(solution_ids)}) ORDER BY position, id",
            *solution_ids,
        )
        for row in rows:
            found[row["solution"]].append(files_view(row))
    return found


@dataclass(frozen=True, slots=True)
class SolutionView:
    id: int
    organisation_id: int
    organisation_name: str
    title: str
    summary: str
    description: str
    price_model: str
    price_text: str
    all_kumamoto: bool
    subsidy_eligible: bool
    website: str
    provider_hidden: bool
    moderated: bool
    moderation_reason: str
    created_at: dt.datetime
    updated_at: dt.datetime
    refresh_requested_at: dt.datetime | None = None
    categories: list[tuple[int, str]] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)
    sizes: list[str] = field(default_factory=list)
    delivery: list[str] = field(default_factory=list)
    bookmarked: bool = False
    files: list[SolutionFileView] = field(default_factory=list)
    # Published case studies about it: (article id, slug, title)
    case_studies: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def images(self) -> list[SolutionFileView]:
        return [f for f in self.files if f.kind == "image"]

    @property
    def brochures(self) -> list[SolutionFileView]:
        return [f for f in self.files if f.kind == "brochure"]

    @property
    def listed(self) -> bool:
        return not self.provider_hidden and not self.moderated

    @property
    def price_model_label(self) -> str:
        return PRICE_MODEL_LABELS.get(self.price_model, self.price_model)

    @property
    def category_names(self) -> list[str]:
        return [name for _, name in self.categories]

    @property
    def industry_labels(self) -> list[str]:
        return [INDUSTRY_LABELS.get(code, code) for code in self.industries]

    @property
    def size_labels(self) -> list[str]:
        return [SIZE_LABELS.get(code, code) for code in self.sizes]

    @property
    def delivery_labels(self) -> list[str]:
        return [DELIVERY_LABELS.get(code, code) for code in self.delivery]

    @property
    def area_label(self) -> str:
        return "熊本県内全域" if self.all_kumamoto else "、".join(self.municipalities)

    def form_values(self) -> dict[str, Any]:
        """The fields as the edit form and SolutionInput.from_mapping read them."""
        return {
            "title": self.title,
            "summary": self.summary,
            "description": self.description,
            "category_ids": [str(category_id) for category_id, _ in self.categories],
            "industries": list(self.industries),
            "all_kumamoto": self.all_kumamoto,
            "municipalities": list(self.municipalities),
            "sizes": list(self.sizes),
            "price_model": self.price_model,
            "price_text": self.price_text,
            "delivery": list(self.delivery),
            "subsidy_eligible": self.subsidy_eligible,
            "website": self.website,
            "case_study_ids": [str(article_id) for article_id, _, _ in self.case_studies],
        }


# Solutions are read written out (every directory page and solution page runs these; the ORM
# took longer to build the statements than the database took to run them).
_SOURCE = "solution LEFT JOIN organisation ON organisation.id = solution.organisation"
_COLUMNS = (
    "solution.id, solution.organisation, organisation.name AS organisation_name, "
    "solution.title, solution.summary, solution.description, solution.price_model, "
    "solution.price_text, solution.all_kumamoto, solution.subsidy_eligible, solution.website, "
    "solution.provider_hidden, solution.moderated, solution.moderation_reason, "
    "solution.refresh_requested_at, solution.created_at, solution.updated_at"
)


async def _views(rows: list[dict[str, Any]], principal: Principal | None) -> list[SolutionView]:
    """Views of solution rows with their tags and category names, files, linked case studies
    and the reader's bookmarks (at most four more queries, whatever the number of rows)."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    tags: dict[int, dict[str, list[str]]] = {solution_id: {} for solution_id in ids}
    names: dict[int, str] = {}  # the categories' names, read with the tags
    for tag in await SolutionTag.raw(
        "SELECT t.solution, t.facet, t.value, c.id AS category_id, c.name AS category_name "  # noqa: S608
        # A category tag's value is its category's id (written only from checked ids); the
        # CASE casts no other facet's value, and the join looks the id up by its key.
        "FROM solution_tag t LEFT JOIN solution_category c "
        "ON c.id = CASE WHEN t.facet = {} THEN CAST(t.value AS INTEGER) END "
        # In index order (solution, then id): no sort.
        f"WHERE t.solution IN ({placeholders(ids)}) ORDER BY t.solution, t.id",
        FACET_CATEGORY,
        *ids,
    ):
        tags[tag["solution"]].setdefault(tag["facet"], []).append(tag["value"])
        if tag["category_id"] is not None:
            names[tag["category_id"]] = tag["category_name"]
    bookmarked: set[int] = set()
    if principal is not None:
        bookmarked = {
            row["solution"]
            for row in await SolutionBookmark.raw(
                "SELECT solution FROM solution_bookmark "  # noqa: S608
                f"WHERE account = {{}} AND solution IN ({placeholders(ids)})",
                principal.account_id,
                *ids,
            )
        }
    files = await files_of(ids)
    linked = {
        int(value)
        for facets in tags.values()
        for value in facets.get(FACET_CASE_STUDY, [])
        if value.isdigit()
    }
    # Only published case studies show; an unpublished one comes back when it is republished.
    case_studies = await published_case_studies(sorted(linked)) if linked else {}
    views = []
    for row in rows:
        facets = tags[row["id"]]
        categories = [
            (int(value), names[int(value)])
            for value in facets.get(FACET_CATEGORY, [])
            if value.isdigit() and int(value) in names
        ]
        views.append(
            SolutionView(
                id=row["id"],
                organisation_id=row["organisation"],
                organisation_name=row["organisation_name"],
                title=row["title"],
                summary=row["summary"],
                description=row["description"],
                price_model=row["price_model"],
                price_text=row["price_text"],
                all_kumamoto=bool(row["all_kumamoto"]),
                subsidy_eligible=bool(row["subsidy_eligible"]),
                website=row["website"],
                provider_hidden=bool(row["provider_hidden"]),
                moderated=bool(row["moderated"]),
                moderation_reason=row["moderation_reason"],
                created_at=row["created_at"],
                updated_at=row["updated_at"],
                refresh_requested_at=row["refresh_requested_at"],
                categories=categories,
                industries=facets.get(FACET_INDUSTRY, []),
                municipalities=facets.get(FACET_MUNICIPALITY, []),
                sizes=facets.get(FACET_SIZE, []),
                delivery=facets.get(FACET_DELIVERY, []),
                bookmarked=row["id"] in bookmarked,
                files=files[row["id"]],
                case_studies=[
                    (int(value), *case_studies[int(value)])
                    for value in facets.get(FACET_CASE_STUDY, [])
                    if value.isdigit() and int(value) in case_studies
                ],
            )
        )
    return views


# --- access --------------------------------------------------------------------------------


def is_secretariat(principal: Principal) -> bool:
    return bool(principal.roles & SECRETARIAT)


# The same access as the member directory's: members of an active organisation, staff always.
check_directory_access = check_access


# Whether a solution shows in the directory: its organisation is active and nobody hid it.
LISTED = (
    "solution.provider_hidden = {} AND solution.moderated = {} AND solution.organisation IN "
    "(SELECT id FROM organisation WHERE status = {})",
    False,
    False,
    MembershipStatus.ACTIVE.value,
)


def listed() -> Where:
    return Where().add(*LISTED)


NEWEST_CHANGE = "solution.updated_at DESC, solution.id DESC"


async def _page(
    where: Where, order_by: str, page: PageRequest, principal: Principal | None
) -> Page[SolutionView]:
    """One page of solutions (the rows with their total, and those of _views: at most five)."""
    rows, total = await fetch_raw_page(Solution, _SOURCE, _COLUMNS, where, order_by, page)
    return Page(await _views(rows, principal), total=total, page=page.page, per_page=page.per_page)


async def listed_views(ids: list[int]) -> list[SolutionView]:
    """The listed solutions among ids, as anyone reading the directory sees them (for the
    search index; at most five queries whatever the number)."""
    wanted = [i for i in ids if is_storable_id(i)]
    if not wanted:
        return []
    where = listed().add(f"solution.id IN ({placeholders(wanted)})", *wanted)
    return await _views(await _select(where), None)


async def listed_ids() -> list[int]:
    """Every listed solution (for rebuilding the search index)."""
    where = listed()
    rows = await Solution.raw(
        f"SELECT id FROM solution WHERE {where.sql} ORDER BY id",  # noqa: S608
        *where.values,
    )
    return [row["id"] for row in rows]


async def _select(where: Where) -> list[dict[str, Any]]:
    return await Solution.raw(
        f"SELECT {_COLUMNS} FROM {_SOURCE} WHERE {where.sql}",  # noqa: S608
        *where.values,
    )


async def _row(solution_id: int, where: Where | None = None) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    if is_storable_id(solution_id):
        rows = await _select((where or Where()).add("solution.id = {}", solution_id))
    if not rows:
        raise NotFound(NOT_FOUND)
    return rows[0]


# --- the provider's side ---------------------------------------------------------------------


async def _active_category_ids() -> set[int]:
    return {category.id for category in await taxonomy.list_categories()}


async def _checked(data: SolutionInput, keep: Iterable[str] = ()) -> None:
    # A category retired after the solution chose it may stay on the solution.
    allowed = await _active_category_ids() | {int(v) for v in keep if v.isdigit()}
    chosen = [int(v) for v in data.case_study_ids if v.isdigit() and len(v) < 11]
    published = set(await published_case_studies(chosen)) if chosen else set()
    errors = data.problems(allowed, published)
    if errors:
        raise ValidationFailed(errors)


def _fields(data: SolutionInput) -> dict[Any, Any]:
    return {
        Solution.title: data.title,
        Solution.summary: data.summary,
        Solution.description: data.description,
        Solution.price_model: data.price_model,
        Solution.price_text: data.price_text,
        Solution.all_kumamoto: data.all_kumamoto,
        Solution.subsidy_eligible: data.subsidy_eligible,
        Solution.website: data.website,
    }


async def _replace_tags(solution_id: int, data: SolutionInput) -> None:
    await SolutionTag.delete().where(SolutionTag.solution == solution_id)
    tags = data.tags()
    if tags:
        await SolutionTag.insert(
            *[SolutionTag(solution=solution_id, facet=facet, value=value) for facet, value in tags]
        )


def _snapshot(view: SolutionView) -> dict[str, Any]:
    values = view.form_values()
    values.update(provider_hidden=view.provider_hidden, moderated=view.moderated)
    return values


async def create_solution(actor: Principal, data: SolutionInput) -> SolutionView:
    organisation_id = own_organisation_id(actor)
    await _checked(data)
    async with transaction():
        now = clock.now()
        rows = await Solution.insert(
            Solution(
                organisation=organisation_id,
                created_by=actor.account_id or None,  # 0: the system (demo content)
                created_at=now,
                updated_at=now,
                **{column._meta.name: value for column, value in _fields(data).items()},
            )
        ).returning(Solution.id)
        solution_id = rows[0]["id"]
        await _replace_tags(solution_id, data)
        view = (await _views([await _row(solution_id)], actor))[0]
        await record(actor, "solutions.create", "solution", solution_id,
                     target_label=data.title, after=_snapshot(view))  # fmt: skip
        await search_changed(SOLUTIONS, solution_id)
    return view


async def get_own_solution(actor: Principal, solution_id: int) -> SolutionView:
    """One of the actor's organisation's solutions, hidden ones included."""
    organisation_id = own_organisation_id(actor)
    row = await _row(solution_id, Where().add("solution.organisation = {}", organisation_id))
    return (await _views([row], actor))[0]


async def update_solution(actor: Principal, solution_id: int, data: SolutionInput) -> SolutionView:
    before = await get_own_solution(actor, solution_id)
    await _checked(data, keep=[str(category_id) for category_id, _ in before.categories])
    async with transaction():
        await Solution.update({**_fields(data), Solution.updated_at: clock.now()}).where(
            (Solution.id == solution_id) & (Solution.organisation == before.organisation_id)
        )
        await _replace_tags(solution_id, data)
        view = (await _views([await _row(solution_id)], actor))[0]
        await record(actor, "solutions.update", "solution", solution_id, target_label=data.title,
                     before=_snapshot(before), after=_snapshot(view))  # fmt: skip
        await search_changed(SOLUTIONS, solution_id)
    return view


async def set_provider_hidden(actor: Principal, solution_id: int, hidden: bool) -> SolutionView:
    """The provider takes a solution off the directory, or puts it back."""
    before = await get_own_solution(actor, solution_id)
    async with transaction():
        await Solution.update({Solution.provider_hidden: hidden}).where(
            (Solution.id == solution_id) & (Solution.organisation == before.organisation_id)
        )
        await record(actor, "solutions.hide" if hidden else "solutions.show", "solution",
                     solution_id, target_label=before.title)  # fmt: skip
        await search_changed(SOLUTIONS, solution_id)
    return await get_own_solution(actor, solution_id)


async def delete_solution(
    actor: Principal, solution_id: int, store: ObjectStore | None = None
) -> None:
    """Delete a solution, then its stored files (a store of None leaves them, for tests)."""
    before = await get_own_solution(actor, solution_id)
    async with transaction():
        await Solution.delete().where(
            (Solution.id == solution_id) & (Solution.organisation == before.organisation_id)
        )
        await record(actor, "solutions.delete", "solution", solution_id,
                     target_label=before.title, before=_snapshot(before))  # fmt: skip
        await search_changed(SOLUTIONS, solution_id)
    if store is not None:
        await discard(store, [key for f in before.files for key in file_keys(f)])


def file_keys(view: SolutionFileView) -> list[str]:
    return [view.storage_key, *(r["key"] for r in view.renditions)]


async def list_own_solutions(actor: Principal, page: PageRequest) -> Page[SolutionView]:
    """The actor's organisation's solutions, newest change first, hidden ones included."""
    organisation_id = own_organisation_id(actor)
    where = Where().add("solution.organisation = {}", organisation_id)
    return await _page(where, NEWEST_CHANGE, page, actor)


# --- the directory -------------------------------------------------------------------------

SORTS: dict[str, str] = {
    "updated": "更新日の新しい順",
    "newest": "登録日の新しい順",
    "title": "名称順",
}
SORT_ORDER: dict[str, str] = {
    "updated": NEWEST_CHANGE,
    "newest": "solution.created_at DESC, solution.id DESC",
    "title": "solution.title ASC, solution.id ASC",
}


@dataclass(frozen=True, slots=True)
class SolutionFilter:
    """Filters as typed; values outside the lists are ignored (a stale link still works)."""

    q: str = ""
    category: str = ""
    industry: str = ""
    municipality: str = ""
    size: str = ""
    delivery: str = ""
    price_model: str = ""
    subsidy: bool = False
    sort: str = "updated"

    def cleaned(self) -> SolutionFilter:
        category = lookup_text(self.category, 10)
        return SolutionFilter(
            q=lookup_text(self.q, 100),
            category=category if category.isdigit() and is_storable_id(int(category)) else "",
            industry=self.industry if self.industry in INDUSTRY_LABELS else "",
            municipality=self.municipality if self.municipality in KUMAMOTO_MUNICIPALITIES else "",
            size=self.size if self.size in SIZE_LABELS else "",
            delivery=self.delivery if self.delivery in DELIVERY_LABELS else "",
            price_model=self.price_model if self.price_model in PRICE_MODEL_LABELS else "",
            subsidy=bool(self.subsidy),
            sort=self.sort if self.sort in SORTS else "updated",
        )

    def as_query(self) -> dict[str, str]:
        """The non-empty filters, for links that keep them (pagination)."""
        values = {key: str(value) for key, value in asdict(self).items() if value}
        if values.get("sort") == "updated":
            del values["sort"]
        if self.subsidy:
            values["subsidy"] = "1"
        return values


_TAGGED = "solution.id IN (SELECT solution FROM solution_tag WHERE facet = {} AND value = {})"


def _filtered(filters: SolutionFilter) -> Where:
    where = listed()
    if filters.q:
        where.add_any(
            contains_sql("solution.title", filters.q), contains_sql("solution.summary", filters.q)
        )
    if filters.category:
        where.add(_TAGGED, FACET_CATEGORY, filters.category)
    if filters.industry:
        where.add(_TAGGED, FACET_INDUSTRY, filters.industry)
    if filters.municipality:
        where.add_any(
            ("solution.all_kumamoto = {}", True),
            (_TAGGED, FACET_MUNICIPALITY, filters.municipality),
        )
    if filters.size:
        where.add(_TAGGED, FACET_SIZE, filters.size)
    if filters.delivery:
        where.add(_TAGGED, FACET_DELIVERY, filters.delivery)
    if filters.price_model:
        where.add("solution.price_model = {}", filters.price_model)
    if filters.subsidy:
        where.add("solution.subsidy_eligible = {}", True)
    return where


async def list_directory(
    principal: Principal, filters: SolutionFilter, page: PageRequest
) -> Page[SolutionView]:
    """Listed solutions matching the filters (at most five queries, whatever the page size)."""
    check_directory_access(principal)
    filters = filters.cleaned()
    return await _page(_filtered(filters), SORT_ORDER[filters.sort], page, principal)


async def get_solution(
    principal: Principal, solution_id: int, *, count_view: bool = False
) -> SolutionView:
    """A solution's page. Members read listed ones and their own organisation's (hidden too);
    the secretariat reads every one. With count_view, a reader from another organisation adds
    one to this month's views."""
    check_directory_access(principal)
    if is_secretariat(principal):
        row = await _row(solution_id)
    else:
        own = ("solution.organisation = {}", principal.organisation_id)
        row = await _row(solution_id, Where().add_any(LISTED, own))
    view = (await _views([row], principal))[0]
    if count_view and principal.organisation_id not in (None, view.organisation_id):
        await _count(solution_id, views=1)
    return view


# --- bookmarks -----------------------------------------------------------------------------


async def set_bookmark(principal: Principal, solution_id: int, on: bool) -> bool:
    """Bookmark a listed solution (or remove a bookmark, whatever became of the solution)."""
    own_organisation_id(principal)
    async with transaction():
        if on:
            await _row(solution_id, listed())
            # The unique (account, solution) index makes a second bookmark a no-op.
            await SolutionBookmark.raw(
                "INSERT INTO solution_bookmark (account, solution, created_at) "
                "VALUES ({}, {}, {}) ON CONFLICT (account, solution) DO NOTHING",
                principal.account_id,
                solution_id,
                clock.now(),
            )
        elif is_storable_id(solution_id):
            await SolutionBookmark.delete().where(
                (SolutionBookmark.account == principal.account_id)
                & (SolutionBookmark.solution == solution_id)
            )
    return on


async def list_bookmarks(principal: Principal, page: PageRequest) -> Page[SolutionView]:
    """The reader's bookmarked solutions that are still listed, last changed first."""
    own_organisation_id(principal)
    where = listed().add(
        "solution.id IN (SELECT solution FROM solution_bookmark WHERE account = {})",
        principal.account_id,
    )
    return await _page(where, NEWEST_CHANGE, page, principal)


# --- statistics ----------------------------------------------------------------------------


async def count_inquiry(solution_id: int) -> None:
    await _count(solution_id, inquiries=1)


async def _count(solution_id: int, *, views: int = 0, inquiries: int = 0) -> None:
    """Add to this month's counts in one statement (an upsert; concurrent readers add up)."""
    # Raw SQL: Piccolo's on_conflict() misreads SQLite 3.40 as older than 3.24 and refuses.
    await SolutionMonthlyStat.raw(
        "INSERT INTO solution_monthly_stat (solution, month, views, inquiries) "
        "VALUES ({}, {}, {}, {}) ON CONFLICT (solution, month) DO UPDATE SET "
        "views = solution_monthly_stat.views + excluded.views, "
        "inquiries = solution_monthly_stat.inquiries + excluded.inquiries",
        solution_id,
        month_of(clock.now()),
        views,
        inquiries,
    )


@dataclass(frozen=True, slots=True)
class MonthlyCount:
    month: dt.date
    views: int
    inquiries: int


@dataclass(frozen=True, slots=True)
class SolutionStatistics:
    solution_id: int
    title: str
    months: list[MonthlyCount]

    @property
    def total_views(self) -> int:
        return sum(month.views for month in self.months)

    @property
    def total_inquiries(self) -> int:
        return sum(month.inquiries for month in self.months)


def last_months(count: int, today: dt.date) -> list[dt.date]:
    """The first days of the last `count` months, oldest first, ending with today's month."""
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


async def provider_statistics(actor: Principal, months: int = 12) -> list[SolutionStatistics]:
    """Views and inquiries per month of each of the actor's organisation's solutions, for the
    last `months` months (zero where nothing happened). Two queries."""
    organisation_id = own_organisation_id(actor)
    span = last_months(max(1, min(months, 36)), month_of(clock.now()))
    solutions = (
        await Solution.select(Solution.id, Solution.title)
        .where(Solution.organisation == organisation_id)
        .order_by(Solution.title)
    )
    counts: dict[tuple[int, dt.date], tuple[int, int]] = {}
    if solutions:
        for row in await SolutionMonthlyStat.select().where(
            SolutionMonthlyStat.solution.is_in([s["id"] for s in solutions])
            & (SolutionMonthlyStat.month >= span[0])
        ):
            counts[(row["solution"], row["month"])] = (row["views"], row["inquiries"])
    return [
        SolutionStatistics(
            solution_id=solution["id"],
            title=solution["title"],
            months=[
                MonthlyCount(month, *counts.get((solution["id"], month), (0, 0))) for month in span
            ],
        )
        for solution in solutions
    ]


# --- the secretariat -----------------------------------------------------------------------


def _require_secretariat(actor: Principal) -> None:
    if not is_secretariat(actor):
        raise PermissionDenied()


async def moderate(actor: Principal, solution_id: int, reason: object) -> SolutionView:
    """Staff hide a solution from the directory; the provider sees the reason."""
    _require_secretariat(actor)
    text = clean(reason, MAX_MODERATION_REASON)
    problem = required_text_problem(text, "非公開にする理由", MAX_MODERATION_REASON, multiline=True)
    if problem:
        raise ValidationFailed({"reason": problem})
    async with transaction():
        before = await _row(solution_id)
        await Solution.update(
            {
                Solution.moderated: True,
                Solution.moderation_reason: text,
                Solution.moderated_at: clock.now(),
            }
        ).where(Solution.id == solution_id)
        await record(actor, "solutions.moderate", "solution", solution_id,
                     target_label=before["title"], after={"reason": text})  # fmt: skip
        await search_changed(SOLUTIONS, solution_id)
    return await get_solution(actor, solution_id)


async def lift_moderation(actor: Principal, solution_id: int) -> SolutionView:
    _require_secretariat(actor)
    async with transaction():
        before = await _row(solution_id)
        await Solution.update(
            {Solution.moderated: False, Solution.moderation_reason: "", Solution.moderated_at: None}
        ).where(Solution.id == solution_id)
        await record(actor, "solutions.unmoderate", "solution", solution_id,
                     target_label=before["title"],
                     before={"reason": before["moderation_reason"]})  # fmt: skip
        await search_changed(SOLUTIONS, solution_id)
    return await get_solution(actor, solution_id)


async def list_stale(actor: Principal, page: PageRequest) -> Page[SolutionView]:
    """Listed solutions not updated for over a year, the oldest first, so staff can ask their
    providers to refresh them."""
    _require_secretariat(actor)
    cutoff = clock.now() - dt.timedelta(days=STALE_AFTER_DAYS)
    where = listed().add("solution.updated_at < {}", cutoff)
    return await _page(where, "solution.updated_at ASC, solution.id ASC", page, actor)


REFRESH_INTERVAL = dt.timedelta(days=30)


async def provider_addresses(organisation_id: int) -> list[str]:
    """The e-mail addresses of an organisation's contacts, main contact first, each once."""
    rows = (
        await OrganisationContact.select(OrganisationContact.email)
        .where(OrganisationContact.organisation == organisation_id)
        .order_by(OrganisationContact.position)
    )
    return list(dict.fromkeys(row["email"] for row in rows))


async def request_refresh(settings: Settings, actor: Principal, solution_id: int) -> SolutionView:
    """Staff ask a provider by mail to bring a solution up to date (once in 30 days)."""
    _require_secretariat(actor)
    async with transaction():
        row = await _row(solution_id)
        now = clock.now()
        last = row["refresh_requested_at"]
        if last is not None and last > now - REFRESH_INTERVAL:
            raise Conflict(
                f"{format_date(last)}に更新を依頼済みです。続けて依頼するには30日以上あけてください。"
            )
        link = f"{settings.public_base_url}/platform/organisation/solutions/{solution_id}/edit"
        for address in await provider_addresses(row["organisation"]):
            await queue_mail(
                address,
                "【熊本県DX推進コンソーシアム】ソリューション情報の更新のお願い",
                f"{row['organisation_name']} ご担当者様\n\n"
                "会員プラットフォームに掲載中の次のソリューションは、最終更新から1年以上たっています。\n"
                "内容が最新か確認し、必要に応じて更新してください（確認のうえ保存すると更新日が新しくなります）。\n\n"
                f"ソリューション: {row['title']}\n"
                f"最終更新日: {format_date(row['updated_at'])}\n\n"
                f"{link}\n\n熊本県DX推進コンソーシアム事務局\n",
            )
        await Solution.update({Solution.refresh_requested_at: now}).where(
            Solution.id == solution_id
        )
        await record(actor, "solutions.refresh_request", "solution", solution_id,
                     target_label=row["title"])  # fmt: skip
    return await get_solution(actor, solution_id)


async def list_moderated(actor: Principal, page: PageRequest) -> Page[SolutionView]:
    """Solutions staff have hidden, the most recent first."""
    _require_secretariat(actor)
    where = Where().add("solution.moderated = {}", True)
    return await _page(where, "solution.moderated_at DESC, solution.id DESC", page, actor)
