"""The page-view recorder in the app: pages people see are counted (from the page cache too,
by audience), fragments, bots, errors, staff areas and token links are not, and counting adds
no query to a request."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.analytics import recording
from api.analytics.tables import PageView
from api.permissions import Role
from tests.http.conftest import Editorial, World, login_as, role_email
from tests.http.test_page_cache import case
from tests.querycount import count_queries
from tests.service.test_page_views import FIREFOX, IPHONE

BROWSER = {"User-Agent": FIREFOX, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


async def logged() -> list[dict[str, Any]]:
    await recording.flush()
    return list(await PageView.select().order_by(PageView.id))


async def test_pages_are_counted_with_their_content_device_and_referrer(
    app: Litestar, client: AsyncTestClient, editorial: Editorial
) -> None:
    await editorial.published(case("aso-farm", "阿蘇の農場"))
    recording.BUFFER.clear()
    first = await client.get(
        "/case-studies/aso-farm",
        headers={**BROWSER, "Referer": "https://www.google.com/search?q=aso"},
    )
    assert first.status_code == 200
    mobile = {**BROWSER, "User-Agent": IPHONE, "Referer": "http://testserver.local/case-studies"}
    with count_queries() as counter:  # from the page cache: no query, counted all the same
        second = await client.get("/case-studies/aso-farm", headers=mobile)
    assert second.status_code == 200 and counter.count == 0, counter.statements
    rows = await logged()
    assert [(r["path"], r["content_kind"], r["content_key"], r["area"]) for r in rows] == [
        ("/case-studies/aso-farm", "case_study", "aso-farm", "public"),
    ] * 2
    assert [(r["device"], r["referrer_host"], r["audience"]) for r in rows] == [
        ("desktop", "www.google.com", "public"), ("mobile", "", "public"),
    ]  # fmt: skip
    # A browser revalidating the page it keeps saw it again.
    again = await client.get(
        "/case-studies/aso-farm", headers={**BROWSER, "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert len(await logged()) == 3


async def test_signed_in_views_say_member_or_staff_and_nothing_about_who(
    app: Litestar, client: AsyncTestClient, world: World
) -> None:
    recording.BUFFER.clear()
    await login_as(client, role_email(Role.MEMBER_USER))
    assert (await client.get("/platform", headers=BROWSER)).status_code == 200
    await login_as(client, role_email(Role.STAFF))
    assert (await client.get("/", headers=BROWSER)).status_code == 200
    rows = await logged()
    assert [(r["path"], r["area"], r["audience"]) for r in rows] == [
        ("/platform", "platform", "member"), ("/", "public", "staff"),
    ]  # fmt: skip
    stored = repr(rows)
    for personal in ("@example.jp", "testclient", "127.0.0.1", "Firefox", "session"):
        assert personal not in stored


async def test_fragments_bots_errors_posts_and_staff_pages_are_not_counted(
    app: Litestar, client: AsyncTestClient, world: World
) -> None:
    recording.BUFFER.clear()
    await client.get("/search", params={"q": "農業"}, headers={**BROWSER, "HX-Request": "true"})
    await client.get("/", headers={**BROWSER, "Sec-Purpose": "prefetch"})
    await client.get("/", headers={"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"})
    await client.get("/")  # the test client's own user agent is a tool's
    await client.get("/no-such-page", headers=BROWSER)  # 404
    await client.get("/feeds/news.atom", headers=BROWSER)
    await client.get("/robots.txt", headers=BROWSER)  # 200, but not HTML
    await client.head("/", headers=BROWSER)
    await client.get("/invitation/secret-token-value", headers=BROWSER)
    await login_as(client, role_email(Role.STAFF))
    await client.get("/console", headers=BROWSER)
    assert await logged() == []
    # A boosted link is a page.
    await client.get("/news", headers={**BROWSER, "HX-Request": "true", "HX-Boosted": "true"})
    assert [r["path"] for r in await logged()] == ["/news"]


async def test_counting_adds_no_query_to_a_signed_in_page(
    app: Litestar, client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.MEMBER_USER))
    await client.get("/platform", headers=BROWSER)
    recording.BUFFER.clear()
    with count_queries() as counted:
        assert (await client.get("/platform", headers=BROWSER)).status_code == 200
    assert len(recording.BUFFER) == 1
    recording.BUFFER.clear()
    with count_queries() as uncounted:
        await client.get("/platform", headers={**BROWSER, "User-Agent": "curl/8"})
    assert len(recording.BUFFER) == 0
    assert counted.count == uncounted.count
