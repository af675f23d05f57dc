"""Demo analytics for the embedded mode, so that the page-view and platform-use reports have
something to show at first start: a page-view log of the last three months and the same months
a year earlier, spread over the demo's published pages the way visitors tend to read a site
like this (the home page and case studies most, phones for a third, some from search engines)
and counted by day; and the demo member accounts noted as active in those months. The same
rows every time (a fixed seed); a restart only looks."""

from __future__ import annotations

import random
from datetime import timedelta

from api import clock, periods
from api.accounts.tables import Account
from api.analytics import service
from api.analytics.recording import classify
from api.analytics.tables import AccountActivity, PageView
from api.articles.tables import Article
from api.events.tables import Event
from api.recordings.tables import Recording
from api.solutions.tables import Solution

MONTHS = 3
# (path, views a day on average, audiences)
FIXED_PAGES: list[tuple[str, float, tuple[str, ...]]] = [
    ("/", 14, ("public", "public", "member")),
    ("/case-studies", 6, ("public",)),
    ("/news", 3, ("public",)),
    ("/events", 3, ("public", "member")),
    ("/join", 1.5, ("public",)),
    ("/search", 2, ("public",)),
    ("/platform", 4, ("member",)),
    ("/platform/solutions", 3, ("member",)),
    ("/platform/recordings", 1, ("member",)),
]
REFERRERS = ["www.google.com", "www.google.com", "search.yahoo.co.jp", "www.bing.com",
             "www.pref.kumamoto.jp", "www.facebook.com"]  # fmt: skip
DEVICES = ["desktop"] * 6 + ["mobile"] * 3 + ["tablet"]


async def _content_paths() -> list[tuple[str, float, tuple[str, ...]]]:
    paths: list[tuple[str, float, tuple[str, ...]]] = []
    articles = await Article.select(Article.kind, Article.slug).where(Article.state == "published")
    prefixes = {"case_study": "/case-studies/", "news": "/news/", "event_info": "/event-info/"}
    for row in articles:
        often = 2.5 if row["kind"] == "case_study" else 0.8
        paths.append((prefixes[row["kind"]] + row["slug"], often, ("public", "member")))
    published = (
        (Event, "/events/", 1.0, Event.state == "published"),
        (Solution, "/platform/solutions/", 0.6, Solution.provider_hidden == False),  # noqa: E712
        (Recording, "/platform/recordings/", 0.5, Recording.state == "published"),
    )
    for table, prefix, often, where in published:
        for row in await table.select(table.id).where(where):
            paths.append((f"{prefix}{row['id']}", often, ("public", "member")))
    return paths


async def load_demo_page_views() -> int:
    """Views for the last MONTHS months and the same months a year earlier, once; returns how
    many were written."""
    if await PageView.exists():
        return 0
    chance = random.Random(2027)  # made-up demo data: the same every time
    now = clock.now()
    pages = FIXED_PAGES + await _content_paths()
    latest = periods.current_month()
    months = [periods.add_months(latest, -n) for n in range(MONTHS)]
    months += [periods.add_months(month, -12) for month in months]
    rows: list[PageView] = []
    for month in months:
        start, end = periods.month_span(month)
        growth = 0.7 if month < periods.add_months(latest, -11) else 1.0  # a year of growth
        day = start
        while day < min(end, now):
            weekday = 0.5 if day.weekday() >= 5 else 1.0
            for path, often, audiences in pages:
                place = classify(path)
                if place is None:
                    continue
                expected = often * 0.25 * growth * weekday * chance.uniform(0.5, 1.5)
                for _ in range(int(expected) + (chance.random() < expected % 1)):
                    when = day + timedelta(minutes=chance.randrange(7 * 60, 23 * 60))
                    if when > now:
                        continue
                    audience = chance.choice(audiences)
                    rows.append(PageView(
                        viewed_at=when, area=place.area, path=path, content_kind=place.kind,
                        content_key=place.key, device=chance.choice(DEVICES),
                        audience=audience if place.area == "public" else "member",
                        referrer_host=chance.choice(REFERRERS) if chance.random() < 0.2 else "",
                    ))  # fmt: skip
            day += timedelta(days=1)
    for first in range(0, len(rows), 500):
        await PageView.insert(*rows[first : first + 500])
    await service.roll_up_pending()
    return len(rows)


async def load_demo_activity() -> int:
    """The demo member accounts as active in the last MONTHS months, once."""
    if await AccountActivity.exists():
        return 0
    members = await Account.select(Account.id, Account.organisation).where(
        Account.organisation.is_not_null()
    )
    latest = periods.current_month()
    rows = [
        AccountActivity(month=periods.add_months(latest, -n), account_id=row["id"],
                        organisation_id=row["organisation"])
        for n in range(1, MONTHS)
        for row in members
    ]  # fmt: skip
    if rows:
        await AccountActivity.insert(*rows)
    return len(rows)
