"""The anonymous page cache: served from memory, validated with ETag and Last-Modified (304),
invalidated at once by every change to public content, never shared with logged-in visitors,
never holding a visitor's CSRF token or cookie. Also Last-Modified on the public JSON API.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import pytest
from litestar import Litestar, Response, get
from litestar.datastructures import Cookie
from litestar.middleware import DefineMiddleware
from litestar.testing import AsyncTestClient

from api import clock
from api.articles import service
from api.articles.generation import (
    GenerationReader,
    bump_content_generation,
    current_generation,
)
from api.articles.service import ArticleInput, PageInput
from api.articles.tables import ContentGeneration
from api.errors import Conflict
from api.http.page_cache import CachedPage, PageCache, PageCacheMiddleware, cache_key
from api.media import service as media
from api.permissions import Role
from api.settings import Settings
from tests.http.conftest import Editorial, World, browser, login_as, role_email
from tests.querycount import count_queries
from tests.service.test_media import jpeg_with_gps
from web.app import create_app

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options")


def case(slug: str, title: str, **overrides: Any) -> ArticleInput:
    data = ArticleInput(
        kind="case_study", slug=slug, title=title, summary="概要", body_markdown="## 背景\n\n本文\n",
        organisation_name="株式会社テスト", industry="E", municipality="熊本市",
    )  # fmt: skip
    return replace(data, **overrides)


def cache_of(app: Litestar) -> PageCache:
    return app.state.page_cache


async def test_a_repeated_anonymous_request_is_served_from_the_cache(
    app: Litestar, client: AsyncTestClient, editorial: Editorial
) -> None:
    await editorial.published(case("cached-case", "キャッシュされる事例"))
    # A slow machine may take longer than the reader's half second to render the first page;
    # the generation must then still count as just read when the second request comes.
    cache_of(app).generations.max_age = 60
    first = await client.get("/case-studies")
    assert first.status_code == 200 and "キャッシュされる事例" in first.text
    assert first.headers["cache-control"] == "public, no-cache"
    assert "Cookie" in first.headers["vary"]
    with count_queries() as counter:
        second = await client.get("/case-studies")
    # No query at all: answered before routing, the generation read moments ago.
    assert counter.count == 0, counter.statements
    assert cache_of(app).hits == 1
    assert second.text == first.text
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["last-modified"] == first.headers["last-modified"]
    for name in SECURITY_HEADERS:  # added in before_send, outside the cache
        assert second.headers[name] == first.headers[name]


def later(monkeypatch: pytest.MonkeyPatch) -> None:
    """Move the clock a few seconds on. Changes within one second give the generation a time
    up to a second or two ahead, and Last-Modified waits for it (never later than now)."""
    moved = clock.now() + timedelta(seconds=5)
    monkeypatch.setattr(clock, "now", lambda: moved)


async def test_conditional_requests_get_304_without_a_body(
    client: AsyncTestClient, editorial: Editorial, monkeypatch: pytest.MonkeyPatch
) -> None:
    await editorial.published(case("some-case", "条件付きリクエストの事例"))
    later(monkeypatch)
    first = await client.get("/")
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]

    by_tag = await client.get("/", headers={"If-None-Match": etag})
    assert by_tag.status_code == 304 and by_tag.content == b""
    assert by_tag.headers["etag"] == etag and by_tag.headers["cache-control"] == "public, no-cache"
    # The compressed page is another representation of it: a weak tag, matched weakly.
    assert etag.startswith('W/"') and first.headers["content-encoding"] in ("br", "gzip")
    strong = etag.removeprefix("W/")
    for header in (f'"other", {strong}', f'"other", {etag}'):
        assert (await client.get("/", headers={"If-None-Match": header})).status_code == 304
    plain = await client.get("/", headers={"Accept-Encoding": "identity"})
    assert plain.headers["etag"] == strong and "content-encoding" not in plain.headers

    by_date = await client.get("/", headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304 and by_date.content == b""
    earlier = parsedate_to_datetime(last_modified) - timedelta(seconds=1)
    older = await client.get("/", headers={"If-Modified-Since": format_datetime(earlier, True)})
    assert older.status_code == 200 and older.content == first.content
    # If-None-Match decides when both are sent (RFC 9110): another tag means changed.
    both = await client.get(
        "/", headers={"If-None-Match": '"other"', "If-Modified-Since": last_modified}
    )
    assert both.status_code == 200
    garbage = await client.get("/", headers={"If-Modified-Since": "yesterday"})
    assert garbage.status_code == 200


async def test_head_answers_like_get_without_a_body(client: AsyncTestClient, world: World) -> None:
    got = await client.get("/")
    head = await client.head("/")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(got.num_bytes_downloaded)  # as sent
    conditional = await client.head("/", headers={"If-None-Match": got.headers["etag"]})
    assert conditional.status_code == 304


async def test_publish_unpublish_and_edit_show_at_once(
    app: Litestar, client: AsyncTestClient, editorial: Editorial
) -> None:
    article_id = (await editorial.published(case("moving-case", "最初のタイトル"))).id
    listed = await client.get("/case-studies")
    detail = await client.get("/case-studies/moving-case")
    assert "最初のタイトル" in listed.text and detail.status_code == 200
    assert (await client.get("/case-studies")).text == listed.text  # cached

    await service.unpublish(editorial.staff, article_id)
    assert "最初のタイトル" not in (await client.get("/case-studies")).text
    assert (await client.get("/case-studies/moving-case")).status_code == 404
    stale = await client.get("/case-studies", headers={"If-None-Match": listed.headers["etag"]})
    assert stale.status_code == 200

    current = await service.get_article(article_id)
    edited = replace(current.as_input(), title="書き直したタイトル")
    await service.update_article(editorial.editor, article_id, edited, current.version)
    assert "最初のタイトル" not in (await client.get("/case-studies")).text  # still unpublished
    await service.publish_now(editorial.staff, article_id)
    shown = await client.get("/case-studies/moving-case")
    assert shown.status_code == 200 and "書き直したタイトル" in shown.text
    assert "書き直したタイトル" in (await client.get("/case-studies")).text


async def test_editing_a_published_page_and_renaming_a_theme_show_at_once(
    client: AsyncTestClient, editorial: Editorial
) -> None:
    made = await service.create_page(
        editorial.editor, PageInput(slug="about", title="概要", body_markdown="最初の本文です。")
    )
    await service.set_page_state(editorial.staff, made.id, "published")
    assert "最初の本文です。" in (await client.get("/pages/about")).text
    await service.update_page(
        editorial.staff,
        made.id,
        PageInput(slug="about", title="概要", body_markdown="書き換えた本文です。"),
        base_version=made.version,
    )
    after = await client.get("/pages/about")
    assert "書き換えた本文です。" in after.text and "最初の本文です。" not in after.text
    await service.set_page_state(editorial.staff, made.id, "draft")
    assert (await client.get("/pages/about")).status_code == 404

    themes = await service.list_themes()
    assert themes[0].name in (await client.get("/case-studies")).text
    await service.save_theme(editorial.editor, themes[0].id, "業務のすっきり化", themes[0].slug, 1)
    assert "業務のすっきり化" in (await client.get("/case-studies")).text


async def test_scheduled_publishing_and_media_changes_invalidate(
    client: AsyncTestClient, editorial: Editorial
) -> None:
    article_id = (await service.create_article(editorial.editor, case("later", "予約した事例"))).id
    await service.schedule(editorial.staff, article_id, clock.now() + timedelta(hours=1))
    assert "予約した事例" not in (await client.get("/case-studies")).text
    await service.publish_due(clock.now() + timedelta(hours=2))
    assert "予約した事例" in (await client.get("/case-studies")).text

    before = await current_generation()
    item = await media.upload(
        editorial.editor,
        client.app.state.store,
        "photo.jpg",
        io.BytesIO(jpeg_with_gps()),
        alt_text="写真",
    )
    await media.update_media(editorial.editor, item.id, alt_text="倉庫の写真")
    await media.delete_media(editorial.editor, client.app.state.store, item.id)
    assert (await current_generation()).number == before.number + 3


async def test_a_failed_change_does_not_bump_the_generation(editorial: Editorial) -> None:
    article_id = (await service.create_article(editorial.editor, case("stale", "古い版"))).id
    before = await current_generation()
    current = await service.get_article(article_id)
    with pytest.raises(Conflict):
        await service.update_article(
            editorial.editor, article_id, current.as_input(), current.version - 1
        )
    assert await current_generation() == before  # the bump rolled back with the change


async def test_generation_time_moves_by_at_least_a_second(world: World) -> None:
    first = await bump_content_generation()
    second = await bump_content_generation()
    assert second.number == first.number + 1
    assert first.changed_at is not None and second.changed_at is not None
    assert second.changed_at.replace(microsecond=0) > first.changed_at.replace(microsecond=0)


async def test_logged_in_requests_bypass_the_cache_and_are_never_stored(
    app: Litestar, client: AsyncTestClient, world: World
) -> None:
    anonymous = await client.get("/")
    assert "ログアウト" not in anonymous.text
    await login_as(client, role_email(Role.MEMBER_USER))
    hits, stored = cache_of(app).hits, len(cache_of(app))
    personal = await client.get("/")
    again = await client.get("/", headers={"If-None-Match": anonymous.headers["etag"]})
    assert personal.status_code == 200 and "ログアウト" in personal.text
    assert again.status_code == 200 and "ログアウト" in again.text
    assert personal.headers["cache-control"] == "private, no-cache"
    assert "etag" not in personal.headers
    assert cache_of(app).hits == hits and len(cache_of(app)) == stored
    async with browser(app) as stranger:
        assert "ログアウト" not in (await stranger.get("/")).text


async def test_the_cached_page_holds_no_csrf_token_and_sets_no_cookie(
    app: Litestar, world: World
) -> None:
    async with browser(app) as first_visitor:
        first = await first_visitor.get("/")
        assert "kdx_csrf" not in first_visitor.cookies
        login = await first_visitor.get("/login")
        token = first_visitor.cookies["kdx_csrf"]  # the first page with a form sets it
        again = await first_visitor.get("/login")
    async with browser(app) as second_visitor:
        second = await second_visitor.get("/")
    assert cache_of(app).hits >= 1 and second.content == first.content
    for response in (first, second):
        # A shared cache may keep these: nothing personal, and no cookie for it to store.
        assert "set-cookie" not in response.headers
        assert response.headers["cache-control"] == "public, no-cache"
    assert "data-hx-headers" not in first.text and 'name="_csrf"' not in first.text
    (stored,) = [e for e in cache_of(app)._entries.values() if b"<html" in e.body]
    assert not any(name == b"set-cookie" for name, _ in stored.headers)
    # Pages outside the cache keep the token for their forms and htmx; the cookie is set once.
    assert token in login.text and "data-hx-headers" in login.text
    assert token in again.text and "set-cookie" not in again.headers


async def test_errors_are_not_cached(app: Litestar, client: AsyncTestClient, world: World) -> None:
    for _ in range(2):
        assert (await client.get("/case-studies/no-such-case")).status_code == 404
    assert cache_of(app).hits == 0 and len(cache_of(app)) == 0


async def test_a_page_too_big_to_keep_still_goes_out_whole(
    app: Litestar, client: AsyncTestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_of(app), "max_entry_bytes", 1000)
    first = await client.get("/")
    second = await client.get("/")
    assert first.status_code == 200 and len(first.content) > 1000
    assert second.content == first.content and "</html>" in second.text
    assert "etag" not in first.headers and len(cache_of(app)) == 0


async def test_every_process_sees_a_publish_at_once(
    settings: Settings, app: Litestar, client: AsyncTestClient, editorial: Editorial
) -> None:
    """Two app processes (two caches) over one database: neither keeps an old page."""
    other_app = create_app(settings, migrate_on_start=False)
    async with AsyncTestClient(app=other_app) as other:
        for visitor in (client, other):
            assert "新しい事例" not in (await visitor.get("/case-studies")).text
            assert "新しい事例" not in (await visitor.get("/case-studies")).text  # cached
        await editorial.published(case("new-case", "新しい事例"))
        for visitor in (client, other):
            assert "新しい事例" in (await visitor.get("/case-studies")).text
    assert cache_of(app).hits >= 1 and cache_of(other_app).hits >= 1


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_change_by_another_process_shows_once_the_generation_is_read_again(
    app: Litestar, client: AsyncTestClient, editorial: Editorial
) -> None:
    """Another process's change reaches this one through the database alone: the generation is
    read again when this process's copy is older than the reader's max_age."""
    monotonic = FakeMonotonic()
    cache_of(app).generations = GenerationReader(max_age=0.5, monotonic=monotonic)
    await editorial.published(case("process-case", "別プロセスの事例"))
    first = await client.get("/case-studies")
    assert (await client.get("/case-studies")).headers["etag"] == first.headers["etag"]
    # What another process's publish leaves behind: a new generation in the database, and
    # no change counted in this process.
    await ContentGeneration.update(
        {ContentGeneration.generation: ContentGeneration.generation + 1}
    ).where(ContentGeneration.id == 1)
    monotonic.now += 0.4
    with count_queries() as counter:
        within = await client.get("/case-studies")
    assert within.headers["etag"] == first.headers["etag"] and counter.count == 0
    monotonic.now += 0.2  # past max_age: read again, and the page rendered anew
    misses = cache_of(app).misses
    after = await client.get("/case-studies")
    assert after.headers["etag"] != first.headers["etag"]
    assert cache_of(app).misses == misses + 1


async def test_a_visitor_with_a_session_cookie_is_not_answered_before_routing(
    app: Litestar, client: AsyncTestClient, editorial: Editorial
) -> None:
    await editorial.published(case("front-case", "前段の事例"))
    await client.get("/case-studies")
    hits = cache_of(app).hits
    # An unknown (expired) session is anonymous: the middleware inside still serves the copy,
    # after the session was looked up.
    client.cookies.set("kdx_session", "expired-or-unknown")
    with count_queries() as counter:
        response = await client.get("/case-studies")
    assert response.status_code == 200 and cache_of(app).hits == hits + 1
    assert counter.count >= 1  # the session lookup
    await login_as(client, role_email(Role.MEMBER_USER))
    personal = await client.get("/case-studies")
    assert "ログアウト" in personal.text and cache_of(app).hits == hits + 1


async def test_public_json_carries_last_modified_and_answers_if_modified_since(
    client: AsyncTestClient, editorial: Editorial, monkeypatch: pytest.MonkeyPatch
) -> None:
    await editorial.published(case("json-case", "JSONの事例"))
    later(monkeypatch)
    first = await client.get("/api/v1/articles")
    last_modified = first.headers["last-modified"]
    generation = await current_generation()
    assert generation.changed_at is not None
    assert parsedate_to_datetime(last_modified) == generation.changed_at.replace(microsecond=0)
    unchanged = await client.get("/api/v1/articles", headers={"If-Modified-Since": last_modified})
    assert unchanged.status_code == 304 and unchanged.content == b""
    await editorial.published(case("json-case-2", "二つ目のJSONの事例"))
    later(monkeypatch)
    changed = await client.get("/api/v1/articles", headers={"If-Modified-Since": last_modified})
    assert changed.status_code == 200 and "二つ目のJSONの事例" in changed.text


@pytest.mark.own_event_loop
async def test_a_response_that_sets_a_cookie_is_never_stored(db: None) -> None:
    @get("/with-cookie", opt={"cache": "public"})
    async def with_cookie() -> Response[str]:
        return Response("こんにちは", cookies=[Cookie(key="visitor", value="only-you")])

    cache = PageCache()
    small = Litestar([with_cookie], middleware=[DefineMiddleware(PageCacheMiddleware, cache=cache)])
    async with AsyncTestClient(app=small) as client:
        for _ in range(2):
            response = await client.get("/with-cookie")
            assert response.text == "こんにちは" and "only-you" in response.headers["set-cookie"]
            assert response.headers["cache-control"] == "private, no-cache"
    assert len(cache) == 0 and cache.hits == 0


# --- the LRU itself -------------------------------------------------------------------------------


def entry(generation: int = 1, size: int = 10) -> CachedPage:
    return CachedPage(generation, 200, [], b"x" * size, '"e"', None)


def test_the_cache_is_bounded_by_entries_and_bytes() -> None:
    cache = PageCache(max_entries=2, max_bytes=100, max_entry_bytes=60)
    cache.put((b"a",), entry())
    cache.put((b"b",), entry())
    assert cache.get((b"a",), 1) is not None  # a is now the most recently used
    cache.put((b"c",), entry())
    assert cache.get((b"b",), 1) is None and cache.get((b"a",), 1) is not None
    cache.put((b"big",), entry(size=61))  # larger than one entry may be
    assert cache.get((b"big",), 1) is None
    cache.put((b"d",), entry(size=60))
    cache.put((b"e",), entry(size=60))  # 120 bytes would pass the cap: the older one goes
    assert cache.get((b"d",), 1) is None and cache.get((b"e",), 1) is not None
    assert cache.bytes == 60 and len(cache) == 1


def test_an_entry_of_another_generation_or_too_old_is_not_served() -> None:
    cache = PageCache()
    cache.put((b"a",), entry(generation=1))
    assert cache.get((b"a",), 2) is None and len(cache) == 0
    old = PageCache(max_age_seconds=-1)
    old.put((b"a",), entry())
    assert old.get((b"a",), 1) is None


def test_the_key_tells_hosts_queries_and_htmx_requests_apart() -> None:
    def scope(query: bytes = b"", **headers: str) -> Any:
        pairs = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
        return {"path": "/news", "raw_path": b"/news", "query_string": query, "headers": pairs}

    keys = {
        cache_key(scope(host="a.example")),
        cache_key(scope(host="b.example")),
        cache_key(scope(b"page_number=2", host="a.example")),
        cache_key(scope(host="a.example", hx_request="true")),
    }
    assert len(keys) == 4
    assert cache_key(scope(host="a.example")) == cache_key(scope(host="a.example", cookie="x"))
