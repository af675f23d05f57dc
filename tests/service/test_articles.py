"""The publishing workflow: states, rights, optimistic locking, revisions, accessibility,
preview links, scheduled publishing across a restart, public listings and pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from api import clock
from api.articles import service
from api.articles.service import ArticleFilter, ArticleInput, PageInput
from api.articles.tables import Article, ArticleTheme, Revision
from api.audit.tables import AuditEntry
from api.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from api.jobs.tables import Job
from api.jobs.worker import Worker
from api.pagination import PageRequest
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from tests.querycount import count_queries

GOOD_BODY = (
    "## 導入の背景\n\n紙の台帳を使っていました。\n\n![工場で端末を操作する社員](media:a.png)\n"
)
BAD_BODY = "## 導入の背景\n\n紙の台帳を使っていました。\n\n![](media:a.png)\n"


def person(account_id: int, name: str, *roles: Role) -> Principal:
    return Principal(
        account_id=account_id, email=f"user{account_id}@example.jp", display_name=name,
        roles=frozenset(roles),
    )  # fmt: skip


async def accounts(settings: Settings) -> tuple[Principal, Principal, Principal]:
    from tests.conftest import make_account

    made = []
    for email, role, name in (
        ("editor@example.jp", Role.EDITOR, "編集 一郎"),
        ("editor2@example.jp", Role.EDITOR, "編集 二郎"),
        ("staff@example.jp", Role.STAFF, "事務局 花子"),
    ):
        view = await make_account(settings, email, {role})
        made.append(person(view.id, name, role))
    return made[0], made[1], made[2]


def article(slug: str = "case-1", **overrides: object) -> ArticleInput:
    data = ArticleInput(
        kind="case_study", slug=slug, title="受発注をクラウド化した事例", summary="概要です。",
        body_markdown=GOOD_BODY, organisation_name="株式会社テスト", industry="E",
        municipality="熊本市",
    )  # fmt: skip
    return replace(data, **overrides)  # type: ignore[arg-type]


@pytest.fixture
async def people(settings: Settings, db: None) -> tuple[Principal, Principal, Principal]:
    return await accounts(settings)


async def test_themes_are_seeded_once_and_editable(people) -> None:
    editor, _, _ = people
    themes = await service.list_themes()
    assert [t.name for t in themes] == [
        "業務効率化", "データ活用", "人材育成", "生産性向上", "顧客体験", "セキュリティ",
    ]  # fmt: skip
    await service.ensure_themes()
    assert len(await service.list_themes()) == 6
    added = await service.save_theme(editor, None, "脱炭素", "decarbonisation", 7)
    assert added.name == "脱炭素"
    with pytest.raises(ValidationFailed):
        await service.save_theme(editor, None, "重複", "decarbonisation", 8)


async def test_create_validates_and_slug_is_unique_per_kind(people) -> None:
    editor, _, _ = people
    created = await service.create_article(editor, article())
    assert created.state == "draft" and created.version == 1
    with pytest.raises(ValidationFailed) as caught:
        await service.create_article(editor, article())
    assert "slug" in caught.value.errors
    # The same slug under another kind is fine.
    await service.create_article(editor, article(kind="news"))
    with pytest.raises(ValidationFailed) as caught:
        await service.create_article(
            editor, article("bad slug", title="", industry="Z", event_url="javascript:alert(1)")
        )
    assert {"slug", "title", "industry", "event_url"} <= set(caught.value.errors)


async def test_every_save_writes_a_revision_and_stale_saves_conflict(people) -> None:
    editor, other, _ = people
    created = await service.create_article(editor, article())
    first = await service.update_article(
        other, created.id, article(title="二郎の変更"), base_version=1
    )
    assert first.version == 2
    # 一郎 still has version 1 open: his save does not silently overwrite 二郎's.
    with pytest.raises(Conflict) as caught:
        await service.update_article(editor, created.id, article(title="一郎の変更"), 1)
    assert "編集 二郎" in caught.value.message
    assert (await service.get_article(created.id)).title == "二郎の変更"
    revisions = await service.list_revisions(created.id)
    assert [r.number for r in revisions] == [2, 1]
    assert revisions[0].saved_by_label == "編集 二郎"


async def test_revisions_diff_and_restore(people) -> None:
    editor, _, _ = people
    created = await service.create_article(editor, article())
    themes = await service.list_themes()
    changed = GOOD_BODY.replace("紙の台帳", "表計算ソフト") + "\n追記しました。\n"
    await service.update_article(
        editor, created.id, article(body_markdown=changed, theme_ids=(themes[0].id,)), 1
    )
    diff = await service.diff_revisions(created.id, 1, 2)
    kinds = {(line.kind, line.text) for line in diff.lines}
    assert ("removed", "紙の台帳を使っていました。") in kinds
    assert ("added", "表計算ソフトを使っていました。") in kinds
    assert ("added", "追記しました。") in kinds
    assert ("equal", "## 導入の背景") in kinds
    assert [c.field for c in diff.fields] == ["theme_ids"]
    restored = await service.restore_revision(editor, created.id, 1, base_version=2)
    assert restored.version == 3 and restored.body_markdown == GOOD_BODY
    assert restored.themes == []
    assert [r.number for r in await service.list_revisions(created.id)] == [3, 2, 1]
    with pytest.raises(Conflict):
        await service.restore_revision(editor, created.id, 2, base_version=2)
    with pytest.raises(NotFound):
        await service.diff_revisions(created.id, 1, 99)


async def test_a_published_article_is_corrected_in_place_by_a_publisher_after_the_check(
    people,
) -> None:
    editor, _, staff = people
    created = await service.create_article(editor, article())
    published = await service.publish_now(staff, created.id)
    with pytest.raises(service.AccessibilityFailed):
        await service.update_article(
            staff, created.id, article(body_markdown=BAD_BODY), published.version
        )
    corrected = await service.update_article(
        staff, created.id, article(title="誤字を直した題名"), published.version
    )
    assert corrected.state == "published" and corrected.title == "誤字を直した題名"
    visible = await service.get_published("case_study", corrected.slug)
    assert visible.title == "誤字を直した題名"
    assert visible.published_at == published.published_at  # a correction is not a new date


async def test_transitions_allowed_and_refused(people) -> None:
    editor, _, staff = people
    created = await service.create_article(editor, article())
    # An editor can never publish, schedule or unpublish.
    with pytest.raises(PermissionDenied):
        await service.publish_now(editor, created.id)
    with pytest.raises(PermissionDenied):
        await service.schedule(editor, created.id, clock.now() + timedelta(hours=1))
    with pytest.raises(Conflict):
        await service.return_to_draft(editor, created.id)  # not in review
    with pytest.raises(Conflict):
        await service.unpublish(staff, created.id)  # not published
    submitted = await service.submit_for_review(editor, created.id)
    assert submitted.state == "in_review"
    with pytest.raises(Conflict):
        await service.submit_for_review(editor, created.id)  # already in review
    back = await service.return_to_draft(editor, created.id)
    assert back.state == "draft"
    await service.submit_for_review(editor, created.id)
    # Saving a draft in review sends it back to draft (the review covers what was submitted).
    saved = await service.update_article(editor, created.id, article(summary="変更"), 1)
    assert saved.state == "draft"
    published = await service.publish_now(staff, created.id)
    assert published.state == "published"
    assert published.published_at is not None
    assert published.first_published_at == published.published_at
    with pytest.raises(PermissionDenied):  # a live correction needs the publish right
        await service.update_article(editor, created.id, article(), published.version)
    with pytest.raises(Conflict):
        await service.publish_now(staff, created.id)
    with pytest.raises(PermissionDenied):
        await service.unpublish(editor, created.id)
    down = await service.unpublish(staff, created.id)
    assert down.state == "unpublished"
    again = await service.publish_now(staff, created.id)
    assert again.first_published_at == published.first_published_at
    actions = [
        r["action"]
        for r in await AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.target_type == "article")
        .order_by(AuditEntry.id)
    ]
    assert actions == [
        "article.create", "article.submit", "article.return", "article.submit",
        "article.update", "article.publish", "article.unpublish", "article.publish",
    ]  # fmt: skip


async def test_accessibility_findings_block_submit_and_publish(people) -> None:
    editor, _, staff = people
    created = await service.create_article(editor, article(body_markdown=BAD_BODY))
    with pytest.raises(service.AccessibilityFailed) as caught:
        await service.submit_for_review(editor, created.id)
    assert caught.value.findings[0].line == 5
    assert any("5行目" in message for message in caught.value.errors.values())
    with pytest.raises(service.AccessibilityFailed):
        await service.publish_now(staff, created.id)
    with pytest.raises(service.AccessibilityFailed):
        await service.schedule(staff, created.id, clock.now() + timedelta(hours=1))
    assert (await service.get_article(created.id)).state == "draft"
    # A lead image without alternative text is a finding too.
    fixed = await service.update_article(editor, created.id, article(lead_image=5), 1)
    with pytest.raises(service.AccessibilityFailed) as caught:
        await service.submit_for_review(editor, created.id)
    assert caught.value.findings[0].rule == "lead-image-alt"
    fixed = await service.update_article(
        editor, created.id, article(lead_image=5, lead_image_alt="会議室で話す二人"), fixed.version
    )
    assert (await service.submit_for_review(editor, created.id)).state == "in_review"
    assert (await service.publish_now(staff, created.id)).state == "published"


async def test_stale_version_on_publish_is_refused(people) -> None:
    editor, _, staff = people
    created = await service.create_article(editor, article())
    await service.update_article(editor, created.id, article(summary="新"), 1)
    with pytest.raises(Conflict):
        await service.publish_now(staff, created.id, version=1)
    assert (await service.publish_now(staff, created.id, version=2)).state == "published"


async def test_preview_links_valid_expired_and_tampered(settings: Settings, people) -> None:
    editor, _, _ = people
    created = await service.create_article(editor, article())
    token, expires_at = await service.create_preview_link(settings, editor, created.id)
    assert expires_at > clock.now()
    shown, revision = await service.preview(settings, token)
    assert shown.id == created.id and revision.number == 1
    article_id, number, expires, signature = token.split(".")
    tampered = [
        f"{article_id}.{number}.{int(expires) + 3600}.{signature}",
        f"{int(article_id) + 1}.{number}.{expires}.{signature}",
        f"{article_id}.{number}.{expires}.{'0' * len(signature)}",
        "garbage", "", "1.2.3", "9" * 300,
    ]  # fmt: skip
    for bad in tampered:
        with pytest.raises(NotFound):
            service.verify_preview_token(settings, bad)
    other_secret = replace(settings, secret_key="x" * 40)
    with pytest.raises(NotFound):
        service.verify_preview_token(other_secret, token)
    expired, _ = service.preview_token(settings, created.id, 1, ttl=timedelta(seconds=-1))
    with pytest.raises(NotFound):
        service.verify_preview_token(settings, expired)


async def test_scheduled_article_is_published_after_a_restart(
    settings: Settings, people, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor, _, staff = people
    created = await service.create_article(editor, article())
    start = clock.now()
    due = start + timedelta(minutes=30)
    with pytest.raises(ValidationFailed):
        await service.schedule(staff, created.id, start - timedelta(minutes=1))
    scheduled = await service.schedule(staff, created.id, due)
    assert scheduled.state == "scheduled"
    # Before the time: nothing happens, and the public cannot see it.
    first_worker = Worker(settings)
    await first_worker.run_until_idle()
    await first_worker.scheduled_tasks()
    assert (await service.get_article(created.id)).state == "scheduled"
    page = await service.list_published(ArticleFilter(), PageRequest())
    assert page.total == 0
    # The process restarts and even the queued job is lost: the database state is enough.
    await Job.delete(force=True)
    monkeypatch.setattr(clock, "now", lambda: due + timedelta(minutes=1))
    restarted = Worker(settings)
    await restarted.scheduled_tasks()
    published = await service.get_article(created.id)
    assert published.state == "published"
    assert published.published_at == due
    assert (await service.list_published(ArticleFilter(), PageRequest())).total == 1


async def test_scheduled_job_publishes_at_its_time(
    settings: Settings, people, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor, _, staff = people
    created = await service.create_article(editor, article())
    due = clock.now() + timedelta(minutes=5)
    await service.schedule(staff, created.id, due)
    monkeypatch.setattr(clock, "now", lambda: due + timedelta(seconds=1))
    assert await Worker(settings).run_until_idle() == 1  # the articles.publish_due job
    assert (await service.get_article(created.id)).state == "published"


async def test_cancelling_a_schedule_returns_to_draft(people) -> None:
    editor, _, staff = people
    created = await service.create_article(editor, article())
    await service.schedule(staff, created.id, clock.now() + timedelta(days=1))
    cancelled = await service.unpublish(staff, created.id)
    assert cancelled.state == "draft" and cancelled.publish_at is None
    assert await service.publish_due(clock.now() + timedelta(days=2)) == []


async def test_published_listing_filters_and_bounded_queries(people) -> None:
    editor, _, staff = people
    themes = await service.list_themes()
    for index in range(12):
        created = await service.create_article(
            editor,
            article(
                f"case-{index}",
                industry="E" if index % 2 else "G",
                municipality="熊本市" if index < 6 else "八代市",
                theme_ids=(themes[index % 3].id, themes[5].id),
            ),
        )
        if index < 10:
            await service.publish_now(staff, created.id)
    news = await service.create_article(editor, article("news-1", kind="news"))
    await service.publish_now(staff, news.id)
    everything = await service.list_published(ArticleFilter(), PageRequest(1, 100))
    assert everything.total == 11
    assert all(item.state == "published" for item in everything.items)
    by_kind = await service.list_published(ArticleFilter.of(kind="news"), PageRequest())
    assert [i.slug for i in by_kind.items] == ["news-1"]
    by_industry = await service.list_published(
        ArticleFilter.of(kind="case_study", industry="E"), PageRequest()
    )
    assert by_industry.total == 5
    by_theme = await service.list_published(ArticleFilter.of(theme="data"), PageRequest())
    assert {i.slug for i in by_theme.items} == {"case-1", "case-4", "case-7"}
    by_place = await service.list_published(ArticleFilter.of(municipality="八代市"), PageRequest())
    assert by_place.total == 4
    nothing = await service.list_published(ArticleFilter.of(theme="no-such"), PageRequest())
    assert nothing.total == 0
    # Unknown filter values are dropped, never an error.
    assert (await service.list_published(ArticleFilter.of(kind="x"), PageRequest())).total == 11
    for per_page in (2, 20):
        with count_queries() as counter:
            result = await service.list_published(
                ArticleFilter.of(theme="security"), PageRequest(1, per_page)
            )
        assert all(len(item.themes) == 2 for item in result.items)
        assert counter.count <= 4, counter.statements
    # The editors' list sees every state.
    drafts = await service.list_articles(ArticleFilter.of(state="draft"), PageRequest())
    assert {i.slug for i in drafts.items} == {"case-10", "case-11"}


async def test_public_detail_hides_unpublished_and_related_drafts(people) -> None:
    editor, _, staff = people
    draft = await service.create_article(editor, article("draft-1"))
    shown = await service.create_article(editor, article("shown", related_ids=(draft.id,)))
    with pytest.raises(NotFound):
        await service.get_published("case_study", "shown")
    await service.publish_now(staff, shown.id)
    view = await service.get_published("case_study", "shown")
    assert view.related_ids == []
    with pytest.raises(NotFound):
        await service.get_published("case_study", "draft-1")
    with pytest.raises(NotFound):
        await service.get_published("nonsense", "shown")


async def test_deleting_nothing_about_members_personal_data(people) -> None:
    """The article views carry organisation names only, never contacts."""
    fields = set(service.ArticleView.__dataclass_fields__)
    assert not fields & {"email", "phone", "contacts", "contact_name"}


async def test_pages_tree_versions_and_publishing(people) -> None:
    editor, other, staff = people
    about = await service.create_page(editor, PageInput(slug="about", title="概要"))
    access = await service.create_page(
        editor, PageInput(slug="access", title="アクセス", parent_id=about.id)
    )
    with pytest.raises(ValidationFailed):
        await service.create_page(
            editor, PageInput(slug="access", title="重複", parent_id=about.id)
        )
    with pytest.raises(ValidationFailed):  # a page cannot sit under its own child
        await service.update_page(
            editor, about.id, PageInput(slug="about", title="概要", parent_id=access.id), 1
        )
    await service.update_page(
        other, access.id, PageInput("access", "アクセス案内", "", about.id), 1
    )
    with pytest.raises(Conflict):
        await service.update_page(editor, access.id, PageInput("access", "古い", "", about.id), 1)
    with pytest.raises(PermissionDenied):
        await service.set_page_state(editor, about.id, "published")
    await service.set_page_state(staff, access.id, "published")
    # A published child of an unpublished page stays hidden.
    assert await service.page_tree(published_only=True) == []
    await service.set_page_state(staff, about.id, "published")
    tree = await service.page_tree(published_only=True)
    assert [n.path for n in tree] == ["about"]
    assert [n.path for n in tree[0].children] == ["about/access"]
    assert (await service.get_published_page("about/access")).title == "アクセス案内"
    # An editor cannot change a published page; the check blocks an inaccessible body.
    with pytest.raises(PermissionDenied):
        await service.update_page(editor, about.id, PageInput("about", "概要"), 1)
    with pytest.raises(service.AccessibilityFailed):
        await service.update_page(staff, about.id, PageInput("about", "概要", BAD_BODY), 1)
    await service.set_page_state(staff, about.id, "draft")
    with pytest.raises(NotFound):
        await service.get_published_page("about/access")


async def test_concurrent_write_detection_at_the_row_level(people) -> None:
    """Even when the version check passes, the UPDATE itself only matches the expected version."""
    editor, _, _ = people
    created = await service.create_article(editor, article())
    await Article.update({Article.version: 5}).where(Article.id == created.id)
    with pytest.raises(Conflict):
        await service.update_article(editor, created.id, article(), 1)
    assert await Revision.count().where(Revision.article == created.id) == 1
    assert await ArticleTheme.count() == 0


def test_diff_lines_numbers() -> None:
    lines = service.diff_lines("a\nb\nc", "a\nc\nd")
    assert [(x.kind, x.text, x.old_line, x.new_line) for x in lines] == [
        ("equal", "a", 1, 1), ("removed", "b", 2, None), ("equal", "c", 3, 2),
        ("added", "d", None, 3),
    ]  # fmt: skip


def test_time_zone_required_for_schedule_and_events() -> None:
    naive = datetime(2030, 1, 1, 10, 0)
    errors = service.validate_article(article(event_starts_at=naive))
    assert "event_starts_at" in errors
    aware = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)
    errors = service.validate_article(
        article(event_starts_at=aware, event_ends_at=aware - timedelta(hours=1))
    )
    assert "event_ends_at" in errors
