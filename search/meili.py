"""The Meilisearch backend (production, SEARCH_URL and SEARCH_API_KEY), through the official
`meilisearch` client.

Each document keeps its fields as given (shown, filtered, sorted, and fingerprinted in
`kdx_digest`) and, for each searchable field, a copy for matching (`kdx_s_<field>`) that the
shared analysis has normalised the way queries are: widths folded, legal forms spelled out
(㈱ → 株式会社), hiragana as katakana (so a reading typed in either finds the other), case
folded. Those copies are searched in the settings' order of importance (Meilisearch's
attribute ranking), segmented as Japanese (localizedAttributes jpn, and `locales` on every
search); synonyms are given in the same normalised form; typo tolerance is as in the embedded
backend (one typo from five letters, never two); particles are stop words.

Every change is a Meilisearch task: the backend waits for it and raises SearchTaskFailed
when it fails, so an indexing error is never silent. A rebuilt index is swapped in whole
(swap-indexes), then the old one is deleted. Snippets come from search.snippets, as in the
embedded backend, so both mark the same words. The client is synchronous: calls run in a
worker thread; a server that cannot be reached raises SearchUnavailable.
"""

from __future__ import annotations

import asyncio
from typing import Any

import meilisearch
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
)

from search.analysis import QUERY_PARTICLES, normalise, terms_of, to_katakana
from search.base import (
    TYPO_MIN_LENGTH,
    Document,
    IndexSettings,
    SearchBackend,
    SearchHit,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    UnknownField,
    digest,
    field_text,
)
from search.snippets import highlight, mark_form

SEARCHABLE_PREFIX = "kdx_s_"
DIGEST_FIELD = "kdx_digest"
LOCALES = ["jpn"]
BATCH = 1000
TASK_TIMEOUT_MS = 120_000
STOP_WORDS = sorted(QUERY_PARTICLES)


class SearchTaskFailed(RuntimeError):
    """Meilisearch refused or failed a task (settings, documents, swap): indexing stops loudly."""


def matching_text(text: str) -> str:
    """What a searchable copy holds and what a query sends: the shared normalisation, with
    hiragana as katakana."""
    return to_katakana(normalise(text)[0])


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def settings_body(settings: IndexSettings) -> dict[str, Any]:
    """The index settings Meilisearch is given for the port's IndexSettings."""
    synonyms: dict[str, list[str]] = {}
    for group in settings.synonyms:
        words = [matching_text(word) for word in group]
        for word in words:
            synonyms.setdefault(word, [])
            synonyms[word].extend(other for other in words if other != word)
    searchable = [SEARCHABLE_PREFIX + name for name, _ in settings.searchable]
    return {
        "searchableAttributes": searchable,
        "filterableAttributes": list(settings.filterable),
        "sortableAttributes": list(settings.sortable),
        "displayedAttributes": ["*"],
        "synonyms": synonyms,
        "stopWords": STOP_WORDS,
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {"oneTypo": TYPO_MIN_LENGTH, "twoTypos": 255},
        },
        "localizedAttributes": [
            {"attributePatterns": [SEARCHABLE_PREFIX + "*"], "locales": LOCALES}
        ],
        "pagination": {"maxTotalHits": 10_000},
        "faceting": {"maxValuesPerFacet": 500},
    }


def settings_of_body(body: dict[str, Any]) -> IndexSettings:
    """The port's settings back from what Meilisearch holds (for a process that did not
    configure the index itself); weights follow the order of importance."""
    searchable = [
        name[len(SEARCHABLE_PREFIX) :]
        for name in body.get("searchableAttributes", [])
        if name.startswith(SEARCHABLE_PREFIX)
    ]
    count = len(searchable)
    groups: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for word, others in (body.get("synonyms") or {}).items():
        if word not in seen:
            group = (word, *others)
            seen.update(group)
            groups.append(group)
    return IndexSettings(
        searchable=tuple((name, float(count - rank)) for rank, name in enumerate(searchable)),
        filterable=tuple(body.get("filterableAttributes") or ()),
        sortable=tuple(body.get("sortableAttributes") or ()),
        synonyms=tuple(groups),
    )


def document_body(settings: IndexSettings, document: Document) -> dict[str, Any]:
    body: dict[str, Any] = {**document.fields, "id": document.id}
    for name, _ in settings.searchable:
        body[SEARCHABLE_PREFIX + name] = matching_text(field_text(document.fields.get(name)))
    body[DIGEST_FIELD] = digest(document.fields)
    return body


def search_params(settings: IndexSettings, query: SearchQuery) -> dict[str, Any]:
    """The search request for a port query; filters, facets or a sort on a field the settings
    do not declare raise UnknownField."""
    for name in (*query.filters, *query.facets):
        if name not in settings.filterable:
            raise UnknownField(name)
    params: dict[str, Any] = {
        "page": max(1, query.page),
        "hitsPerPage": query.per_page,
        "locales": LOCALES,
        "showRankingScore": True,
        "attributesToRetrieve": ["*"],
    }
    if query.filters:
        # Inner lists are OR, the outer list AND: any value of a field, every field.
        params["filter"] = [
            [f"{name} = {_quoted(value)}" for value in values] or ["id NOT EXISTS"]
            for name, values in query.filters.items()
        ]
    if query.facets:
        params["facets"] = list(query.facets)
    if query.sort:
        name = query.sort.lstrip("-")
        if name not in settings.sortable:
            raise UnknownField(name)
        params["sort"] = [f"{name}:{'desc' if query.sort.startswith('-') else 'asc'}"]
    return params


def marks_of(settings: IndexSettings, text: str) -> set[str]:
    """What snippets mark for a query: its words and their parts, and their synonyms."""
    words = [word for word in normalise(text)[0].split() if word]
    marks = {mark_form(word) for word in words} | {mark_form(term) for term in terms_of(text)}
    folded = {matching_text(word) for word in words}
    for group in settings.synonyms:
        if folded & {matching_text(word) for word in group}:
            marks.update(mark_form(word) for word in group)
    return {mark for mark in marks if mark}


class MeiliSearch(SearchBackend):
    def __init__(self, url: str, api_key: str = "", client: Any = None) -> None:
        if client is None:
            client = meilisearch.Client(url, api_key or None, timeout=10)
        self._client = client
        self._settings: dict[str, IndexSettings] = {}

    async def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await asyncio.to_thread(function, *args, **kwargs)
        except (MeilisearchCommunicationError, MeilisearchTimeoutError, OSError) as exc:
            raise SearchUnavailable(f"Meilisearch is unavailable: {exc}") from exc
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found":
                # As the embedded backend says it: the caller sets the index up and asks again.
                raise LookupError(f"index is not configured: {exc.message}") from exc
            raise

    async def _wait(self, task_info: Any, allowed_codes: tuple[str, ...] = ()) -> None:
        """Wait for a task; a failed one raises SearchTaskFailed (unless its error code is
        one the caller expects, such as an index that already exists)."""
        task = await self._call(
            self._client.wait_for_task, task_info.task_uid, timeout_in_ms=TASK_TIMEOUT_MS
        )
        if task.status == "succeeded":
            return
        error = task.error or {}
        if error.get("code") in allowed_codes:
            return
        raise SearchTaskFailed(
            f"Meilisearch task {task.uid} ({task.type}, index {task.index_uid}) {task.status}: "
            f"{error.get('code', '')} {error.get('message', '')}".strip()
        )

    async def _settings_of(self, index: str) -> IndexSettings:
        if index not in self._settings:
            body = await self._call(self._client.index(index).get_settings)
            self._settings[index] = settings_of_body(body)
        return self._settings[index]

    async def configure(self, index: str, settings: IndexSettings) -> None:
        created = await self._call(self._client.create_index, index, {"primaryKey": "id"})
        await self._wait(created, allowed_codes=("index_already_exists",))
        updated = await self._call(
            self._client.index(index).update_settings, settings_body(settings)
        )
        await self._wait(updated)
        self._settings[index] = settings

    async def upsert(self, index: str, documents: list[Document]) -> None:
        settings = await self._settings_of(index)
        bodies = [document_body(settings, document) for document in documents]
        for first in range(0, len(bodies), BATCH):
            task = await self._call(
                self._client.index(index).add_documents, bodies[first : first + BATCH], "id"
            )
            await self._wait(task)

    async def delete(self, index: str, ids: list[str]) -> None:
        for first in range(0, len(ids), BATCH):
            task = await self._call(
                self._client.index(index).delete_documents, ids[first : first + BATCH]
            )
            await self._wait(task)

    async def _documents(self, index: str, fields: list[str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = await self._call(
                self._client.index(index).get_documents,
                {"fields": fields, "limit": BATCH, "offset": offset},
            )
            found.extend(dict(document) for document in page.results)
            offset += len(page.results)
            if not page.results or offset >= page.total:
                return found

    async def document_ids(self, index: str) -> set[str]:
        return {str(row["id"]) for row in await self._documents(index, ["id"])}

    async def digests(self, index: str) -> dict[str, str]:
        rows = await self._documents(index, ["id", DIGEST_FIELD])
        return {str(row["id"]): str(row.get(DIGEST_FIELD, "")) for row in rows}

    async def clear(self, index: str) -> None:
        await self._wait(await self._call(self._client.index(index).delete_all_documents))

    async def replace(self, index: str, staging: str) -> None:
        await self._wait(
            await self._call(self._client.swap_indexes, [{"indexes": [index, staging]}])
        )
        # After the swap the staging name holds the old documents: delete that index.
        await self._wait(await self._call(self._client.delete_index, staging))
        self._settings.pop(staging, None)
        self._settings.pop(index, None)

    async def search(self, index: str, query: SearchQuery) -> SearchResult:
        settings = await self._settings_of(index)
        params = search_params(settings, query)
        response = await self._call(
            self._client.index(index).search, matching_text(query.text), params
        )
        marks = marks_of(settings, query.text) if query.text.strip() else set()
        hits = []
        for raw in response.get("hits", []):
            fields = {
                name: value
                for name, value in raw.items()
                if not name.startswith(("kdx_", "_")) and name != "id"
            }
            hits.append(
                SearchHit(
                    id=str(raw["id"]),
                    fields=fields,
                    highlights={
                        name: highlight(field_text(fields.get(name)), marks)
                        for name, _ in settings.searchable
                    },
                    score=float(raw.get("_rankingScore", 0.0)),
                )
            )
        facets = {
            name: {str(value): int(count) for value, count in counts.items()}
            for name, counts in (response.get("facetDistribution") or {}).items()
        }
        return SearchResult(
            hits=hits,
            total=int(response.get("totalHits", len(hits))),
            facets={name: facets.get(name, {}) for name in query.facets},
            took_ms=float(response.get("processingTimeMs", 0)),
        )

    async def close(self) -> None:
        session = getattr(getattr(self._client, "http", None), "session", None)
        if session is not None:
            await asyncio.to_thread(session.close)


__all__ = ["MeiliSearch", "SearchTaskFailed"]
