"""The editors' console pages: who may do what (buttons and the server agree), validation and
conflicts that keep the user's text, the accessibility check as a tool and as a gate, the live
preview, revisions with their diff and restore, signed preview links, static pages and themes."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from api import clock
from api.articles import service
from api.articles.tables import Article, Page, Theme
from api.dates import JST
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from tests.conftest import csrf_token
from tests.http.conftest import World, admin_principal, login_as, role_email
from web.controllers.editor import diff_rows

GOOD_BODY = "## 導入の背景\n\n紙の台帳で在庫を管理していました。\n"
# Two errors (a second h1, an image without alt) and a warning (a link that says こちら).
BAD_BODY = "# 大見出し\n\n![](media:1)\n\n詳しくは[こちら](https://example.jp/)をご覧ください。\n"


def editor_of(world: World) -> Principal:
    return admin_principal(world.accounts[Role.EDITOR])


def staff_of(world: World) -> Principal:
    return admin_principal(world.accounts[Role.STAFF])


def news(slug: str, body: str = GOOD_BODY, **extra: Any) -> service.ArticleInput:
    return service.ArticleInput(
        kind="news", slug=slug, title="セミナーのお知らせ", summary="概要", body_markdown=body,
        **extra,
    )  # fmt: skip


async def draft(world: World, slug: str, body: str = GOOD_BODY) -> service.ArticleView:
    return await service.create_article(editor_of(world), news(slug, body))


async def post(client: AsyncTestClient, url: str, data: dict[str, Any], **headers: str) -> Any:
    return await client.post(
        url, data={**data, "_csrf": await csrf_token(client)}, headers=headers or None
    )


def article_form(slug: str, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "case_study", "title": "受発注をクラウド化した事例", "slug": slug,
        "summary": "紙の受発注をやめました。", "organisation_name": "株式会社テスト",
        "industry": "E", "municipality": "熊本市", "interview_date": "2026-04-01",
        "body_markdown": GOOD_BODY, **changes,
    }  # fmt: skip


def future_local(days: int = 3) -> str:
    return (clock.now() + timedelta(days=days)).astimezone(JST).strftime("%Y-%m-%dT%H:%M")


# --- rights ------------------------------------------------------------------------------------


async def test_only_editors_and_staff_reach_the_console(
    client: AsyncTestClient, world: World
) -> None:
    article = await draft(world, "rights")
    urls = [
        "/console/articles",
        f"/console/articles/{article.id}",
        f"/console/articles/{article.id}/revisions",
        "/console/pages",
        "/console/themes",
    ]
    client.cookies.clear()
    for url in urls:
        assert (await client.get(url)).status_code == 401, url
    for role in (Role.MEMBER_USER, Role.MEMBER_ADMIN, Role.OFFICIAL):
        await login_as(client, role_email(role))
        for url in urls:
            assert (await client.get(url)).status_code == 403, (role, url)
        refused = await post(client, "/console/articles", article_form("member-made"))
        assert refused.status_code == 403
    for role in (Role.EDITOR, Role.STAFF):
        await login_as(client, role_email(role))
        for url in urls:
            response = await client.get(url)
            assert response.status_code == 200, (role, url)
            assert "no-store" in response.headers["cache-control"], url
    assert await Article.count().where(Article.slug == "member-made") == 0


async def test_an_editor_sees_no_publish_button_and_cannot_publish(
    client: AsyncTestClient, world: World
) -> None:
    article = await draft(world, "editor-cannot-publish")
    await login_as(client, role_email(Role.EDITOR))
    page = (await client.get(f"/console/articles/{article.id}")).text
    assert "レビューに提出" in page
    assert "今すぐ公開</button>" not in page and "公開予約</button>" not in page
    assert "公開の権限を持つ事務局スタッフが行います" in page
    for action, data in [
        ("publish", {"version": "1"}),
        ("schedule", {"version": "1", "publish_at": future_local()}),
        ("unpublish", {}),
    ]:
        response = await post(client, f"/console/articles/{article.id}/{action}", data)
        assert response.status_code == 403, action
    assert (await service.get_article(article.id)).state == "draft"
    await login_as(client, role_email(Role.STAFF))
    page = (await client.get(f"/console/articles/{article.id}")).text
    assert "今すぐ公開</button>" in page and "公開予約</button>" in page


# --- the form: create, validation, stale saves ---------------------------------------------------


async def test_create_a_case_study_through_the_form(client: AsyncTestClient, world: World) -> None:
    theme = (await service.list_themes())[0]
    related = await service.create_article(
        editor_of(world), replace(news("other-case"), kind="case_study")
    )
    await login_as(client, role_email(Role.EDITOR))
    form = await client.get("/console/articles/new?kind=case_study")
    assert form.status_code == 200
    assert 'list="list-municipality"' in form.text and '<option value="八代市">' in form.text
    assert f'name="theme_ids" value="{theme.id}"' in form.text
    assert f'name="related_ids" value="{related.id}"' in form.text
    assert "![代替テキスト](media:番号)" in form.text
    data = article_form(
        "form-made", theme_ids=[str(theme.id)], related_ids=[str(related.id)],
        event_starts_at="",
    )  # fmt: skip
    response = await post(client, "/console/articles", data)
    assert response.status_code == 303, response.text
    article_id = int(
        re.search(r"/console/articles/(\d+)\?done=created", response.headers["location"])[1]
    )  # type: ignore[index]
    view = await service.get_article(article_id)
    assert view.kind == "case_study" and view.state == "draft"
    assert [t.id for t in view.themes] == [theme.id] and view.related_ids == [related.id]
    assert view.interview_date is not None and view.interview_date.isoformat() == "2026-04-01"
    shown = await client.get(response.headers["location"])
    assert "下書きを作成しました" in shown.text
    assert "受発注をクラウド化した事例" in shown.text


async def test_event_times_are_read_as_japan_time(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.EDITOR))
    data = {
        "kind": "event_info", "title": "DXセミナー", "slug": "event-time",
        "event_starts_at": "2026-06-01T13:30", "event_ends_at": "2026-06-01T16:00",
        "venue": "熊本市国際交流会館", "online": "on", "organiser": "熊本県",
        "event_url": "https://example.jp/seminar",
    }  # fmt: skip
    response = await post(client, "/console/articles", data)
    assert response.status_code == 303, response.text
    view = await service.get_article(int(response.headers["location"].split("/")[3].split("?")[0]))
    assert view.event_starts_at is not None and view.online
    assert view.event_starts_at.astimezone(JST).hour == 13
    page = (await client.get(response.headers["location"])).text
    assert 'value="2026-06-01T13:30"' in page


async def test_validation_errors_are_shown_next_to_the_fields(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.EDITOR))
    data = article_form(
        "Not A Slug", title="", interview_date="2026-13-45", body_markdown="私の大事な本文"
    )
    response = await post(client, "/console/articles", data)
    assert response.status_code == 422
    text = response.text
    assert "入力内容を確認してください" in text  # the summary
    assert 'id="error-title"' in text and "タイトルを入力してください。" in text
    assert 'id="error-slug"' in text and 'id="error-interview_date"' in text
    assert 'href="#field-title"' in text
    assert "私の大事な本文" in text  # the user's text is kept
    assert await Article.count() == 0


async def test_a_stale_save_shows_who_saved_and_keeps_the_text(
    client: AsyncTestClient, world: World
) -> None:
    article = await draft(world, "stale")
    # Someone else (the staff member) saves first.
    await service.update_article(
        staff_of(world), article.id, news("stale", body=GOOD_BODY + "\n追記です。\n"), 1
    )
    await login_as(client, role_email(Role.EDITOR))
    mine = {"kind": "news", "title": "私の題名", "slug": "stale", "version": "1",
            "body_markdown": "## 私の変更\n\n消えては困る文章。\n"}  # fmt: skip
    response = await post(client, f"/console/articles/{article.id}", mine)
    assert response.status_code == 409
    assert "テスト 利用者さんが" in response.text  # who saved in between
    assert "上書きを防ぐため保存しませんでした" in response.text
    assert "消えては困る文章。" in response.text and 'value="私の題名"' in response.text
    assert 'name="version" value="1"' in response.text  # saving again cannot overwrite
    stored = await service.get_article(article.id)
    assert stored.version == 2 and "追記です。" in stored.body_markdown


# --- body tools ------------------------------------------------------------------------------------


async def test_live_preview_fragment_is_sanitised(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.EDITOR))
    body = "## 小見出し\n\n<script>alert(1)</script>\n\n[危ない](javascript:alert(1))\n"
    response = await post(
        client, "/console/articles/preview", {"body_markdown": body}, **{"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "<h2>小見出し</h2>" in response.text
    assert "<script>" not in response.text and "javascript:" not in response.text
    assert "data-swap-focus" not in response.text  # typing never loses focus to the preview
    # Without JavaScript the button posts the form and the whole form comes back, text kept.
    whole = await post(
        client, "/console/articles/preview", {"body_markdown": body, "kind": "news",
                                               "editing": "article", "title": "題名"},
    )  # fmt: skip
    assert whole.status_code == 200 and "<html" in whole.text
    assert "<h2>小見出し</h2>" in whole.text and 'value="題名"' in whole.text


async def test_accessibility_check_lists_findings_by_line(
    client: AsyncTestClient, world: World
) -> None:
    await login_as(client, role_email(Role.EDITOR))
    data = {"body_markdown": BAD_BODY, "editing": "article", "kind": "news"}
    fragment = await post(client, "/console/articles/check", data, **{"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "確認結果: 3件の指摘があります" in fragment.text
    for line in (1, 3, 5):
        assert f'data-editor-line="{line}"' in fragment.text
    assert "注意</strong>" in fragment.text and "エラー</strong>" in fragment.text
    assert 'href="#field-body_markdown"' in fragment.text
    assert "こちら" in fragment.text  # the excerpt
    whole = await post(client, "/console/articles/check", data)
    assert whole.status_code == 200 and "<html" in whole.text
    assert "確認結果: 3件の指摘があります" in whole.text and "詳しくは[こちら]" in whole.text
    clean = await post(client, "/console/articles/check", {"body_markdown": GOOD_BODY},
                       **{"HX-Request": "true"})  # fmt: skip
    assert "指摘はありません" in clean.text


async def test_submitting_with_findings_shows_them_as_the_error_summary(
    client: AsyncTestClient, world: World
) -> None:
    article = await draft(world, "bad-body", BAD_BODY)
    await login_as(client, role_email(Role.EDITOR))
    response = await post(client, f"/console/articles/{article.id}/submit", {"version": "1"})
    assert response.status_code == 422
    assert "アクセシビリティの確認で2件の問題が見つかりました" in response.text
    assert 'data-editor-line="1"' in response.text and "1行目" in response.text
    assert (await service.get_article(article.id)).state == "draft"
    await login_as(client, role_email(Role.STAFF))
    response = await post(client, f"/console/articles/{article.id}/publish", {"version": "1"})
    assert response.status_code == 422 and "3行目" in response.text
    assert (await service.get_article(article.id)).state == "draft"


# --- workflow --------------------------------------------------------------------------------------


async def test_the_whole_workflow_through_the_buttons(
    client: AsyncTestClient, world: World
) -> None:
    article = await draft(world, "workflow")
    url = f"/console/articles/{article.id}"
    await login_as(client, role_email(Role.EDITOR))
    response = await post(client, f"{url}/submit", {"version": "1"})
    assert response.status_code == 303 and response.headers["location"].endswith("done=submitted")
    assert (await service.get_article(article.id)).state == "in_review"
    page = (await client.get(f"{url}?done=submitted")).text
    assert "レビューに提出しました。" in page and "下書きに戻す" in page
    assert (await post(client, f"{url}/return", {})).status_code == 303
    assert (await service.get_article(article.id)).state == "draft"

    await login_as(client, role_email(Role.STAFF))
    assert (await post(client, f"{url}/publish", {"version": "1"})).status_code == 303
    assert (await service.get_article(article.id)).state == "published"
    page = (await client.get(url)).text
    assert "公開を停止する</button>" in page and "今すぐ公開</button>" not in page
    # Staff correct a published article in place; the correction passes the check first.
    assert "すぐに公開ページに反映されます" in page and "保存する</button>" in page
    form = {"kind": "news", "title": "訂正後の題名", "slug": "workflow", "version": "1"}
    bad = await post(client, url, {**form, "body_markdown": BAD_BODY})
    assert bad.status_code == 422 and "アクセシビリティの確認で2件の問題" in bad.text
    assert "訂正後の題名" in bad.text  # the user's text is kept
    assert (await post(client, url, {**form, "body_markdown": GOOD_BODY})).status_code == 303
    corrected = await service.get_article(article.id)
    assert corrected.state == "published" and corrected.title == "訂正後の題名"
    # An editor sees it read-only with the reason, and a save from an old tab is refused.
    await login_as(client, role_email(Role.EDITOR))
    page = (await client.get(url)).text
    assert "公開の権限を持つ事務局スタッフだけです" in page
    assert "保存する</button>" not in page and '<fieldset class="plain" disabled>' in page
    refused = await post(client, url, {**form, "title": "編集者の変更", "version": "2"})
    assert refused.status_code == 403 and "公開の権限を持つ人だけです" in refused.text
    assert (await service.get_article(article.id)).title == "訂正後の題名"
    await login_as(client, role_email(Role.STAFF))
    assert (await post(client, f"{url}/unpublish", {})).status_code == 303
    assert (await service.get_article(article.id)).state == "unpublished"

    past = (clock.now() - timedelta(hours=1)).astimezone(JST).strftime("%Y-%m-%dT%H:%M")
    for when, message in [
        (past, "公開日時は現在より後の日時にしてください。"),
        ("", "公開日時を入力してください。"),
        ("tomorrow", "日時は「2026-04-01T10:00」の形"),
    ]:
        response = await post(client, f"{url}/schedule", {"version": "2", "publish_at": when})
        assert response.status_code == 422, when
        assert 'id="error-publish_at"' in response.text and message in response.text
    response = await post(client, f"{url}/schedule", {"version": "2", "publish_at": future_local()})
    assert response.status_code == 303
    scheduled = await service.get_article(article.id)
    assert scheduled.state == "scheduled" and scheduled.publish_at is not None
    page = (await client.get(url)).text
    assert "公開予約中の記事は編集できません" in page and "公開予約を取り消す" in page
    response = await post(client, f"{url}/unpublish", {})
    assert response.headers["location"].endswith("done=unscheduled")
    assert (await service.get_article(article.id)).state == "draft"


async def test_a_stale_version_on_a_button_is_a_conflict(
    client: AsyncTestClient, world: World
) -> None:
    article = await draft(world, "stale-button")
    await service.update_article(editor_of(world), article.id, news("stale-button"), 1)
    await login_as(client, role_email(Role.STAFF))
    response = await post(client, f"/console/articles/{article.id}/publish", {"version": "1"})
    assert response.status_code == 409 and "上書きを防ぐため" in response.text
    assert (await service.get_article(article.id)).state == "draft"


# --- revisions -------------------------------------------------------------------------------------


async def test_revisions_diff_and_restore(client: AsyncTestClient, world: World) -> None:
    first = "## 背景\n\n古い一文。\n\n共通の行。\n"
    second = "## 背景\n\n新しい一文。\n\n共通の行。\n"
    article = await draft(world, "revisions", first)
    await service.update_article(
        editor_of(world), article.id, replace(news("revisions", second), summary="新しい概要"),
        1, note="文言の修正",
    )  # fmt: skip
    await login_as(client, role_email(Role.EDITOR))
    listing = await client.get(f"/console/articles/{article.id}/revisions")
    assert listing.status_code == 200
    assert "第1版" in listing.text and "第2版" in listing.text and "文言の修正" in listing.text
    assert 'name="from_revision" value="1"' in listing.text
    diff = await client.get(f"/console/articles/{article.id}/diff?from_revision=1&to_revision=2")
    assert diff.status_code == 200
    text = diff.text
    assert "<del>古い一文。</del>" in text and "<ins>新しい一文。</ins>" in text
    assert '<span class="diff-mark">追加</span>' in text
    assert '<span class="diff-mark">削除</span>' in text
    assert "概要" in text and "新しい概要" in text  # the changed field
    bad = await client.get(f"/console/articles/{article.id}/diff?from_revision=1&to_revision=9")
    assert bad.status_code == 404

    stale = await post(
        client, f"/console/articles/{article.id}/revisions/1/restore", {"version": "1"}
    )
    assert stale.status_code == 409 and "上書きを防ぐため" in stale.text
    restored = await post(
        client, f"/console/articles/{article.id}/revisions/1/restore", {"version": "2"}
    )
    assert restored.status_code == 303
    view = await service.get_article(article.id)
    assert view.body_markdown == first and view.version == 3
    assert "第1版から復元" in (await client.get(f"/console/articles/{article.id}/revisions")).text


# --- signed preview --------------------------------------------------------------------------------


async def test_preview_link_shows_the_draft_to_anyone_until_it_expires(
    settings: Settings, client: AsyncTestClient, world: World
) -> None:
    article = await draft(world, "preview", "## 見出し\n\nまだ秘密の本文。\n")
    await login_as(client, role_email(Role.EDITOR))
    response = await post(client, f"/console/articles/{article.id}/preview-link", {})
    assert response.status_code == 200
    found = re.search(r'href="(http://[^"]+/preview/([^"]+))"', response.text)
    assert found, response.text
    assert "まで有効" in response.text
    client.cookies.clear()
    shown = await client.get(f"/preview/{found[2]}")
    assert shown.status_code == 200
    assert "プレビュー（未公開）" in shown.text and "まだ秘密の本文。" in shown.text
    assert '<meta name="robots" content="noindex">' in shown.text
    assert shown.headers["cache-control"] == "no-store"
    assert shown.headers["x-robots-tag"] == "noindex"
    article_id, number, expires, signature = found[2].split(".")
    for bad in [
        f"{article_id}.{number}.{int(expires) + 60}.{signature}",
        f"{article_id}.{number}.{expires}.{'0' * len(signature)}",
        "garbage",
    ]:
        assert (await client.get(f"/preview/{bad}")).status_code == 404, bad
    expired, _ = service.preview_token(settings, article.id, 1, ttl=timedelta(seconds=-1))
    gone = await client.get(f"/preview/{expired}")
    assert gone.status_code == 404 and "有効期限が切れています" in gone.text


# --- static pages and themes -----------------------------------------------------------------------


async def test_static_pages_create_edit_and_publish(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.EDITOR))
    response = await post(client, "/console/pages", {"title": "概要", "slug": "overview",
                                                     "position": "1", "show_in_menu": "on",
                                                     "body_markdown": GOOD_BODY})  # fmt: skip
    assert response.status_code == 303, response.text
    page_id = int(response.headers["location"].split("/")[3].split("?")[0])
    child = await post(client, "/console/pages", {"title": "沿革", "slug": "history",
                                                  "parent_id": str(page_id), "position": "x"})  # fmt: skip
    assert child.status_code == 422 and "整数で入力してください。" in child.text
    child = await post(client, "/console/pages", {"title": "沿革", "slug": "history",
                                                  "parent_id": str(page_id)})  # fmt: skip
    assert child.status_code == 303
    # The body tools without JavaScript bring the page form back with the user's values.
    checked = await post(client, "/console/articles/check", {
        "editing": "page", "page_id": str(page_id), "title": "概要（確認中）",
        "slug": "overview", "body_markdown": BAD_BODY,
    })  # fmt: skip
    assert checked.status_code == 200 and 'action="/console/pages/' in checked.text
    assert (
        'value="概要（確認中）"' in checked.text and "確認結果: 3件の指摘があります" in checked.text
    )
    listing = (await client.get("/console/pages")).text
    assert "/pages/overview/history" in listing and "下書き" in listing
    edit = await client.get(f"/console/pages/{page_id}")
    assert edit.status_code == 200 and "公開する</button>" not in edit.text
    assert (await post(client, f"/console/pages/{page_id}/publish", {})).status_code == 403
    stale = await post(client, f"/console/pages/{page_id}", {"title": "概要2", "slug": "overview",
                                                             "version": "0"})  # fmt: skip
    assert stale.status_code == 409 and 'value="概要2"' in stale.text

    await login_as(client, role_email(Role.STAFF))
    bad = await post(client, f"/console/pages/{page_id}", {"title": "概要", "slug": "overview",
                                                           "version": "1", "body_markdown": BAD_BODY})  # fmt: skip
    assert bad.status_code == 303  # a draft may hold problems; publishing checks them
    refused = await post(client, f"/console/pages/{page_id}/publish", {})
    assert refused.status_code == 422 and "アクセシビリティの確認で" in refused.text
    fixed = await post(client, f"/console/pages/{page_id}", {"title": "概要", "slug": "overview",
                                                             "version": "2", "body_markdown": GOOD_BODY})  # fmt: skip
    assert fixed.status_code == 303
    assert (await post(client, f"/console/pages/{page_id}/publish", {})).status_code == 303
    assert (await Page.select(Page.state).where(Page.id == page_id).first())["state"] == "published"
    # An editor cannot change a published page (the service rule); the form says why.
    await login_as(client, role_email(Role.EDITOR))
    shown = (await client.get(f"/console/pages/{page_id}")).text
    assert "公開中の固定ページの変更には公開の権限が必要です" in shown
    refused = await post(client, f"/console/pages/{page_id}", {"title": "勝手に", "slug": "overview",
                                                               "version": "3"})  # fmt: skip
    assert refused.status_code == 403


async def test_themes_add_rename_and_reorder(client: AsyncTestClient, world: World) -> None:
    await login_as(client, role_email(Role.EDITOR))
    page = await client.get("/console/themes")
    assert page.status_code == 200 and "業務効率化" in page.text
    added = await post(client, "/console/themes", {"name": "脱炭素", "slug": "decarbonisation",
                                                   "position": "7"})  # fmt: skip
    assert added.status_code == 303
    duplicate = await post(client, "/console/themes", {"name": "重複", "slug": "decarbonisation",
                                                       "position": "8"})  # fmt: skip
    assert duplicate.status_code == 422 and "ほかのテーマで使われています" in duplicate.text
    theme = await Theme.select().where(Theme.slug == "decarbonisation").first()
    renamed = await post(client, f"/console/themes/{theme['id']}",
                         {"name": "カーボンニュートラル", "slug": "decarbonisation", "position": "0"})  # fmt: skip
    assert renamed.status_code == 303
    names = [t.name for t in await service.list_themes()]
    assert names[0] == "カーボンニュートラル"
    invalid = await post(client, f"/console/themes/{theme['id']}",
                         {"name": "", "slug": "decarbonisation", "position": "0"})  # fmt: skip
    assert invalid.status_code == 422
    assert f'id="theme-{theme["id"]}-name-error"' in invalid.text


def test_the_body_diff_keeps_a_little_context() -> None:
    lines = service.diff_lines("\n".join(f"行{i}" for i in range(1, 11)), "\n".join(
        [f"行{i}" for i in range(1, 6)] + ["新しい行"] + [f"行{i}" for i in range(7, 11)]
    ))  # fmt: skip
    rows = diff_rows(lines, context=1)
    assert [r.kind for r in rows] == [
        "skipped", "equal", "removed", "added", "equal", "skipped",
    ]  # fmt: skip
    assert rows[0].count == 4 and rows[-1].count == 3
    assert rows[2].text == "行6" and rows[2].old_line == 6 and rows[3].new_line == 6


# --- the CSRF walk's forms (tests/http/test_csrf_headers.py) ---------------------------------------


async def editor_forms(
    settings: Settings, world: World
) -> dict[tuple[str, str], tuple[str, dict[str, Any], Role, bool]]:
    """For every unsafe route of the editors' console: (url, form, role, writes) that succeeds
    with the CSRF token. Every entry acts on items of its own."""
    await service.ensure_themes()  # pages seed the themes on first view: not a write of theirs
    editor, staff = editor_of(world), staff_of(world)
    saved = await draft(world, "csrf-save")
    submitted = await draft(world, "csrf-submit")
    returned = await draft(world, "csrf-return")
    await service.submit_for_review(editor, returned.id)
    published = await draft(world, "csrf-publish")
    scheduled = await draft(world, "csrf-schedule")
    unpublished = await draft(world, "csrf-unpublish")
    await service.publish_now(staff, unpublished.id)
    restored = await draft(world, "csrf-restore")
    await service.update_article(editor, restored.id, news("csrf-restore", "## 新しい本文\n"), 1)
    linked = await draft(world, "csrf-link")
    edited_page = await service.create_page(editor, service.PageInput("csrf-page-edit", "編集"))
    published_page = await service.create_page(editor, service.PageInput("csrf-page-pub", "公開"))
    hidden_page = await service.create_page(editor, service.PageInput("csrf-page-hide", "非公開"))
    await service.set_page_state(staff, hidden_page.id, "published")
    theme = (await service.list_themes())[0]
    article = "/console/articles"
    body = {"body_markdown": GOOD_BODY, "editing": "article", "kind": "news"}
    return {
        ("POST", article): (
            article, {"kind": "news", "title": "新しい記事", "slug": "csrf-new"}, Role.EDITOR, True
        ),
        ("POST", f"{article}/{{article_id:int}}"): (
            f"{article}/{saved.id}",
            {"kind": "news", "title": "変更後", "slug": "csrf-save", "version": "1"},
            Role.EDITOR, True,
        ),
        ("POST", f"{article}/{{article_id:int}}/submit"): (
            f"{article}/{submitted.id}/submit", {"version": "1"}, Role.EDITOR, True
        ),
        ("POST", f"{article}/{{article_id:int}}/return"): (
            f"{article}/{returned.id}/return", {}, Role.EDITOR, True
        ),
        ("POST", f"{article}/{{article_id:int}}/publish"): (
            f"{article}/{published.id}/publish", {"version": "1"}, Role.STAFF, True
        ),
        ("POST", f"{article}/{{article_id:int}}/schedule"): (
            f"{article}/{scheduled.id}/schedule",
            {"version": "1", "publish_at": future_local()}, Role.STAFF, True,
        ),
        ("POST", f"{article}/{{article_id:int}}/unpublish"): (
            f"{article}/{unpublished.id}/unpublish", {}, Role.STAFF, True
        ),
        ("POST", f"{article}/{{article_id:int}}/revisions/{{revision_number:int}}/restore"): (
            f"{article}/{restored.id}/revisions/1/restore", {"version": "2"}, Role.EDITOR, True
        ),
        ("POST", f"{article}/{{article_id:int}}/preview-link"): (
            f"{article}/{linked.id}/preview-link", {}, Role.EDITOR, False
        ),
        ("POST", f"{article}/preview"): (f"{article}/preview", body, Role.EDITOR, False),
        ("POST", f"{article}/check"): (f"{article}/check", body, Role.EDITOR, False),
        ("POST", "/console/pages"): (
            "/console/pages", {"title": "新しいページ", "slug": "csrf-page-new"}, Role.EDITOR, True
        ),
        ("POST", "/console/pages/{page_id:int}"): (
            f"/console/pages/{edited_page.id}",
            {"title": "変更後", "slug": "csrf-page-edit", "version": "1"}, Role.EDITOR, True,
        ),
        ("POST", "/console/pages/{page_id:int}/publish"): (
            f"/console/pages/{published_page.id}/publish", {}, Role.STAFF, True
        ),
        ("POST", "/console/pages/{page_id:int}/unpublish"): (
            f"/console/pages/{hidden_page.id}/unpublish", {}, Role.STAFF, True
        ),
        ("POST", "/console/themes"): (
            "/console/themes", {"name": "新テーマ", "slug": "csrf-theme", "position": "9"},
            Role.EDITOR, True,
        ),
        ("POST", "/console/themes/{theme_id:int}"): (
            f"/console/themes/{theme.id}",
            {"name": "名前を変更", "slug": theme.slug, "position": "1"}, Role.EDITOR, True,
        ),
    }  # fmt: skip
