"""The monthly search analytics over a large log, run on demand (never by pytest):

    .venv/bin/python -m tests.benchmarks.bench_search_analytics [--searches 1000000]
    TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python -m ...

It fills a fresh, migrated database with one month of logged searches (queries drawn from a
vocabulary of 5,000 with a long tail, as people search; a tenth find nothing; about a third
have a click), then times what the worker and the pages do: the month's roll-up into its
monthly rows, the month's analytics and the fiscal year's (read from the monthly rows), each
three times. The rows are loaded with the database's own bulk path (that is setup, not
measured). It prints the times; it never passes or fails.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from api import periods
from api.dates import JST
from api.db import bind_engine, close_pool, create_engine, migrate, prepare_database
from api.searching import analytics
from tests.benchmarks.common import bulk_load, timed
from tests.dbutil import create_database_async, drop_database_async, using_postgres

MONTH = date(2026, 11, 1)
AUDIENCES = ("public", "member", "staff")
INDEXES = ("solutions", "case_studies")
COLUMNS = ("index", "query", "filters", "result_count", "page", "audience", "created_at")
CLICK_COLUMNS = ("index", "query", "document_id", "position", "audience", "created_at")


def make_rows(count: int) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    chance = random.Random(19)  # the same log every run
    vocabulary = [f"検索語{number}" for number in range(5000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # a long tail
    start = datetime(MONTH.year, MONTH.month, 1, tzinfo=JST)
    queries = chance.choices(vocabulary, weights, k=count)
    searches, clicks = [], []
    for number, query in enumerate(queries):
        when = start + timedelta(seconds=chance.randrange(30 * 86400))
        index, audience = chance.choice(INDEXES), chance.choice(AUDIENCES)
        found = 0 if chance.random() < 0.1 else chance.randint(1, 40)
        searches.append((index, query, "{}", found, 1 if number % 7 else 2, audience, when))
        if found and chance.random() < 0.35:
            clicks.append((index, query, str(number), chance.randint(1, 10), audience, when))
    return searches, clicks


async def load(url: str, searches: list, clicks: list) -> None:
    await bulk_load(url, "search_log", COLUMNS, searches)
    await bulk_load(url, "search_click", CLICK_COLUMNS, clicks)


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = await create_database_async(Path(tmp), "analytics")
        try:
            engine = create_engine(url)
            bind_engine(engine)
            await prepare_database(engine)
            await migrate()
            searches, clicks = make_rows(count)
            started = time.perf_counter()
            await load(url, searches, clicks)
            loaded = time.perf_counter() - started
            roll_up, rows = await timed(lambda: analytics.roll_up(MONTH))
            month, report = await timed(lambda: analytics.analytics(periods.month_period(MONTH)))
            year, _ = await timed(lambda: analytics.analytics(periods.year_period(2026)))
            await close_pool(engine)
        finally:
            await drop_database_async(url)
    engine_name = "PostgreSQL" if using_postgres() else "SQLite"
    print(f"{engine_name}: {count:,} searches and {len(clicks):,} clicks in November 2026 "
          f"(loaded in {loaded:.1f} s); {rows:,} monthly rows")  # fmt: skip
    print("| step | median of 3 |")
    print("| --- | ---: |")
    print(f"| roll-up of the month (the worker, hourly) | {roll_up:.2f} s |")
    print(f"| the month's analytics (the page, the API) | {month * 1000:.0f} ms |")
    print(f"| the fiscal year's analytics | {year * 1000:.0f} ms |")
    assert report is not None
    print(f"check: {report.totals.searches:,} searches, {report.totals.distinct_queries:,} queries")  # type: ignore[attr-defined]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--searches", type=int, default=1_000_000)
    asyncio.run(main(parser.parse_args().searches))
