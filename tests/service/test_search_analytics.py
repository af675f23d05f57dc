"""Search analytics: exact figures on a known log, month and fiscal-year boundaries in Japan time,
the roll-up that survives pruning, and no personal data in the log."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from api import clock, periods
from api.dates import JST
from api.errors import ValidationFailed
from api.jobs.worker import Worker
from api.searching import analytics
from api.searching.tables import SearchClick, SearchLog, SearchMonthlyQuery, SearchRollup
from api.settings import Settings

pytestmark = pytest.mark.usefixtures("db")

NOVEMBER = date(2026, 11, 1)
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=JST)


@pytest.fixture(autouse=True)
def now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def at(day: int, month: int = 11, year: int = 2026, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


async def search(
    query: str,
    when: datetime,
    *,
    audience: str = "member",
    found: int = 3,
    page: int = 1,
    index: str = "solutions",
) -> None:
    await SearchLog.insert(
        SearchLog(
            index=index,
            query=query,
            filters="{}",
            result_count=found,
            page=page,
            audience=audience,
            created_at=when,
        )
    )


async def click(
    query: str,
    position: int,
    when: datetime,
    *,
    audience: str = "member",
    index: str = "solutions",
) -> None:
    await SearchClick.insert(
        SearchClick(
            index=index,
            query=query,
            document_id="solution-1",
            position=position,
            audience=audience,
            created_at=when,
        )
    )


async def november_log() -> None:
    for day in (2, 3, 4):
        await search("kintone", at(day))
    await search("kintone", at(4), page=2)  # a later page is not another search
    await search("クラウド", at(5), audience="public", index="case_studies")
    await search("クラウド", at(6), audience="public", index="case_studies")
    await search("", at(7), audience="staff", found=40)  # filters only
    await search("存在しない", at(8), audience="public", found=0)
    await search("存在しない", at(9), audience="member", found=0)
    await click("kintone", 1, at(2))
    await click("kintone", 3, at(3))
    await click("クラウド", 2, at(5), audience="public", index="case_studies")


async def test_a_months_figures_are_exact(db: None) -> None:
    await november_log()
    await search("kintone", at(1, month=10))  # October: the previous month
    await analytics.roll_up_pending()
    report = await analytics.analytics(periods.month_period(NOVEMBER))
    totals = report.totals
    assert (totals.searches, totals.zero_results, totals.clicks) == (8, 2, 3)
    assert totals.distinct_queries == 3  # kintone, クラウド, 存在しない (not the empty query)
    assert totals.click_through == 37.5 and totals.average_position == 2.0
    assert totals.zero_share == 25.0
    assert report.previous.searches == 1
    assert periods.change(totals.searches, report.previous.searches) == 700.0
    audiences = {code: figures for code, _, figures in report.by_audience}
    assert [audiences[a].searches for a in ("public", "member", "staff")] == [3, 4, 1]
    assert audiences["public"].clicks == 1 and audiences["member"].clicks == 2
    assert [(q.query, q.searches, q.clicks) for q in report.top_queries] == [
        ("kintone", 3, 2),
        ("クラウド", 2, 1),
        ("存在しない", 2, 0),
    ]
    assert [(q.query, q.zero_results) for q in report.no_result_queries] == [("存在しない", 2)]
    assert report.top_queries[1].try_path == "/search"
    assert report.top_queries[0].try_path == "/platform/solutions/search"
    months = dict(report.by_month)
    assert len(report.by_month) == 12 and report.by_month[-1][0] == NOVEMBER
    assert months[date(2026, 10, 1)].searches == 1 and months[NOVEMBER].searches == 8


async def test_months_follow_japan_time(db: None) -> None:
    await search("十月", datetime(2026, 10, 31, 23, 59, 59, tzinfo=JST))
    await search("十一月", datetime(2026, 11, 1, 0, 0, tzinfo=JST))  # 31 Oct 15:00 UTC
    await search("十一月末", datetime(2026, 11, 30, 23, 59, tzinfo=JST))
    await analytics.roll_up_pending()
    october = await analytics.analytics(periods.month_period(date(2026, 10, 1)))
    november = await analytics.analytics(periods.month_period(NOVEMBER))
    assert [q.query for q in october.top_queries] == ["十月"]
    assert sorted(q.query for q in november.top_queries) == ["十一月", "十一月末"]


async def test_a_fiscal_year_runs_from_april_to_march(db: None) -> None:
    await search("前年度", datetime(2026, 3, 31, 23, 59, tzinfo=JST))
    await search("今年度", datetime(2026, 4, 1, 0, 0, tzinfo=JST))
    await search("今年度", at(20))
    await analytics.roll_up_pending()
    year = await analytics.analytics(periods.year_period(2026))
    assert year.period.label == "2026年度（令和8年度）"
    assert year.totals.searches == 2 and year.totals.distinct_queries == 1
    assert year.previous.searches == 1  # fiscal 2025 ended on 31 March
    assert year.by_month[0][0] == date(2026, 4, 1)
    assert len(year.by_month) == 12 and year.by_month[-1][0] == date(2027, 3, 1)


async def test_pruning_keeps_the_monthly_figures(db: None) -> None:
    await november_log()
    await search("今月", at(3, month=12))
    await analytics.roll_up_pending()
    before = await analytics.analytics(periods.month_period(NOVEMBER))
    # November is over: its roll-up is final; December's is not.
    finals = {row["month"]: row["final"] for row in await SearchRollup.select()}
    assert finals == {NOVEMBER: True, date(2026, 12, 1): False}
    assert await analytics.prune(retention_days=1) == 12  # November's raw rows
    assert await SearchLog.count() == 1  # December's row stays (its month is not final)
    assert await SearchClick.count() == 0
    after = await analytics.analytics(periods.month_period(NOVEMBER))
    assert after.totals == before.totals and after.top_queries == before.top_queries
    # Rolling up again never loses a pruned month: only months that are not final are redone.
    assert await analytics.months_to_roll_up() == [date(2026, 12, 1)]
    await analytics.roll_up_pending()
    assert (await analytics.analytics(periods.month_period(NOVEMBER))).totals == before.totals


async def test_rows_inside_the_retention_period_stay(db: None) -> None:
    await november_log()
    await analytics.roll_up_pending()
    assert await analytics.prune(retention_days=400) == 0
    assert await SearchLog.count() == 9


async def test_a_roll_up_replaces_the_months_rows(db: None) -> None:
    await search("kintone", at(3, month=12))
    await analytics.roll_up(date(2026, 12, 1))
    await search("kintone", at(4, month=12))
    await analytics.roll_up(date(2026, 12, 1))
    rows = await SearchMonthlyQuery.select(SearchMonthlyQuery.searches)
    assert rows == [{"searches": 2}]


async def test_an_empty_period(db: None) -> None:
    report = await analytics.analytics(periods.month_period(NOVEMBER))
    assert report.is_empty and report.top_queries == [] and report.rolled_up_at is None
    assert report.totals.click_through is None and report.totals.average_position is None


def test_months_are_parsed_or_refused_in_japanese() -> None:
    assert periods.parse_month("2026-11") == NOVEMBER
    assert periods.parse_month("2026-4") == date(2026, 4, 1)
    assert periods.parse_month("") == date(2026, 12, 1)
    for bad in ("2026-13", "2027-01", "1999-04", "11月", "2026/11", "x" * 300):
        with pytest.raises(ValidationFailed) as caught:
            periods.parse_month(bad)
        assert "月は" in caught.value.errors["month"]


def test_the_log_holds_no_personal_data() -> None:
    allowed = {
        "id",
        "index",
        "query",
        "filters",
        "result_count",
        "page",
        "audience",
        "created_at",
        "document_id",
        "position",
        "month",
        "searches",
        "zero_results",
        "clicks",
        "click_positions",
    }
    for table in (SearchLog, SearchClick, SearchMonthlyQuery):
        names = {column._meta.name for column in table._meta.columns}
        assert names <= allowed, (table, names - allowed)


def test_adding_months_crosses_years() -> None:
    assert periods.add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)
    assert periods.add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert periods.month_span(date(2026, 12, 1))[1] - timedelta(days=31) == datetime(
        2026, 12, 1, tzinfo=JST
    )


async def test_the_workers_housekeeping_rolls_up_and_prunes(settings: Settings, db: None) -> None:
    await november_log()
    await search("十二月", at(20, month=12))
    later = NOW + timedelta(days=40)  # 15 January: November is past the 31 days, 20 Dec is not
    worker = Worker(replace(settings, search_log_retention_days=31))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: later)
        await worker.housekeeping()
    assert await SearchLog.count() == 1 and await SearchClick.count() == 0
    november = await analytics.analytics(periods.month_period(NOVEMBER))
    assert november.totals.searches == 8 and november.totals.clicks == 3


def test_periods_are_parsed_or_refused_in_japanese() -> None:
    assert periods.parse_period("", "2025") == periods.year_period(2025)
    assert periods.parse_period("2026-11", "") == periods.month_period(NOVEMBER)
    assert periods.parse_period(None, None).code == "2026-12"
    for bad in ("2027", "2019", "26"):
        with pytest.raises(ValidationFailed) as caught:
            periods.parse_period("", bad)
        assert "年度は2020年度から2026年度までの中から" in caught.value.errors["year"]
    for bad in ("二〇二六", "2026.0", "２０２６x"):
        with pytest.raises(ValidationFailed) as caught:
            periods.parse_period("", bad)
        assert caught.value.errors["year"] == "年度は西暦の数字（例: 2026）で選んでください。"
    assert periods.month_choices()[0] == ("2026-12", "2026年12月")
    assert len(periods.month_choices()) == 24
    assert periods.year_choices()[0] == ("2026", "2026年度（令和8年度）")
    assert periods.year_choices()[-1][0] == "2020"
