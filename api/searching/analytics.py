"""Search analytics for the secretariat and the prefecture: per month and per fiscal year.

The log (api.searching.log) keeps one row per search and per result opened. Every month (Asia/
Tokyo) is rolled up into `search_monthly_query`: one row per index, audience and query with its
searches (first pages asked), those that found nothing, and the clicks with the sum of their
positions. The figures are read only from these rows, so they stay when the raw rows are pruned
after SEARCH_LOG_RETENTION_DAYS; a month whose raw rows are still there is rolled up again by the
worker every hour (and on demand by staff), and the last roll-up after the month ended makes it
final.

A month's report and a fiscal year's (April to March) have the same shape (SearchAnalytics), so
that the monthly and annual reports for the prefecture can take them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from api import clock
from api.audiences import AUDIENCES
from api.buffered_log import FLUSH_SECONDS
from api.dates import as_date, month_of
from api.db import transaction
from api.periods import (
    Period,
    ReportTable,
    add_months,
    change,
    current_month,
    format_month,
    month_span,
    share,
)
from api.searching.reference import CASE_STUDIES, INDEX_LABELS, SOLUTIONS
from api.searching.tables import SearchClick, SearchLog, SearchMonthlyQuery, SearchRollup

# Where a logged query is tried again (the page that searches that index).
TRY_PATHS = {CASE_STUDIES: "/search", SOLUTIONS: "/platform/solutions/search"}
TOP = 20
INSERT_BATCH = 500


# --- figures -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figures:
    searches: int = 0
    zero_results: int = 0
    clicks: int = 0
    click_positions: int = 0
    distinct_queries: int = 0

    @property
    def click_through(self) -> float | None:
        """Clicks per search, in per cent (None without searches)."""
        return share(self.clicks, self.searches)

    @property
    def zero_share(self) -> float | None:
        return share(self.zero_results, self.searches)

    @property
    def average_position(self) -> float | None:
        return round(self.click_positions / self.clicks, 2) if self.clicks else None


@dataclass(frozen=True, slots=True)
class QueryFigures:
    index: str
    query: str
    searches: int
    zero_results: int
    clicks: int

    @property
    def index_label(self) -> str:
        return INDEX_LABELS.get(self.index, self.index)

    @property
    def try_path(self) -> str:
        return TRY_PATHS.get(self.index, "/search")

    @property
    def try_url(self) -> str:
        return f"{self.try_path}?{urlencode({'q': self.query})}"

    @property
    def click_through(self) -> float | None:
        return share(self.clicks, self.searches)


@dataclass(frozen=True, slots=True)
class SearchAnalytics:
    period: Period
    totals: Figures
    previous: Figures
    by_audience: list[tuple[str, str, Figures]]  # (audience, label, figures)
    by_month: list[tuple[date, Figures]]  # the period's months (a month: the 12 up to it)
    top_queries: list[QueryFigures]
    no_result_queries: list[QueryFigures]
    rolled_up_at: datetime | None  # the oldest roll-up among the period's months

    @property
    def is_empty(self) -> bool:
        return self.totals.searches == 0 and self.totals.clicks == 0


# --- the roll-up ---------------------------------------------------------------------------

_SEARCHES_SQL = (
    'SELECT "index" AS idx, audience, query, count(*) AS searches, '
    "sum(CASE WHEN result_count = 0 THEN 1 ELSE 0 END) AS zero_results "
    "FROM search_log WHERE created_at >= {} AND created_at < {} AND page = 1 "
    'GROUP BY "index", audience, query'
)
_CLICKS_SQL = (
    'SELECT "index" AS idx, audience, query, count(*) AS clicks, sum(position) AS positions '
    "FROM search_click WHERE created_at >= {} AND created_at < {} "
    'GROUP BY "index", audience, query'
)


async def roll_up(month: date) -> int:
    """Count a month's logged searches and clicks into its rows (replacing what was there);
    returns the number of rows. Final once it runs after the month (and the log's last batch)."""
    start, end = month_span(month)
    counts: dict[tuple[str, str, str], list[int]] = {}
    for row in await SearchLog.raw(_SEARCHES_SQL, start, end):
        key = (row["idx"], row["audience"], row["query"])
        counts[key] = [int(row["searches"]), int(row["zero_results"] or 0), 0, 0]
    for row in await SearchClick.raw(_CLICKS_SQL, start, end):
        key = (row["idx"], row["audience"], row["query"])
        found = counts.setdefault(key, [0, 0, 0, 0])
        found[2], found[3] = int(row["clicks"]), int(row["positions"] or 0)
    now = clock.now()
    rows = [
        SearchMonthlyQuery(
            month=month,
            index=index,
            audience=audience,
            query=query,
            searches=values[0],
            zero_results=values[1],
            clicks=values[2],
            click_positions=values[3],
        )
        for (index, audience, query), values in counts.items()
    ]
    async with transaction():
        await SearchMonthlyQuery.delete().where(SearchMonthlyQuery.month == month)
        for first in range(0, len(rows), INSERT_BATCH):
            await SearchMonthlyQuery.insert(*rows[first : first + INSERT_BATCH])
        final = now >= end + timedelta(seconds=FLUSH_SECONDS * 5)
        await SearchRollup.delete().where(SearchRollup.month == month)
        await SearchRollup.insert(SearchRollup(month=month, rolled_up_at=now, final=final))
    return len(rows)


async def _final_months() -> set[date]:
    """The months whose roll-up ran after they ended (their raw rows may go)."""
    rows = await SearchRollup.select(SearchRollup.month).where(
        SearchRollup.final == True  # noqa: E712
    )
    return {as_date(row["month"]) for row in rows}


async def months_to_roll_up() -> list[date]:
    """Months with raw rows whose roll-up is not final (the current one among them)."""
    final = await _final_months()
    oldest: list[datetime] = []
    for table in (SearchLog, SearchClick):
        rows = await table.select(table.created_at).order_by(table.created_at).limit(1)
        oldest.extend(row["created_at"] for row in rows)
    if not oldest:
        return []
    month, last = month_of(min(oldest)), current_month()
    wanted = []
    while month <= last:
        if month not in final:
            wanted.append(month)
        month = add_months(month, 1)
    return wanted


async def roll_up_pending() -> dict[date, int]:
    """Roll up every month that is not final (the worker, every hour; staff on demand)."""
    return {month: await roll_up(month) for month in await months_to_roll_up()}


async def prune(retention_days: int) -> int:
    """Delete raw log rows older than retention_days whose month is rolled up for good; the
    monthly rows stay. Returns the number of rows deleted."""
    cutoff = clock.now() - timedelta(days=retention_days)
    deleted = 0
    for month in sorted(await _final_months()):
        start, end = month_span(month)
        until = min(end, cutoff)
        if until <= start:
            continue
        for table in (SearchLog, SearchClick):
            where = (table.created_at >= start) & (table.created_at < until)
            deleted += await table.count().where(where)
            await table.delete().where(where)
    return deleted


# --- reading -------------------------------------------------------------------------------

_TOTALS_SQL = (
    "SELECT coalesce(sum(searches), 0) AS searches, coalesce(sum(zero_results), 0) AS zero, "
    "coalesce(sum(clicks), 0) AS clicks, coalesce(sum(click_positions), 0) AS positions, "
    "count(DISTINCT CASE WHEN query <> '' THEN query END) AS queries "
    "FROM search_monthly_query WHERE month >= {} AND month < {}"
)


def _figures(row: dict[str, Any]) -> Figures:
    return Figures(
        searches=int(row["searches"] or 0),
        zero_results=int(row["zero"] or 0),
        clicks=int(row["clicks"] or 0),
        click_positions=int(row["positions"] or 0),
        distinct_queries=int(row["queries"] or 0),
    )


async def _totals(first: date, end: date, group: str = "") -> list[dict[str, Any]]:
    sql = _TOTALS_SQL
    if group:
        sql = sql.replace("SELECT ", f"SELECT {group} AS grp, ", 1) + f" GROUP BY {group}"
    return list(await SearchMonthlyQuery.raw(sql, first, end))


_QUERIES_SQL = (
    'SELECT "index" AS idx, query, sum(searches) AS searches, sum(zero_results) AS zero, '
    "sum(clicks) AS clicks FROM search_monthly_query "
    "WHERE month >= {} AND month < {} AND query <> '' "
    'GROUP BY "index", query HAVING {} ORDER BY {} DESC, query LIMIT {}'
)


async def _queries(first: date, end: date, having: str, order: str) -> list[QueryFigures]:
    sql = _QUERIES_SQL.replace("HAVING {} ORDER BY {}", f"HAVING {having} ORDER BY {order}")
    rows = await SearchMonthlyQuery.raw(sql, first, end, TOP)
    return [
        QueryFigures(
            index=row["idx"],
            query=row["query"],
            searches=int(row["searches"] or 0),
            zero_results=int(row["zero"] or 0),
            clicks=int(row["clicks"] or 0),
        )
        for row in rows
    ]


async def analytics(period: Period) -> SearchAnalytics:
    """The search figures of a month or a fiscal year (seven queries on the monthly rows)."""
    first, end = period.first, period.end
    [totals] = await _totals(first, end)
    previous = period.previous()
    [before] = await _totals(previous.first, previous.end)
    audiences = {row["grp"]: _figures(row) for row in await _totals(first, end, "audience")}
    months = (
        period.month_list()
        if period.kind == "fiscal_year"
        else [add_months(period.first, step) for step in range(-11, 1)]
    )
    per_month = {
        as_date(row["grp"]): _figures(row)
        for row in await _totals(months[0], add_months(months[-1], 1), "month")
    }
    rollups = await SearchRollup.select(SearchRollup.rolled_up_at).where(
        (SearchRollup.month >= first) & (SearchRollup.month < end)
    )
    return SearchAnalytics(
        period=period,
        totals=_figures(totals),
        previous=_figures(before),
        by_audience=[
            (code, label, audiences.get(code, Figures())) for code, label in AUDIENCES.items()
        ],
        by_month=[(month, per_month.get(month, Figures())) for month in months],
        top_queries=await _queries(first, end, "sum(searches) > 0", "sum(searches)"),
        no_result_queries=await _queries(first, end, "sum(zero_results) > 0", "sum(zero_results)"),
        rolled_up_at=min((row["rolled_up_at"] for row in rollups), default=None),
    )


# --- tables (the page's, the exports' and the reports') -----------------------------------


def summary_table(report: SearchAnalytics) -> ReportTable:
    now, before = report.totals, report.previous
    lines = [
        ("検索回数", now.searches, before.searches),
        ("検索語の種類", now.distinct_queries, before.distinct_queries),
        ("結果0件の検索", now.zero_results, before.zero_results),
        ("結果0件の割合（%）", now.zero_share, before.zero_share),
        ("結果を開いた回数", now.clicks, before.clicks),
        ("クリック率（%）", now.click_through, before.click_through),
        ("開いた結果の平均順位", now.average_position, before.average_position),
    ]
    return ReportTable(
        "summary", "概要",
        ("項目", report.period.label, report.period.previous().label, "増減（%）"),
        [(label, value, previous, change(value, previous)) for label, value, previous in lines],
    )  # fmt: skip


def audience_table(report: SearchAnalytics) -> ReportTable:
    return ReportTable(
        "audiences", "利用者の区分ごと",
        ("区分", "検索回数", "結果0件", "結果を開いた回数", "クリック率（%）"),
        [
            (label, f.searches, f.zero_results, f.clicks, f.click_through)
            for _, label, f in report.by_audience
        ],
    )  # fmt: skip


def month_table(report: SearchAnalytics) -> ReportTable:
    return ReportTable(
        "months", "月ごとの推移",
        ("月", "検索回数", "検索語の種類", "結果0件", "結果を開いた回数", "クリック率（%）"),
        [
            (format_month(month), f.searches, f.distinct_queries, f.zero_results, f.clicks,
             f.click_through)
            for month, f in report.by_month
        ],
    )  # fmt: skip


def query_table(report: SearchAnalytics, name: str) -> ReportTable:
    if name == "top":
        title, queries = "よく検索された言葉", report.top_queries
    else:
        title, queries = "結果が0件だった言葉", report.no_result_queries
    return ReportTable(
        name, title,
        ("順位", "検索語", "検索対象", "検索回数", "結果0件", "結果を開いた回数", "クリック率（%）"),
        [
            (rank, q.query, q.index_label, q.searches, q.zero_results, q.clicks, q.click_through)
            for rank, q in enumerate(queries, start=1)
        ],
    )  # fmt: skip


def tables(report: SearchAnalytics) -> dict[str, ReportTable]:
    """Every table of the report by name, in the page's order."""
    found = [
        summary_table(report), audience_table(report), month_table(report),
        query_table(report, "top"), query_table(report, "no_results"),
    ]  # fmt: skip
    return {table.name: table for table in found}


def export_names(report: SearchAnalytics, table: ReportTable, extension: str) -> tuple[str, str]:
    code = report.period.code
    return (
        f"search-{table.name}-{code}.{extension}",
        f"検索の分析_{table.title}_{report.period.label}.{extension}",
    )
