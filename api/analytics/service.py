"""Page views per day, month and fiscal year, for the secretariat's and the prefecture's reports.

The log (api.analytics.recording) keeps one row per page seen. Every day (Asia/Tokyo) is counted
into `page_view_daily` (per page, audience and device class) and `page_referrer_daily` (per other
site); the reports read only these rows, so the figures stay when the raw rows are pruned after
PAGE_VIEW_RETENTION_MONTHS. The worker counts the days that are not final every hour; the count
after a day has ended (and the log's last batch is in) makes it final.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from piccolo.table import Table

from api import clock
from api.analytics.recording import AREAS, CONTENT_KINDS, DEVICES, PAGE_NAMES
from api.analytics.tables import PageView, PageViewDaily, PageViewRollup, ReferrerDaily
from api.articles.tables import Article, Page
from api.audiences import AUDIENCES
from api.buffered_log import FLUSH_SECONDS
from api.dates import JST, as_date, local_date, today
from api.db import local_date_sql, transaction
from api.events.tables import Event
from api.members.tables import Organisation
from api.periods import (
    Breakdown,
    Bucket,
    Period,
    ReportTable,
    add_months,
    change,
    format_month,
    share,
)
from api.recordings.tables import Recording
from api.solutions.tables import Solution

TOP = 20


def day_span(day: date) -> tuple[datetime, datetime]:
    """A day as moments: 00:00 Japan time, and the next day's (excluded)."""
    start = datetime(day.year, day.month, day.day, tzinfo=JST)
    return start, start + timedelta(days=1)


# --- the daily roll-up ----------------------------------------------------------------------

# Counted by the database itself: a month of three million views is counted in seconds, with
# no row passing through Python.
_DAILY_SQL = (
    "INSERT INTO page_view_daily (day, area, path, content_kind, content_key, audience, device, "
    "views) SELECT {day}, area, path, content_kind, content_key, audience, device, count(*) "
    "FROM page_view WHERE viewed_at >= {{}} AND viewed_at < {{}} "
    "GROUP BY {day}, area, path, content_kind, content_key, audience, device"
)
_REFERRERS_SQL = (
    "INSERT INTO page_referrer_daily (day, referrer_host, views) "
    "SELECT {day}, referrer_host, count(*) FROM page_view "
    "WHERE viewed_at >= {{}} AND viewed_at < {{}} AND referrer_host <> '' "
    "GROUP BY {day}, referrer_host"
)
_DAY_TOTALS_SQL = (
    "SELECT day, sum(views) AS views FROM page_view_daily WHERE day >= {} AND day <= {} "
    "GROUP BY day"
)
CHUNK_DAYS = 31  # days counted in one pass


async def roll_up_days(first: date, last: date) -> dict[date, int]:
    """Count the logged views of the days first..last into their daily rows (replacing what was
    there); returns the views per day. A day's count is final once it runs after the day (and
    the log's last batch) ended."""
    start, end = day_span(first)[0], day_span(last)[1]
    day_sql = local_date_sql("viewed_at")
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    now = clock.now()
    settled = timedelta(seconds=FLUSH_SECONDS * 5)
    async with transaction():
        for table in (PageViewDaily, ReferrerDaily, PageViewRollup):
            await table.delete().where((table.day >= first) & (table.day <= last))  # type: ignore[attr-defined]
        await PageView.raw(_DAILY_SQL.format(day=day_sql), start, end)
        await PageView.raw(_REFERRERS_SQL.format(day=day_sql), start, end)
        await PageViewRollup.insert(*(
            PageViewRollup(day=day, rolled_up_at=now, final=now >= day_span(day)[1] + settled)
            for day in days
        ))  # fmt: skip
        totals = await PageViewDaily.raw(_DAY_TOTALS_SQL, first, last)
    views = dict.fromkeys(days, 0)
    for row in totals:
        views[as_date(row["day"])] = int(row["views"])
    return views


async def roll_up(day: date) -> int:
    """Count one day; returns its views."""
    return (await roll_up_days(day, day))[day]


async def days_to_roll_up() -> list[date]:
    """Days with raw rows whose count is not final (today among them), oldest first."""
    oldest = await PageView.select(PageView.viewed_at).order_by(PageView.viewed_at).limit(1)
    if not oldest:
        return []
    first = local_date(oldest[0]["viewed_at"])
    final = {
        as_date(row["day"])
        for row in await PageViewRollup.select(PageViewRollup.day).where(
            (PageViewRollup.final == True) & (PageViewRollup.day >= first)  # noqa: E712
        )
    }
    day, last = first, today()
    wanted = []
    while day <= last:
        if day not in final:
            wanted.append(day)
        day += timedelta(days=1)
    return wanted


async def roll_up_pending() -> dict[date, int]:
    """Count every day that is not final (the worker, every hour; staff on demand), a run of
    consecutive days at a time."""
    counted: dict[date, int] = {}
    run: list[date] = []
    for day in [*await days_to_roll_up(), None]:
        if run and (day is None or day != run[-1] + timedelta(days=1) or len(run) == CHUNK_DAYS):
            counted.update(await roll_up_days(run[0], run[-1]))
            run = []
        if day is not None:
            run.append(day)
    return counted


async def prune(retention_months: int) -> int:
    """Delete raw rows older than retention_months whose day is counted for good; the daily
    rows stay. Returns the number of rows deleted."""
    cutoff_day = add_months(today().replace(day=1), -retention_months)
    until = day_span(cutoff_day)[0]
    pending = await days_to_roll_up()
    if pending:
        until = min(until, day_span(pending[0])[0])
    where = PageView.viewed_at < until
    deleted = await PageView.count().where(where)
    if deleted:
        await PageView.delete().where(where)
    return deleted


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageFigures:
    path: str
    kind: str
    title: str  # the content's title ('' when the page has none of its own)
    views: int

    @property
    def kind_label(self) -> str:
        return CONTENT_KINDS.get(self.kind, CONTENT_KINDS[""])


@dataclass(frozen=True, slots=True)
class PageViewReport:
    period: Period
    views: int
    previous: int  # the period before
    year_before: int  # the same period a year earlier
    over_time: list[tuple[date, str, int]]  # per day (a month) or per month (a fiscal year)
    by_area: list[Bucket]
    by_audience: list[Bucket]
    by_device: list[Bucket]
    by_kind: list[Bucket]
    top_pages: list[PageFigures]
    top_referrers: list[Bucket]
    rolled_up_at: datetime | None  # the oldest count among the period's days

    @property
    def is_empty(self) -> bool:
        return self.views == 0

    def share(self, views: int) -> float | None:
        return share(views, self.views)


_BREAKDOWN_SQL = (
    "SELECT day, area, audience, device, content_kind, sum(views) AS views FROM page_view_daily "
    "WHERE day >= {} AND day < {} GROUP BY day, area, audience, device, content_kind"
)
_EARLIER_SQL = (
    "SELECT coalesce(sum(CASE WHEN day >= {} AND day < {} THEN views END), 0) AS previous, "
    "coalesce(sum(CASE WHEN day >= {} AND day < {} THEN views END), 0) AS year_before "
    "FROM page_view_daily WHERE (day >= {} AND day < {}) OR (day >= {} AND day < {})"
)
_PAGES_SQL = (
    "SELECT path, content_kind, content_key, sum(views) AS views FROM page_view_daily "
    "WHERE day >= {} AND day < {} GROUP BY path, content_kind, content_key "
    "ORDER BY sum(views) DESC, path LIMIT {}"
)
_REFERRER_TOP_SQL = (
    "SELECT referrer_host, sum(views) AS views FROM page_referrer_daily "
    "WHERE day >= {} AND day < {} GROUP BY referrer_host "
    "ORDER BY sum(views) DESC, referrer_host LIMIT {}"
)


async def _earlier(period: Period) -> tuple[int, int]:
    """The views of the period before and of the same period a year earlier."""
    spans = (period.previous().first, period.previous().end)
    spans += (period.year_before().first, period.year_before().end)
    [row] = await PageViewDaily.raw(_EARLIER_SQL, *spans, *spans)
    return int(row["previous"] or 0), int(row["year_before"] or 0)


def _counts(counter: Counter[str], labels: dict[str, str]) -> list[Bucket]:
    known = [Bucket(code, label, counter.get(code, 0)) for code, label in labels.items()]
    return sorted(known, key=lambda bucket: -bucket.count) if len(labels) > 4 else known


# kind -> (table, the column the key names, how the key is read, the title column)
_TITLES: dict[str, tuple[type[Table], str, Callable[[str], Any], str]] = {
    "case_study": (Article, "slug", str, "title"),
    "news": (Article, "slug", str, "title"),
    "event_info": (Article, "slug", str, "title"),
    "page": (Page, "slug", lambda key: key.rsplit("/", 1)[-1], "title"),
    "event": (Event, "id", int, "title"),
    "solution": (Solution, "id", int, "title"),
    "recording": (Recording, "id", int, "title"),
    "organisation": (Organisation, "id", int, "name"),
}


async def _titles(pages: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """The titles of the pages' content, one query per kind among them."""
    keys: dict[str, set[str]] = {}
    for row in pages:
        if row["content_kind"] in _TITLES and (
            _TITLES[row["content_kind"]][2] is not int or row["content_key"].isdigit()
        ):
            keys.setdefault(row["content_kind"], set()).add(row["content_key"])
    titles: dict[tuple[str, str], str] = {}
    for kind, wanted in keys.items():
        table, column, read, title = _TITLES[kind]
        lookup = {read(key): key for key in wanted}
        key_column, title_column = getattr(table, column), getattr(table, title)
        query = table.select(key_column.as_alias("key"), title_column.as_alias("title")).where(
            key_column.is_in(list(lookup))
        )
        if table is Article:
            query = query.where(Article.kind == kind)
        for row in await query:
            titles[(kind, lookup.get(row["key"], str(row["key"])))] = row["title"]
    return titles


async def page_views(period: Period) -> PageViewReport:
    """The page views of a month or a fiscal year: five queries on the daily rows, and one
    per kind of content among the top pages for their titles."""
    first, end = period.first, period.end
    over_time: Counter[date] = Counter()
    areas: Counter[str] = Counter()
    audiences: Counter[str] = Counter()
    devices: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for row in await PageViewDaily.raw(_BREAKDOWN_SQL, first, end):
        views, day = int(row["views"]), as_date(row["day"])
        over_time[day if period.kind == "month" else day.replace(day=1)] += views
        areas[row["area"]] += views
        audiences[row["audience"]] += views
        devices[row["device"]] += views
        kinds[row["content_kind"]] += views
    if period.kind == "month":
        slots = [(first + timedelta(days=n)) for n in range((end - first).days)]
        timeline = [(day, f"{day.month}月{day.day}日", over_time[day]) for day in slots]
    else:
        timeline = [(month, format_month(month), over_time[month]) for month in period.month_list()]
    pages = list(await PageViewDaily.raw(_PAGES_SQL, first, end, TOP))
    titles = await _titles(pages)
    top_pages = [
        PageFigures(
            path=row["path"], kind=row["content_kind"], views=int(row["views"]),
            title=titles.get((row["content_kind"], row["content_key"]))
            or PAGE_NAMES.get(row["path"], ""),
        )
        for row in pages
    ]  # fmt: skip
    referrers = await ReferrerDaily.raw(_REFERRER_TOP_SQL, first, end, TOP)
    rollups = await PageViewRollup.select(PageViewRollup.rolled_up_at).where(
        (PageViewRollup.day >= first) & (PageViewRollup.day < end)
    )
    previous, year_before = await _earlier(period)
    return PageViewReport(
        period=period,
        views=sum(areas.values()),
        previous=previous,
        year_before=year_before,
        over_time=timeline,
        by_area=_counts(areas, AREAS),
        by_audience=_counts(audiences, AUDIENCES),
        by_device=_counts(devices, DEVICES),
        by_kind=_counts(kinds, CONTENT_KINDS),
        top_pages=top_pages,
        top_referrers=[
            Bucket(row["referrer_host"], row["referrer_host"], int(row["views"]))
            for row in referrers
        ],
        rolled_up_at=min((row["rolled_up_at"] for row in rollups), default=None),
    )


# --- charts and tables (the page's, the exports' and the reports') --------------------------


def charts(report: PageViewReport) -> dict[str, Breakdown]:
    """The report's bar charts by name (each drawn with its data table)."""
    unit = "日" if report.period.kind == "month" else "月"
    timeline = tuple(
        Bucket(day.isoformat(), label, views) for day, label, views in report.over_time
    )
    return {
        "timeline": Breakdown("timeline", f"{unit}ごとの閲覧数", timeline),
        "kinds": Breakdown("kinds", "ページの種類ごとの閲覧数", tuple(report.by_kind)),
        "areas": Breakdown("areas", "サイトごとの閲覧数", tuple(report.by_area)),
        "audiences": Breakdown("audiences", "利用者の区分ごとの閲覧数", tuple(report.by_audience)),
        "devices": Breakdown("devices", "端末ごとの閲覧数", tuple(report.by_device)),
    }


def summary_table(report: PageViewReport) -> ReportTable:
    period = report.period
    return ReportTable(
        "summary", "概要",
        ("項目", "閲覧数", "増減（%）"),
        [
            (period.label, report.views, None),
            (f"前の期間（{period.previous().label}）", report.previous,
             change(report.views, report.previous)),
            (f"前年の同じ期間（{period.year_before().label}）", report.year_before,
             change(report.views, report.year_before)),
        ],
    )  # fmt: skip


def timeline_table(report: PageViewReport) -> ReportTable:
    unit = "日" if report.period.kind == "month" else "月"
    return ReportTable(
        "timeline", f"{unit}ごとの閲覧数", (unit, "閲覧数"),
        [(label, views) for _, label, views in report.over_time],
    )  # fmt: skip


def breakdown_table(report: PageViewReport, name: str) -> ReportTable:
    title, head, buckets = {
        "areas": ("サイトごと", "サイト", report.by_area),
        "audiences": ("利用者の区分ごと", "区分", report.by_audience),
        "devices": ("端末ごと", "端末", report.by_device),
        "kinds": ("ページの種類ごと", "種類", report.by_kind),
        "referrers": ("よく来訪のある他サイト", "サイト", report.top_referrers),
    }[name]
    return ReportTable(
        name, title, (head, "閲覧数", "割合（%）"),
        [(bucket.label, bucket.count, report.share(bucket.count)) for bucket in buckets],
    )  # fmt: skip


def pages_table(report: PageViewReport) -> ReportTable:
    return ReportTable(
        "pages", "よく見られたページ",
        ("順位", "ページ", "種類", "URL", "閲覧数", "割合（%）"),
        [
            (rank, page.title or page.path, page.kind_label, page.path, page.views,
             report.share(page.views))
            for rank, page in enumerate(report.top_pages, start=1)
        ],
    )  # fmt: skip


def tables(report: PageViewReport) -> dict[str, ReportTable]:
    """Every table of the report by name, in the page's order."""
    found = [
        summary_table(report), timeline_table(report), pages_table(report),
        breakdown_table(report, "kinds"), breakdown_table(report, "areas"),
        breakdown_table(report, "audiences"), breakdown_table(report, "devices"),
        breakdown_table(report, "referrers"),
    ]  # fmt: skip
    return {table.name: table for table in found}


def export_names(report: PageViewReport, table: ReportTable, extension: str) -> tuple[str, str]:
    return (
        f"page-views-{table.name}-{report.period.code}.{extension}",
        f"閲覧数_{table.title}_{report.period.label}.{extension}",
    )
