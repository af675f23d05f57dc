"""The members-only directory: active organisations that chose to show a public profile.

Entries are read from a fixed list of columns that holds no personal data: contacts are another
table and the representative's fields are never selected, so no query here can leak them.
Members need an active organisation of their own; the secretariat (staff, admins) reads it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.db import Where, contains_sql, is_storable_id
from api.errors import NotFound
from api.members.reference import (
    INDUSTRY_LABELS,
    KUMAMOTO,
    KUMAMOTO_MUNICIPALITIES,
    OUTSIDE_KUMAMOTO,
    SIZE_LABELS,
    MembershipStatus,
    OrganisationLabels,
)
from api.members.service import own_organisation_id
from api.members.tables import Organisation
from api.members.validation import normalize_kana
from api.pagination import Page, PageRequest, fetch_raw_page
from api.permissions import Role
from api.principal import Principal
from api.text import lookup_text

NOT_FOUND = "指定された団体は会員名簿に掲載されていません。"
# Who reads the directory without an organisation of their own.
SECRETARIAT = frozenset({Role.STAFF, Role.ADMIN})
MUNICIPALITY_CHOICES = (*KUMAMOTO_MUNICIPALITIES, OUTSIDE_KUMAMOTO)

# Written out: every directory page runs these (the ORM took longer to build them than the
# database took to answer).
_FIELDS = (
    "id", "name", "name_kana", "kind", "industry", "size_band", "prefecture", "municipality",
    "website", "profile_text",
)  # fmt: skip
_COLUMNS = ", ".join(_FIELDS)


@dataclass(frozen=True, slots=True)
class DirectoryEntry(OrganisationLabels):
    id: int
    name: str
    name_kana: str
    kind: str
    industry: str
    size_band: str
    prefecture: str
    municipality: str
    website: str
    profile_text: str

    @property
    def place(self) -> str:
        """Where the head office is: the municipality, with its prefecture outside Kumamoto."""
        if self.prefecture == KUMAMOTO:
            return self.municipality
        return f"{self.prefecture}{self.municipality}"

    @property
    def summary(self) -> str:
        """The first line of the profile text, shortened for the list."""
        first = self.profile_text.strip().split("\n", 1)[0]
        return first if len(first) <= 80 else first[:80] + "…"


def _entry(row: dict[str, Any]) -> DirectoryEntry:
    return DirectoryEntry(**{name: row[name] for name in _FIELDS})


@dataclass(frozen=True, slots=True)
class DirectoryFilter:
    """Filters as typed; values outside the lists are ignored (a stale link still works)."""

    q: str = ""
    industry: str = ""
    municipality: str = ""
    size: str = ""

    def cleaned(self) -> DirectoryFilter:
        return DirectoryFilter(
            q=lookup_text(self.q, 100),
            industry=self.industry if self.industry in INDUSTRY_LABELS else "",
            municipality=self.municipality if self.municipality in MUNICIPALITY_CHOICES else "",
            size=self.size if self.size in SIZE_LABELS else "",
        )


def check_access(principal: Principal) -> None:
    """Members read the directory while their own organisation is active; staff always."""
    if not principal.roles & SECRETARIAT:
        own_organisation_id(principal)


def _listed() -> Where:
    return Where().add("status = {} AND profile_public = {}", MembershipStatus.ACTIVE.value, True)


async def list_directory(
    principal: Principal, filters: DirectoryFilter, page: PageRequest
) -> Page[DirectoryEntry]:
    """Listed organisations by reading (one query, whatever the page size)."""
    check_access(principal)
    filters = filters.cleaned()
    where = _listed()
    if filters.q:
        # The reading is stored in katakana; a reading typed in hiragana finds it too.
        where.add_any(
            contains_sql("name", filters.q),
            contains_sql("name_kana", normalize_kana(filters.q)),
        )
    if filters.industry:
        where.add("industry = {}", filters.industry)
    if filters.size:
        where.add("size_band = {}", filters.size)
    if filters.municipality == OUTSIDE_KUMAMOTO:
        where.add("prefecture <> {}", KUMAMOTO)
    elif filters.municipality:
        where.add("prefecture = {} AND municipality = {}", KUMAMOTO, filters.municipality)
    rows, total = await fetch_raw_page(
        Organisation, "organisation", _COLUMNS, where, "name_kana, id", page
    )
    return Page(
        items=[_entry(row) for row in rows], total=total, page=page.page, per_page=page.per_page
    )


async def get_directory_entry(principal: Principal, organisation_id: int) -> DirectoryEntry:
    """One listed organisation's public profile; unlisted, inactive or unknown: NotFound."""
    check_access(principal)
    rows: list[dict[str, Any]] = []
    if is_storable_id(organisation_id):
        where = _listed().add("id = {}", organisation_id)
        rows = await Organisation.raw(
            f"SELECT {_COLUMNS} FROM organisation WHERE {where.sql}",  # noqa: S608
            *where.values,
        )
    if not rows:
        raise NotFound(NOT_FOUND)
    return _entry(rows[0])
