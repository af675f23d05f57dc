"""The editors' console for static pages (/console/pages...) and themes (/console/themes), and the
body tools both edit forms share: the live preview and the accessibility check.

The tools answer an htmx request with a fragment, and a plain form post (no JavaScript) with the
whole form again, the user's text kept, the preview or the findings filled in.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from api.articles import service
from api.errors import Conflict, PermissionDenied, ValidationFailed
from api.http.headers import NO_STORE_HTMX
from web.controllers.editor import (
    FormReader,
    article_form_page,
    body_findings,
    failed_findings,
    preview_html,
)
from web.forms import form_values
from web.rendering import page, signed_in_principal, wants_fragment

PAGE_LABELS = {
    "title": "タイトル",
    "slug": "スラッグ",
    "parent_id": "親ページ",
    "position": "表示順",
    "show_in_menu": "メニューへの表示",
    "body_markdown": "本文",
}
THEME_LABELS = {"name": "テーマ名", "slug": "スラッグ", "position": "表示順"}
PAGE_NOTICES = {
    "created": "固定ページを作成しました（下書き）。",
    "saved": "保存しました。",
    "published": "公開しました。",
    "unpublished": "非公開にしました。",
}
THEME_NOTICES = {"created": "テーマを追加しました。", "saved": "テーマを変更しました。"}


# --- static pages ------------------------------------------------------------------------------


def _flatten(nodes: list[service.PageView], depth: int = 0) -> list[tuple[service.PageView, int]]:
    found: list[tuple[service.PageView, int]] = []
    for node in nodes:
        found.append((node, depth))
        found.extend(_flatten(node.children, depth + 1))
    return found


def _descendants(node: service.PageView) -> set[int]:
    return {node.id} | {i for child in node.children for i in _descendants(child)}


def page_input(reader: FormReader) -> service.PageInput:
    return service.PageInput(
        slug=reader.text("slug").strip(),
        title=reader.text("title"),
        body_markdown=reader.text("body_markdown"),
        parent_id=reader.integer("parent_id", "親ページを一覧から選んでください。"),
        position=reader.number("position"),
        show_in_menu=reader.text("show_in_menu") == "on",
    )


def page_values(view: service.PageView) -> dict[str, str]:
    return {
        "slug": view.slug, "title": view.title, "body_markdown": view.body_markdown,
        "parent_id": str(view.parent_id or ""), "position": str(view.position),
        "show_in_menu": "on" if view.show_in_menu else "", "version": str(view.version),
    }  # fmt: skip


async def page_form_page(
    request: Request,
    page_view: service.PageView | None,
    values: dict[str, str],
    status_code: int = 200,
    **context: Any,
) -> Template:
    tree = await service.page_tree(published_only=False)
    flat = _flatten(tree)
    # A page cannot move under itself or under its own descendants.
    excluded: set[int] = set()
    if page_view is not None:
        node = next((n for n, _ in flat if n.id == page_view.id), None)
        excluded = _descendants(node) if node else {page_view.id}
    parents = [("", "（最上位）")] + [
        (str(node.id), "　" * depth + f"{node.title}（/{node.path}）")
        for node, depth in flat
        if node.id not in excluded
    ]
    context.setdefault("errors", {})
    context.setdefault("findings", None)
    context.setdefault("failed", [])
    if "preview" not in context:
        context["preview"] = await preview_html(values.get("body_markdown", ""))
    path = next((n.path for n, _ in flat if page_view and n.id == page_view.id), "")
    actor = signed_in_principal(request)
    editable = page_view is None or page_view.state != "published" or actor.can("articles.publish")
    return page(
        request, "editor/page_form.html", status_code=status_code, headers=NO_STORE_HTMX,
        page_view=page_view, values=values, labels=PAGE_LABELS, parents=parents, path=path,
        editable=editable,
        done_message=PAGE_NOTICES.get(str(request.query_params.get("done", ""))), **context,
    )  # fmt: skip


@get("/console/pages", opt={"action": "articles.view_drafts"}, include_in_schema=False)
async def pages(request: Request) -> Template:
    tree = await service.page_tree(published_only=False)
    return page(request, "editor/pages.html", headers=NO_STORE_HTMX, rows=_flatten(tree))


@get("/console/pages/new", opt={"action": "articles.edit"}, include_in_schema=False)
async def new_page(request: Request) -> Template:
    return await page_form_page(request, None, {"position": "0"})


@post("/console/pages", opt={"action": "articles.edit"}, include_in_schema=False)
async def create_page(request: Request) -> Response | Template:
    values, lists = await form_values(request)
    reader = FormReader(values, lists)
    data = page_input(reader)
    try:
        if reader.errors:
            raise ValidationFailed(reader.errors)
        view = await service.create_page(signed_in_principal(request), data)
    except ValidationFailed as exc:
        return await page_form_page(request, None, values, 422, errors=exc.errors)
    return Redirect(f"/console/pages/{view.id}?done=created", status_code=303)


@get(
    "/console/pages/{page_id:int}", opt={"action": "articles.view_drafts"}, include_in_schema=False
)
async def edit_page(request: Request, page_id: FromPath[int]) -> Template:
    view = await service.get_page(page_id)
    return await page_form_page(request, view, page_values(view))


@post("/console/pages/{page_id:int}", opt={"action": "articles.edit"}, include_in_schema=False)
async def save_page(request: Request, page_id: FromPath[int]) -> Response | Template:
    values, lists = await form_values(request)
    view = await service.get_page(page_id)
    reader = FormReader(values, lists)
    data = page_input(reader)
    version = values.get("version", "")
    try:
        if reader.errors:
            raise ValidationFailed(reader.errors)
        await service.update_page(
            signed_in_principal(request), page_id, data,
            int(version) if version.isdigit() and len(version) <= 9 else -1,
        )  # fmt: skip
    except service.AccessibilityFailed as exc:
        return await page_form_page(request, view, values, 422, failed=failed_findings(exc))
    except ValidationFailed as exc:
        return await page_form_page(request, view, values, 422, errors=exc.errors)
    except (Conflict, PermissionDenied) as exc:
        status = 409 if isinstance(exc, Conflict) else 403
        return await page_form_page(request, view, values, status, conflict=exc.message)
    return Redirect(f"/console/pages/{page_id}?done=saved", status_code=303)


async def _page_state(request: Request, page_id: int, state: str) -> Response | Template:
    try:
        await service.set_page_state(signed_in_principal(request), page_id, state)
    except service.AccessibilityFailed as exc:
        view = await service.get_page(page_id)
        return await page_form_page(
            request, view, page_values(view), 422, failed=failed_findings(exc)
        )
    except Conflict as exc:
        view = await service.get_page(page_id)
        return await page_form_page(request, view, page_values(view), 409, conflict=exc.message)
    done = "published" if state == "published" else "unpublished"
    return Redirect(f"/console/pages/{page_id}?done={done}", status_code=303)


@post(
    "/console/pages/{page_id:int}/publish",
    opt={"action": "articles.publish"},
    include_in_schema=False,
)
async def publish_page(request: Request, page_id: FromPath[int]) -> Response | Template:
    return await _page_state(request, page_id, "published")


@post(
    "/console/pages/{page_id:int}/unpublish",
    opt={"action": "articles.publish"},
    include_in_schema=False,
)
async def unpublish_page(request: Request, page_id: FromPath[int]) -> Response | Template:
    return await _page_state(request, page_id, "draft")


# --- themes ------------------------------------------------------------------------------------


async def _themes_page(request: Request, status_code: int = 200, **context: Any) -> Template:
    context.setdefault("values", {})
    context.setdefault("theme_errors", {})
    context.setdefault("theme_values", {})
    return page(
        request, "editor/themes.html", status_code=status_code, headers=NO_STORE_HTMX,
        themes=await service.list_themes(), labels=THEME_LABELS,
        done_message=THEME_NOTICES.get(str(request.query_params.get("done", ""))), **context,
    )  # fmt: skip


@get("/console/themes", opt={"action": "articles.view_drafts"}, include_in_schema=False)
async def themes(request: Request) -> Template:
    return await _themes_page(request)


async def _save_theme(request: Request, theme_id: int | None) -> tuple[dict[str, str], Any]:
    values, lists = await form_values(request)
    reader = FormReader(values, lists)
    position = reader.number("position")
    if reader.errors:
        raise ValidationFailed(reader.errors)
    name, slug = reader.text("name"), reader.text("slug").strip()
    return values, await service.save_theme(
        signed_in_principal(request), theme_id, name, slug, position
    )


@post("/console/themes", opt={"action": "articles.edit"}, include_in_schema=False)
async def create_theme(request: Request) -> Response | Template:
    try:
        await _save_theme(request, None)
    except ValidationFailed as exc:
        values, _ = await form_values(request)
        return await _themes_page(request, 422, errors=exc.errors, values=values)
    return Redirect("/console/themes?done=created", status_code=303)


@post("/console/themes/{theme_id:int}", opt={"action": "articles.edit"}, include_in_schema=False)
async def update_theme(request: Request, theme_id: FromPath[int]) -> Response | Template:
    try:
        await _save_theme(request, theme_id)
    except ValidationFailed as exc:
        values, _ = await form_values(request)
        return await _themes_page(
            request, 422, theme_errors={theme_id: exc.errors}, theme_values={theme_id: values}
        )
    return Redirect(f"/console/themes?done=saved#theme-{theme_id}", status_code=303)


# --- body tools: live preview and the accessibility check ---------------------------------------


async def _whole_form(
    request: Request, values: dict[str, str], lists: dict[str, list[str]], **context: Any
) -> Template:
    """The edit form the tool was used from, re-rendered with the user's values (no JavaScript)."""
    if values.get("editing") == "page":
        page_id = values.get("page_id", "")
        view = await service.get_page(int(page_id)) if page_id.isdigit() else None
        return await page_form_page(request, view, values, **context)
    article_id = values.get("article_id", "")
    article = await service.get_article(int(article_id)) if article_id.isdigit() else None
    kind = article.kind if article else values.get("kind", "")
    if kind not in service.KIND_LABELS:
        kind = "news"
    return await article_form_page(request, article, kind, values, lists, **context)


def _lead_image(values: dict[str, str]) -> int | None:
    text = values.get("lead_image", "")
    return int(text) if text.isdigit() and len(text) <= 18 else None


@post("/console/articles/preview", opt={"action": "articles.edit"}, include_in_schema=False)
async def preview(request: Request) -> Template:
    values, lists = await form_values(request)
    html = await preview_html(values.get("body_markdown", ""))
    if wants_fragment(request):
        return page(request, "editor/_preview.html", headers=NO_STORE_HTMX, preview=html)
    return await _whole_form(request, values, lists, preview=html)


@post("/console/articles/check", opt={"action": "articles.edit"}, include_in_schema=False)
async def check(request: Request) -> Template:
    values, lists = await form_values(request)
    lead = _lead_image(values) if values.get("editing") != "page" else None
    findings = body_findings(
        values.get("body_markdown", ""), lead, values.get("lead_image_alt", "")
    )
    if wants_fragment(request):
        return page(request, "editor/_check.html", headers=NO_STORE_HTMX, findings=findings)
    return await _whole_form(request, values, lists, findings=findings)


ROUTES = [
    pages, new_page, create_page, edit_page, save_page, publish_page, unpublish_page,
    themes, create_theme, update_theme, preview, check,
]  # fmt: skip
