"""What the database benchmarks share: loading rows with the engine's own bulk path (setup, not
measured) and timing a step as the median of a few runs."""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg

from api.db import sqlite_path


async def bulk_load(
    url: str, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Rows into a table by COPY on PostgreSQL or executemany on SQLite, then ANALYZE."""
    if url.startswith("postgres"):
        connection = await asyncpg.connect(url)
        try:
            await connection.copy_records_to_table(table, records=rows, columns=list(columns))
            await connection.execute("ANALYZE")
        finally:
            await connection.close()
        return
    import piccolo.engine.sqlite  # noqa: F401 (its adapters store datetimes as Piccolo does)

    connection = sqlite3.connect(str(sqlite_path(url)))
    try:
        names = ", ".join(f'"{name}"' for name in columns)
        marks = ", ".join("?" for _ in columns)
        connection.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
        connection.commit()
        connection.execute("ANALYZE")
    finally:
        connection.close()


async def timed(run: Callable[[], Awaitable[Any]], times: int = 3) -> tuple[float, Any]:
    """The median time of `times` runs, and the last run's result."""
    durations, result = [], None
    for _ in range(times):
        started = time.perf_counter()
        result = await run()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), result
