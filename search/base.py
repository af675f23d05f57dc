"""The search port: what every search backend does, in the domain's absence.

An index holds documents (an id and named fields). Its settings say which fields are searched
(with weights: title above summary above body), which can filter and be counted as facets, which
can sort, and the synonym groups applied to queries (changing them needs no reindex). A search
takes the user's text, filters (a field and the values accepted, any of them; every field must
hold), the facets to count, a sort, a page; it returns hits with highlighted snippets, the
facet counts for the whole match, the total and the time it took.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

FieldValue = str | int | float | list[str] | None
# A Latin word this long or longer also matches words one typo away (kintoen finds kintone);
# shorter ones never do. Every backend keeps this rule.
TYPO_MIN_LENGTH = 5


class SearchUnavailable(RuntimeError):
    """The backend cannot be reached: pages say search is unavailable, never fail."""


class UnknownField(ValueError):
    """A filter, facet or sort names a field the index settings do not declare."""


@dataclass(frozen=True, slots=True)
class IndexSettings:
    searchable: tuple[tuple[str, float], ...]  # (field, weight), most important first
    filterable: tuple[str, ...] = ()
    sortable: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, ...], ...] = ()  # groups of words that mean the same


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    fields: dict[str, FieldValue]


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    sort: str = ""  # "" for relevance, or a sortable field; "-field" sorts descending
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (max(1, self.page) - 1) * self.per_page


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: str
    fields: dict[str, Any]  # the document as indexed
    highlights: dict[str, str]  # field -> escaped HTML snippet with <mark> around matches
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[SearchHit]
    total: int
    facets: dict[str, dict[str, int]]  # field -> value -> documents matching with it
    took_ms: float


def field_text(value: FieldValue) -> str:
    """A field's value as one text to search or to cut a snippet from (list items joined)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return str(value)


def digest(fields: dict[str, Any]) -> str:
    """A short fingerprint of a document's fields: equal fields, equal digests."""
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


class SearchBackend(ABC):
    @abstractmethod
    async def configure(self, index: str, settings: IndexSettings) -> None:
        """Create the index or change its settings (synonyms apply to the next query)."""

    @abstractmethod
    async def upsert(self, index: str, documents: list[Document]) -> None:
        """Add documents, replacing those with the same ids."""

    @abstractmethod
    async def delete(self, index: str, ids: list[str]) -> None:
        """Remove documents; an id not indexed is not an error."""

    @abstractmethod
    async def search(self, index: str, query: SearchQuery) -> SearchResult:
        """Matching documents, best first (or in the query's sort)."""

    @abstractmethod
    async def document_ids(self, index: str) -> set[str]:
        """Every id in the index."""

    @abstractmethod
    async def digests(self, index: str) -> dict[str, str]:
        """Every id in the index with the digest of its fields as indexed (for checking the
        index against the database: see digest())."""

    @abstractmethod
    async def clear(self, index: str) -> None:
        """Remove every document (the settings stay)."""

    @abstractmethod
    async def replace(self, index: str, staging: str) -> None:
        """Make the staging index the index, at once (searches never see a half-built one);
        the old index is dropped and the staging name is free again."""

    @abstractmethod
    async def close(self) -> None:
        """Release connections."""
