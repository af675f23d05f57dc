"""The public site's content pages: case studies, news, event information, the static page tree
and the HTML site map; also the home page's latest-content sections.

Thin: what is published (and nothing else) comes from api.articles.service, which the JSON API
calls too. Detail pages carry a canonical URL, Open Graph tags and schema.org JSON-LD. Every
route here is marked {"cache": "public"}: the anonymous page cache keys on that mark.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Request, get
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template
from markupsafe import Markup

from api import clock
from api.articles import service
from api.articles.markdown import plain_text
from api.articles.rendering import render_body
from api.articles.service import ArticleFilter, ArticleView, PageView
from api.dates import format_date, to_local
from api.errors import NotFound
from api.media import service as media
from api.members.reference import INDUSTRY_LABELS, KUMAMOTO_MUNICIPALITIES
from api.pagination import Page as ResultPage
from api.pagination import PageRequest
from web.rendering import page

PUBLIC_CONTENT = {"action": "public.view", "cache": "public"}
PageNumber = Annotated[int, QueryParameter(ge=1, le=100000)]
CASE_STUDIES_PER_PAGE = 12
NEWS_PER_PAGE = 20
EVENTS_PER_PAGE = 20
SITE_NAME = "熊本県DX推進コンソーシアム"
PUBLISHER = "熊本県DX推進コンソーシアム事務局"
DESCRIPTION_CHARS = 120
# List cards are at most about 20rem wide; the detail's lead image spans the text column.
CARD_IMAGE_SIZES = "(max-width: 40rem) 100vw, 20rem"
LEAD_IMAGE_SIZES = "(max-width: 48rem) 100vw, 46rem"
LIST_PATHS = {"case_study": "/case-studies", "news": "/news", "event_info": "/event-info"}
# Static pages that keep their own short URLs (linked from every page's footer).
PAGE_ALIASES = {"accessibility": "/accessibility", "privacy": "/privacy"}


# --- helpers (pure) ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Picture:
    """An <img> of the media library: a default src, the srcset and the intrinsic size."""

    src: str
    srcset: str
    width: int | None
    height: int | None
    alt: str
    sizes: str


def picture(
    item: media.MediaView | None, alt: str, sizes: str, preferred: int = 640
) -> Picture | None:
    if item is None or not item.is_image:
        return None
    chosen = media.default_rendition(item, preferred)
    if chosen is None:
        return None
    return Picture(
        src=media.rendition_url(item, chosen.width), srcset=media.srcset(item),
        width=chosen.width, height=chosen.height, alt=alt, sizes=sizes,
    )  # fmt: skip


def article_url(article: ArticleView) -> str:
    return f"{LIST_PATHS.get(article.kind, '/news')}/{article.slug}"


def page_url(node: PageView) -> str:
    return PAGE_ALIASES.get(node.path, f"/pages/{node.path}")


def json_ld(data: dict[str, Any]) -> Markup:
    """JSON for a <script type="application/ld+json"> data block.

    The HTML parser ends the block at the first "</script"; with <, > and & written as JSON
    escapes no text (a title with "</script>" in it) can close it or start markup.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - nothing left in it that HTML would read as markup


def trusted_body(html: str) -> Markup:
    """A body from api.articles.rendering.render_body: sanitised there (nh3 allow-list)."""
    return Markup(html)  # noqa: S704 - sanitised by render_body


def event_period(starts: datetime | None, ends: datetime | None) -> str:
    """2026年12月1日（火） 13:30〜17:00, or a range over days, in Asia/Tokyo."""
    if starts is None:
        return "日時未定"
    start = to_local(starts)
    assert isinstance(start, datetime)
    text = f"{format_date(start, weekday=True)} {start:%H:%M}"
    if ends is None:
        return text
    end = to_local(ends)
    assert isinstance(end, datetime)
    if end.date() == start.date():
        return f"{text}〜{end:%H:%M}"
    return f"{text}〜{format_date(end, weekday=True)} {end:%H:%M}"


def description(summary: str, body_markdown: str) -> str:
    """The summary, else the start of the body's text, for meta and Open Graph descriptions."""
    text = " ".join((summary.strip() or plain_text(body_markdown)).split())
    return text if len(text) <= DESCRIPTION_CHARS else text[: DESCRIPTION_CHARS - 1] + "…"


def base_url(request: Request) -> str:
    """The site's absolute origin: BASE_URL when set (behind a proxy), else the request's."""
    configured = request.app.state.settings.base_url
    return (configured or str(request.base_url)).rstrip("/")


def trail_to(tree: list[PageView], path: str) -> list[PageView]:
    """The pages from the root down to the page at `path` (empty when there is none)."""
    wanted = path.strip("/")

    def search(nodes: Iterable[PageView], above: list[PageView]) -> list[PageView]:
        for node in nodes:
            if node.path == wanted:
                return [*above, node]
            if wanted.startswith(node.path + "/"):
                found = search(node.children, [*above, node])
                if found:
                    return found
        return []

    return search(tree, [])


def _helpers() -> dict[str, Any]:
    return {
        "article_url": article_url,
        "page_url": page_url,
        "event_period": event_period,
        "industry_labels": INDUSTRY_LABELS,
    }


async def card_pictures(items: Iterable[ArticleView]) -> dict[int, Picture]:
    """The lead images of a list's articles in one query, by article id (decorative in cards)."""
    articles = [item for item in items if item.lead_image is not None]
    found = await media.get_media_many([item.lead_image for item in articles if item.lead_image])
    pictures: dict[int, Picture] = {}
    for item in articles:
        # The card's title link names the item; the thumbnail repeats it, so its alt is empty.
        shown = picture(found.get(item.lead_image or 0), "", CARD_IMAGE_SIZES, preferred=640)
        if shown is not None:
            pictures[item.id] = shown
    return pictures


# --- detail pages: canonical, Open Graph, JSON-LD ---------------------------------------------------


def event_data(article: ArticleView, canonical: str, summary: str) -> dict[str, Any]:
    """schema.org Event of an event notice (times in Asia/Tokyo, place and/or online)."""
    assert article.event_starts_at is not None
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": article.title,
        "description": summary,
        "url": canonical,
        "inLanguage": "ja",
        "startDate": to_local(article.event_starts_at).isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
    }
    if article.event_ends_at is not None:
        data["endDate"] = to_local(article.event_ends_at).isoformat()
    places: list[dict[str, str]] = []
    if article.venue:
        places.append({"@type": "Place", "name": article.venue, "address": article.venue})
    if article.online:
        places.append({"@type": "VirtualLocation", "url": article.event_url or canonical})
    if places:
        data["location"] = places
        mode = "Mixed" if len(places) == 2 else ("Online" if article.online else "Offline")
        data["eventAttendanceMode"] = f"https://schema.org/{mode}EventAttendanceMode"
    if article.organiser:
        data["organizer"] = {"@type": "Organization", "name": article.organiser}
    return data


async def _detail(request: Request, article: ArticleView, list_label: str) -> dict[str, Any]:
    origin = base_url(request)
    canonical = origin + article_url(article)
    lead_item = (
        (await media.get_media_many([article.lead_image])).get(article.lead_image)
        if article.lead_image is not None
        else None
    )
    lead = picture(lead_item, article.lead_image_alt, LEAD_IMAGE_SIZES, preferred=1280)
    summary = description(article.summary, article.body_markdown)
    og: dict[str, str] = {
        "og:site_name": SITE_NAME,
        "og:type": "article",
        "og:title": article.title,
        "og:url": canonical,
        "og:description": summary,
        "og:locale": "ja_JP",
    }
    structured: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle" if article.kind == "news" else "Article",
        "headline": article.title,
        "description": summary,
        "url": canonical,
        "mainEntityOfPage": canonical,
        "inLanguage": "ja",
        "author": {"@type": "Organization", "name": PUBLISHER},
        "publisher": {"@type": "Organization", "name": SITE_NAME},
    }
    published = article.first_published_at or article.published_at
    if published is not None:
        structured["datePublished"] = published.isoformat()
    if article.published_at is not None:
        structured["dateModified"] = article.published_at.isoformat()
    if article.themes:
        structured["keywords"] = [theme.name for theme in article.themes]
    if article.kind == "event_info" and article.event_starts_at is not None:
        structured = event_data(article, canonical, summary)
    if lead is not None:
        og["og:image"] = origin + lead.src
        og["og:image:alt"] = lead.alt
        structured["image"] = [origin + lead.src]
    related = await service.get_articles_brief(article.related_ids, published_only=True)
    return {
        "article": article,
        "lead": lead,
        "body_html": trusted_body(await render_body(article.body_markdown)),
        "related": related,
        "canonical": canonical,
        "og": og,
        "json_ld": json_ld(structured),
        "list_label": list_label,
        "list_path": LIST_PATHS[article.kind],
        **_helpers(),
    }


# --- case studies -------------------------------------------------------------------------------


@get("/case-studies", opt=PUBLIC_CONTENT, include_in_schema=False)
async def case_studies(
    request: Request,
    industry: FromQuery[str] = "",
    theme: FromQuery[str] = "",
    municipality: FromQuery[str] = "",
    page_number: PageNumber = 1,
) -> Template:
    filters = ArticleFilter.of(
        kind="case_study", industry=industry, theme=theme, municipality=municipality
    )
    result = await service.list_published(
        filters, PageRequest.of(page_number, CASE_STUDIES_PER_PAGE)
    )
    themes = await service.list_themes()
    params = {
        "industry": filters.industry,
        "theme": filters.theme,
        "municipality": filters.municipality,
    }
    return page(
        request, "site/case_studies.html",
        result=result, params=params, filtered=any(params.values()),
        theme_options=[(t.slug, t.name) for t in themes],
        municipalities=KUMAMOTO_MUNICIPALITIES, pictures=await card_pictures(result.items),
        **_helpers(),
    )  # fmt: skip


@get("/case-studies/{slug:str}", opt=PUBLIC_CONTENT, include_in_schema=False)
async def case_study(request: Request, slug: FromPath[str]) -> Template:
    article = await service.get_published("case_study", slug)
    return page(request, "site/article.html", **await _detail(request, article, "導入事例"))


# --- news -----------------------------------------------------------------------------------------


@get("/news", opt=PUBLIC_CONTENT, include_in_schema=False)
async def news_list(request: Request, page_number: PageNumber = 1) -> Template:
    result = await service.list_published(
        ArticleFilter.of(kind="news"), PageRequest.of(page_number, NEWS_PER_PAGE)
    )
    return page(request, "site/news.html", result=result, params={}, **_helpers())


@get("/news/{slug:str}", opt=PUBLIC_CONTENT, include_in_schema=False)
async def news_item(request: Request, slug: FromPath[str]) -> Template:
    article = await service.get_published("news", slug)
    return page(request, "site/article.html", **await _detail(request, article, "お知らせ"))


# --- event information ----------------------------------------------------------------------------


@get("/event-info", opt=PUBLIC_CONTENT, include_in_schema=False)
async def event_info_list(
    request: Request, past: FromQuery[str] = "", page_number: PageNumber = 1
) -> Template:
    show_past = past == "1"
    result = await service.list_event_info(
        not show_past, PageRequest.of(page_number, EVENTS_PER_PAGE)
    )
    return page(
        request, "site/event_info.html",
        result=result, past=show_past, params={"past": "1"} if show_past else {}, **_helpers(),
    )  # fmt: skip


@get("/event-info/{slug:str}", opt=PUBLIC_CONTENT, include_in_schema=False)
async def event_info_item(request: Request, slug: FromPath[str]) -> Template:
    article = await service.get_published("event_info", slug)
    context = await _detail(request, article, "イベント情報")
    ends = article.event_ends_at or article.event_starts_at
    context["is_past"] = ends is not None and ends < clock.now()
    context["external"] = article.event_url.startswith(("https://", "http://"))
    return page(request, "site/article.html", **context)


# --- static pages and the site map ----------------------------------------------------------------


async def render_page(request: Request, path: str) -> Template:
    """A published static page with its breadcrumbs and its section's menu (NotFound if none)."""
    tree = await service.page_tree(published_only=True)
    trail = trail_to(tree, path)
    if not trail:
        raise NotFound("お探しのページは見つかりませんでした。")
    current = trail[-1]
    canonical = base_url(request) + page_url(current)
    og = {
        "og:site_name": SITE_NAME,
        "og:type": "website",
        "og:title": current.title,
        "og:url": canonical,
        "og:description": description("", current.body_markdown),
        "og:locale": "ja_JP",
    }
    return page(
        request, "site/page.html",
        node=current, section=trail[0],
        trail=[(page_url(above), above.title) for above in trail[:-1]],
        body_html=trusted_body(await render_body(current.body_markdown)),
        canonical=canonical, og=og, **_helpers(),
    )  # fmt: skip


@get("/pages/{path:path}", opt=PUBLIC_CONTENT, include_in_schema=False)
async def static_page(request: Request, path: FromPath[str]) -> Template:
    return await render_page(request, path)


@get("/site-map", opt=PUBLIC_CONTENT, include_in_schema=False)
async def site_map(request: Request) -> Template:
    tree = await service.page_tree(published_only=True)
    return page(request, "site/site_map.html", tree=tree, **_helpers())


# --- the home page's sections ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LatestContent:
    case_studies: ResultPage[ArticleView]
    news: ResultPage[ArticleView]
    events: ResultPage[ArticleView]
    pictures: dict[int, Picture]


async def latest_content() -> dict[str, Any]:
    """The home page's context: latest 3 case studies, latest 5 news, the next 3 events."""
    case_studies_page = await service.list_published(
        ArticleFilter.of(kind="case_study"), PageRequest.of(1, 3)
    )
    latest = LatestContent(
        case_studies=case_studies_page,
        news=await service.list_published(ArticleFilter.of(kind="news"), PageRequest.of(1, 5)),
        events=await service.list_event_info(True, PageRequest.of(1, 3)),
        pictures=await card_pictures(case_studies_page.items),
    )
    return {"latest": latest, **_helpers()}


ROUTES = [
    case_studies,
    case_study,
    news_list,
    news_item,
    event_info_list,
    event_info_item,
    static_page,
    site_map,
]
