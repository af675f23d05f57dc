"""The page views and the monthly report over a large log, run on demand (never by pytest):

    .venv/bin/python -m tests.benchmarks.bench_page_views [--views 3000000]
    TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python -m ...

It fills a fresh, migrated database with one month of page views (2,000 pages with a long
tail, as people read a site: the home page and lists most, then case studies, solutions and
recordings; a fifth from another site; phones for a third), then times what the worker and
the pages do: counting the month's days into the daily rows (the worker counts one day at a
time, hourly; this is the whole month at once, as after a long outage), the month's page-view
report, the fiscal year's, and the whole monthly report for the prefecture, each read from the
daily rows and taken three times. The rows are loaded with the database's own bulk path (setup,
not measured). It prints the times; it never passes or fails.
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
from api.analytics import service as page_views
from api.analytics.recording import classify
from api.dates import JST
from api.db import bind_engine, close_pool, create_engine, migrate, prepare_database
from api.permissions import Role
from api.principal import Principal
from api.reports import monthly
from tests.benchmarks.common import bulk_load, timed
from tests.dbutil import create_database_async, drop_database_async, using_postgres

MONTH = date(2026, 11, 1)
COLUMNS = (
    "viewed_at", "area", "path", "content_kind", "content_key", "referrer_host", "device",
    "audience",
)  # fmt: skip
STAFF = Principal(0, "bench@example.jp", "ベンチマーク", frozenset({Role.STAFF}))


def site_paths() -> list[str]:
    paths = ["/", "/case-studies", "/news", "/events", "/platform", "/platform/solutions",
             "/search", "/join", "/platform/recordings", "/platform/directory"]  # fmt: skip
    paths += [f"/case-studies/case-{n}" for n in range(600)]
    paths += [f"/news/news-{n}" for n in range(400)]
    paths += [f"/platform/solutions/{n}" for n in range(1, 701)]
    paths += [f"/platform/recordings/{n}" for n in range(1, 151)]
    paths += [f"/events/{n}" for n in range(1, 81)]
    paths += [f"/pages/about/page-{n}" for n in range(50)]
    return paths


def make_rows(count: int) -> list[tuple[object, ...]]:
    chance = random.Random(20)  # the same log every run
    paths = site_paths()
    places = {path: classify(path) for path in paths}
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(paths))]  # a long tail
    hosts = [f"www.site{n}.example" for n in range(60)] + ["www.google.com"] * 20
    start = datetime(MONTH.year, MONTH.month, 1, tzinfo=JST)
    rows = []
    for path in chance.choices(paths, weights, k=count):
        place = places[path]
        assert place is not None
        when = start + timedelta(seconds=chance.randrange(30 * 86400))
        device = chance.choices(("desktop", "mobile", "tablet"), (6, 3, 1))[0]
        audience = (
            "member"
            if place.area == "platform"
            else chance.choice(("public", "public", "member", "staff"))
        )
        referrer = chance.choice(hosts) if chance.random() < 0.2 else ""
        rows.append((when, place.area, path, place.kind, place.key, referrer, device, audience))
    return rows


async def load(url: str, rows: list[tuple[object, ...]]) -> None:
    await bulk_load(url, "page_view", COLUMNS, rows)


async def main(count: int) -> None:
    month = periods.month_period(MONTH)
    last = MONTH + timedelta(days=29)
    with tempfile.TemporaryDirectory() as tmp:
        url = await create_database_async(Path(tmp), "page_views")
        try:
            engine = create_engine(url)
            bind_engine(engine)
            await prepare_database(engine)
            await migrate()
            rows = make_rows(count)
            started = time.perf_counter()
            await load(url, rows)
            loaded = time.perf_counter() - started
            roll_up, _ = await timed(lambda: page_views.roll_up_days(MONTH, last), times=1)
            daily = await page_views.PageViewDaily.count()
            report_time, report = await timed(lambda: page_views.page_views(month))
            year_time, _ = await timed(lambda: page_views.page_views(periods.year_period(2026)))
            monthly_time, _ = await timed(lambda: monthly.monthly_report(STAFF, month))
            await close_pool(engine)
        finally:
            await drop_database_async(url)
    engine_name = "PostgreSQL" if using_postgres() else "SQLite"
    print(f"{engine_name}: {count:,} page views in November 2026 (loaded in {loaded:.1f} s); "
          f"{daily:,} daily rows")  # fmt: skip
    print("| step | time |")
    print("| --- | ---: |")
    print(f"| counting the month's 30 days into daily rows (once) | {roll_up:.1f} s |")
    print(f"| the month's page-view report (median of 3) | {report_time * 1000:.0f} ms |")
    print(f"| the fiscal year's page-view report (median of 3) | {year_time * 1000:.0f} ms |")
    print(f"| the whole monthly report (median of 3) | {monthly_time * 1000:.0f} ms |")
    assert report is not None
    print(f"check: {report.views:,} views, top page {report.top_pages[0].path}")  # type: ignore[attr-defined]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--views", type=int, default=3_000_000)
    asyncio.run(main(parser.parse_args().views))
