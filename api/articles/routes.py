"""JSON API of publishing: public reading of published content, the editors' workflow.

Public routes (content.read) show published articles and pages only, with an ETag and 304 on
If-None-Match. Editors' routes live under /api/v1/editor: articles.view_drafts reads drafts,
articles.edit writes them, articles.publish publishes, schedules and unpublishes.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.articles import service
from api.articles.rendering import render_body
from api.articles.schemas import (
    ArticleIn,
    ArticleOut,
    ArticlePage,
    ArticleUpdate,
    DiffOut,
    PageIn,
    PageNodeOut,
    PageOut,
    PageUpdate,
    PreviewLinkIn,
    PreviewLinkOut,
    PreviewOut,
    PublicArticleDetail,
    PublicArticleOut,
    PublicArticlePage,
    RestoreIn,
    RevisionOut,
    RevisionSummaryOut,
    ScheduleIn,
    ThemeIn,
    ThemeOut,
    TransitionIn,
)
from api.http.auth import signed_in_principal as principal
from api.http.conditional import cached_json, remember_generation
from api.http.headers import NO_STORE
from api.pagination import PageRequest
from api.settings import Settings

PUBLIC_FILTER_DOC = (
    "公開中の記事だけを新しい順に返します。絞り込み: kind（case_study / news / event_info）, "
    "industry（業種 A〜T）, theme（テーマのスラッグ）, municipality（市町村名）。"
    "ETag を返し、If-None-Match が一致すれば 304 を返します。"
)
EDITOR_FILTER_DOC = (
    "すべての状態の記事を更新の新しい順に返します。絞り込み: kind, state（draft / in_review / "
    "scheduled / published / unpublished）, industry, theme, municipality, q（タイトル）。"
)


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def _filters(**values: str) -> service.ArticleFilter:
    return service.ArticleFilter.of(**values)


class PublicContentController(Controller):
    path = "/api/v1"
    tags = ["公開コンテンツ"]
    before_request = remember_generation

    @get(
        "/articles",
        opt={"action": "content.read"},
        summary="公開中の記事の一覧",
        description=PUBLIC_FILTER_DOC,
        response_description="公開中の記事（本文を除く）",
    )
    async def list_articles(
        self,
        request: Request,
        kind: FromQuery[str] = "",
        industry: FromQuery[str] = "",
        theme: FromQuery[str] = "",
        municipality: FromQuery[str] = "",
        sort: Annotated[
            Literal["newest", "oldest", "title", "event_date"],
            QueryParameter(description="並び順: newest（新しい順）, oldest, title, event_date"),
        ] = "newest",
        page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> Response[PublicArticlePage]:
        filters = _filters(kind=kind, industry=industry, theme=theme, municipality=municipality)
        result = await service.list_published(filters, PageRequest.of(page, per_page), sort)
        payload = PublicArticlePage(
            items=[PublicArticleOut.of(view) for view in result.items],
            total=result.total, page=result.page, per_page=result.per_page, pages=result.pages,
        )  # fmt: skip
        return await cached_json(request, payload)

    @get(
        "/articles/{kind:str}/{slug:str}",
        opt={"action": "content.read"},
        summary="公開中の記事の詳細",
        description="種類（kind）とスラッグで指定します。本文のMarkdownと、安全なHTMLを返します。",
    )
    async def get_article(
        self, request: Request, kind: FromPath[str], slug: FromPath[str]
    ) -> Response[PublicArticleDetail]:
        view = await service.get_published(kind, slug)
        related = await service.get_articles_brief(view.related_ids, published_only=True)
        payload = PublicArticleDetail(
            article=PublicArticleOut.of(view, await render_body(view.body_markdown)),
            related=[PublicArticleOut.of(item) for item in related],
        )
        return await cached_json(request, payload)

    @get(
        "/articles/preview",
        opt={"action": "content.read"},
        summary="署名付きリンクによる下書きのプレビュー",
        description="編集者が発行したプレビュー用トークン（有効期限付き）で、その版の内容を返します。",
    )
    async def preview(
        self, request: Request, token: Annotated[str, QueryParameter(max_length=300)] = ""
    ) -> Response[PreviewOut]:
        article, revision = await service.preview(settings_of(request), token)
        payload = PreviewOut(
            article_id=article.id, kind=article.kind, revision=RevisionOut.of(revision),
            body_html=await render_body(revision.body_markdown),
        )  # fmt: skip
        # Drafts are never cached and never indexed.
        return Response(payload, headers={**NO_STORE, "X-Robots-Tag": "noindex"})

    @get("/themes", opt={"action": "content.read"}, summary="テーマの一覧")
    async def list_themes(self, request: Request) -> Response[list[ThemeOut]]:
        return await cached_json(request, [ThemeOut.of(t) for t in await service.list_themes()])

    @get(
        "/pages",
        opt={"action": "content.read"},
        summary="公開中の固定ページの階層",
        description="公開中のページだけの木構造。非公開のページの下のページも表示されません。",
    )
    async def page_tree(self, request: Request) -> Response[list[PageNodeOut]]:
        tree = await service.page_tree(published_only=True)
        return await cached_json(request, [PageNodeOut.of(node) for node in tree])

    @get(
        "/pages/by-path",
        opt={"action": "content.read"},
        summary="公開中の固定ページ（パス指定）",
        description="path はルートからのスラッグを「/」でつないだもの（例: about/access）。",
    )
    async def page_by_path(
        self, request: Request, path: Annotated[str, QueryParameter(max_length=1000)] = ""
    ) -> Response[PageOut]:
        view = await service.get_published_page(path)
        payload = PageOut.of(view, await render_body(view.body_markdown))
        return await cached_json(request, payload)


class EditorArticlesController(Controller):
    path = "/api/v1/editor/articles"
    tags = ["記事の編集"]

    @get("", opt={"action": "articles.view_drafts"}, summary="記事の一覧（全状態）",
         description=EDITOR_FILTER_DOC)  # fmt: skip
    async def list_articles(
        self,
        kind: FromQuery[str] = "",
        # "state" is a reserved parameter name in Litestar: read the query key under another name.
        article_state: Annotated[str, QueryParameter(name="state", max_length=20)] = "",
        industry: FromQuery[str] = "",
        theme: FromQuery[str] = "",
        municipality: FromQuery[str] = "",
        q: FromQuery[str] = "",
        page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> Response[ArticlePage]:
        filters = _filters(
            kind=kind, state=article_state, industry=industry, theme=theme,
            municipality=municipality, q=q,
        )  # fmt: skip
        result = await service.list_articles(filters, PageRequest.of(page, per_page))
        payload = ArticlePage(
            items=[ArticleOut.of(view) for view in result.items],
            total=result.total, page=result.page, per_page=result.per_page, pages=result.pages,
        )  # fmt: skip
        return Response(payload, headers=NO_STORE)

    @post("", opt={"action": "articles.edit"}, summary="下書きの作成", status_code=201)
    async def create(self, request: Request, data: JSONBody[ArticleIn]) -> ArticleOut:
        view = await service.create_article(principal(request), data.as_input(), data.note)
        return ArticleOut.of(view)

    @get(
        "/{article_id:int}", opt={"action": "articles.view_drafts"}, summary="記事（下書き）の取得"
    )
    async def get_one(self, article_id: FromPath[int]) -> Response[ArticleOut]:
        return Response(ArticleOut.of(await service.get_article(article_id)), headers=NO_STORE)

    @patch(
        "/{article_id:int}",
        opt={"action": "articles.edit"},
        summary="下書きの保存",
        description=(
            "記事全体を送ります。version には読み込んだときの版を入れてください。"
            "その後にほかの人が保存していれば 409 を返し、上書きしません。保存のたびに版が残ります。"
        ),
    )
    async def update(
        self, request: Request, article_id: FromPath[int], data: JSONBody[ArticleUpdate]
    ) -> ArticleOut:
        view = await service.update_article(
            principal(request), article_id, data.as_input(), data.version, data.note
        )
        return ArticleOut.of(view)

    @post(
        "/{article_id:int}/submit",
        opt={"action": "articles.edit"},
        status_code=200,
        summary="レビューに回す",
        description="本文のアクセシビリティ確認で問題があれば 422 で行ごとに返します。",
    )
    async def submit(
        self, request: Request, article_id: FromPath[int], data: JSONBody[TransitionIn]
    ) -> ArticleOut:
        view = await service.submit_for_review(principal(request), article_id, data.version)
        return ArticleOut.of(view)

    @post(
        "/{article_id:int}/return",
        opt={"action": "articles.edit"},
        status_code=200,
        summary="レビュー待ちを下書きに戻す",
    )
    async def return_to_draft(self, request: Request, article_id: FromPath[int]) -> ArticleOut:
        return ArticleOut.of(await service.return_to_draft(principal(request), article_id))

    @post(
        "/{article_id:int}/publish",
        opt={"action": "articles.publish"},
        status_code=200,
        summary="今すぐ公開する（公開の権限）",
        description="アクセシビリティ確認をもう一度行い、問題があれば公開しません。",
    )
    async def publish(
        self, request: Request, article_id: FromPath[int], data: JSONBody[TransitionIn]
    ) -> ArticleOut:
        view = await service.publish_now(principal(request), article_id, data.version)
        return ArticleOut.of(view)

    @post(
        "/{article_id:int}/schedule",
        opt={"action": "articles.publish"},
        status_code=200,
        summary="公開を予約する（公開の権限）",
        description="publish_at（タイムゾーン付き）に公開されます。再起動しても予約は失われません。",
    )
    async def schedule(
        self, request: Request, article_id: FromPath[int], data: JSONBody[ScheduleIn]
    ) -> ArticleOut:
        view = await service.schedule(principal(request), article_id, data.publish_at, data.version)
        return ArticleOut.of(view)

    @post(
        "/{article_id:int}/unpublish",
        opt={"action": "articles.publish"},
        status_code=200,
        summary="公開を停止する／予約を取り消す（公開の権限）",
    )
    async def unpublish(self, request: Request, article_id: FromPath[int]) -> ArticleOut:
        return ArticleOut.of(await service.unpublish(principal(request), article_id))

    @get("/{article_id:int}/revisions", opt={"action": "articles.view_drafts"},
         summary="版の一覧（新しい順）")  # fmt: skip
    async def revisions(self, article_id: FromPath[int]) -> Response[list[RevisionSummaryOut]]:
        found = await service.list_revisions(article_id)
        return Response([RevisionSummaryOut.of(r) for r in found], headers=NO_STORE)

    @get("/{article_id:int}/revisions/{revision_number:int}",
         opt={"action": "articles.view_drafts"}, summary="版の内容")  # fmt: skip
    async def revision(
        self, article_id: FromPath[int], revision_number: FromPath[int]
    ) -> Response[RevisionOut]:
        found = await service.get_revision(article_id, revision_number)
        return Response(RevisionOut.of(found), headers=NO_STORE)

    @get(
        "/{article_id:int}/diff",
        opt={"action": "articles.view_drafts"},
        summary="2つの版の差分",
        description="from_revision と to_revision の版番号を指定します。本文は行単位"
        "（equal / added / removed）、そのほかの項目は変更点の一覧で返します。",
    )
    async def diff(
        self,
        article_id: FromPath[int],
        from_revision: Annotated[int, QueryParameter(ge=1, le=2**31 - 1)] = 1,
        to_revision: Annotated[int, QueryParameter(ge=1, le=2**31 - 1)] = 1,
    ) -> Response[DiffOut]:
        found = await service.diff_revisions(article_id, from_revision, to_revision)
        return Response(DiffOut.of(found), headers=NO_STORE)

    @post(
        "/{article_id:int}/revisions/{revision_number:int}/restore",
        opt={"action": "articles.edit"},
        status_code=200,
        summary="版を復元する（新しい版として保存）",
    )
    async def restore(
        self,
        request: Request,
        article_id: FromPath[int],
        revision_number: FromPath[int],
        data: JSONBody[RestoreIn],
    ) -> ArticleOut:
        view = await service.restore_revision(
            principal(request), article_id, revision_number, data.version
        )
        return ArticleOut.of(view)

    @post(
        "/{article_id:int}/preview-link",
        opt={"action": "articles.view_drafts"},
        status_code=200,
        summary="プレビュー用リンクの発行（24時間有効）",
    )
    async def preview_link(
        self, request: Request, article_id: FromPath[int], data: JSONBody[PreviewLinkIn]
    ) -> Response[PreviewLinkOut]:
        token, expires_at = await service.create_preview_link(
            settings_of(request), principal(request), article_id, data.revision
        )
        url = f"/api/v1/articles/preview?token={quote(token)}"
        return Response(PreviewLinkOut(token, url, expires_at), headers=NO_STORE)


class EditorThemesController(Controller):
    path = "/api/v1/editor/themes"
    tags = ["記事の編集"]

    @post("", opt={"action": "articles.edit"}, summary="テーマの追加", status_code=201)
    async def create(self, request: Request, data: JSONBody[ThemeIn]) -> ThemeOut:
        view = await service.save_theme(
            principal(request), None, data.name, data.slug, data.position
        )
        return ThemeOut.of(view)

    @patch("/{theme_id:int}", opt={"action": "articles.edit"}, summary="テーマの変更")
    async def update(
        self, request: Request, theme_id: FromPath[int], data: JSONBody[ThemeIn]
    ) -> ThemeOut:
        view = await service.save_theme(
            principal(request), theme_id, data.name, data.slug, data.position
        )
        return ThemeOut.of(view)


class EditorPagesController(Controller):
    path = "/api/v1/editor/pages"
    tags = ["固定ページの編集"]

    @get("", opt={"action": "articles.view_drafts"}, summary="固定ページの階層（全状態）")
    async def tree(self) -> Response[list[PageNodeOut]]:
        tree = await service.page_tree(published_only=False)
        return Response([PageNodeOut.of(node) for node in tree], headers=NO_STORE)

    @post(
        "", opt={"action": "articles.edit"}, summary="固定ページの作成（下書き）", status_code=201
    )
    async def create(self, request: Request, data: JSONBody[PageIn]) -> PageOut:
        return PageOut.of(await service.create_page(principal(request), data.as_input()))

    @get("/{page_id:int}", opt={"action": "articles.view_drafts"}, summary="固定ページの取得")
    async def get_one(self, page_id: FromPath[int]) -> Response[PageOut]:
        return Response(PageOut.of(await service.get_page(page_id)), headers=NO_STORE)

    @patch(
        "/{page_id:int}",
        opt={"action": "articles.edit"},
        summary="固定ページの保存",
        description="version には読み込んだときの版を入れてください（競合すると 409）。"
        "公開中のページの変更には公開の権限が必要です。",
    )
    async def update(
        self, request: Request, page_id: FromPath[int], data: JSONBody[PageUpdate]
    ) -> PageOut:
        view = await service.update_page(principal(request), page_id, data.as_input(), data.version)
        return PageOut.of(view)

    @post("/{page_id:int}/publish", opt={"action": "articles.publish"}, status_code=200,
          summary="固定ページを公開する（公開の権限）")  # fmt: skip
    async def publish(self, request: Request, page_id: FromPath[int]) -> PageOut:
        return PageOut.of(await service.set_page_state(principal(request), page_id, "published"))

    @post("/{page_id:int}/unpublish", opt={"action": "articles.publish"}, status_code=200,
          summary="固定ページを非公開にする（公開の権限）")  # fmt: skip
    async def unpublish(self, request: Request, page_id: FromPath[int]) -> PageOut:
        return PageOut.of(await service.set_page_state(principal(request), page_id, "draft"))


ROUTES: list = [
    PublicContentController,
    EditorArticlesController,
    EditorThemesController,
    EditorPagesController,
]
