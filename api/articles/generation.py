"""The content generation: one counter that every change to public content bumps.

Caches of anonymous pages and feeds (in every app process) key their entries on it, so a
publish, an unpublish or an edit shows at once everywhere without telling the processes.
`bump_content_generation()` joins the caller's transaction: the new content and the new
generation commit together. `current_generation()` is one primary-key read; a GenerationReader
saves the cached pages even that on most hits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from api import clock
from api.articles.tables import ContentGeneration
from api.db import transaction

ROW_ID = 1  # the one row
# Changes bumped by this process so far: a reader in this process re-reads after each.
_local_changes = 0


@dataclass(frozen=True, slots=True)
class Generation:
    number: int
    changed_at: datetime | None  # None before the first change (no row yet)


def _whole_second(value: datetime) -> datetime:
    return value.replace(microsecond=0)


async def current_generation() -> Generation:
    row = (
        await ContentGeneration.select(ContentGeneration.generation, ContentGeneration.changed_at)
        .where(ContentGeneration.id == ROW_ID)
        .first()
    )
    if row is None:
        return Generation(0, None)
    return Generation(int(row["generation"]), row["changed_at"])


class GenerationReader:
    """The generation as this process last read it: read again when it is older than max_age
    seconds (changes made by other processes show within that) or when this process made a
    change since (its own changes show at once)."""

    def __init__(
        self, max_age: float = 0.5, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_age = max_age
        self._monotonic = monotonic
        self._value: Generation | None = None
        self._read_at = 0.0
        self._seen_changes = -1

    async def current(self) -> Generation:
        now = self._monotonic()
        if (
            self._value is not None
            and self._seen_changes == _local_changes
            and now - self._read_at < self.max_age
        ):
            return self._value
        seen = _local_changes
        value = await current_generation()
        self._value, self._read_at, self._seen_changes = value, now, seen
        return value


async def bump_content_generation() -> Generation:
    """Count one change to public content (inside the caller's transaction, if any)."""
    global _local_changes
    _local_changes += 1
    async with transaction():
        # The UPDATE comes first: on PostgreSQL it locks the row until the transaction ends,
        # so concurrent bumps queue instead of reading the same old values.
        rows = await _increment()
        if not rows:
            await ContentGeneration.insert(
                ContentGeneration(
                    id=ROW_ID, generation=0, changed_at=clock.now() - timedelta(seconds=1)
                )
            ).on_conflict(action="DO NOTHING")
            rows = await _increment()
        previous = rows[0]["changed_at"]
        # Last-Modified has whole seconds: two changes within one second must still differ,
        # or a client holding the first would get 304 for the second.
        changed_at = max(clock.now(), _whole_second(previous) + timedelta(seconds=1))
        await ContentGeneration.update({ContentGeneration.changed_at: changed_at}).where(
            ContentGeneration.id == ROW_ID
        )
    # Counted again once written: a page read meanwhile (before the commit) is not kept for long.
    _local_changes += 1
    return Generation(int(rows[0]["generation"]), changed_at)


async def _increment() -> list[dict[str, Any]]:
    return (
        await ContentGeneration.update(
            {ContentGeneration.generation: ContentGeneration.generation + 1}
        )
        .where(ContentGeneration.id == ROW_ID)
        .returning(ContentGeneration.generation, ContentGeneration.changed_at)
    )
