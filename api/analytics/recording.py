"""What a page view records, decided from the request alone: no personal data, no bots.

`classify` says whether a path is logged and as what (area, content kind and key); paths that
carry a secret (tokens in invitation, reset, preview and cancellation links) and the staff areas
are never logged. `visit` reads the few request headers that matter into a PageViewRow: the
referrer's host (another site only), the device class and whether it is a bot; the user agent
itself, the address and the cookies are not kept. Rows reach the database in batches
(api.buffered_log), never on the request.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from api import clock
from api.analytics.tables import PageView
from api.buffered_log import BufferedLog
from api.db import insert_rows

PUBLIC, PLATFORM = "public", "platform"
AREAS = {PUBLIC: "公開サイト", PLATFORM: "会員プラットフォーム"}
DEVICES = {"desktop": "パソコン", "mobile": "スマートフォン", "tablet": "タブレット"}
CONTENT_KINDS = {
    "case_study": "導入事例",
    "news": "お知らせ",
    "event": "イベント",
    "event_info": "イベント情報",
    "page": "固定ページ",
    "solution": "ソリューション",
    "recording": "録画",
    "organisation": "会員紹介",
    "": "その他のページ",
}
# What the site's own list and form pages are called in the reports.
PAGE_NAMES = {
    "/": "ホーム", "/case-studies": "導入事例の一覧", "/news": "お知らせの一覧",
    "/events": "イベント・セミナーの一覧", "/event-info": "イベント情報の一覧",
    "/search": "導入事例の検索", "/join": "入会申込", "/login": "ログイン",
    "/site-map": "サイトマップ", "/privacy": "プライバシーポリシー",
    "/accessibility": "ウェブアクセシビリティ方針", "/membership-terms": "会員規約",
    "/platform": "会員プラットフォームのトップ", "/platform/solutions": "ソリューションの一覧",
    "/platform/solutions/search": "ソリューションの検索", "/platform/recordings": "録画の一覧",
    "/platform/directory": "会員名簿", "/platform/events": "会員向けセミナー",
    "/platform/bookmarks": "ブックマーク", "/platform/inquiries": "問い合わせの受信箱",
    "/platform/organisation": "自団体の情報", "/account": "アカウント",
}  # fmt: skip

# Staff areas, files and feeds, and every path that holds a token: never logged.
NOT_LOGGED = (
    "/api/", "/console", "/reports", "/static/", "/media/", "/feeds/", "/recordings/",
    "/preview/", "/invitation/", "/password-reset/", "/join/respond/", "/events/cancel/",
    "/events/registrations/", "/healthz", "/readyz", "/logout",
)  # fmt: skip
# (pattern, kind): the first match names the content; its group is the key.
_CONTENT = [
    (re.compile(r"^/case-studies/([^/]+)$"), "case_study"),
    (re.compile(r"^/news/([^/]+)$"), "news"),
    (re.compile(r"^/events/(\d+)$"), "event"),
    (re.compile(r"^/event-info/([^/]+)$"), "event_info"),
    (re.compile(r"^/pages/(.+)$"), "page"),
    (re.compile(r"^/platform/solutions/(\d+)$"), "solution"),
    (re.compile(r"^/platform/recordings/(\d+)$"), "recording"),
    (re.compile(r"^/platform/directory/(\d+)$"), "organisation"),
]
_BOTS = re.compile(
    r"bot|crawl|spider|slurp|archiver|fetch|scan|monitor|preview|headless|lighthouse|pingdom|"
    r"uptime|curl|wget|python|httpx|aiohttp|go-http|java/|okhttp|libwww|scrapy|axios|"
    r"facebookexternalhit|embedly|whatsapp|wrk|k6/|locust",
    re.IGNORECASE,
)
_TABLET = re.compile(r"ipad|tablet|kindle|silk|android(?!.*mobile)", re.IGNORECASE)
_MOBILE = re.compile(r"mobi|iphone|ipod|android|windows phone", re.IGNORECASE)
_MAX_PATH = 200


@dataclass(frozen=True, slots=True)
class Place:
    area: str
    kind: str
    key: str


@functools.lru_cache(maxsize=4096)  # every view asks; the site has a few thousand paths
def classify(path: str) -> Place | None:
    """Where a path is on the site, or None when it is not logged."""
    if path.startswith(NOT_LOGGED) or path.startswith("//") or len(path) > _MAX_PATH:
        return None  # "//host" would read as another site in the report's links
    area = PLATFORM if path.startswith(("/platform", "/account")) else PUBLIC
    for pattern, kind in _CONTENT:
        found = pattern.match(path)
        if found:
            return Place(area, kind, found.group(1))
    return Place(area, "", "")


@functools.lru_cache(maxsize=1024)  # visitors bring a few hundred user agents
def is_bot(user_agent: str) -> bool:
    """Known robots and tools, and anything without a browser's user agent."""
    return not user_agent.startswith("Mozilla/") or _BOTS.search(user_agent) is not None


@functools.lru_cache(maxsize=1024)
def device_of(user_agent: str) -> str:
    if _TABLET.search(user_agent):
        return "tablet"
    return "mobile" if _MOBILE.search(user_agent) else "desktop"


@functools.lru_cache(maxsize=1024)
def referrer_host(referrer: str, own_host: str) -> str:
    """The host of another site the visitor came from; '' for none and for this site."""
    if not referrer:
        return ""
    try:
        host = (urlsplit(referrer).hostname or "")[:100]
    except ValueError:
        return ""
    return "" if host == own_host.split(":", 1)[0].lower() else host


@dataclass(frozen=True, slots=True)
class PageViewRow:
    viewed_at: datetime
    place: Place
    path: str
    referrer_host: str
    device: str
    audience: str


def view(
    place: Place, path: str, user_agent: str, referrer: str, host: str, audience: str
) -> PageViewRow | None:
    """The row of a page seen at a place (classify), or None for a bot."""
    if is_bot(user_agent):
        return None
    return PageViewRow(
        clock.now(), place, path, referrer_host(referrer, host), device_of(user_agent), audience
    )


_COLUMNS = (
    "viewed_at", "area", "path", "content_kind", "content_key", "referrer_host", "device",
    "audience",
)  # fmt: skip


async def _write(rows: list[PageViewRow]) -> None:
    await insert_rows(PageView, _COLUMNS, [
        (row.viewed_at, row.place.area, row.path, row.place.kind, row.place.key,
         row.referrer_host, row.device, row.audience)
        for row in rows
    ])  # fmt: skip


BUFFER: BufferedLog[PageViewRow] = BufferedLog("page view", _write)
flush = BUFFER.flush
