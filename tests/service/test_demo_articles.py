"""Default static pages (every installation) and the demo publishing content (embedded mode)."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from api import clock
from api.accounts.tables import Account
from api.articles import service as articles
from api.articles.accessibility import check_markdown
from api.articles.default_pages import DEFAULT_PAGES, ensure_default_pages
from api.articles.generation import current_generation
from api.articles.tables import Article, Page, Revision
from api.audit.tables import AuditEntry
from api.dates import JST
from api.db import bind_engine, create_engine
from api.demo import load_demo_content
from api.demo_articles import (
    EVENTS,
    NEWS,
    case_published_at,
    load_demo_articles,
    news_published_at,
)
from api.demo_case_studies import CASES
from api.media import service as media
from api.media.tables import MediaItem
from api.members.reference import INDUSTRY_LABELS, KUMAMOTO_MUNICIPALITIES
from api.pagination import PageRequest
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from tests.dbutil import create_database, drop_database
from tests.querycount import count_queries
from tests.service.test_cli import run_cli
from web.app import create_app

DEFAULT_PATHS = {
    "about", "about/grand-design", "about/activities", "membership", "privacy", "accessibility",
}  # fmt: skip
MEDIA_REFERENCE = re.compile(r"!\[[^\]]+\]\(media:(\d+)\)")


def errors_in(markdown: str) -> list[str]:
    return [
        f"{f.line}: {f.rule} {f.excerpt}" for f in check_markdown(markdown) if f.severity == "error"
    ]


def staff() -> Principal:
    return Principal(
        account_id=None, email="s@example.jp", display_name="事務局", roles=frozenset({Role.STAFF})
    )  # type: ignore[arg-type]


# --- default pages -----------------------------------------------------------------------------


def test_default_page_texts_pass_the_accessibility_check_and_say_what_they_must() -> None:
    assert {page.path for page in DEFAULT_PAGES} == DEFAULT_PATHS
    for page in DEFAULT_PAGES:
        assert errors_in(page.body) == [], page.path
        assert "こちら" not in page.body  # link texts say where they lead
    by_path = {page.path: page for page in DEFAULT_PAGES}
    membership = by_path["membership"].body
    assert "](/join)" in membership and "](/membership-terms)" in membership
    statement = by_path["accessibility"].body
    for needed in (
        "JIS X 8341-3:2016",
        "適合レベルAA",
        "対象範囲",
        "axe-core",
        "キーボード",
        "info@",
    ):
        assert needed in statement, needed


async def test_default_pages_are_published_once_and_form_the_tree(db: None) -> None:
    assert await ensure_default_pages() == len(DEFAULT_PAGES)
    tree = await articles.page_tree(published_only=True)
    paths = {node.path for root in tree for node in [root, *root.children]}
    assert paths == DEFAULT_PATHS
    menu = {root.path for root in tree if root.show_in_menu}
    assert menu == {"about", "membership"}
    about = await articles.get_published_page("about")
    assert [child.title for child in about.children] == ["熊本県DXグランドデザイン", "活動内容"]
    assert (
        await articles.get_published_page("accessibility")
    ).title == "ウェブアクセシビリティ方針"
    # The system seeds them: the audit log says so, without an account behind it.
    entries = await AuditEntry.select(
        AuditEntry.actor, AuditEntry.actor_label, AuditEntry.action
    ).where(AuditEntry.target_type == "page")
    assert Counter(e["action"] for e in entries) == {"page.create": 6, "page.publish": 6}
    assert {(e["actor"], e["actor_label"]) for e in entries} == {(None, "system")}
    with count_queries() as again:
        assert await ensure_default_pages() == 0
    assert again.count == 1  # a restart only looks
    assert await Page.count() == len(DEFAULT_PAGES)


async def test_editors_changes_to_default_pages_survive_a_restart(db: None) -> None:
    await ensure_default_pages()
    privacy = await articles.get_published_page("privacy")
    changed = articles.PageInput(
        slug="privacy", title="個人情報の取り扱い", body_markdown="## 改定しました\n\n新しい本文。",
        position=privacy.position,
    )  # fmt: skip
    await articles.update_page(staff(), privacy.id, changed, privacy.version)
    activities = await articles.get_published_page("about/activities")
    await articles.set_page_state(staff(), activities.id, "draft")
    assert await ensure_default_pages() == 0
    kept = await articles.get_page(privacy.id)
    assert (kept.title, kept.body_markdown) == (
        "個人情報の取り扱い",
        "## 改定しました\n\n新しい本文。",
    )
    assert (await articles.get_page(activities.id)).state == "draft"  # unpublished stays so


async def test_a_deleted_default_page_comes_back_under_its_parent(db: None) -> None:
    await ensure_default_pages()
    grand_design = await articles.get_published_page("about/grand-design")
    await Page.delete().where(Page.id == grand_design.id)
    assert await ensure_default_pages() == 1
    back = await articles.get_published_page("about/grand-design")
    assert back.parent_id == (await articles.get_published_page("about")).id


async def test_production_start_seeds_the_default_pages_but_never_demo_content(
    settings: Settings, db: None
) -> None:
    production = replace(
        settings, mode="production", secret_key="p" * 40, session_cookie_secure=True,
        demo_content=False,
    )  # fmt: skip
    async with AsyncTestClient(app=create_app(production)) as client:
        response = await client.get("/api/v1/pages")
        assert response.status_code == 200
    assert await Page.count().where(Page.state == "published") == len(DEFAULT_PAGES)
    assert await Article.count() == 0 and await MediaItem.count() == 0
    assert await Account.count() == 0
    with pytest.raises(RuntimeError):
        await load_demo_articles(production)
    assert await Article.count() == 0


def test_kdx_migrate_seeds_the_default_pages_once_before_production_workers_start(
    tmp_path: Path,
) -> None:
    # `kdx serve --workers N` runs this step once; the workers themselves do not seed.
    url = create_database(tmp_path, "seed")
    env = {"DATABASE_URL": url, "DATA_DIR": str(tmp_path), "APP_MODE": "production",
           "SECRET_KEY": "s" * 40}  # fmt: skip
    try:
        for _ in range(2):
            result = run_cli(["migrate"], env)
            assert result.returncode == 0, result.stderr

        async def published() -> list[str]:
            bind_engine(create_engine(url))
            tree = await articles.page_tree(published_only=True)
            return sorted(node.path for root in tree for node in [root, *root.children])

        assert asyncio.run(published()) == sorted(DEFAULT_PATHS)
    finally:
        drop_database(url)


# --- demo articles ------------------------------------------------------------------------------


def test_demo_case_studies_are_varied_and_pass_the_accessibility_check() -> None:
    slugs = [case.slug for case in CASES]
    assert len(set(slugs)) == len(slugs)
    published = [case for case in CASES if case.state == "published"]
    assert len(published) == 30
    assert Counter(case.state for case in CASES if case.state != "published") == {
        "draft": 2,
        "in_review": 1,
    }
    assert len({case.industry for case in CASES}) >= 15
    assert all(case.industry in INDUSTRY_LABELS for case in CASES)
    assert all(case.municipality in KUMAMOTO_MUNICIPALITIES for case in CASES)
    assert len({case.municipality for case in CASES}) >= 10
    for index, case in enumerate(CASES):
        assert all(slugs.index(related) < index for related in case.related), case.slug
        assert case.image_alt and len(case.image_alt) <= 300
    for item in [*NEWS, *EVENTS]:
        assert errors_in(item.body) == [], item.slug
        assert "こちら" not in item.body
    assert len(NEWS) == 20
    assert all(event.url.startswith("https://") and ".example.jp/" in event.url for event in EVENTS)


def test_demo_dates_are_never_in_the_future_and_a_month_apart() -> None:
    # Just after midnight in Japan on the first of a month, and late in the evening.
    for now in (
        datetime(2026, 4, 1, 0, 30, tzinfo=JST),
        datetime(2026, 12, 31, 23, 50, tzinfo=JST),
    ):
        cases = [case_published_at(index, 30, now) for index in range(30)]
        assert all(when <= now for when in cases)
        assert cases == sorted(cases)
        assert len({(w.year, w.month) for w in (c.astimezone(JST) for c in cases)}) >= 28
        assert now - cases[0] < timedelta(days=31 * 30)
        news = [news_published_at(index, 20, now) for index in range(20)]
        assert all(when <= now for when in news)
        assert now - news[-1] <= timedelta(days=31 * 18)


async def test_demo_articles_load_once_with_images_workflow_and_events(
    settings: Settings, db: None
) -> None:
    assert await load_demo_content(settings) > 60
    now = clock.now()
    rows = await Article.select()
    counts = Counter((row["kind"], row["state"]) for row in rows)
    assert counts[("case_study", "published")] == 30
    assert counts[("case_study", "draft")] == 2 and counts[("case_study", "in_review")] == 1
    assert counts[("news", "published")] == 20
    assert counts[("event_info", "published")] == len(EVENTS)

    cases = [row for row in rows if row["kind"] == "case_study"]
    body_images = 0
    for row in cases:
        assert errors_in(row["body_markdown"]) == [], row["slug"]
        assert [h for h in row["body_markdown"].splitlines() if h.startswith("## ")][:3] == [
            "## 課題", "## 取り組み", "## 成果",
        ]  # fmt: skip
        lead = await media.get_media(row["lead_image"])
        assert lead.is_image and lead.renditions and lead.alt_text == row["lead_image_alt"] != ""
        for media_id in MEDIA_REFERENCE.findall(row["body_markdown"]):
            assert (await media.get_media(int(media_id))).is_image
            body_images += 1
        assert row["organisation"] is not None and row["interview_date"] is not None
        assert row["municipality"] in KUMAMOTO_MUNICIPALITIES
    assert body_images >= 3

    published = sorted(
        (row["published_at"] for row in cases if row["state"] == "published"), reverse=True
    )
    assert all(when <= now for when in published)
    assert now - published[0] < timedelta(days=20)
    assert timedelta(days=28 * 30) < now - published[-1] < timedelta(days=31 * 30)
    news = [row["published_at"] for row in rows if row["kind"] == "news"]
    assert all(now - timedelta(days=31 * 18) < when <= now for when in news)

    events = [row for row in rows if row["kind"] == "event_info"]
    upcoming = [row for row in events if row["event_starts_at"] > now]
    assert len(upcoming) >= 4 and len(events) - len(upcoming) >= 2
    assert all(row["published_at"] <= now for row in events)
    assert all(row["organiser"] and (row["venue"] or row["online"]) for row in events)

    # The public list is newest first, filters work, and related case studies are linked.
    listed = await articles.list_published(
        articles.ArticleFilter.of(kind="case_study"), PageRequest.of(1)
    )
    assert listed.total == 30
    assert [item.published_at for item in listed.items] == sorted(
        (item.published_at for item in listed.items), reverse=True
    )
    data = await articles.list_published(
        articles.ArticleFilter.of(kind="case_study", theme="data"), PageRequest.of(1)
    )
    assert 0 < data.total < 30
    tomato = await articles.get_published("case_study", "yatsushiro-tomato-shipment-forecast")
    assert [a.slug for a in await articles.get_articles_brief(tomato.related_ids, True)] == [
        "koshi-agritech-strawberry-data"
    ]
    assert {theme.slug for theme in tomato.themes} == {"data", "productivity"}

    # The editor wrote them and the staff member published them (the console's history).
    labels = {row["saved_by_label"] for row in await Revision.select(Revision.saved_by_label)}
    assert labels == {"編集 一郎"}
    publishers = await AuditEntry.select(AuditEntry.actor_label).where(
        AuditEntry.action == "article.publish"
    )
    assert {row["actor_label"] for row in publishers} == {"staff@example.jp"}

    # A second start creates nothing and only looks.
    totals = (await Article.count(), await MediaItem.count(), await Revision.count())
    with count_queries() as again:
        assert await load_demo_content(settings) == 0
    assert (await Article.count(), await MediaItem.count(), await Revision.count()) == totals
    assert again.count <= 11  # one look per kind of demo content


async def test_an_edited_or_missing_demo_article_is_handled_by_slug(
    settings: Settings, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("api.demo_articles.CASES", CASES[:3])  # images are the slow part
    await load_demo_content(settings)
    news = await articles.get_published("news", "members-550")
    staff_account = await Account.select().where(Account.email == "staff@example.jp").first()
    assert staff_account is not None
    publisher = Principal(
        account_id=staff_account["id"], email="staff@example.jp", display_name="事務局 花子",
        roles=frozenset({Role.STAFF}),
    )  # fmt: skip
    await articles.unpublish(publisher, news.id)
    event = await articles.get_published("event_info", "kumamoto-dx-forum")
    await articles.unpublish(publisher, event.id)
    await Article.delete().where(Article.id == event.id)
    media_before = await MediaItem.count()
    assert await load_demo_articles(settings) == 1  # only the deleted one comes back
    assert (await articles.get_article(news.id)).state == "unpublished"
    again = await articles.get_published("event_info", "kumamoto-dx-forum")
    assert again.event_starts_at is not None and again.event_starts_at > datetime.now(UTC)
    assert await MediaItem.count() == media_before  # events carry no images


async def test_upcoming_demo_events_stay_upcoming_unless_an_editor_changed_them(
    settings: Settings, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("api.demo_articles.CASES", ())
    await load_demo_articles(settings)
    long_ago = datetime(2025, 1, 10, 4, 0, tzinfo=UTC)
    # Months later: two upcoming events have passed; an editor had changed one of them.
    await Article.update(
        {Article.event_starts_at: long_ago, Article.event_ends_at: long_ago}
    ).where(Article.slug.is_in(["security-webinar-smb", "agri-dx-field-day"]))
    await Article.update({Article.version: 2}).where(Article.slug == "agri-dx-field-day")
    before = await current_generation()
    assert await load_demo_articles(settings) == 0
    assert (await current_generation()).number > before.number  # cached pages are renewed
    webinar = await articles.get_published("event_info", "security-webinar-smb")
    assert webinar.event_starts_at is not None and webinar.event_starts_at > clock.now()
    assert webinar.event_ends_at is not None and webinar.event_ends_at > webinar.event_starts_at
    edited = await articles.get_published("event_info", "agri-dx-field-day")
    assert edited.event_starts_at == long_ago
    past = await articles.get_published("event_info", "kumamoto-it-career-fair")
    assert past.event_starts_at is not None and past.event_starts_at < clock.now()
