"""Public listings of event information: upcoming until the event is over, then past."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.articles import service
from api.articles.service import ArticleInput
from api.pagination import PageRequest
from api.principal import Principal
from api.settings import Settings
from tests.querycount import count_queries
from tests.service.test_articles import accounts

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def notice(slug: str, starts: datetime | None, ends: datetime | None = None) -> ArticleInput:
    return ArticleInput(
        kind="event_info", slug=slug, title=f"催し {slug}", body_markdown="## 概要\n\n本文\n",
        event_starts_at=starts, event_ends_at=ends, online=True, organiser="熊本県",
    )  # fmt: skip


async def publish(editor: Principal, staff: Principal, data: ArticleInput) -> int:
    created = await service.create_article(editor, data)
    await service.publish_now(staff, created.id)
    return created.id


async def slugs(upcoming: bool, page: PageRequest | None = None) -> list[str]:
    result = await service.list_event_info(upcoming, page or PageRequest(1, 50), now=NOW)
    return [item.slug for item in result.items]


async def test_event_info_is_upcoming_until_it_ends(settings: Settings, db: None) -> None:
    editor, _, staff = await accounts(settings)
    hour = timedelta(hours=1)
    await publish(editor, staff, notice("next-month", NOW + 30 * 24 * hour))
    await publish(editor, staff, notice("tomorrow", NOW + 24 * hour, NOW + 26 * hour))
    # Started an hour ago and ends in two: still on the list.
    await publish(editor, staff, notice("running", NOW - hour, NOW + 2 * hour))
    # No end: over once its start has passed.
    await publish(editor, staff, notice("started", NOW - hour))
    await publish(editor, staff, notice("yesterday", NOW - 24 * hour, NOW - 22 * hour))
    await publish(editor, staff, notice("undated", None))
    # Not published: never listed, whatever the date.
    await service.create_article(editor, notice("draft", NOW + 2 * hour))
    scheduled = await service.create_article(editor, notice("scheduled", NOW + 3 * hour))
    await service.schedule(staff, scheduled.id, datetime.now(UTC) + timedelta(days=1))
    # Other kinds are not event information.
    news = await service.create_article(
        editor, ArticleInput(kind="news", slug="news", title="お知らせ", body_markdown="本文")
    )
    await service.publish_now(staff, news.id)

    assert await slugs(True) == ["running", "tomorrow", "next-month", "undated"]
    assert await slugs(False) == ["started", "yesterday"]
    first = await service.list_event_info(True, PageRequest(1, 2), now=NOW)
    assert (first.total, first.pages, [i.slug for i in first.items]) == (
        4,
        2,
        ["running", "tomorrow"],
    )
    assert await slugs(True, PageRequest(2, 2)) == ["next-month", "undated"]
    # A later "now" moves events from upcoming to past.
    later = await service.list_event_info(True, PageRequest(), now=NOW + 48 * hour)
    assert [i.slug for i in later.items] == ["next-month", "undated"]


async def test_event_listing_queries_are_bounded(settings: Settings, db: None) -> None:
    editor, _, staff = await accounts(settings)
    for index in range(6):
        await publish(editor, staff, notice(f"e-{index}", NOW + timedelta(days=index + 1)))
    for per_page in (2, 6):
        with count_queries() as counter:
            result = await service.list_event_info(True, PageRequest(1, per_page), now=NOW)
        assert len(result.items) == per_page
        assert counter.count <= 3, counter.statements
