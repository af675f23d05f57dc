"""The public site's content pages over HTTP: case studies (filters, pagination), news, event
information (upcoming and past), the static page tree and the site map, the home page.

Only published content ever appears, to anonymous visitors and every role alike; detail pages
carry a canonical URL, Open Graph tags and JSON-LD that a hostile title cannot break out of.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from lxml import html as lxml_html

from api import clock
from api.articles import service
from api.articles.service import ArticleInput, PageInput
from api.dates import JST
from api.media import service as media
from api.settings import Settings
from tests.http.conftest import ARTICLE_BODY, ROLE_CASES, Editorial, World, login_as, role_email
from tests.querycount import count_queries
from tests.service.test_media import jpeg_with_gps
from web.app import create_app
from web.controllers import site

HOSTILE_TITLE = '在庫</script><script>alert("x")</script>&<!--'


def case(slug: str, **overrides: Any) -> ArticleInput:
    data = ArticleInput(
        kind="case_study", slug=slug, title=f"事例 {slug}", summary=f"{slug} の概要です。",
        body_markdown=ARTICLE_BODY, organisation_name="株式会社テスト", industry="E",
        municipality="熊本市",
    )  # fmt: skip
    return replace(data, **overrides)


def event(
    slug: str, starts_in: timedelta, hours: float | None = 2, **overrides: Any
) -> ArticleInput:
    starts = (clock.now() + starts_in).astimezone(JST).replace(second=0, microsecond=0)
    data = ArticleInput(
        kind="event_info",
        slug=slug,
        title=f"催し {slug}",
        summary="DXセミナーのご案内",
        body_markdown=ARTICLE_BODY,
        event_starts_at=starts,
        event_ends_at=starts + timedelta(hours=hours) if hours is not None else None,
        venue="熊本県庁",
        organiser="熊本県",
        event_url="https://example.jp/seminar",
    )
    return replace(data, **overrides)


def doc(response: Any) -> Any:
    return lxml_html.fromstring(response.text)


def main_text(response: Any) -> str:
    return " ".join(doc(response).xpath("string(//main)").split())


def hrefs(response: Any) -> list[str]:
    return doc(response).xpath("//main//a/@href")


HIDDEN_STATES = ("draft", "in_review", "scheduled", "unpublished")


async def test_only_published_content_is_shown_to_everyone_alike(
    client: AsyncTestClient, world: World, editorial: Editorial
) -> None:
    await editorial.published(case("shown-case", title="公開中の事例"))
    await editorial.published(replace(case("shown-news", title="公開中のお知らせ"), kind="news"))
    await editorial.published(event("shown-event", timedelta(days=5), title="公開中の催し"))
    hidden: list[tuple[str, str]] = []
    for state in HIDDEN_STATES:
        slug = state.replace("_", "-")
        made = await editorial.in_state(case(f"case-{slug}", title=f"非公開の事例 {state}"), state)
        assert made.state == state
        hidden.append((f"/case-studies/case-{slug}", made.title))
        news = replace(case(f"news-{slug}", title=f"非公開のお知らせ {state}"), kind="news")
        hidden.append((f"/news/news-{slug}", (await editorial.in_state(news, state)).title))
        info = event(f"event-{slug}", timedelta(days=2), title=f"非公開の催し {state}")
        hidden.append((f"/event-info/event-{slug}", (await editorial.in_state(info, state)).title))
    lists = ("/", "/case-studies", "/news", "/event-info", "/event-info?past=1", "/site-map")
    details = ("/case-studies/shown-case", "/news/shown-news", "/event-info/shown-event")

    seen: dict[str, str] = {}
    client.cookies.clear()
    for path in (*lists, *details):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        seen[path] = main_text(response)
        for _, title in hidden:
            assert title not in response.text, (path, title)
    for path, _ in hidden:
        assert (await client.get(path)).status_code == 404, path
    assert "公開中の事例" in seen["/case-studies"] and "公開中の事例" in seen["/"]
    assert "公開中のお知らせ" in seen["/news"] and "公開中の催し" in seen["/event-info"]

    # Every role sees exactly what an anonymous visitor sees (the main content, byte for byte).
    for role in ROLE_CASES:
        await login_as(client, role_email(role))
        for path in (*lists, *details):
            response = await client.get(path)
            assert response.status_code == 200, (role, path)
            assert main_text(response) == seen[path], (role, path)
        for path, _ in hidden:
            assert (await client.get(path)).status_code == 404, (role, path)


async def test_case_study_list_filters_paginates_and_counts(
    client: AsyncTestClient, editorial: Editorial
) -> None:
    themes = {theme.slug: theme.id for theme in await service.list_themes()}
    for index in range(15):
        await editorial.published(
            case(
                f"case-{index:02d}",
                industry="E" if index % 2 else "G",
                municipality="八代市" if index < 3 else "熊本市",
                theme_ids=(themes["data"],) if index in (4, 5) else (themes["efficiency"],),
            )
        )
    first = await client.get("/case-studies")
    assert first.status_code == 200
    tree = doc(first)
    items = tree.xpath("//ul[@class='content-cards']/li")
    assert len(items) == site.CASE_STUDIES_PER_PAGE
    # Newest first: the last one published leads.
    assert items[0].xpath("string(.//h2)").strip() == "事例 case-14"
    assert "導入事例: 15件" in main_text(first)
    assert "/case-studies?page_number=2" in hrefs(first)
    # The filter form works without JavaScript: a GET form with labelled selects.
    form = tree.xpath("//main//form[@role='search']")[0]  # not the header's search box
    assert form.get("method") == "get" and form.get("action") == "/case-studies"
    for name in ("industry", "theme", "municipality"):
        assert tree.xpath(f"//label[@for='field-{name}']"), name
        assert tree.xpath(f"//select[@name='{name}']"), name
    second = await client.get("/case-studies", params={"page_number": 2})
    assert len(doc(second).xpath("//ul[@class='content-cards']/li")) == 3

    by_industry = await client.get("/case-studies", params={"industry": "G"})
    assert "条件に合う導入事例: 8件" in main_text(by_industry)
    selected = doc(by_industry).xpath("//select[@name='industry']/option[@selected]/@value")
    assert selected == ["G"]
    by_theme = await client.get("/case-studies", params={"theme": "data"})
    titles = {t.strip() for t in doc(by_theme).xpath("//ul[@class='content-cards']/li//h2//text()")}
    assert titles == {"事例 case-04", "事例 case-05"}
    by_place = await client.get("/case-studies", params={"municipality": "八代市", "industry": "E"})
    assert "条件に合う導入事例: 1件" in main_text(by_place)
    # The page links keep the filters.
    many = await client.get("/case-studies", params={"theme": "efficiency"})
    assert "/case-studies?theme=efficiency&page_number=2" in hrefs(many)

    empty = await client.get("/case-studies", params={"municipality": "五木村"})
    assert empty.status_code == 200
    assert "条件に合う導入事例はありません" in main_text(empty)
    clear = doc(empty).xpath("//div[@class='empty-state']//a")[0]
    assert clear.get("href") == "/case-studies"
    assert '<link rel="alternate" type="application/atom+xml"' in first.text
    assert 'href="/feeds/case-studies.atom"' in first.text


async def test_list_pages_load_lead_images_in_one_query(
    app: Litestar, client: AsyncTestClient, editorial: Editorial
) -> None:
    await service.list_themes()  # seeds the default themes (a write only once)
    photo = await media.upload(
        editorial.editor, app.state.store, "現場.jpg", io.BytesIO(jpeg_with_gps()), title="現場"
    )
    for index in range(site.CASE_STUDIES_PER_PAGE + 1):
        await editorial.published(
            case(f"photo-{index:02d}", lead_image=photo.id, lead_image_alt="作業場の様子")
        )
    await client.get("/")  # the content generation is read now, not inside the first count
    counts = []
    for number in (1, 2):
        with count_queries() as counter:
            response = await client.get("/case-studies", params={"page_number": number})
        images = doc(response).xpath("//ul[@class='content-cards']//img")
        assert len(images) == (site.CASE_STUDIES_PER_PAGE if number == 1 else 1)
        # The card's title link names the case; its thumbnail is decorative.
        assert {img.get("alt") for img in images} == {""}
        assert all("320w" in img.get("srcset") for img in images)
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


async def test_hostile_filters_and_page_numbers_are_harmless(
    client: AsyncTestClient, editorial: Editorial
) -> None:
    await editorial.published(case("one"))
    hostile = '"><script>alert(1)</script>'
    response = await client.get(
        "/case-studies", params={"industry": hostile, "theme": hostile, "municipality": "長" * 5000}
    )
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "条件に合う導入事例はありません" in main_text(response)
    for value in ("0", "-1", "abc", "99999999999"):
        bad = await client.get("/case-studies", params={"page_number": value})
        assert bad.status_code == 400, value
        assert '<html lang="ja">' in bad.text
    beyond = await client.get("/case-studies", params={"page_number": 50})
    assert beyond.status_code == 200
    for path in ("/case-studies/no-such", "/case-studies/UPPER", "/news/%00", "/pages/x/../y"):
        assert (await client.get(path)).status_code == 404, path


async def test_case_study_detail_has_meta_breadcrumbs_and_safe_structured_data(
    app: Litestar, client: AsyncTestClient, editorial: Editorial
) -> None:
    themes = {theme.slug: theme for theme in await service.list_themes()}
    photo = await media.upload(
        editorial.editor, app.state.store, "工場.jpg", io.BytesIO(jpeg_with_gps()), title="工場"
    )
    draft_related = await editorial.draft(case("related-draft", title="下書きの関連事例"))
    shown_related = await editorial.published(case("related-shown", title="公開中の関連事例"))
    article = await editorial.published(
        case(
            "hostile",
            title=HOSTILE_TITLE,
            summary="在庫管理を<b>クラウド</b>化しました。",
            industry="G",
            municipality="八代市",
            lead_image=photo.id,
            lead_image_alt="工場で端末を操作する社員",
            theme_ids=(themes["data"].id, themes["talent"].id),
            related_ids=(draft_related.id, shown_related.id),
        )
    )
    response = await client.get("/case-studies/hostile")
    assert response.status_code == 200
    text = response.text
    tree = doc(response)

    # The title cannot break out of the JSON-LD block or the attributes.
    assert "<script>alert" not in text
    assert text.count("</script>") == text.count("<script")
    blocks = tree.xpath("//script[@type='application/ld+json']/text()")
    assert len(blocks) == 1
    assert "<" not in blocks[0] and ">" not in blocks[0] and "&" not in blocks[0]
    data = json.loads(blocks[0])
    assert data["@type"] == "Article"
    assert data["headline"] == HOSTILE_TITLE
    assert data["url"] == "http://testserver.local/case-studies/hostile"
    assert data["image"] == [f"http://testserver.local/media/{photo.id}/1280"]
    assert data["datePublished"] == article.first_published_at.isoformat()  # type: ignore[union-attr]
    assert data["keywords"] == ["データ活用", "人材育成"]

    assert tree.xpath("//link[@rel='canonical']/@href") == [
        "http://testserver.local/case-studies/hostile"
    ]
    og = {m.get("property"): m.get("content") for m in tree.xpath("//meta[@property]")}
    assert og["og:type"] == "article" and og["og:locale"] == "ja_JP"
    assert og["og:title"] == HOSTILE_TITLE
    assert og["og:url"] == "http://testserver.local/case-studies/hostile"
    assert og["og:description"] == "在庫管理を<b>クラウド</b>化しました。"
    assert og["og:image"] == f"http://testserver.local/media/{photo.id}/1280"
    assert tree.xpath("string(//h1)") == HOSTILE_TITLE
    assert len(tree.xpath("//h1")) == 1

    crumbs = tree.xpath("//nav[@aria-label='パンくずリスト']//li")
    assert [c.text_content() for c in crumbs] == ["ホーム", "導入事例", HOSTILE_TITLE]
    assert crumbs[-1].get("aria-current") == "page"
    assert crumbs[1].xpath("a/@href") == ["/case-studies"]

    lead = tree.xpath("//figure[@class='lead-image']/img")[0]
    assert lead.get("alt") == "工場で端末を操作する社員"
    assert "320w" in lead.get("srcset") and "1280w" in lead.get("srcset")
    meta = main_text(response)
    for fact in ("株式会社テスト", "情報通信業", "八代市"):
        assert fact in meta
    links = hrefs(response)
    assert "/case-studies?theme=data" in links and "/case-studies?theme=talent" in links
    assert "/case-studies/related-shown" in links
    assert "下書きの関連事例" not in text
    assert "紙の台帳で在庫を管理していました。" in meta
    assert tree.xpath("//div[@class='article-body']/h2/text()") == ["導入の背景", "取り組み"]


async def test_canonical_follows_the_configured_base_url(
    settings: Settings, db: None, world: World
) -> None:
    editorial = Editorial(world)
    await editorial.published(replace(case("notice"), kind="news", title="年末年始のお知らせ"))
    app = create_app(replace(settings, base_url="https://dx.example.jp/"), migrate_on_start=False)
    async with AsyncTestClient(app=app) as client:
        response = await client.get("/news/notice")
    tree = doc(response)
    assert tree.xpath("//link[@rel='canonical']/@href") == ["https://dx.example.jp/news/notice"]
    data = json.loads(tree.xpath("//script[@type='application/ld+json']/text()")[0])
    assert data["@type"] == "NewsArticle"
    assert data["mainEntityOfPage"] == "https://dx.example.jp/news/notice"
    # No lead image: no og:image at all.
    assert not tree.xpath("//meta[@property='og:image']")
    crumbs = [c.text_content() for c in tree.xpath("//nav[@aria-label='パンくずリスト']//li")]
    assert crumbs == ["ホーム", "お知らせ", "年末年始のお知らせ"]


async def test_news_list_is_paginated_newest_first(
    client: AsyncTestClient, editorial: Editorial
) -> None:
    for index in range(site.NEWS_PER_PAGE + 1):
        await editorial.published(replace(case(f"news-{index:02d}"), kind="news"))
    first = await client.get("/news")
    items = doc(first).xpath("//ul[@class='news-list']/li")
    assert len(items) == site.NEWS_PER_PAGE
    assert items[0].xpath("string(a)") == f"事例 news-{site.NEWS_PER_PAGE:02d}"
    assert items[0].xpath("time/text()")[0].endswith("日")  # 2026年11月25日
    assert "/news?page_number=2" in hrefs(first)
    second = await client.get("/news?page_number=2")
    assert [i.xpath("string(a)") for i in doc(second).xpath("//ul[@class='news-list']/li")] == [
        "事例 news-00"
    ]
    assert 'href="/feeds/news.atom"' in first.text


async def test_time_elements_carry_valid_machine_readable_dates(
    client: AsyncTestClient, editorial: Editorial
) -> None:
    # Published "now" has microseconds; HTML allows at most three digits of a second.
    await editorial.published(replace(case("time-case"), interview_date=clock.now().date()))
    await editorial.published(replace(case("time-news"), kind="news"))
    for path in ("/", "/news", "/case-studies", "/case-studies/time-case"):
        values = doc(await client.get(path)).xpath("//time/@datetime")
        assert values, path
        for value in values:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d[+-]\d\d:\d\d)?", value), value


async def test_event_info_splits_upcoming_and_past(
    client: AsyncTestClient, editorial: Editorial
) -> None:
    await editorial.published(event("later", timedelta(days=20)))
    await editorial.published(event("soon", timedelta(days=2), venue="", online=True))
    await editorial.published(event("running", -timedelta(hours=1), hours=3))
    await editorial.published(event("finished", -timedelta(days=3)))
    await editorial.published(event("long-ago", -timedelta(days=30), hours=None))
    upcoming = await client.get("/event-info")
    titles = [t.strip() for t in doc(upcoming).xpath("//ul[@class='event-list']/li/h2//text()")]
    assert titles == ["催し running", "催し soon", "催し later"]
    assert "/event-info?past=1" in hrefs(upcoming)
    past = await client.get("/event-info", params={"past": "1"})
    titles = [t.strip() for t in doc(past).xpath("//ul[@class='event-list']/li/h2//text()")]
    assert titles == ["催し finished", "催し long-ago"]
    assert "/event-info" in hrefs(past)
    crumbs = [c.text_content() for c in doc(past).xpath("//nav[@aria-label='パンくずリスト']//li")]
    assert crumbs == ["ホーム", "イベント情報", "終了したイベント情報"]

    detail = await client.get("/event-info/soon")
    assert detail.status_code == 200
    shown = await service.get_published("event_info", "soon")
    starts = shown.event_starts_at.astimezone(JST)  # type: ignore[union-attr]
    ends = shown.event_ends_at.astimezone(JST)  # type: ignore[union-attr]
    text = main_text(detail)
    weekday = "月火水木金土日"[starts.weekday()]
    expected = f"{starts.year}年{starts.month}月{starts.day}日（{weekday}） {starts:%H:%M}〜"
    assert expected in text
    assert (f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends.day}日") in text
    assert "オンライン" in text and "熊本県" in text
    link = doc(detail).xpath("//a[@href='https://example.jp/seminar']")[0]
    assert "外部サイト" in link.text_content()
    assert "このイベントは終了しました" not in text
    data = json.loads(doc(detail).xpath("//script[@type='application/ld+json']/text()")[0])
    assert data["@type"] == "Event" and data["name"] == "催し soon"
    assert data["startDate"] == starts.isoformat()  # +09:00
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["organizer"] == {"@type": "Organization", "name": "熊本県"}
    finished = await client.get("/event-info/finished")
    assert "このイベントは終了しました" in main_text(finished)


async def test_static_pages_breadcrumbs_section_menu_and_site_map(
    client: AsyncTestClient, editorial: Editorial
) -> None:
    guide = await editorial.page("guide", "ご利用案内")
    access = await editorial.page("access", "アクセス", parent=guide.id)
    await editorial.page("floor", "フロア案内", parent=access.id)
    await editorial.page("hidden", "準備中のページ", parent=guide.id, publish=False)
    response = await client.get("/pages/guide/access")
    assert response.status_code == 200
    tree = doc(response)
    assert tree.xpath("string(//h1)") == "アクセス"
    crumbs = tree.xpath("//nav[@aria-label='パンくずリスト']//li")
    assert [c.text_content() for c in crumbs] == ["ホーム", "ご利用案内", "アクセス"]
    assert crumbs[1].xpath("a/@href") == ["/pages/guide"]
    menu = tree.xpath("//nav[@aria-label='ご利用案内のメニュー']")[0]
    assert menu.xpath(".//a/@href") == ["/pages/guide", "/pages/guide/access"]
    assert menu.xpath(".//a[@aria-current='page']/text()") == ["アクセス"]
    assert "準備中のページ" not in response.text
    og = {m.get("property"): m.get("content") for m in tree.xpath("//meta[@property]")}
    assert og["og:type"] == "website" and og["og:title"] == "アクセス"
    assert og["og:url"] == "http://testserver.local/pages/guide/access"
    assert og["og:description"].startswith("導入の背景 紙の台帳で")
    deeper = await client.get("/pages/guide/access/floor")
    menu = doc(deeper).xpath("//nav[@aria-label='ご利用案内のメニュー']")[0]
    assert menu.xpath(".//a[@aria-current='true']/text()") == ["アクセス"]
    for missing in ("/pages/guide/hidden", "/pages/nothing", "/pages/guide/access/none"):
        assert (await client.get(missing)).status_code == 404, missing

    site_map = await client.get("/site-map")
    links = hrefs(site_map)
    for href in ("/case-studies", "/news", "/event-info", "/join", "/pages/guide"):
        assert href in links
    assert "/pages/guide/access/floor" in links and "/pages/guide/hidden" not in links


async def test_accessibility_and_privacy_show_the_published_pages(
    client: AsyncTestClient, editorial: Editorial
) -> None:
    existing = {node.path: node for node in await service.page_tree(published_only=False)}
    for slug, title in (
        ("accessibility", "アクセシビリティ方針（改訂）"),
        ("privacy", "個人情報の扱い"),
    ):
        if slug in existing:
            node = existing[slug]
            await service.update_page(
                editorial.staff, node.id, PageInput(slug=slug, title=title, body_markdown=ARTICLE_BODY),
                node.version,
            )  # fmt: skip
            if node.state != "published":
                await service.set_page_state(editorial.staff, node.id, "published")
        else:
            await editorial.page(slug, title)
        response = await client.get(f"/{slug}")
        assert response.status_code == 200
        tree = doc(response)
        assert tree.xpath("string(//h1)") == title
        assert tree.xpath("//link[@rel='canonical']/@href") == [f"http://testserver.local/{slug}"]


async def test_home_page_shows_latest_content_and_empty_states(
    client: AsyncTestClient, editorial: Editorial
) -> None:
    empty = await client.get("/")
    text = main_text(empty)
    assert "公開中の導入事例はまだありません" in text
    assert "公開中のお知らせはまだありません" in text
    assert "開催予定のイベントはありません" in text
    for index in range(4):
        await editorial.published(case(f"case-{index}"))
    for index in range(6):
        await editorial.published(replace(case(f"news-{index}"), kind="news"))
    for days in (1, 2, 3, 4):
        await editorial.published(event(f"event-{days}", timedelta(days=days)))
    await editorial.published(event("over", -timedelta(days=2)))
    tree = doc(await client.get("/"))
    cases = tree.xpath("//section[@aria-labelledby='latest-cases-heading']//li/h3//text()")
    assert [t.strip() for t in cases] == ["事例 case-3", "事例 case-2", "事例 case-1"]
    news = tree.xpath("//section[@aria-labelledby='latest-news-heading']//li/a/text()")
    assert news == [f"事例 news-{i}" for i in (5, 4, 3, 2, 1)]
    events = tree.xpath("//section[@aria-labelledby='next-events-heading']//li/h3//text()")
    assert [t.strip() for t in events] == ["催し event-1", "催し event-2", "催し event-3"]
    links = tree.xpath("//main//a/@href")
    assert {"/case-studies", "/news", "/event-info"} <= set(links)


def test_public_content_routes_are_marked_cacheable(app: Litestar) -> None:
    paths = {
        "/", "/accessibility", "/privacy", "/case-studies", "/case-studies/{slug:str}", "/news",
        "/news/{slug:str}", "/event-info", "/event-info/{slug:str}", "/pages/{path:path}",
        "/site-map",
    }  # fmt: skip
    found = {}
    for route in app.routes:
        if route.path in paths:
            for handler in route.route_handlers:
                if "GET" in handler.http_methods:
                    found[route.path] = handler.opt
    assert set(found) == paths
    for path, opt in found.items():
        assert opt.get("action") == "public.view" and opt.get("cache") == "public", path
