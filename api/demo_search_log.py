"""A demo search log for the embedded mode: the last three months of searches and opened
results, with the words members and visitors typically use (some finding nothing), rolled up so
that the search analytics have something to show at first start. The same rows every time (a
fixed seed); a restart only looks."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from api import clock, periods
from api.dates import JST
from api.searching import analytics
from api.searching.tables import SearchClick, SearchLog

# (index, query, how often, results, audiences): results 0 means nothing was found.
QUERIES: list[tuple[str, str, int, int, tuple[str, ...]]] = [
    ("solutions", "kintone", 30, 3, ("member",)),
    ("solutions", "クラウド会計", 24, 4, ("member",)),
    ("solutions", "勤怠管理", 18, 2, ("member", "staff")),
    ("solutions", "補助金", 16, 5, ("member",)),
    ("solutions", "RPA", 12, 1, ("member",)),
    ("solutions", "生成AI", 9, 0, ("member",)),
    ("solutions", "インボイス", 7, 0, ("member", "staff")),
    ("case_studies", "いちご", 22, 2, ("public", "member")),
    ("case_studies", "スマート農業", 20, 3, ("public",)),
    ("case_studies", "観光", 14, 2, ("public",)),
    ("case_studies", "ペーパーレス", 11, 3, ("public", "member")),
    ("case_studies", "電子申請", 8, 1, ("public", "staff")),
    ("case_studies", "ドローン", 6, 0, ("public",)),
    ("case_studies", "", 10, 12, ("public",)),  # filters only
]
MONTHS = 3


async def load_demo_search_log() -> int:
    """Log rows for the last MONTHS months, once; returns how many were written."""
    if await SearchLog.exists():
        return 0
    chance = random.Random(2026)  # made-up demo data: the same every time
    now = clock.now()
    searches: list[SearchLog] = []
    clicks: list[SearchClick] = []
    for months_ago in range(MONTHS):
        first = periods.add_months(periods.current_month(), -months_ago)
        start = datetime(first.year, first.month, 1, 9, tzinfo=JST)
        days = max(1, min(28, (now - start).days))
        for index, query, often, found, audiences in QUERIES:
            for _ in range(max(1, often - months_ago * 3)):
                when = start + timedelta(days=chance.randrange(days), minutes=chance.randrange(600))
                if when > now:
                    continue
                audience = chance.choice(audiences)
                searches.append(
                    SearchLog(
                        index=index,
                        query=query,
                        result_count=found,
                        page=1,
                        audience=audience,
                        created_at=when,
                    )
                )
                if found and chance.random() < 0.45:
                    clicks.append(
                        SearchClick(
                            index=index,
                            query=query,
                            document_id=f"demo-{index}",
                            position=chance.randint(1, min(found, 5)),
                            audience=audience,
                            created_at=when + timedelta(seconds=20),
                        )
                    )
    for rows, table in ((searches, SearchLog), (clicks, SearchClick)):
        for first_row in range(0, len(rows), 500):
            await table.insert(*rows[first_row : first_row + 500])
    await analytics.roll_up_pending()
    return len(searches) + len(clicks)
