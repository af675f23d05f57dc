"""Logs written off the request path: rows wait in a buffer in the process and a background
task of the app writes them in batches every few seconds (and when the app stops).

Used by the search log and the page-view log. A request only appends to a deque; a database
that is down loses the oldest rows past the buffer's size, never a page.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger("kdx")

FLUSH_SECONDS = 2.0
MAX_BUFFERED = 10_000
BATCH_ROWS = 500  # rows per write: one INSERT stays within SQLite's limit of bound values
T = TypeVar("T")


class BufferedLog(Generic[T]):
    def __init__(
        self, name: str, write: Callable[[list[T]], Awaitable[None]], max_rows: int = MAX_BUFFERED
    ) -> None:
        self.name = name
        self._write = write
        self._rows: deque[T] = deque(maxlen=max_rows)

    def add(self, row: T) -> None:
        self._rows.append(row)

    def clear(self) -> None:
        self._rows.clear()

    def __len__(self) -> int:
        return len(self._rows)

    async def flush(self) -> int:
        """Write what the buffer holds; returns the number of rows written."""
        rows: list[T] = []
        while self._rows:
            rows.append(self._rows.popleft())
        if not rows:
            return 0
        try:
            for first in range(0, len(rows), BATCH_ROWS):
                await self._write(rows[first : first + BATCH_ROWS])
        except Exception:  # a log must never break the site: the rows are lost, not the pages
            log.exception("%s log: %d rows could not be written", self.name, len(rows))
            return 0
        return len(rows)


async def flush_forever(logs: Sequence[BufferedLog], stopping: asyncio.Event) -> None:
    """The app's background task: a batch every few seconds, the rest when the app stops."""
    while not stopping.is_set():
        try:
            await asyncio.wait_for(stopping.wait(), timeout=FLUSH_SECONDS)
        except TimeoutError:
            pass
        for buffered in logs:
            await buffered.flush()
