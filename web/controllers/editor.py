"""The editors' console for articles (/console/articles...) and the signed preview (/preview/...).

Thin: forms are read here and turned into api.articles.service calls; every rule (states, rights,
versions, the accessibility check) stays in the service. Each workflow button posts to a route
of its own, so the permission guard refuses what the role may not do (an editor's publish).
The body tools (live preview, accessibility check) shared with static pages live in
web.controllers.editor_pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from api.articles import service
from api.articles.accessibility import check_markdown
from api.articles.rendering import render_body
from api.dates import JST
from api.errors import Conflict, PermissionDenied, ValidationFailed
from api.http.headers import NO_STORE_HTMX
from api.media import service as media
from api.members.reference import INDUSTRY_LABELS, KUMAMOTO_MUNICIPALITIES
from api.pagination import PageRequest
from api.principal import Principal
from web.forms import form_values
from web.rendering import page, signed_in_principal

PageNumber = Annotated[int, QueryParameter(ge=1, le=100000)]
RevisionNumber = Annotated[int, QueryParameter(ge=1, le=2**31 - 1)]
PER_PAGE = 20
CHOICES_LIMIT = 100  # images and related case studies offered on the form (newest first)
DIFF_CONTEXT = 2  # unchanged lines kept around each change in the body diff

NOTICES = {
    "created": "下書きを作成しました。",
    "saved": "保存しました。",
    "submitted": "レビューに提出しました。",
    "returned": "下書きに戻しました。",
    "published": "公開しました。",
    "scheduled": "公開を予約しました。",
    "unpublished": "公開を停止しました。",
    "unscheduled": "公開予約を取り消し、下書きに戻しました。",
    "restored": "選んだ版の内容を復元しました（新しい版として保存しました）。",
}

# Fields of each kind in the order they appear on the form (the error summary follows it).
COMMON_LABELS = {"title": "タイトル", "slug": "スラッグ", "summary": "概要"}
KIND_FIELD_LABELS: dict[str, dict[str, str]] = {
    "case_study": {
        "organisation_name": "団体名",
        "organisation_id": "会員団体の番号",
        "industry": "業種",
        "municipality": "市町村",
        "interview_date": "取材日",
        "theme_ids": "テーマ",
        "lead_image": "メイン画像",
        "lead_image_alt": "メイン画像の代替テキスト",
    },
    "news": {},
    "event_info": {
        "event_starts_at": "開始日時",
        "event_ends_at": "終了日時",
        "venue": "会場",
        "online": "オンライン開催",
        "organiser": "主催者",
        "event_url": "イベントURL",
    },
}
TAIL_LABELS = {"body_markdown": "本文", "related_ids": "関連する導入事例", "note": "版のメモ"}
WORKFLOW_LABELS = {"publish_at": "公開日時"}


def form_labels(kind: str) -> dict[str, str]:
    tail = dict(TAIL_LABELS)
    if kind != "case_study":
        tail.pop("related_ids")
    return COMMON_LABELS | KIND_FIELD_LABELS.get(kind, {}) | tail


# --- reading the form --------------------------------------------------------------------------


def local_input(value: datetime | None) -> str:
    """A datetime as a datetime-local value in Japan time (2026-04-01T10:00)."""
    return value.astimezone(JST).strftime("%Y-%m-%dT%H:%M") if value else ""


def parse_local(text: str) -> datetime:
    """A datetime-local value read as Japan time; ValueError when it is not one."""
    text = text.strip()
    if len(text) > 19:
        raise ValueError(text)
    value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        raise ValueError(text)
    return value.replace(tzinfo=JST)


class FormReader:
    """Typed values from a submitted form; problems are kept per field, in Japanese."""

    def __init__(self, values: dict[str, str], lists: dict[str, list[str]]) -> None:
        self.values = values
        self.lists = lists
        self.errors: dict[str, str] = {}

    def text(self, name: str) -> str:
        return self.values.get(name, "")

    def integer(self, name: str, message: str) -> int | None:
        text = self.text(name).strip()
        if not text:
            return None
        if not text.isdigit() or len(text) > 18:
            self.errors[name] = message
            return None
        return int(text)

    def number(self, name: str, default: int = 0) -> int:
        text = self.text(name).strip()
        if not text:
            return default
        try:
            if len(text) > 7:
                raise ValueError(text)
            return int(text)
        except ValueError:
            self.errors[name] = "整数で入力してください。"
            return default

    def ids(self, name: str, message: str) -> tuple[int, ...]:
        found: list[int] = []
        for text in self.lists.get(name, []):
            if not text.isdigit() or len(text) > 18:
                self.errors[name] = message
                return ()
            found.append(int(text))
        return tuple(found)

    def day(self, name: str) -> date | None:
        text = self.text(name).strip()
        if not text:
            return None
        try:
            if len(text) != 10:
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError:
            self.errors[name] = "日付は「2026-04-01」の形で入力してください。"
            return None

    def moment(self, name: str) -> datetime | None:
        text = self.text(name).strip()
        if not text:
            return None
        try:
            return parse_local(text)
        except ValueError:
            self.errors[name] = "日時は「2026-04-01T10:00」の形（日本時間）で入力してください。"
            return None


def article_input(kind: str, reader: FormReader) -> service.ArticleInput:
    """The article of a submitted form; parse problems are left in reader.errors."""
    text = reader.text
    return service.ArticleInput(
        kind=kind, slug=text("slug").strip(), title=text("title"), summary=text("summary"),
        body_markdown=text("body_markdown"), organisation_name=text("organisation_name"),
        organisation_id=reader.integer(
            "organisation_id", "会員団体の番号は半角数字で入力してください。"
        ),
        industry=text("industry"), municipality=text("municipality"),
        interview_date=reader.day("interview_date"),
        lead_image=reader.integer("lead_image", "メイン画像を一覧から選んでください。"),
        lead_image_alt=text("lead_image_alt"),
        event_starts_at=reader.moment("event_starts_at"),
        event_ends_at=reader.moment("event_ends_at"),
        venue=text("venue"), online=text("online") == "on", organiser=text("organiser"),
        event_url=text("event_url").strip(),
        theme_ids=reader.ids("theme_ids", "テーマを一覧から選んでください。"),
        related_ids=reader.ids("related_ids", "関連する導入事例を一覧から選んでください。"),
    )  # fmt: skip


def parsed_article(kind: str, values: dict[str, str], lists: dict[str, list[str]]):
    """The input of the form, or ValidationFailed with every problem (parsing and the rules)."""
    reader = FormReader(values, lists)
    data = article_input(kind, reader)
    if reader.errors:
        raise ValidationFailed(reader.errors | service.validate_article(data))
    return data


def article_values(view: service.ArticleView) -> tuple[dict[str, str], dict[str, list[str]]]:
    """An article as form values (what the form shows before anything is submitted)."""
    values = {
        "kind": view.kind, "slug": view.slug, "title": view.title, "summary": view.summary,
        "body_markdown": view.body_markdown, "organisation_name": view.organisation_name,
        "organisation_id": str(view.organisation_id or ""), "industry": view.industry,
        "municipality": view.municipality,
        "interview_date": view.interview_date.isoformat() if view.interview_date else "",
        "lead_image": str(view.lead_image or ""), "lead_image_alt": view.lead_image_alt,
        "event_starts_at": local_input(view.event_starts_at),
        "event_ends_at": local_input(view.event_ends_at), "venue": view.venue,
        "online": "on" if view.online else "", "organiser": view.organiser,
        "event_url": view.event_url, "version": str(view.version),
    }  # fmt: skip
    lists = {
        "theme_ids": [str(t.id) for t in view.themes],
        "related_ids": [str(i) for i in view.related_ids],
    }
    return values, lists


# --- the body tools (shared with static pages) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class BodyFinding:
    """One finding of the check as the pages show it; `field` is where the link moves focus."""

    message: str
    line: int
    excerpt: str
    severity: str
    field: str = "body_markdown"


def body_findings(
    body: str, lead_image: int | None = None, lead_image_alt: str = ""
) -> list[BodyFinding]:
    """Every finding of the check (errors and warnings), the lead image first."""
    found = [
        BodyFinding(f.message, f.line, f.excerpt, f.severity)
        for f in check_markdown(body[: service.MAX_BODY_CHARS])
    ]
    if lead_image is not None and not lead_image_alt.strip():
        message = "メイン画像に代替テキスト（画像の内容の説明）を入力してください。"
        found.insert(0, BodyFinding(message, 0, "", "error", field="lead_image_alt"))
    return found


def failed_findings(exc: service.AccessibilityFailed) -> list[BodyFinding]:
    """The findings that blocked a transition, pointing at the body or the lead image's text."""
    found = []
    for f in exc.findings:
        lead = getattr(f, "rule", "") == "lead-image-alt"
        field = "lead_image_alt" if lead else "body_markdown"
        line, excerpt = getattr(f, "line", 0), getattr(f, "excerpt", "")
        found.append(BodyFinding(f.message, line, excerpt, "error", field=field))
    return found


TOO_LONG_PREVIEW = '<p class="hint">本文が長すぎるため、プレビューを表示できません。</p>'


async def preview_html(body: str) -> str:
    """The sanitised body as the public pages show it (an empty body shows a hint instead)."""
    if len(body) > service.MAX_BODY_CHARS:
        return TOO_LONG_PREVIEW
    return await render_body(body)


# --- the form page -----------------------------------------------------------------------------


async def _choices(
    article: service.ArticleView | None, values: dict[str, str], lists: dict[str, list[str]]
) -> dict[str, Any]:
    """Themes, images and case studies the form offers (bounded lists, the chosen ones kept)."""
    images = (await media.list_media("image", PageRequest.of(1, CHOICES_LIMIT))).items
    chosen_image = values.get("lead_image", "")
    known = {item.id: item for item in images}
    if chosen_image.isdigit() and len(chosen_image) <= 18 and int(chosen_image) not in known:
        known |= await media.get_media_many([int(chosen_image)])
        images = list(known.values())
    lead = (
        known.get(int(chosen_image)) if chosen_image.isdigit() and len(chosen_image) <= 18 else None
    )
    cases = (
        await service.list_articles(
            service.ArticleFilter.of(kind="case_study"), PageRequest.of(1, CHOICES_LIMIT)
        )
    ).items
    chosen_related = [int(i) for i in lists.get("related_ids", []) if i.isdigit() and len(i) <= 18]
    missing = [i for i in chosen_related if i not in {c.id for c in cases}]
    cases += await service.get_articles_brief(missing, published_only=False)
    own_id = article.id if article else None
    return {
        "theme_options": [(str(t.id), t.name) for t in await service.list_themes()],
        "image_options": [(str(i.id), f"{i.label}（{i.id}）") for i in images],
        "lead": lead,
        "related_options": [
            (str(c.id), f"{c.title}（{c.state_label}）") for c in cases if c.id != own_id
        ],
    }


async def article_form_page(
    request: Request,
    article: service.ArticleView | None,
    kind: str,
    values: dict[str, str],
    lists: dict[str, list[str]],
    status_code: int = 200,
    **context: Any,
) -> Template:
    """The edit form (new when article is None) with whatever the request has to show."""
    context.setdefault("errors", {})
    context.setdefault("findings", None)
    context.setdefault("failed", [])
    context.setdefault("workflow_errors", {})
    if "preview" not in context:
        context["preview"] = await preview_html(values.get("body_markdown", ""))
    done = str(request.query_params.get("done", ""))
    return page(
        request, "editor/article_form.html", status_code=status_code, headers=NO_STORE_HTMX,
        article=article, kind=kind, kind_label=service.KIND_LABELS[kind], values=values,
        lists=lists, labels=form_labels(kind), workflow_labels=WORKFLOW_LABELS,
        industries=list(INDUSTRY_LABELS.items()), municipalities=KUMAMOTO_MUNICIPALITIES,
        editable=can_edit(signed_in_principal(request), article),
        done_message=NOTICES.get(done), media_src=media.default_src,
        **(await _choices(article, values, lists)), **context,
    )  # fmt: skip


def can_edit(actor: Principal, article: service.ArticleView | None) -> bool:
    """The service's rule for the form: drafts by editors; a published article is corrected in
    place only with the publish right; a scheduled one after its schedule is cancelled."""
    if article is None or article.state in service.EDITABLE_STATES:
        return True
    return article.state == "published" and actor.can("articles.publish")


async def _stored_form(
    request: Request, article_id: int, status_code: int = 200, **context: Any
) -> Template:
    """The form with the article as saved (after a refused transition, or on GET)."""
    article = await service.get_article(article_id)
    values, lists = article_values(article)
    return await article_form_page(
        request, article, article.kind, values, lists, status_code, **context
    )


# --- list, new, create, edit, save -------------------------------------------------------------


@get("/console/articles", opt={"action": "articles.view_drafts"}, include_in_schema=False)
async def articles(
    request: Request,
    kind: FromQuery[str] = "",
    # "state" is reserved by Litestar: read the query key under another name.
    article_state: Annotated[str, QueryParameter(name="state", max_length=20)] = "",
    q: Annotated[str, QueryParameter(max_length=5000)] = "",
    page_number: PageNumber = 1,
) -> Template:
    filters = service.ArticleFilter.of(kind=kind, state=article_state, q=q)
    result = await service.list_articles(filters, PageRequest.of(page_number, PER_PAGE))
    params = {"kind": filters.kind, "state": filters.state, "q": filters.q}
    return page(
        request, "editor/articles.html", headers=NO_STORE_HTMX, result=result, params=params,
        kinds=service.KIND_LABELS, states=service.STATE_LABELS,
    )  # fmt: skip


@get("/console/articles/new", opt={"action": "articles.edit"}, include_in_schema=False)
async def new_article(request: Request, kind: FromQuery[str] = "") -> Response | Template:
    if kind not in service.KIND_LABELS:
        return Redirect("/console/articles#new-article", status_code=303)
    return await article_form_page(request, None, kind, {"kind": kind}, {})


@post("/console/articles", opt={"action": "articles.edit"}, include_in_schema=False)
async def create_article(request: Request) -> Response | Template:
    values, lists = await form_values(request)
    kind = values.get("kind", "")
    if kind not in service.KIND_LABELS:
        kind = "news"  # the form always sends one; a forged value gets the plainest form back
    try:
        data = parsed_article(kind, values, lists)
        view = await service.create_article(
            signed_in_principal(request), data, values.get("note", "")
        )
    except ValidationFailed as exc:
        return await article_form_page(request, None, kind, values, lists, 422, errors=exc.errors)
    return Redirect(f"/console/articles/{view.id}?done=created", status_code=303)


@get(
    "/console/articles/{article_id:int}",
    opt={"action": "articles.view_drafts"},
    include_in_schema=False,
)
async def edit_article(request: Request, article_id: FromPath[int]) -> Template:
    return await _stored_form(request, article_id)


def _version(values: dict[str, str]) -> int:
    text = values.get("version", "")
    # A missing or forged version can never match: the service answers with a conflict.
    return int(text) if text.isdigit() and len(text) <= 9 else -1


@post(
    "/console/articles/{article_id:int}", opt={"action": "articles.edit"}, include_in_schema=False
)
async def save_article(request: Request, article_id: FromPath[int]) -> Response | Template:
    values, lists = await form_values(request)
    article = await service.get_article(article_id)
    try:
        data = parsed_article(article.kind, values, lists)
        await service.update_article(
            signed_in_principal(request), article_id, data, _version(values), values.get("note", "")
        )
    except service.AccessibilityFailed as exc:  # a correction of a published article
        return await article_form_page(
            request, article, article.kind, values, lists, 422, failed=failed_findings(exc)
        )
    except ValidationFailed as exc:
        return await article_form_page(
            request, article, article.kind, values, lists, 422, errors=exc.errors
        )
    except PermissionDenied as exc:  # an editor saving a published article (an old tab)
        return await article_form_page(
            request, article, article.kind, values, lists, 403, conflict=exc.message
        )
    except Conflict as exc:
        # The user's text stays on the form; their base version too, so saving again cannot
        # overwrite the other person's work without reloading.
        return await article_form_page(
            request, article, article.kind, values, lists, 409, conflict=exc.message
        )
    return Redirect(f"/console/articles/{article_id}?done=saved", status_code=303)


# --- workflow ----------------------------------------------------------------------------------


async def _transition(request: Request, article_id: int, action: str) -> Response | Template:
    values, _ = await form_values(request)
    actor, version = signed_in_principal(request), _version(values)
    try:
        if action == "submit":
            await service.submit_for_review(actor, article_id, version)
            done = "submitted"
        elif action == "return":
            await service.return_to_draft(actor, article_id)
            done = "returned"
        elif action == "publish":
            await service.publish_now(actor, article_id, version)
            done = "published"
        elif action == "schedule":
            reader = FormReader(values, {})
            when = reader.moment("publish_at")
            if when is None:
                reader.errors.setdefault("publish_at", "公開日時を入力してください。")
            if reader.errors:
                raise ValidationFailed(reader.errors)
            assert when is not None
            await service.schedule(actor, article_id, when, version)
            done = "scheduled"
        else:
            was = (await service.get_article(article_id)).state
            await service.unpublish(actor, article_id)
            done = "unscheduled" if was == "scheduled" else "unpublished"
    except service.AccessibilityFailed as exc:
        return await _stored_form(request, article_id, 422, failed=failed_findings(exc))
    except ValidationFailed as exc:
        return await _stored_form(
            request, article_id, 422, workflow_errors=exc.errors,
            publish_at=values.get("publish_at", ""),
        )  # fmt: skip
    except Conflict as exc:
        return await _stored_form(request, article_id, 409, conflict=exc.message)
    return Redirect(f"/console/articles/{article_id}?done={done}", status_code=303)


@post(
    "/console/articles/{article_id:int}/submit",
    opt={"action": "articles.edit"},
    include_in_schema=False,
)
async def submit_article(request: Request, article_id: FromPath[int]) -> Response | Template:
    return await _transition(request, article_id, "submit")


@post(
    "/console/articles/{article_id:int}/return",
    opt={"action": "articles.edit"},
    include_in_schema=False,
)
async def return_article(request: Request, article_id: FromPath[int]) -> Response | Template:
    return await _transition(request, article_id, "return")


@post(
    "/console/articles/{article_id:int}/publish",
    opt={"action": "articles.publish"},
    include_in_schema=False,
)
async def publish_article(request: Request, article_id: FromPath[int]) -> Response | Template:
    return await _transition(request, article_id, "publish")


@post(
    "/console/articles/{article_id:int}/schedule",
    opt={"action": "articles.publish"},
    include_in_schema=False,
)
async def schedule_article(request: Request, article_id: FromPath[int]) -> Response | Template:
    return await _transition(request, article_id, "schedule")


@post(
    "/console/articles/{article_id:int}/unpublish",
    opt={"action": "articles.publish"},
    include_in_schema=False,
)
async def unpublish_article(request: Request, article_id: FromPath[int]) -> Response | Template:
    return await _transition(request, article_id, "unpublish")


# --- revisions -----------------------------------------------------------------------------------


@get(
    "/console/articles/{article_id:int}/revisions",
    opt={"action": "articles.view_drafts"},
    include_in_schema=False,
)
async def revisions(request: Request, article_id: FromPath[int]) -> Template:
    return await _revisions_page(request, article_id)


async def _revisions_page(
    request: Request, article_id: int, status_code: int = 200, **context: Any
) -> Template:
    article = await service.get_article(article_id)
    found = await service.list_revisions(article_id)
    return page(
        request, "editor/revisions.html", status_code=status_code, headers=NO_STORE_HTMX,
        article=article, revisions=found, can_restore=can_edit(signed_in_principal(request), article),
        **context,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class DiffRow:
    """A row of the body diff; kind "skipped" stands for `count` unchanged lines left out."""

    kind: str
    text: str = ""
    old_line: int | None = None
    new_line: int | None = None
    count: int = 0


def diff_rows(lines: list[service.DiffLine], context: int = DIFF_CONTEXT) -> list[DiffRow]:
    """The changed lines with a little unchanged context around them."""
    changed = [i for i, line in enumerate(lines) if line.kind != "equal"]
    keep = {j for i in changed for j in range(i - context, i + context + 1)}
    rows: list[DiffRow] = []
    skipped = 0
    for index, line in enumerate(lines):
        if index in keep:
            if skipped:
                rows.append(DiffRow("skipped", count=skipped))
                skipped = 0
            rows.append(DiffRow(line.kind, line.text, line.old_line, line.new_line))
        else:
            skipped += 1
    if skipped:
        rows.append(DiffRow("skipped", count=skipped))
    return rows


def field_text(name: str, value: Any, themes: dict[int, str], media_names: dict[int, str]) -> str:
    """A revision field's value as a person reads it."""
    if value in (None, "", []):
        return "（なし）"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if name == "theme_ids":
        return "、".join(themes.get(i, f"削除されたテーマ（{i}）") for i in value)
    if name == "related_ids":
        return "、".join(f"記事 {i}" for i in value)
    if name == "industry":
        return f"{value} {INDUSTRY_LABELS.get(value, '')}".strip()
    if name == "kind":
        return service.KIND_LABELS.get(value, str(value))
    if name == "lead_image":
        return media_names.get(value, f"メディア {value}")
    if name in ("event_starts_at", "event_ends_at"):
        try:
            return datetime.fromisoformat(value).astimezone(JST).strftime("%Y年%m月%d日 %H:%M")
        except (TypeError, ValueError):
            return str(value)
    return str(value)


@get(
    "/console/articles/{article_id:int}/diff",
    opt={"action": "articles.view_drafts"},
    include_in_schema=False,
)
async def diff(
    request: Request,
    article_id: FromPath[int],
    from_revision: RevisionNumber = 1,
    to_revision: RevisionNumber = 1,
) -> Template:
    article = await service.get_article(article_id)
    found = await service.diff_revisions(article_id, from_revision, to_revision)
    themes = {t.id: t.name for t in await service.list_themes()}
    image_ids = [
        c.before for c in found.fields if c.field == "lead_image" and isinstance(c.before, int)
    ] + [c.after for c in found.fields if c.field == "lead_image" and isinstance(c.after, int)]
    media_names = {i: m.label for i, m in (await media.get_media_many(image_ids)).items()}
    changes = [
        (
            change.label,
            field_text(change.field, change.before, themes, media_names),
            field_text(change.field, change.after, themes, media_names),
        )
        for change in found.fields
    ]
    rows = diff_rows(found.lines)
    return page(
        request, "editor/diff.html", headers=NO_STORE_HTMX, article=article, diff=found,
        changes=changes, rows=rows, body_changed=any(r.kind in ("added", "removed") for r in rows),
        can_restore=can_edit(signed_in_principal(request), article),
    )  # fmt: skip


@post(
    "/console/articles/{article_id:int}/revisions/{revision_number:int}/restore",
    opt={"action": "articles.edit"},
    include_in_schema=False,
)
async def restore(
    request: Request, article_id: FromPath[int], revision_number: FromPath[int]
) -> Response | Template:
    values, _ = await form_values(request)
    try:
        await service.restore_revision(
            signed_in_principal(request), article_id, revision_number, _version(values)
        )
    except ValidationFailed as exc:  # e.g. the slug is now another article's
        message = "この版は復元できませんでした: " + "、".join(exc.errors.values())
        return await _revisions_page(request, article_id, 422, problem=message)
    except PermissionDenied as exc:  # an editor restoring into a published article
        return await _revisions_page(request, article_id, 403, problem=exc.message)
    except Conflict as exc:
        return await _revisions_page(request, article_id, 409, problem=exc.message)
    return Redirect(f"/console/articles/{article_id}?done=restored", status_code=303)


# --- the signed preview ------------------------------------------------------------------------


@post(
    "/console/articles/{article_id:int}/preview-link",
    opt={"action": "articles.view_drafts"},
    include_in_schema=False,
)
async def preview_link(request: Request, article_id: FromPath[int]) -> Template:
    # Nothing is stored (the link is signed), so the page shows it at once instead of redirecting.
    token, expires_at = await service.create_preview_link(
        request.app.state.settings, signed_in_principal(request), article_id
    )
    url = str(request.base_url).rstrip("/") + f"/preview/{token}"
    return await _stored_form(request, article_id, preview_url=url, preview_expires=expires_at)


@get("/preview/{token:str}", opt={"action": "content.read"}, include_in_schema=False)
async def signed_preview(request: Request, token: FromPath[str]) -> Template:
    article, revision = await service.preview(request.app.state.settings, token)
    expires_at = datetime.fromtimestamp(int(token.split(".")[2]), tz=JST)
    fields = revision.fields
    lead_id = fields.get("lead_image")
    lead = None
    if isinstance(lead_id, int):
        lead = (await media.get_media_many([lead_id])).get(lead_id)
    themes = {t.id: t.name for t in await service.list_themes()}
    interview = fields.get("interview_date")
    return page(
        request, "editor/preview.html",
        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
        article=article, revision=revision, fields=fields, expires_at=expires_at,
        kind_label=service.KIND_LABELS.get(str(fields.get("kind", article.kind)), ""),
        body=await render_body(revision.body_markdown), lead=lead,
        media_src=media.default_src, media_srcset=media.srcset,
        theme_names=[themes[i] for i in fields.get("theme_ids", []) if i in themes],
        industry_label=INDUSTRY_LABELS.get(str(fields.get("industry", "")), ""),
        interview_date=date.fromisoformat(interview) if interview else None,
        starts=_when(fields.get("event_starts_at")), ends=_when(fields.get("event_ends_at")),
    )  # fmt: skip


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


ROUTES = [
    articles, new_article, create_article, edit_article, save_article, submit_article,
    return_article, publish_article, schedule_article, unpublish_article, revisions, diff,
    restore, preview_link, signed_preview,
]  # fmt: skip
