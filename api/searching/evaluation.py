"""Relevance evaluation: a judged set of documents and queries, run against a backend.

The documents go into a scratch index with the production weights (the fields of both indexes,
each with the weight it has there) and the synonyms given; each query runs with its filters and
its top ten are scored against the documents judged relevant: recall@10, MRR@10 and nDCG@10
(binary relevance) over the queries that have an answer, and for those without one, whether
nothing was found. The same set compares backends and tunings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from api.searching.reference import CASE_STUDY_SETTINGS, SOLUTION_SETTINGS
from search.base import Document, IndexSettings, SearchBackend, SearchQuery

SCRATCH = "search_eval"
TOP = 10
DOCUMENT_TYPES = ("solution", "case_study")


def scratch_settings(synonyms: tuple[tuple[str, ...], ...]) -> IndexSettings:
    weights: dict[str, float] = {}
    for settings in (SOLUTION_SETTINGS, CASE_STUDY_SETTINGS):
        for name, weight in settings.searchable:
            weights.setdefault(name, weight)
    return IndexSettings(
        searchable=tuple(weights.items()),
        filterable=("type", "category", "theme", "industry", "municipality"),
        synonyms=synonyms,
    )


class JudgedSetInvalid(ValueError):
    """The judged set's file does not have the shape the command reads."""


@dataclass(frozen=True, slots=True)
class JudgedQuery:
    q: str
    relevant: tuple[str, ...]
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class JudgedSet:
    documents: list[Document]
    queries: list[JudgedQuery]

    @classmethod
    def of(cls, data: Any) -> JudgedSet:
        if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
            raise JudgedSetInvalid("the file needs a list of documents and a list of queries")
        documents = []
        for number, item in enumerate(data["documents"], start=1):
            if not isinstance(item, dict) or not item.get("id") or not item.get("title"):
                raise JudgedSetInvalid(f"document {number} needs an id and a title")
            if item.get("type") not in DOCUMENT_TYPES:
                raise JudgedSetInvalid(f"document {item['id']}: type is solution or case_study")
            documents.append(_document(item))
        ids = {document.id for document in documents}
        queries = []
        for number, item in enumerate(data.get("queries") or [], start=1):
            if not isinstance(item, dict) or not isinstance(item.get("q"), str):
                raise JudgedSetInvalid(f"query {number} needs q")
            relevant = tuple(str(i) for i in item.get("relevant") or [])
            unknown = [i for i in relevant if i not in ids]
            if unknown:
                raise JudgedSetInvalid(f"query {number} names unknown documents: {unknown}")
            filters = {
                str(name): tuple(value if isinstance(value, list) else [value])
                for name, value in (item.get("filters") or {}).items()
            }
            queries.append(JudgedQuery(item["q"], relevant, filters))
        if not queries:
            raise JudgedSetInvalid("the file has no queries")
        return cls(documents, queries)


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _document(item: dict[str, Any]) -> Document:
    return Document(str(item["id"]), {
        "type": item["type"], "title": item["title"], "org": item.get("org", ""),
        "org_kana": item.get("org_kana", ""), "summary": item.get("summary", ""),
        "body": item.get("body", ""), "categories": _list(item.get("categories")),
        "themes": _list(item.get("themes")), "category": _list(item.get("categories")),
        "theme": _list(item.get("themes")), "industry": _list(item.get("industries")),
        "municipality": _list(item.get("municipality")),
    })  # fmt: skip


@dataclass(frozen=True, slots=True)
class QueryOutcome:
    q: str
    ranked: list[str]
    relevant: tuple[str, ...]

    @property
    def answered(self) -> bool:
        return bool(self.relevant)

    @property
    def recall(self) -> float:
        found = set(self.ranked[:TOP]) & set(self.relevant)
        return len(found) / len(self.relevant) if self.relevant else 0.0

    @property
    def reciprocal_rank(self) -> float:
        for rank, document_id in enumerate(self.ranked[:TOP], start=1):
            if document_id in self.relevant:
                return 1 / rank
        return 0.0

    @property
    def ndcg(self) -> float:
        gains = sum(
            1 / math.log2(rank + 1)
            for rank, document_id in enumerate(self.ranked[:TOP], start=1)
            if document_id in self.relevant
        )
        ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(TOP, len(self.relevant)) + 1))
        return gains / ideal if ideal else 0.0

    @property
    def missed(self) -> list[str]:
        return [i for i in self.relevant if i not in self.ranked[:TOP]]


@dataclass(frozen=True, slots=True)
class Evaluation:
    outcomes: list[QueryOutcome]

    def _mean(self, values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    @property
    def answered(self) -> list[QueryOutcome]:
        return [o for o in self.outcomes if o.answered]

    @property
    def recall(self) -> float:
        return self._mean([o.recall for o in self.answered])

    @property
    def mrr(self) -> float:
        return self._mean([o.reciprocal_rank for o in self.answered])

    @property
    def ndcg(self) -> float:
        return self._mean([o.ndcg for o in self.answered])

    @property
    def unanswerable_empty(self) -> tuple[int, int]:
        """(queries without an answer that found nothing, queries without an answer)."""
        empty = [o for o in self.outcomes if not o.answered]
        return sum(1 for o in empty if not o.ranked), len(empty)


async def evaluate(
    backend: SearchBackend, judged: JudgedSet, synonyms: tuple[tuple[str, ...], ...]
) -> Evaluation:
    await backend.configure(SCRATCH, scratch_settings(synonyms))
    await backend.clear(SCRATCH)
    await backend.upsert(SCRATCH, judged.documents)
    outcomes = []
    for query in judged.queries:
        result = await backend.search(
            SCRATCH, SearchQuery(text=query.q, filters=query.filters, per_page=TOP)
        )
        outcomes.append(QueryOutcome(query.q, [hit.id for hit in result.hits], query.relevant))
    await backend.clear(SCRATCH)
    return Evaluation(outcomes)
