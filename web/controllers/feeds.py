"""Machine-readable views of the public site: Atom feeds of case studies and news, sitemap.xml
and robots.txt.

Only published content appears (the same service calls as the pages and the JSON API). URLs are
absolute: BASE_URL when set, else the request's own base. XML is built with ElementTree, so
hostile titles (markup, "]]>") are escaped, and characters XML 1.0 cannot carry (control
characters) are dropped first: a feed stays well-formed whatever an editor typed. Every route is
marked for the anonymous page cache.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from litestar import Request, Response, get

from api import clock
from api.articles import service
from api.articles.rendering import render_body
from api.articles.service import ArticleFilter, ArticleView, PageView
from api.pagination import PageRequest
from web.controllers.site import LIST_PATHS, PAGE_ALIASES

FEED_ROUTE = {"action": "public.view", "cache": "public"}
ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
FEED_ENTRIES = 20
SITE_NAME = "熊本県DX推進コンソーシアム"
AUTHOR = "熊本県DX推進コンソーシアム事務局"
# Areas that are not for search engines (personal, editorial or console pages).
ROBOTS_DISALLOW = ("/console", "/platform", "/account", "/preview", "/api/v1/editor")
# Characters outside the XML 1.0 Char production (C0 controls but tab/LF/CR, surrogates,
# U+FFFE and U+FFFF).
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class FeedKind:
    kind: str
    path: str  # of the feed itself
    title: str


FEEDS = {
    "case_study": FeedKind("case_study", "/feeds/case-studies.atom", f"{SITE_NAME} 導入事例"),
    "news": FeedKind("news", "/feeds/news.atom", f"{SITE_NAME} お知らせ"),
}


def xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def base_url(request: Request) -> str:
    configured: str = request.app.state.settings.base_url
    return (configured or str(request.base_url)).rstrip("/")


def rfc3339(value: datetime) -> str:
    return value.replace(microsecond=0).isoformat()


def entry_id(base: str, article: ArticleView) -> str:
    """A tag URI (RFC 4151) from the site's host, the first publication date and the article's
    id: it stays the same when the slug or the title change."""
    host = urlsplit(base).hostname or "localhost"
    first = article.first_published_at or article.published_at or article.updated_at
    return f"tag:{host},{first.date().isoformat()}:article-{article.id}"


def _child(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
    if text:
        element.text = xml_text(text)
    return element


def _serialise(root: ET.Element) -> bytes:
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode()


def atom_feed(
    base: str, feed: FeedKind, articles: list[ArticleView], bodies: list[str], now: datetime
) -> bytes:
    # The namespace as a plain attribute: ElementTree then writes no ns0: prefixes.
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "ja", "xml:base": f"{base}/"})
    _child(root, "id", f"{base}{feed.path}")
    _child(root, "title", feed.title)
    updated = max((a.updated_at for a in articles), default=now)
    _child(root, "updated", rfc3339(updated))
    _child(root, "link", rel="self", type="application/atom+xml", href=f"{base}{feed.path}")
    _child(root, "link", rel="alternate", type="text/html", href=f"{base}{LIST_PATHS[feed.kind]}")
    author = _child(root, "author")
    _child(author, "name", AUTHOR)
    _child(root, "generator", SITE_NAME)
    for article, body in zip(articles, bodies, strict=True):
        entry = _child(root, "entry")
        _child(entry, "id", entry_id(base, article))
        _child(entry, "title", article.title, type="text")
        url = f"{base}{LIST_PATHS[article.kind]}/{article.slug}"
        _child(entry, "link", rel="alternate", type="text/html", href=url)
        published = article.first_published_at or article.published_at
        if published is not None:
            _child(entry, "published", rfc3339(published))
        _child(entry, "updated", rfc3339(article.updated_at))
        # Readers show an entry's author, and few inherit the feed's.
        _child(_child(entry, "author"), "name", AUTHOR)
        if article.summary.strip():
            _child(entry, "summary", article.summary, type="text")
        for theme in article.themes:
            _child(entry, "category", term=theme.slug, label=theme.name)
        # The sanitised HTML as escaped text (type="html"); relative media URLs resolve
        # against the feed's xml:base.
        _child(entry, "content", body, type="html")
    return _serialise(root)


@dataclass(frozen=True, slots=True)
class SitemapUrl:
    path: str
    lastmod: datetime | None = None


def _walk(nodes: Iterable[PageView]) -> Iterable[PageView]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


def page_path(node: PageView) -> str:
    return PAGE_ALIASES.get(node.path, f"/pages/{node.path}")


def sitemap_urls(links: list[service.PublishedLink], pages: list[PageView]) -> list[SitemapUrl]:
    newest: dict[str, datetime] = {}
    for link in links:
        newest[link.kind] = max(newest.get(link.kind, link.updated_at), link.updated_at)
    urls = [SitemapUrl("/", max(newest.values(), default=None))]
    urls += [SitemapUrl(path, newest.get(kind)) for kind, path in LIST_PATHS.items()]
    urls.append(SitemapUrl("/site-map"))
    urls += [SitemapUrl(f"{LIST_PATHS[link.kind]}/{link.slug}", link.updated_at) for link in links]
    urls += [SitemapUrl(page_path(node), node.updated_at) for node in _walk(pages)]
    return urls


def sitemap(base: str, urls: list[SitemapUrl]) -> bytes:
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for url in urls:
        element = _child(root, "url")
        _child(element, "loc", f"{base}{url.path}")
        if url.lastmod is not None:
            _child(element, "lastmod", rfc3339(url.lastmod))
    return _serialise(root)


def robots(base: str) -> str:
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOW]
    return "\n".join([*lines, "", f"Sitemap: {base}/sitemap.xml", ""])


async def _feed(request: Request, kind: str) -> Response[bytes]:
    feed = FEEDS[kind]
    found = await service.list_published(ArticleFilter(kind=kind), PageRequest(1, FEED_ENTRIES))
    bodies = [await render_body(article.body_markdown) for article in found.items]
    body = atom_feed(base_url(request), feed, found.items, bodies, clock.now())
    return Response(body, media_type=ATOM_TYPE)


@get("/feeds/case-studies.atom", opt=FEED_ROUTE, include_in_schema=False)
async def case_studies_feed(request: Request) -> Response[bytes]:
    return await _feed(request, "case_study")


@get("/feeds/news.atom", opt=FEED_ROUTE, include_in_schema=False)
async def news_feed(request: Request) -> Response[bytes]:
    return await _feed(request, "news")


@get("/sitemap.xml", opt=FEED_ROUTE, include_in_schema=False)
async def sitemap_xml(request: Request) -> Response[bytes]:
    links = await service.published_links()
    pages = await service.page_tree(published_only=True)
    body = sitemap(base_url(request), sitemap_urls(links, pages))
    return Response(body, media_type=XML_TYPE)


@get("/robots.txt", opt=FEED_ROUTE, include_in_schema=False)
async def robots_txt(request: Request) -> Response[str]:
    return Response(
        robots(base_url(request)), media_type="text/plain"
    )  # Litestar adds charset=utf-8


ROUTES = [case_studies_feed, news_feed, sitemap_xml, robots_txt]
