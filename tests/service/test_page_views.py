"""Page views: what is logged (no personal data, no bots, no secret paths), the daily counts
exact on a known log with day and month boundaries in Japan time, pruning that keeps the counts,
and the report of a month and of a fiscal year."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from api import clock, periods
from api.analytics import recording, service
from api.analytics.recording import Place
from api.analytics.tables import PageView, PageViewDaily, PageViewRollup, ReferrerDaily
from api.articles.tables import Article
from api.dates import JST
from api.jobs.worker import Worker
from api.settings import Settings
from web.app import create_app

pytestmark = pytest.mark.usefixtures("db")

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=JST)
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
IPAD = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1"
ANDROID_PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/131.0 Mobile Safari/537.36"
ANDROID_TABLET = "Mozilla/5.0 (Linux; Android 14; SM-X710) Chrome/131.0 Safari/537.36"


@pytest.fixture(autouse=True)
def now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def at(day: int, month: int = 11, year: int = 2026, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


async def seen(
    path: str,
    when: datetime,
    *,
    audience: str = "public",
    device: str = "desktop",
    referrer: str = "",
) -> None:
    place = recording.classify(path)
    assert place is not None
    await PageView.insert(
        PageView(
            viewed_at=when, area=place.area, path=path, content_kind=place.kind,
            content_key=place.key, referrer_host=referrer, device=device, audience=audience,
        )
    )  # fmt: skip


# --- what is logged ---------------------------------------------------------------------------


def test_paths_are_placed_by_area_and_content() -> None:
    assert recording.classify("/case-studies/smart-farm") == Place(
        "public", "case_study", "smart-farm"
    )
    assert recording.classify("/news/2026-open-event") == Place("public", "news", "2026-open-event")
    assert recording.classify("/events/12") == Place("public", "event", "12")
    assert recording.classify("/pages/about/members") == Place("public", "page", "about/members")
    assert recording.classify("/platform/solutions/7") == Place("platform", "solution", "7")
    assert recording.classify("/platform/recordings/3") == Place("platform", "recording", "3")
    assert recording.classify("/platform/directory/5") == Place("platform", "organisation", "5")
    assert recording.classify("/platform") == Place("platform", "", "")
    assert recording.classify("/account") == Place("platform", "", "")
    assert recording.classify("/") == Place("public", "", "")
    assert recording.classify("/case-studies") == Place("public", "", "")


def test_staff_areas_files_and_every_path_with_a_token_are_never_logged() -> None:
    app = create_app(Settings(database_url="sqlite:///:memory:"), migrate_on_start=False)
    with_secret = [
        route.path for route in app.routes
        if re.search(r"\{(token|registration_id)", route.path)
    ]  # fmt: skip
    assert len(with_secret) >= 5
    for path in with_secret:
        concrete = re.sub(r"\{[^}]+\}", "x1y2z3", path)
        assert recording.classify(concrete) is None, path
    for path in ("/console", "/console/members/3", "/reports/search", "/api/v1/solutions",
                 "/static/css/site.css", "/feeds/news.atom", "/media/3/file", "/healthz"):  # fmt: skip
        assert recording.classify(path) is None, path
    assert recording.classify("/" + "a" * 300) is None
    assert recording.classify("//evil.example/path") is None


@pytest.mark.parametrize(
    "agent",
    [
        "", "curl/8.5.0", "python-httpx/0.28.1", "Wget/1.21",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/131.0 Safari/537.36",
        "facebookexternalhit/1.1", "Mozilla/5.0 (compatible; YandexBot/3.0)",
    ],
)  # fmt: skip
def test_bots_and_tools_are_not_people(agent: str) -> None:
    assert recording.is_bot(agent)
    assert recording.view(Place("public", "", ""), "/", agent, "", "kdx.jp", "public") is None


def test_devices_and_referrers() -> None:
    assert recording.device_of(FIREFOX) == "desktop"
    assert recording.device_of(IPHONE) == "mobile"
    assert recording.device_of(ANDROID_PHONE) == "mobile"
    assert recording.device_of(IPAD) == "tablet"
    assert recording.device_of(ANDROID_TABLET) == "tablet"
    assert recording.referrer_host("https://www.google.com/search?q=熊本+DX", "kdx.jp") == (
        "www.google.com"
    )
    assert recording.referrer_host("https://kdx.jp/news", "kdx.jp:443") == ""  # this site
    assert recording.referrer_host("", "kdx.jp") == ""
    assert recording.referrer_host("http://[bad", "kdx.jp") == ""


def test_a_row_holds_no_address_account_session_or_user_agent() -> None:
    row = recording.view(
        Place("public", "case_study", "a"), "/case-studies/a", IPHONE,
        "https://mail.example.com/inbox?u=taro@example.jp", "kdx.jp", "member",
    )  # fmt: skip
    assert row is not None
    assert row.referrer_host == "mail.example.com"  # never the referrer's path or query
    text = repr(row)
    for personal in ("taro", "@", "iPhone OS", "Safari", "inbox"):
        assert personal not in text
    assert {column._meta.name for column in PageView._meta.columns} == {
        "id", "viewed_at", "area", "path", "content_kind", "content_key", "referrer_host",
        "device", "audience",
    }  # fmt: skip


async def test_the_buffer_writes_rows_in_batches() -> None:
    recording.BUFFER.clear()
    place = Place("public", "news", "a")
    for _ in range(1203):
        row = recording.view(place, "/news/a", FIREFOX, "", "kdx.jp", "public")
        assert row is not None
        recording.BUFFER.add(row)
    assert await recording.flush() == 1203
    assert await PageView.count() == 1203
    assert await recording.flush() == 0


# --- the daily counts -------------------------------------------------------------------------


async def november_log() -> None:
    await seen("/case-studies/a", at(1, hour=0, minute=0))  # the first moment of 1 November
    await seen("/case-studies/a", at(1, hour=9), device="mobile", referrer="www.google.com")
    await seen("/case-studies/a", at(2), audience="member")
    await seen("/news/b", at(30, hour=23, minute=59))  # the last minute of November
    await seen("/platform/solutions/4", at(15), audience="member", device="tablet")
    await seen("/news/b", at(1, month=12, hour=0))  # 1 December, 00:00 Japan time
    # 31 October 23:59 Japan time: still October, although it is 1 November... nowhere in UTC
    await seen("/", at(31, month=10, hour=23, minute=59), referrer="www.yahoo.co.jp")


async def test_a_day_is_counted_in_japan_time_per_page_audience_and_device() -> None:
    await november_log()
    assert await service.roll_up(date(2026, 11, 1)) == 2
    rows = await PageViewDaily.select().where(PageViewDaily.day == date(2026, 11, 1))
    assert sorted((r["path"], r["device"], r["views"]) for r in rows) == [
        ("/case-studies/a", "desktop", 1),
        ("/case-studies/a", "mobile", 1),
    ]
    assert await service.roll_up(date(2026, 11, 30)) == 1
    assert await service.roll_up(date(2026, 10, 31)) == 1
    referrers = await ReferrerDaily.select(ReferrerDaily.referrer_host, ReferrerDaily.views)
    assert sorted((r["referrer_host"], r["views"]) for r in referrers) == [
        ("www.google.com", 1), ("www.yahoo.co.jp", 1),
    ]  # fmt: skip
    # Counting again replaces the day's rows.
    await service.roll_up(date(2026, 11, 1))
    assert await PageViewDaily.count().where(PageViewDaily.day == date(2026, 11, 1)) == 2


async def test_pending_days_are_counted_and_final_once_they_are_over() -> None:
    await november_log()
    pending = await service.days_to_roll_up()
    assert pending[0] == date(2026, 10, 31) and pending[-1] == date(2026, 12, 6)
    assert len(pending) == 37
    await service.roll_up_pending()
    finals = await PageViewRollup.select(PageViewRollup.day).where(
        PageViewRollup.final == True  # noqa: E712
    )
    assert len(finals) == 36  # today is still counted again later
    assert await service.days_to_roll_up() == [date(2026, 12, 6)]


async def test_pruning_keeps_the_counts_and_only_removes_final_days_past_retention() -> None:
    await seen("/news/old", at(20, month=10, year=2025))
    await seen("/news/kept", at(5, month=11, year=2025))
    await seen("/news/recent", at(1))
    assert await service.prune(13) == 0  # nothing counted for good yet
    await service.roll_up_pending()
    # 13 months before December 2026: rows before 1 November 2025 go.
    assert await service.prune(13) == 1
    assert sorted(r["path"] for r in await PageView.select(PageView.path)) == [
        "/news/kept", "/news/recent",
    ]  # fmt: skip
    report = await service.page_views(periods.month_period(date(2025, 10, 1)))
    assert report.views == 1 and report.top_pages[0].path == "/news/old"


async def test_the_worker_counts_and_prunes_in_its_housekeeping(settings: Settings) -> None:
    await seen("/news/old", at(20, month=10, year=2025))
    await seen("/news/recent", at(1))
    worker = Worker(settings)
    try:
        await worker.housekeeping()
    finally:
        await worker.close()
    assert await PageView.count() == 1
    assert await PageViewDaily.count() == 2


# --- the report ---------------------------------------------------------------------------------


async def test_the_month_report_is_exact_on_a_known_log() -> None:
    await november_log()
    await Article.insert(
        Article(kind="case_study", slug="a", title="スマート農業の事例", state="published")
    )
    await seen("/case-studies/a", at(3, month=10))
    await seen("/case-studies/a", at(4, month=11, year=2025))
    await seen("/case-studies/a", at(5, month=11, year=2025))
    await service.roll_up_pending()
    report = await service.page_views(periods.month_period(date(2026, 11, 1)))
    assert report.views == 5
    assert report.previous == 2  # October: the 3rd and the 31st 23:59
    assert report.year_before == 2
    assert [(t, v) for _, t, v in report.over_time[:3]] == [
        ("11月1日", 2),
        ("11月2日", 1),
        ("11月3日", 0),
    ]
    assert len(report.over_time) == 30 and report.over_time[-1][2] == 1
    top = report.top_pages[0]
    assert (top.path, top.title, top.kind_label, top.views) == (
        "/case-studies/a", "スマート農業の事例", "導入事例", 3,
    )  # fmt: skip
    assert [(p.path, p.title, p.views) for p in report.top_pages[1:]] == [
        ("/news/b", "", 1), ("/platform/solutions/4", "", 1),
    ]  # fmt: skip
    assert {c.code: c.count for c in report.by_area} == {"public": 4, "platform": 1}
    assert {c.code: c.count for c in report.by_audience} == {"public": 3, "member": 2, "staff": 0}
    assert {c.code: c.count for c in report.by_device} == {"desktop": 3, "mobile": 1, "tablet": 1}
    assert [(c.code, c.count) for c in report.by_kind[:3]] == [
        ("case_study", 3), ("news", 1), ("solution", 1),
    ]  # fmt: skip
    assert [(c.label, c.count) for c in report.top_referrers] == [("www.google.com", 1)]
    summary = service.tables(report)["summary"]
    assert summary.rows[1][1:] == (2, 150.0) and summary.rows[2][1:] == (2, 150.0)
    assert service.tables(report)["pages"].rows[0][:5] == (
        1, "スマート農業の事例", "導入事例", "/case-studies/a", 3,
    )  # fmt: skip


async def test_the_fiscal_year_runs_from_1_april_to_31_march_in_japan_time() -> None:
    await seen("/", datetime(2026, 3, 31, 23, 59, tzinfo=JST))  # FY2025
    await seen("/", datetime(2026, 4, 1, 0, 0, tzinfo=JST))  # FY2026
    await seen("/", datetime(2026, 3, 31, 15, 30, tzinfo=JST) + timedelta(hours=9))  # 1 April JST
    await seen("/", at(20))
    await service.roll_up_pending()
    year = await service.page_views(periods.year_period(2026))
    assert year.views == 3 and year.previous == 1
    assert [(p.path, p.title, p.kind_label) for p in year.top_pages] == [
        ("/", "ホーム", "その他のページ")
    ]
    assert [(label, views) for _, label, views in year.over_time][:1] == [("2026年4月", 2)]
    assert len(year.over_time) == 12 and year.over_time[7][1:] == ("2026年11月", 1)
    assert (await service.page_views(periods.year_period(2025))).views == 1


async def test_an_empty_month_reads_as_empty() -> None:
    report = await service.page_views(periods.month_period(date(2026, 11, 1)))
    assert report.is_empty and report.top_pages == [] and report.rolled_up_at is None
    assert all(views == 0 for _, _, views in report.over_time)
    assert service.tables(report)["summary"].rows[1][2] is None
