"""Keeping the indexes true to the database.

- searching.outbox.changed() writes an outbox row in the caller's transaction: the content
  change and the note that its document must be rebuilt commit together, so a crash between
  the commit and the index update loses nothing.
- apply_updates() (the worker, every round) rebuilds the documents the outbox names from the
  database and sends them to the backend (or removes those that no longer have a document);
  the rows go only once the backend has them. A backend that is down leaves the rows waiting.
- reindex() rebuilds an index from the database, into a fresh one that replaces the old only
  when complete; check() lists documents missing from or extra to an index.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from api import clock
from api.db import transaction
from api.searching.documents import ALL_IDS, BUILDERS
from api.searching.outbox import changed_many
from api.searching.reference import DEFAULT_SYNONYMS, OUTBOX_BATCH, SETTINGS
from api.searching.tables import SearchOutbox, SearchSynonym
from search.base import IndexSettings, SearchBackend, digest

log = logging.getLogger("kdx.search")


# --- synonyms and settings ---------------------------------------------------------------------


async def ensure_default_synonyms() -> int:
    """Seed the synonym groups of a new installation; returns how many were made."""
    async with transaction():
        if await SearchSynonym.exists():
            return 0
        await SearchSynonym.insert(
            *[SearchSynonym(words="\n".join(group)) for group in DEFAULT_SYNONYMS]
        )
    return len(DEFAULT_SYNONYMS)


def stored_words(text: str) -> tuple[str, ...]:
    """A synonym group's words as the table keeps them (one per line)."""
    return tuple(word.strip() for word in text.splitlines() if word.strip())


async def synonym_groups() -> tuple[tuple[str, ...], ...]:
    rows = await SearchSynonym.select(SearchSynonym.words).order_by(SearchSynonym.id)
    groups = (stored_words(row["words"]) for row in rows)
    return tuple(words for words in groups if len(words) > 1)


async def index_settings(index: str) -> IndexSettings:
    base = SETTINGS[index]
    return IndexSettings(base.searchable, base.filterable, base.sortable, await synonym_groups())


async def configure_indexes(backend: SearchBackend) -> None:
    """Every index with its settings and the current synonyms (at start, and when they change)."""
    for index in SETTINGS:
        await backend.configure(index, await index_settings(index))


# --- the outbox --------------------------------------------------------------------------------


REBUILDING = "*"  # an outbox row with this id: the index is being rebuilt
REBUILD_EXPIRES = timedelta(hours=1)  # a rebuild that crashed holds no updates back longer


async def apply_updates(backend: SearchBackend, limit: int = OUTBOX_BATCH) -> int:
    """Apply the oldest outbox rows; returns how many documents were updated. Rows for the
    same document count once; a backend that is down raises SearchUnavailable, rows kept.
    While an index is rebuilt, its rows wait: the rebuilt index gets them once it is in place."""
    rows = await (
        SearchOutbox.select(*SearchOutbox.all_columns()).order_by(SearchOutbox.id).limit(limit)
    )
    if not rows:
        return 0
    cutoff = clock.now() - REBUILD_EXPIRES
    rebuilding = {
        r["index"] for r in rows if r["document_id"] == REBUILDING and r["created_at"] > cutoff
    }
    done: list[int] = []
    wanted: dict[str, set[str]] = {}
    for row in rows:
        if row["index"] in rebuilding:
            continue
        done.append(row["id"])
        if row["index"] in BUILDERS and row["document_id"] != REBUILDING:
            wanted.setdefault(row["index"], set()).add(row["document_id"])
    for index, ids in wanted.items():
        numbers = [int(i) for i in ids if i.isdigit()]
        documents = await BUILDERS[index](numbers)
        await backend.upsert(index, list(documents.values()))
        await backend.delete(index, sorted(ids - set(documents)))
    # Only the rows read: a change noted meanwhile has a later id and is applied next round.
    if done:
        await SearchOutbox.delete().where(SearchOutbox.id.is_in(done))
    return sum(len(ids) for ids in wanted.values())


async def queue_everything() -> None:
    """Note every document of every index for rebuilding (after content written in bulk)."""
    for index, all_ids in ALL_IDS.items():
        await changed_many(index, await all_ids())


async def apply_all(backend: SearchBackend) -> int:
    done = 0
    while updated := await apply_updates(backend):
        done += updated
    return done


# --- rebuilding and checking -----------------------------------------------------------------


async def reindex(
    backend: SearchBackend, index: str, progress: Callable[[int, int], None] | None = None
) -> int:
    """Rebuild an index from the database into a new one that replaces it only when complete;
    returns the number of documents. Changes made meanwhile wait in the outbox (behind a
    REBUILDING row) and reach the new index after the swap."""
    rows = await SearchOutbox.insert(SearchOutbox(index=index, document_id=REBUILDING)).returning(
        SearchOutbox.id
    )
    staging = f"{index}_rebuild"
    try:
        await backend.configure(staging, await index_settings(index))
        await backend.clear(staging)  # what a crashed rebuild left
        ids = await ALL_IDS[index]()
        written = 0
        for start in range(0, len(ids), OUTBOX_BATCH):
            documents = await BUILDERS[index](ids[start : start + OUTBOX_BATCH])
            await backend.upsert(staging, list(documents.values()))
            written += len(documents)
            if progress is not None:
                progress(min(start + OUTBOX_BATCH, len(ids)), len(ids))
        await backend.replace(index, staging)
    finally:
        await SearchOutbox.delete().where(SearchOutbox.id == rows[0]["id"])
    return written


@dataclass(frozen=True, slots=True)
class IndexReport:
    index: str
    missing: list[str] = field(default_factory=list)  # a document with no entry
    stale: list[str] = field(default_factory=list)  # an entry that differs from its document
    extra: list[str] = field(default_factory=list)  # an entry whose document is gone
    pending: int = 0  # outbox rows not applied yet

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra)


async def check(backend: SearchBackend, index: str) -> IndexReport:
    """Compare an index with the documents the database gives now."""
    ids = await ALL_IDS[index]()
    expected: dict[str, str] = {}
    for start in range(0, len(ids), OUTBOX_BATCH):
        documents = await BUILDERS[index](ids[start : start + OUTBOX_BATCH])
        expected |= {key: digest(document.fields) for key, document in documents.items()}
    try:
        indexed = await backend.digests(index)
    except LookupError:  # never configured: everything is missing
        indexed = {}
    pending = await SearchOutbox.count().where(SearchOutbox.index == index)
    return IndexReport(
        index,
        missing=sorted(expected.keys() - indexed.keys(), key=_order),
        stale=sorted((k for k in expected.keys() & indexed.keys() if expected[k] != indexed[k]),
                     key=_order),
        extra=sorted(indexed.keys() - expected.keys(), key=_order),
        pending=pending,
    )  # fmt: skip


def _order(document_id: str) -> tuple[int, str]:
    return (int(document_id) if document_id.isdigit() else 0, document_id)
