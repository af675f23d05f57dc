"""Content model and editorial workflow: themes, articles with revisions, publishing, pages.

States of an article: draft -> in_review -> (scheduled ->) published -> unpublished.
Editors (articles.edit) write and submit; publishing, scheduling and unpublishing need
articles.publish. A published article is corrected in place only by someone with the publish
right, and the correction passes the accessibility check first, so what the public sees is
always what was checked; a scheduled one is edited after its schedule is cancelled.

Every save writes a Revision and increments `version`; a save names the version it was based
on, and a stale one raises Conflict naming who saved in between. Publishing (now, scheduled,
or by the scheduler) runs the accessibility check on the body and is refused on findings.
Nothing here reads members' contacts: editors never see personal data.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from api import clock
from api.articles.generation import bump_content_generation
from api.articles.tables import Article, ArticleRelation, ArticleTheme, Page, Revision, Theme
from api.audit.service import record
from api.dates import JST
from api.db import Where, contains_sql, is_storable_id, placeholders, transaction
from api.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from api.members.reference import INDUSTRY_LABELS
from api.pagination import Page as ResultPage
from api.pagination import PageRequest, fetch_raw_page
from api.principal import Principal
from api.searching.outbox import changed as search_changed
from api.searching.outbox import changed_many as search_changed_many
from api.searching.reference import CASE_STUDIES
from api.settings import Settings
from api.text import has_control, lookup_text

KIND_LABELS: dict[str, str] = {
    "case_study": "導入事例",
    "news": "お知らせ",
    "event_info": "イベント情報",
}
STATE_LABELS: dict[str, str] = {
    "draft": "下書き",
    "in_review": "レビュー待ち",
    "scheduled": "公開予約",
    "published": "公開中",
    "unpublished": "公開停止",
}
EDITABLE_STATES = frozenset({"draft", "in_review", "unpublished"})
PUBLISHABLE_STATES = frozenset({"draft", "in_review", "unpublished"})
DEFAULT_THEMES: tuple[tuple[str, str], ...] = (
    ("業務効率化", "efficiency"),
    ("データ活用", "data"),
    ("人材育成", "talent"),
    ("生産性向上", "productivity"),
    ("顧客体験", "customer-experience"),
    ("セキュリティ", "security"),
)
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PREVIEW_TTL = timedelta(hours=24)
MAX_BODY_CHARS = 200_000
MAX_RELATED = 10

# Fields kept in a revision's JSON (everything except title, summary and body).
REVISION_FIELDS = (
    "kind", "slug", "organisation_name", "organisation_id", "industry", "municipality",
    "interview_date", "lead_image", "lead_image_alt", "event_starts_at", "event_ends_at",
    "venue", "online", "organiser", "event_url", "theme_ids", "related_ids",
)  # fmt: skip
FIELD_LABELS: dict[str, str] = {
    "title": "タイトル", "summary": "概要", "kind": "種類", "slug": "スラッグ",
    "organisation_name": "団体名", "organisation_id": "会員団体", "industry": "業種",
    "municipality": "市町村", "interview_date": "取材日", "lead_image": "メイン画像",
    "lead_image_alt": "メイン画像の代替テキスト", "event_starts_at": "開始日時",
    "event_ends_at": "終了日時", "venue": "会場", "online": "オンライン開催",
    "organiser": "主催者", "event_url": "イベントURL", "theme_ids": "テーマ",
    "related_ids": "関連記事",
}  # fmt: skip


class AccessibilityFailed(ValidationFailed):
    """The accessibility check found problems; `findings` lists them by line for the pages."""

    def __init__(self, findings: list[Any]) -> None:
        errors = {
            f"accessibility.{index}": _finding_text(finding)
            for index, finding in enumerate(findings, start=1)
        }
        super().__init__(
            errors,
            f"アクセシビリティの確認で{len(findings)}件の問題が見つかりました。"
            "修正してから再度お試しください。",
        )
        self.findings = findings


def _finding_text(finding: Any) -> str:
    where = f"{finding.line}行目: " if getattr(finding, "line", 0) else ""
    excerpt = f"（{finding.excerpt}）" if getattr(finding, "excerpt", "") else ""
    return f"{where}{finding.message}{excerpt}"


@dataclass(frozen=True, slots=True)
class LeadImageFinding:
    """A finding about the lead image (not part of the body, so checked here)."""

    rule: str
    message: str
    line: int = 0
    excerpt: str = ""


# --- Themes ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThemeView:
    id: int
    name: str
    slug: str
    position: int


def _theme_view(row: dict[str, Any]) -> ThemeView:
    return ThemeView(id=row["id"], name=row["name"], slug=row["slug"], position=row["position"])


async def ensure_themes() -> None:
    """Seed the default themes once (when there are none at all)."""
    async with transaction():
        if await Theme.count() == 0:
            await Theme.insert(
                *[
                    Theme(name=name, slug=slug, position=index)
                    for index, (name, slug) in enumerate(DEFAULT_THEMES, start=1)
                ]
            )


async def list_themes() -> list[ThemeView]:
    await ensure_themes()
    rows = await Theme.select().order_by(Theme.position).order_by(Theme.id)
    return [_theme_view(row) for row in rows]


def _theme_problems(name: str, slug: str, position: int) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not -10000 <= position <= 10000:
        errors["position"] = "表示順は-10000〜10000の整数にしてください。"
    if not name.strip() or len(name.strip()) > 60:
        errors["name"] = "テーマ名を60文字以内で入力してください。"
    if not SLUG_PATTERN.match(slug) or len(slug) > 60:
        errors["slug"] = "スラッグは半角英小文字・数字・ハイフンで60文字以内にしてください。"
    return errors


async def save_theme(
    actor: Principal, theme_id: int | None, name: str, slug: str, position: int
) -> ThemeView:
    """Create (theme_id None) or change a theme."""
    _require(actor, "articles.edit")
    errors = _theme_problems(name, slug, position) | _control_problems(
        {"name": name, "slug": slug}, set()
    )
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        await ensure_themes()
        clash = Theme.select(Theme.id).where(Theme.slug == slug)
        if theme_id is not None:
            await _existing_theme(theme_id)
            clash = clash.where(Theme.id != theme_id)
        if await clash:
            raise ValidationFailed({"slug": "このスラッグはほかのテーマで使われています。"})
        values = {Theme.name: name.strip(), Theme.slug: slug, Theme.position: position}
        if theme_id is None:
            rows = await Theme.insert(Theme(**{c._meta.name: v for c, v in values.items()}))
            theme_id = int(rows[0]["id"])
            await record(actor, "theme.create", "theme", theme_id, target_label=name)
        else:
            await Theme.update(values).where(Theme.id == theme_id)
            await record(actor, "theme.update", "theme", theme_id, target_label=name)
        await bump_content_generation()
        tagged = await ArticleTheme.select(ArticleTheme.article).where(
            ArticleTheme.theme == theme_id
        )
        await search_changed_many(CASE_STUDIES, [row["article"] for row in tagged])
        row = await Theme.select().where(Theme.id == theme_id).first()
    assert row is not None
    return _theme_view(row)


async def _existing_theme(theme_id: int) -> None:
    if not is_storable_id(theme_id) or not await Theme.exists().where(Theme.id == theme_id):
        raise NotFound("指定されたテーマは見つかりませんでした。")


# --- Articles: input, views ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleInput:
    kind: str
    slug: str
    title: str
    summary: str = ""
    body_markdown: str = ""
    organisation_name: str = ""
    organisation_id: int | None = None
    industry: str = ""
    municipality: str = ""
    interview_date: date | None = None
    lead_image: int | None = None
    lead_image_alt: str = ""
    event_starts_at: datetime | None = None
    event_ends_at: datetime | None = None
    venue: str = ""
    online: bool = False
    organiser: str = ""
    event_url: str = ""
    theme_ids: tuple[int, ...] = ()
    related_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleView:
    id: int
    kind: str
    slug: str
    title: str
    summary: str
    body_markdown: str
    state: str
    publish_at: datetime | None
    published_at: datetime | None
    first_published_at: datetime | None
    updated_at: datetime
    version: int
    organisation_name: str
    organisation_id: int | None
    industry: str
    municipality: str
    interview_date: date | None
    lead_image: int | None
    lead_image_alt: str
    event_starts_at: datetime | None
    event_ends_at: datetime | None
    venue: str
    online: bool
    organiser: str
    event_url: str
    themes: list[ThemeView] = field(default_factory=list)
    related_ids: list[int] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def industry_label(self) -> str:
        return INDUSTRY_LABELS.get(self.industry, "")

    def as_input(self) -> ArticleInput:
        return ArticleInput(
            kind=self.kind, slug=self.slug, title=self.title, summary=self.summary,
            body_markdown=self.body_markdown, organisation_name=self.organisation_name,
            organisation_id=self.organisation_id, industry=self.industry,
            municipality=self.municipality, interview_date=self.interview_date,
            lead_image=self.lead_image, lead_image_alt=self.lead_image_alt,
            event_starts_at=self.event_starts_at, event_ends_at=self.event_ends_at,
            venue=self.venue, online=self.online, organiser=self.organiser,
            event_url=self.event_url, theme_ids=tuple(t.id for t in self.themes),
            related_ids=tuple(self.related_ids),
        )  # fmt: skip


def _article_view(
    row: dict[str, Any], themes: list[ThemeView], related: list[int] | None = None
) -> ArticleView:
    return ArticleView(
        id=row["id"], kind=row["kind"], slug=row["slug"], title=row["title"],
        summary=row["summary"], body_markdown=row["body_markdown"], state=row["state"],
        publish_at=row["publish_at"], published_at=row["published_at"],
        first_published_at=row["first_published_at"], updated_at=row["updated_at"],
        version=row["version"], organisation_name=row["organisation_name"],
        organisation_id=row["organisation"], industry=row["industry"],
        municipality=row["municipality"], interview_date=row["interview_date"],
        lead_image=row["lead_image"], lead_image_alt=row["lead_image_alt"],
        event_starts_at=row["event_starts_at"], event_ends_at=row["event_ends_at"],
        venue=row["venue"], online=bool(row["online"]), organiser=row["organiser"],
        event_url=row["event_url"], themes=themes, related_ids=related or [],
    )  # fmt: skip


async def _themes_of(article_ids: list[int]) -> dict[int, list[ThemeView]]:
    """The themes of many articles in one query (no N+1 on list pages). Written out: every list
    page and API list runs it, and the ORM spent longer building the join than it ran."""
    found: dict[int, list[ThemeView]] = {article_id: [] for article_id in article_ids}
    if not article_ids:
        return found
    sql = (
        "SELECT link.article, t.id AS theme_id, t.name AS theme_name, t.slug AS theme_slug, "  # noqa: S608
        "t.position AS theme_position FROM article_theme link JOIN theme t ON t.id = link.theme "
        f"WHERE link.article IN ({placeholders(article_ids)}) ORDER BY t.position, link.id"
    )
    rows = await ArticleTheme.raw(sql, *article_ids)
    for row in rows:
        found[row["article"]].append(
            ThemeView(
                id=row["theme_id"],
                name=row["theme_name"],
                slug=row["theme_slug"],
                position=row["theme_position"],
            )
        )
    return found


async def _row(article_id: int) -> dict[str, Any]:
    row = None
    if is_storable_id(article_id):
        row = await Article.select().where(Article.id == article_id).first()
    if row is None:
        raise NotFound("指定された記事は見つかりませんでした。")
    return row


async def get_article(article_id: int) -> ArticleView:
    """Any state (for editors)."""
    return await _full_view(await _row(article_id))


async def _full_view(row: dict[str, Any]) -> ArticleView:
    """An article's row with its themes and related articles (two queries)."""
    article_id = row["id"]
    themes = await _themes_of([article_id])
    related = (
        await ArticleRelation.select(ArticleRelation.related)
        .where(ArticleRelation.article == article_id)
        .order_by(ArticleRelation.position)
    )
    return _article_view(row, themes[article_id], [r["related"] for r in related])


def _require(actor: Principal, action_name: str) -> None:
    if not actor.can(action_name):
        raise PermissionDenied()


def _is_http_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


CONTROL_MESSAGE = "使用できない制御文字が含まれています。"


def _control_problems(values: dict[str, str], multiline: set[str]) -> dict[str, str]:
    # Line breaks (CR among them: Markdown arrives as typed) and tabs only in multiline fields.
    return {
        name: CONTROL_MESSAGE
        for name, value in values.items()
        if has_control(value, allowed="\n\r\t" if name in multiline else "")
    }


def validate_article(data: ArticleInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.kind not in KIND_LABELS:
        errors["kind"] = "記事の種類を選んでください。"
    if not SLUG_PATTERN.match(data.slug) or len(data.slug) > 120:
        errors["slug"] = (
            "スラッグは半角英小文字・数字・ハイフン（先頭と末尾以外）で120文字以内にしてください。"
        )
    if not data.title.strip():
        errors["title"] = "タイトルを入力してください。"
    elif len(data.title) > 200:
        errors["title"] = "タイトルは200文字以内で入力してください。"
    if len(data.summary) > 1000:
        errors["summary"] = "概要は1000文字以内で入力してください。"
    if len(data.body_markdown) > MAX_BODY_CHARS:
        errors["body_markdown"] = f"本文は{MAX_BODY_CHARS:,}文字以内にしてください。"
    if data.industry and data.industry not in INDUSTRY_LABELS:
        errors["industry"] = "業種を一覧から選んでください。"
    if len(data.municipality) > 40:
        errors["municipality"] = "市町村名は40文字以内で入力してください。"
    for name in ("organisation_name", "venue", "organiser"):
        if len(getattr(data, name)) > 200:
            errors[name] = f"{FIELD_LABELS[name]}は200文字以内で入力してください。"
    if data.lead_image is not None and not is_storable_id(data.lead_image):
        errors["lead_image"] = "メイン画像の指定が正しくありません。"
    if len(data.lead_image_alt) > 300:
        errors["lead_image_alt"] = "代替テキストは300文字以内で入力してください。"
    if data.organisation_id is not None and not is_storable_id(data.organisation_id):
        errors["organisation_id"] = "会員団体の指定が正しくありません。"
    for name in ("event_starts_at", "event_ends_at"):
        value = getattr(data, name)
        if value is not None and value.tzinfo is None:
            errors[name] = f"{FIELD_LABELS[name]}はタイムゾーン付きで指定してください。"
    if (
        "event_starts_at" not in errors
        and "event_ends_at" not in errors
        and data.event_starts_at
        and data.event_ends_at
        and data.event_ends_at < data.event_starts_at
    ):
        errors["event_ends_at"] = "終了日時は開始日時より後にしてください。"
    if data.event_url and (len(data.event_url) > 500 or not _is_http_url(data.event_url)):
        errors["event_url"] = "イベントURLは http:// または https:// で始まるURLにしてください。"
    if len(data.theme_ids) > 20 or any(not is_storable_id(i) for i in data.theme_ids):
        errors["theme_ids"] = "テーマの指定が正しくありません。"
    if len(data.related_ids) > MAX_RELATED or any(not is_storable_id(i) for i in data.related_ids):
        errors["related_ids"] = f"関連記事は{MAX_RELATED}件まで、正しく指定してください。"
    texts = {
        name: getattr(data, name)
        for name in (
            "kind", "slug", "title", "summary", "body_markdown", "organisation_name", "industry",
            "municipality", "lead_image_alt", "venue", "organiser", "event_url",
        )
    }  # fmt: skip
    return _control_problems(texts, {"summary", "body_markdown"}) | errors


async def _check_references(data: ArticleInput, article_id: int | None) -> None:
    from api.members.tables import Organisation

    errors: dict[str, str] = {}
    clash = Article.select(Article.id).where(Article.kind == data.kind, Article.slug == data.slug)
    if article_id is not None:
        clash = clash.where(Article.id != article_id)
    if await clash:
        errors["slug"] = "同じ種類の記事でこのスラッグはすでに使われています。"
    theme_ids = set(data.theme_ids)
    if theme_ids and await Theme.count().where(Theme.id.is_in(list(theme_ids))) != len(theme_ids):
        errors["theme_ids"] = "存在しないテーマが含まれています。"
    related = set(data.related_ids)
    if article_id is not None and article_id in related:
        errors["related_ids"] = "記事自身を関連記事にはできません。"
    elif related and await Article.count().where(Article.id.is_in(list(related))) != len(related):
        errors["related_ids"] = "存在しない記事が含まれています。"
    if data.organisation_id is not None and not await Organisation.exists().where(
        Organisation.id == data.organisation_id
    ):
        errors["organisation_id"] = "指定された会員団体は見つかりませんでした。"
    if errors:
        raise ValidationFailed(errors)


def _columns(data: ArticleInput) -> dict[Any, Any]:
    return {
        Article.kind: data.kind, Article.slug: data.slug, Article.title: data.title.strip(),
        Article.summary: data.summary, Article.body_markdown: data.body_markdown,
        Article.organisation_name: data.organisation_name.strip(),
        Article.organisation: data.organisation_id, Article.industry: data.industry,
        Article.municipality: data.municipality.strip(), Article.interview_date: data.interview_date,
        Article.lead_image: data.lead_image, Article.lead_image_alt: data.lead_image_alt.strip(),
        Article.event_starts_at: data.event_starts_at, Article.event_ends_at: data.event_ends_at,
        Article.venue: data.venue.strip(), Article.online: data.online,
        Article.organiser: data.organiser.strip(), Article.event_url: data.event_url.strip(),
    }  # fmt: skip


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def revision_fields(data: ArticleInput) -> dict[str, Any]:
    values = asdict(data)
    return {name: _json_value(values[name]) for name in REVISION_FIELDS}


def _input_from_revision(revision: dict[str, Any]) -> ArticleInput:
    fields = revision["fields"]
    if isinstance(fields, str):
        import json

        fields = json.loads(fields or "{}")

    def when(name: str) -> datetime | None:
        value = fields.get(name)
        return datetime.fromisoformat(value) if value else None

    interview = fields.get("interview_date")
    return ArticleInput(
        kind=fields.get("kind", "news"), slug=fields.get("slug", ""), title=revision["title"],
        summary=revision["summary"], body_markdown=revision["body_markdown"],
        organisation_name=fields.get("organisation_name", ""),
        organisation_id=fields.get("organisation_id"), industry=fields.get("industry", ""),
        municipality=fields.get("municipality", ""),
        interview_date=date.fromisoformat(interview) if interview else None,
        lead_image=fields.get("lead_image"), lead_image_alt=fields.get("lead_image_alt", ""),
        event_starts_at=when("event_starts_at"), event_ends_at=when("event_ends_at"),
        venue=fields.get("venue", ""), online=bool(fields.get("online", False)),
        organiser=fields.get("organiser", ""), event_url=fields.get("event_url", ""),
        theme_ids=tuple(fields.get("theme_ids", ())),
        related_ids=tuple(fields.get("related_ids", ())),
    )  # fmt: skip


async def _write_links(article_id: int, data: ArticleInput) -> None:
    await ArticleTheme.delete().where(ArticleTheme.article == article_id)
    if data.theme_ids:
        await ArticleTheme.insert(
            *[ArticleTheme(article=article_id, theme=t) for t in dict.fromkeys(data.theme_ids)]
        )
    await ArticleRelation.delete().where(ArticleRelation.article == article_id)
    if data.related_ids:
        await ArticleRelation.insert(
            *[
                ArticleRelation(article=article_id, related=r, position=i)
                for i, r in enumerate(dict.fromkeys(data.related_ids))
            ]
        )


async def _add_revision(actor: Principal | None, article_id: int, data: ArticleInput, note: str):
    last = (
        await Revision.select(Revision.number)
        .where(Revision.article == article_id)
        .order_by(Revision.number, ascending=False)
        .first()
    )
    number = (last["number"] if last else 0) + 1
    await Revision.insert(
        Revision(
            article=article_id,
            number=number,
            title=data.title.strip(),
            summary=data.summary,
            body_markdown=data.body_markdown,
            fields=revision_fields(data),
            saved_by=actor.account_id if actor else None,
            saved_by_label=(actor.display_name or actor.email)[:100] if actor else "system",
            saved_at=clock.now(),
            note=note[:300],
        )
    )
    return number


async def _content_changed(article_id: int) -> None:
    """An article changed (inside the caller's transaction): cached pages key on the content
    generation, and the search index hears of it through the outbox (a case study that is not
    published has no entry, so unpublishing removes it)."""
    await bump_content_generation()
    await search_changed(CASE_STUDIES, article_id)


async def create_article(actor: Principal, data: ArticleInput, note: str = "") -> ArticleView:
    """A new draft with its first revision."""
    _require(actor, "articles.edit")
    errors = validate_article(data)
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        await _check_references(data, None)
        now = clock.now()
        values = {c._meta.name: v for c, v in _columns(data).items()}
        rows = await Article.insert(
            Article(**values, state="draft", version=1, created_by=actor.account_id, updated_at=now)
        ).returning(Article.id)
        article_id = int(rows[0]["id"])
        await _write_links(article_id, data)
        await _add_revision(actor, article_id, data, note or "作成")
        await record(
            actor, "article.create", "article", article_id, target_label=data.title,
            after={"kind": data.kind, "slug": data.slug, "state": "draft"},
        )  # fmt: skip
        await _content_changed(article_id)
    return await get_article(article_id)


async def _stale(article_id: int, base_version: int) -> Conflict:
    latest = (
        await Revision.select(Revision.saved_by_label, Revision.saved_at)
        .where(Revision.article == article_id)
        .order_by(Revision.number, ascending=False)
        .first()
    )
    who = latest["saved_by_label"] if latest else "ほかの編集者"
    when = latest["saved_at"].astimezone(JST).strftime("%Y年%m月%d日 %H:%M") if latest else ""
    return Conflict(
        f"この記事は、編集を始めた後に{who}さんが{when}に保存しています"
        f"（あなたの編集元は第{base_version}版です）。上書きを防ぐため保存しませんでした。"
        "最新の内容を読み込み直してから、変更をやり直してください。"
    )


async def update_article(
    actor: Principal, article_id: int, data: ArticleInput, base_version: int, note: str = ""
) -> ArticleView:
    """Save a draft based on `base_version`; a newer save in between raises Conflict."""
    _require(actor, "articles.edit")
    errors = validate_article(data)
    if errors:
        raise ValidationFailed(errors)
    return await _save(actor, article_id, data, base_version, note, "article.update")


async def _save(
    actor: Principal, article_id: int, data: ArticleInput, base_version: int, note: str, verb: str
) -> ArticleView:
    async with transaction():
        row = await _row(article_id)
        if row["state"] == "published":
            # A correction goes live at once, so it needs the publish right and the check.
            if not actor.can("articles.publish"):
                raise PermissionDenied(
                    "公開中の記事を変更できるのは公開の権限を持つ人だけです。"
                    "事務局スタッフに修正を依頼してください。"
                )
        elif row["state"] not in EDITABLE_STATES:
            raise Conflict(
                f"{STATE_LABELS[row['state']]}の記事は編集できません。"
                "予約を取り消してから編集してください。"
            )
        if row["version"] != base_version:
            raise await _stale(article_id, base_version)
        await _check_references(data, article_id)
        if row["state"] == "published":
            findings = accessibility_findings(
                data.body_markdown, data.lead_image, data.lead_image_alt
            )
            if findings:
                raise AccessibilityFailed(findings)
        # Edits after submission go back to draft: the review covers what was submitted.
        state = "draft" if row["state"] == "in_review" else row["state"]
        values = _columns(data) | {
            Article.version: base_version + 1, Article.updated_at: clock.now(),
            Article.state: state,
        }  # fmt: skip
        updated = (
            await Article.update(values)
            .where(Article.id == article_id, Article.version == base_version)
            .returning(Article.id)
        )
        if not updated:  # a concurrent writer won between the read and the update
            raise await _stale(article_id, base_version)
        await _write_links(article_id, data)
        number = await _add_revision(actor, article_id, data, note)
        await record(
            actor, verb, "article", article_id, target_label=data.title,
            before={"version": base_version, "state": row["state"]},
            after={"version": base_version + 1, "revision": number, "state": state},
        )  # fmt: skip
        await _content_changed(article_id)
    return await get_article(article_id)


# --- Accessibility and transitions ------------------------------------------------------------


def accessibility_findings(body_markdown: str, lead_image: int | None, alt: str) -> list[Any]:
    from api.articles.accessibility import check_markdown

    # Warnings are shown by the editor pages; only errors block submitting and publishing.
    findings: list[Any] = [
        f for f in check_markdown(body_markdown) if getattr(f, "severity", "error") == "error"
    ]
    if lead_image is not None and not alt.strip():
        findings.insert(
            0,
            LeadImageFinding(
                "lead-image-alt", "メイン画像に代替テキスト（画像の内容の説明）を入力してください。"
            ),
        )
    return findings


def _check_accessibility(row: dict[str, Any]) -> None:
    findings = accessibility_findings(
        row["body_markdown"], row["lead_image"], row["lead_image_alt"]
    )
    if findings:
        raise AccessibilityFailed(findings)


async def _transition(
    actor: Principal | None,
    article_id: int,
    allowed_from: Iterable[str],
    verb: str,
    values: dict[Any, Any],
    *,
    check: bool = False,
    version: int | None = None,
) -> ArticleView:
    async with transaction():
        row = await _row(article_id)
        if version is not None and row["version"] != version:
            raise await _stale(article_id, version)
        if row["state"] not in allowed_from:
            raise Conflict(
                f"{STATE_LABELS.get(row['state'], row['state'])}の記事にはこの操作はできません。"
            )
        if check:
            _check_accessibility(row)
        values = {Article.updated_at: clock.now(), **values}
        await Article.update(values).where(Article.id == article_id)
        after = {
            c._meta.name: _json_value(v) for c, v in values.items() if c is not Article.updated_at
        }
        await record(
            actor, verb, "article", article_id, target_label=row["title"],
            before={"state": row["state"]}, after=after,
        )  # fmt: skip
        await _content_changed(article_id)
    return await get_article(article_id)


async def submit_for_review(
    actor: Principal, article_id: int, version: int | None = None
) -> ArticleView:
    """draft -> in_review; the accessibility check must pass."""
    _require(actor, "articles.edit")
    return await _transition(
        actor, article_id, {"draft"}, "article.submit", {Article.state: "in_review"},
        check=True, version=version,
    )  # fmt: skip


async def return_to_draft(actor: Principal, article_id: int) -> ArticleView:
    """in_review -> draft (the editor withdraws it, or the reviewer sends it back)."""
    _require(actor, "articles.edit")
    return await _transition(
        actor, article_id, {"in_review"}, "article.return", {Article.state: "draft"}
    )


def _published_values(row_first: datetime | None, when: datetime) -> dict[Any, Any]:
    return {
        Article.state: "published",
        Article.published_at: when,
        Article.first_published_at: row_first or when,
        Article.publish_at: None,
    }


async def publish_now(actor: Principal, article_id: int, version: int | None = None) -> ArticleView:
    _require(actor, "articles.publish")
    async with transaction():  # first_published_at is read in the same transaction
        row = await _row(article_id)
        return await _transition(
            actor, article_id, PUBLISHABLE_STATES, "article.publish",
            _published_values(row["first_published_at"], clock.now()),
            check=True, version=version,
        )  # fmt: skip


async def schedule(
    actor: Principal, article_id: int, publish_at: datetime, version: int | None = None
) -> ArticleView:
    """Publish later; the scheduler publishes it once publish_at has passed."""
    from api.jobs import service as jobs

    _require(actor, "articles.publish")
    if publish_at.tzinfo is None:
        raise ValidationFailed({"publish_at": "公開日時はタイムゾーン付きで指定してください。"})
    now = clock.now()
    if publish_at <= now:
        raise ValidationFailed({"publish_at": "公開日時は現在より後の日時にしてください。"})
    if publish_at > now + timedelta(days=366 * 2):
        raise ValidationFailed({"publish_at": "公開日時は2年以内にしてください。"})
    async with transaction():
        view = await _transition(
            actor, article_id, PUBLISHABLE_STATES, "article.schedule",
            {Article.state: "scheduled", Article.publish_at: publish_at},
            check=True, version=version,
        )  # fmt: skip
        # A job at the due time publishes on the minute; the worker's periodic check
        # (publish_due from the database state) covers a lost queue or a restart.
        await jobs.enqueue("articles.publish_due", {}, delay=publish_at - now)
    return view


async def unpublish(actor: Principal, article_id: int) -> ArticleView:
    """published -> unpublished; scheduled -> draft (the schedule is cancelled)."""
    _require(actor, "articles.publish")
    async with transaction():
        return await _unpublish(actor, article_id)


async def _unpublish(actor: Principal, article_id: int) -> ArticleView:
    row = await _row(article_id)
    if row["state"] == "scheduled":
        return await _transition(
            actor, article_id, {"scheduled"}, "article.unschedule",
            {Article.state: "draft", Article.publish_at: None},
        )  # fmt: skip
    return await _transition(
        actor, article_id, {"published"}, "article.unpublish", {Article.state: "unpublished"}
    )


async def publish_due(now: datetime | None = None) -> list[int]:
    """Publish every scheduled article whose time has come (found from the database state).

    An article whose check now fails (the checker became stricter) stays scheduled and is
    reported in the audit log, so nothing inaccessible goes live.
    """
    now = now or clock.now()
    due = (
        await Article.select(Article.id)
        .where(Article.state == "scheduled", Article.publish_at <= now)
        .order_by(Article.publish_at)
    )
    published: list[int] = []
    for item in due:
        async with transaction():
            row = (
                await Article.select()
                .where(Article.id == item["id"], Article.state == "scheduled")
                .first()
            )
            if row is None:  # another worker published or someone cancelled it
                continue
            findings = accessibility_findings(
                row["body_markdown"], row["lead_image"], row["lead_image_alt"]
            )
            if findings:
                await Article.update({Article.state: "draft", Article.publish_at: None}).where(
                    Article.id == row["id"]
                )
                await record(
                    None, "article.schedule_failed", "article", row["id"],
                    target_label=row["title"], before={"state": "scheduled"},
                    after={"state": "draft", "findings": [_finding_text(f) for f in findings]},
                )  # fmt: skip
                continue
            when = row["publish_at"]
            await Article.update(
                _published_values(row["first_published_at"], when) | {Article.updated_at: now}
            ).where(Article.id == row["id"])
            await record(
                None, "article.publish", "article", row["id"], target_label=row["title"],
                before={"state": "scheduled"},
                after={"state": "published", "published_at": when.isoformat()},
            )  # fmt: skip
            await _content_changed(row["id"])
            published.append(row["id"])
    return published


async def publish_due_job(settings: Settings, payload: dict[str, Any]) -> None:
    """Worker handler of the job kind articles.publish_due."""
    await publish_due()


# --- Revisions, diff, restore -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RevisionView:
    number: int
    title: str
    summary: str
    body_markdown: str
    fields: dict[str, Any]
    saved_by_label: str
    saved_at: datetime
    note: str


def _revision_view(row: dict[str, Any]) -> RevisionView:
    fields = row["fields"]
    if isinstance(fields, str):
        import json

        fields = json.loads(fields or "{}")
    return RevisionView(
        number=row["number"], title=row["title"], summary=row["summary"],
        body_markdown=row["body_markdown"], fields=fields, saved_by_label=row["saved_by_label"],
        saved_at=row["saved_at"], note=row["note"],
    )  # fmt: skip


async def list_revisions(article_id: int) -> list[RevisionView]:
    """Newest first."""
    await _row(article_id)
    rows = (
        await Revision.select()
        .where(Revision.article == article_id)
        .order_by(Revision.number, ascending=False)
    )
    return [_revision_view(row) for row in rows]


async def _revision(article_id: int, number: int) -> dict[str, Any]:
    row = None
    if is_storable_id(number):
        row = (
            await Revision.select()
            .where(Revision.article == article_id, Revision.number == number)
            .first()
        )
    if row is None:
        raise NotFound("指定された版は見つかりませんでした。")
    return row


async def get_revision(article_id: int, number: int) -> RevisionView:
    await _row(article_id)
    return _revision_view(await _revision(article_id, number))


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: str  # equal / added / removed
    text: str
    old_line: int | None
    new_line: int | None


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    label: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class RevisionDiff:
    from_number: int
    to_number: int
    fields: list[FieldChange]
    lines: list[DiffLine]


def diff_lines(old: str, new: str) -> list[DiffLine]:
    """Line diff of two texts, every line kept (equal ones too) with its line numbers."""
    a, b = old.splitlines(), new.splitlines()
    result: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            result += [DiffLine("equal", a[i], i + 1, j1 + (i - i1) + 1) for i in range(i1, i2)]
            continue
        result += [DiffLine("removed", a[i], i + 1, None) for i in range(i1, i2)]
        result += [DiffLine("added", b[j], None, j + 1) for j in range(j1, j2)]
    return result


async def diff_revisions(article_id: int, from_number: int, to_number: int) -> RevisionDiff:
    await _row(article_id)
    old = _revision_view(await _revision(article_id, from_number))
    new = _revision_view(await _revision(article_id, to_number))
    changes = [
        FieldChange(name, FIELD_LABELS[name], getattr(old, name), getattr(new, name))
        for name in ("title", "summary")
        if getattr(old, name) != getattr(new, name)
    ]
    for name in REVISION_FIELDS:
        before, after = old.fields.get(name), new.fields.get(name)
        if before != after:
            changes.append(FieldChange(name, FIELD_LABELS[name], before, after))
    return RevisionDiff(
        from_number, to_number, changes, diff_lines(old.body_markdown, new.body_markdown)
    )


async def restore_revision(
    actor: Principal, article_id: int, number: int, base_version: int
) -> ArticleView:
    """Make an old revision the current text again (as a new revision; nothing is lost)."""
    _require(actor, "articles.edit")
    revision = await _revision(article_id, number)
    data = _input_from_revision(revision)
    # Themes or related articles deleted since then are dropped rather than refused.
    theme_ids = {r["id"] for r in await Theme.select(Theme.id)}
    related = {
        r["id"]
        for r in await Article.select(Article.id).where(Article.id.is_in(list(data.related_ids)))
    } if data.related_ids else set()  # fmt: skip
    data = replace(
        data,
        theme_ids=tuple(t for t in data.theme_ids if t in theme_ids),
        related_ids=tuple(r for r in data.related_ids if r in related),
    )
    return await _save(
        actor, article_id, data, base_version, f"第{number}版から復元", "article.restore"
    )


# --- Signed preview links ---------------------------------------------------------------------


def _signature(settings: Settings, article_id: int, number: int, expires: int) -> str:
    message = f"article-preview:{article_id}:{number}:{expires}".encode()
    return hmac.new(settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def preview_token(
    settings: Settings, article_id: int, number: int, ttl: timedelta = PREVIEW_TTL
) -> tuple[str, datetime]:
    """A token for a preview of one revision that expires (for people without an account)."""
    expires_at = clock.now() + ttl
    expires = int(expires_at.timestamp())
    token = f"{article_id}.{number}.{expires}.{_signature(settings, article_id, number, expires)}"
    return token, expires_at


def verify_preview_token(settings: Settings, token: str) -> tuple[int, int]:
    """(article id, revision number) of a valid token; NotFound when tampered or expired."""
    invalid = NotFound("プレビューのリンクが正しくないか、有効期限が切れています。")
    parts = token.split(".")
    if len(parts) != 4 or len(token) > 200 or not all(p.isdigit() for p in parts[:3]):
        raise invalid
    article_id, number, expires = int(parts[0]), int(parts[1]), int(parts[2])
    expected = _signature(settings, article_id, number, expires)
    if not hmac.compare_digest(expected, parts[3]):
        raise invalid
    if expires < clock.now().timestamp():
        raise invalid
    return article_id, number


async def create_preview_link(
    settings: Settings, actor: Principal, article_id: int, number: int | None = None
) -> tuple[str, datetime]:
    """A preview token of a revision (the latest one when number is None)."""
    _require(actor, "articles.view_drafts")
    await _row(article_id)
    if number is None:
        latest = (
            await Revision.select(Revision.number)
            .where(Revision.article == article_id)
            .order_by(Revision.number, ascending=False)
            .first()
        )
        if latest is None:
            raise NotFound("指定された版は見つかりませんでした。")
        number = int(latest["number"])
    else:
        await _revision(article_id, number)
    return preview_token(settings, article_id, number)


async def preview(settings: Settings, token: str) -> tuple[ArticleView, RevisionView]:
    """The article and the revision a valid preview token names."""
    article_id, number = verify_preview_token(settings, token)
    return await get_article(article_id), await get_revision(article_id, number)


# --- Listing ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    kind: str = ""
    industry: str = ""
    theme: str = ""  # a theme slug
    municipality: str = ""
    state: str = ""  # editors' lists only
    q: str = ""  # title contains (editors' lists)

    @classmethod
    def of(cls, **values: str) -> ArticleFilter:
        """Unknown values are dropped (a filter never fails)."""
        kind = values.get("kind", "")
        industry = values.get("industry", "")
        state = values.get("state", "")
        return cls(
            kind=kind if kind in KIND_LABELS else "",
            industry=industry if industry in INDUSTRY_LABELS else "",
            theme=lookup_text(values.get("theme", ""), 60),
            municipality=lookup_text(values.get("municipality", ""), 40),
            state=state if state in STATE_LABELS else "",
            q=lookup_text(values.get("q", ""), 100),
        )


def _filtered(filters: ArticleFilter, published_only: bool) -> Where:
    """The list's WHERE clause, written out (every list page and API list runs it)."""
    where = Where()
    if published_only:
        where.add("state = 'published'")
    elif filters.state:
        where.add("state = {}", filters.state)
    if filters.kind:
        where.add("kind = {}", filters.kind)
    if filters.industry:
        where.add("industry = {}", filters.industry)
    if filters.municipality:
        where.add("municipality = {}", filters.municipality)
    if filters.q:
        where.add(*contains_sql("title", filters.q))
    if filters.theme:
        where.add(
            "id IN (SELECT link.article FROM article_theme link "
            "JOIN theme t ON t.id = link.theme WHERE t.slug = {})",
            filters.theme,
        )
    return where


# Orders of the public lists (the API's `sort`), written out.
SORTS: dict[str, str] = {
    "newest": "published_at DESC",
    "oldest": "published_at ASC",
    "title": "title ASC",
    "event_date": "event_starts_at ASC",
}


async def _list(
    filters: ArticleFilter, request: PageRequest, published_only: bool, sort: str = "newest"
) -> ResultPage[ArticleView]:
    order = SORTS.get(sort, SORTS["newest"]) if published_only else "updated_at DESC"
    rows, total = await fetch_raw_page(
        Article, "article", "*", _filtered(filters, published_only), f"{order}, id DESC", request
    )
    themes = await _themes_of([row["id"] for row in rows])
    items = [_article_view(row, themes[row["id"]]) for row in rows]
    return ResultPage(items, total, request.page, request.per_page)


async def list_published(
    filters: ArticleFilter, request: PageRequest, sort: str = "newest"
) -> ResultPage[ArticleView]:
    """Published articles in a SORTS order, newest first by default (at most three queries,
    whatever the page size); an unknown sort falls back to newest."""
    return await _list(replace(filters, state="", q=""), request, published_only=True, sort=sort)


async def list_articles(filters: ArticleFilter, request: PageRequest) -> ResultPage[ArticleView]:
    """Every article in any state, last changed first (editors)."""
    return await _list(filters, request, published_only=False)


async def published_case_studies(
    ids: list[int] | None = None, limit: int = 300
) -> dict[int, tuple[str, str]]:
    """(slug, title) of published case studies, newest first: those among `ids`, or the newest
    `limit` (for a chooser). One query. Other domains link to case studies through this."""
    where = Where().add("kind = 'case_study' AND state = 'published'")
    if ids is not None:
        wanted = [i for i in ids if is_storable_id(i)]
        if not wanted:
            return {}
        where.add(f"id IN ({placeholders(wanted)})", *wanted)
    rows = await Article.raw(
        f"SELECT id, slug, title FROM article WHERE {where.sql} "  # noqa: S608
        "ORDER BY published_at DESC LIMIT {}",
        *where.values,
        limit,
    )
    return {row["id"]: (row["slug"], row["title"]) for row in rows}


async def get_published(kind: str, slug: str) -> ArticleView:
    row = None
    if kind in KIND_LABELS and len(slug) <= 120 and SLUG_PATTERN.match(slug):
        # Written out: every signed-in view of an article runs it (the ORM took longer to
        # build this statement than the database took to run it).
        rows = await Article.raw(
            "SELECT * FROM article WHERE kind = {} AND slug = {} AND state = 'published'",
            kind,
            slug,
        )
        row = rows[0] if rows else None
    if row is None:
        raise NotFound("お探しの記事は見つかりませんでした。")
    view = await _full_view(row)
    # Only published related articles are shown to the public.
    if view.related_ids:
        visible = await Article.raw(
            "SELECT id FROM article WHERE state = 'published' "  # noqa: S608
            f"AND id IN ({placeholders(view.related_ids)})",
            *view.related_ids,
        )
        shown = {r["id"] for r in visible}
        view = replace(view, related_ids=[i for i in view.related_ids if i in shown])
    return view


async def get_articles_brief(article_ids: list[int], published_only: bool) -> list[ArticleView]:
    """Several articles in two queries (related-article lists)."""
    if not article_ids:
        return []
    query = Article.select().where(Article.id.is_in(article_ids))
    if published_only:
        query = query.where(Article.state == "published")
    rows = {row["id"]: row for row in await query}
    themes = await _themes_of(list(rows))
    return [_article_view(rows[i], themes[i]) for i in article_ids if i in rows]


@dataclass(frozen=True, slots=True)
class PublishedLink:
    kind: str
    slug: str
    updated_at: datetime


async def published_links() -> list[PublishedLink]:
    """Every published article's kind, slug and last change, in one query (the sitemap)."""
    rows = (
        await Article.select(Article.kind, Article.slug, Article.updated_at)
        .where(Article.state == "published")
        .order_by(Article.kind)
        .order_by(Article.published_at, ascending=False)
        .order_by(Article.id, ascending=False)
    )
    return [PublishedLink(row["kind"], row["slug"], row["updated_at"]) for row in rows]


async def list_event_info(
    upcoming: bool,
    request: PageRequest,
    now: datetime | None = None,
    starting_within: tuple[datetime, datetime] | None = None,
) -> ResultPage[ArticleView]:
    """Published event notices: upcoming (soonest first) or past (latest first), optionally
    only those starting within a span (a month of the events calendar).

    An event is upcoming until it ends (its start when no end is given), so one that is running
    now is still listed. A notice without any date cannot have passed: it counts as upcoming
    and comes after the dated ones.
    """
    from piccolo.querystring import QueryString

    now = now or clock.now()
    ends, starts = Article.event_ends_at, Article.event_starts_at
    not_over = (ends >= now) | (ends.is_null() & ((starts >= now) | starts.is_null()))
    over = (ends < now) | (ends.is_null() & (starts < now))
    clauses = [
        Article.state == "published",
        Article.kind == "event_info",
        not_over if upcoming else over,
    ]
    if starting_within is not None:
        clauses += [starts >= starting_within[0], starts < starting_within[1]]
    total = await Article.count().where(*clauses)
    query = Article.select().where(*clauses)
    if upcoming:
        # NULLs sort first on SQLite and last on PostgreSQL: order by the test explicitly.
        query = query.order_by(QueryString("event_starts_at IS NULL")).order_by(starts)
    else:
        query = query.order_by(starts, ascending=False)
    rows = await query.order_by(Article.id).limit(request.per_page).offset(request.offset)
    themes = await _themes_of([row["id"] for row in rows])
    items = [_article_view(row, themes[row["id"]]) for row in rows]
    return ResultPage(items, total, request.page, request.per_page)


# --- Static pages -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageInput:
    slug: str
    title: str
    body_markdown: str = ""
    parent_id: int | None = None
    position: int = 0
    show_in_menu: bool = False


@dataclass(slots=True)
class PageView:
    id: int
    parent_id: int | None
    slug: str
    title: str
    body_markdown: str
    position: int
    state: str
    version: int
    updated_at: datetime
    show_in_menu: bool
    path: str = ""  # slugs from the root, joined by "/"
    children: list[PageView] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)


def _page_view(row: dict[str, Any]) -> PageView:
    return PageView(
        id=row["id"], parent_id=row["parent"], slug=row["slug"], title=row["title"],
        body_markdown=row["body_markdown"], position=row["position"], state=row["state"],
        version=row["version"], updated_at=row["updated_at"],
        show_in_menu=bool(row["show_in_menu"]),
    )  # fmt: skip


async def page_tree(published_only: bool) -> list[PageView]:
    """The tree in one query; children of an unpublished page are hidden from the public."""
    query = Page.select().order_by(Page.position).order_by(Page.id)
    views = {row["id"]: _page_view(row) for row in await query}
    roots: list[PageView] = []

    def attach(node: PageView, prefix: str) -> None:
        node.path = f"{prefix}{node.slug}"
        for child in children.get(node.id, []):
            attach(child, node.path + "/")
            node.children.append(child)

    children: dict[int, list[PageView]] = {}
    for view in views.values():
        if published_only and view.state != "published":
            continue
        if view.parent_id is None:
            roots.append(view)
        else:
            children.setdefault(view.parent_id, []).append(view)
    for root in roots:
        attach(root, "")
    return roots


def _walk(nodes: list[PageView]) -> Iterable[PageView]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


async def get_published_page(path: str) -> PageView:
    """A published page by its path of slugs ("about/access")."""
    path = path.strip("/")
    for node in _walk(await page_tree(published_only=True)):
        if node.path == path:
            return node
    raise NotFound("お探しのページは見つかりませんでした。")


async def _page_row(page_id: int) -> dict[str, Any]:
    row = None
    if is_storable_id(page_id):
        row = await Page.select().where(Page.id == page_id).first()
    if row is None:
        raise NotFound("指定された固定ページは見つかりませんでした。")
    return row


async def get_page(page_id: int) -> PageView:
    return _page_view(await _page_row(page_id))


async def _page_problems(data: PageInput, page_id: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not SLUG_PATTERN.match(data.slug) or len(data.slug) > 120:
        errors["slug"] = "スラッグは半角英小文字・数字・ハイフンで120文字以内にしてください。"
    if not data.title.strip() or len(data.title) > 200:
        errors["title"] = "タイトルを200文字以内で入力してください。"
    if len(data.body_markdown) > MAX_BODY_CHARS:
        errors["body_markdown"] = f"本文は{MAX_BODY_CHARS:,}文字以内にしてください。"
    if not -10000 <= data.position <= 10000:
        errors["position"] = "表示順は-10000〜10000の整数にしてください。"
    errors |= _control_problems(
        {"slug": data.slug, "title": data.title, "body_markdown": data.body_markdown},
        {"body_markdown"},
    )
    if data.parent_id is not None and not is_storable_id(data.parent_id):
        errors["parent_id"] = "親ページが見つかりませんでした。"
    elif data.parent_id is not None:
        parents = {r["id"]: r["parent"] for r in await Page.select(Page.id, Page.parent)}
        if data.parent_id not in parents:
            errors["parent_id"] = "親ページが見つかりませんでした。"
        else:
            # Walking up from the new parent must never reach the page itself (no cycles).
            seen, current = set(), data.parent_id
            while current is not None and current not in seen:
                if current == page_id:
                    errors["parent_id"] = "自分自身や子孫のページを親にはできません。"
                    break
                seen.add(current)
                current = parents.get(current)
    if "slug" not in errors and "parent_id" not in errors:
        siblings = Page.select(Page.id).where(Page.slug == data.slug)
        siblings = siblings.where(
            Page.parent.is_null() if data.parent_id is None else Page.parent == data.parent_id
        )
        if page_id is not None:
            siblings = siblings.where(Page.id != page_id)
        if await siblings:
            errors["slug"] = "同じ階層にこのスラッグのページがすでにあります。"
    return errors


def _page_columns(data: PageInput) -> dict[Any, Any]:
    return {
        Page.slug: data.slug, Page.title: data.title.strip(), Page.body_markdown: data.body_markdown,
        Page.parent: data.parent_id, Page.position: data.position,
        Page.show_in_menu: data.show_in_menu,
    }  # fmt: skip


async def create_page(actor: Principal, data: PageInput) -> PageView:
    _require(actor, "articles.edit")
    async with transaction():
        errors = await _page_problems(data, None)
        if errors:
            raise ValidationFailed(errors)
        values = {c._meta.name: v for c, v in _page_columns(data).items()}
        rows = await Page.insert(
            Page(**values, state="draft", version=1, updated_at=clock.now())
        ).returning(Page.id)
        page_id = int(rows[0]["id"])
        await record(actor, "page.create", "page", page_id, target_label=data.title)
        await bump_content_generation()
    return await get_page(page_id)


async def update_page(
    actor: Principal, page_id: int, data: PageInput, base_version: int
) -> PageView:
    """Save a page based on `base_version` (a stale version raises Conflict)."""
    _require(actor, "articles.edit")
    async with transaction():
        row = await _page_row(page_id)
        if row["state"] == "published" and not actor.can("articles.publish"):
            raise PermissionDenied("公開中の固定ページの変更には公開の権限が必要です。")
        if row["version"] != base_version:
            raise Conflict(
                f"この固定ページは、編集を始めた後にほかの人が保存しています（現在は第{row['version']}版、"
                f"あなたの編集元は第{base_version}版）。読み込み直してから変更をやり直してください。"
            )
        errors = await _page_problems(data, page_id)
        if errors:
            raise ValidationFailed(errors)
        if row["state"] == "published":
            _check_page(data.body_markdown)
        values = _page_columns(data) | {
            Page.version: base_version + 1,
            Page.updated_at: clock.now(),
        }
        updated = (
            await Page.update(values)
            .where(Page.id == page_id, Page.version == base_version)
            .returning(Page.id)
        )
        if not updated:
            raise Conflict("ほかの人が同時に保存しました。読み込み直してください。")
        await record(
            actor, "page.update", "page", page_id, target_label=data.title,
            before={"version": base_version}, after={"version": base_version + 1},
        )  # fmt: skip
        await bump_content_generation()
    return await get_page(page_id)


def _check_page(body: str) -> None:
    findings = accessibility_findings(body, None, "")
    if findings:
        raise AccessibilityFailed(findings)


async def set_page_state(actor: Principal, page_id: int, state: str) -> PageView:
    """Publish ("published", after the accessibility check) or unpublish ("draft") a page."""
    _require(actor, "articles.publish")
    if state not in ("published", "draft"):
        raise ValidationFailed({"state": "状態の指定が正しくありません。"})
    async with transaction():
        row = await _page_row(page_id)
        if row["state"] == state:
            raise Conflict(f"この固定ページはすでに{STATE_LABELS[state]}です。")
        if state == "published":
            _check_page(row["body_markdown"])
        await Page.update({Page.state: state, Page.updated_at: clock.now()}).where(
            Page.id == page_id
        )
        verb = "page.publish" if state == "published" else "page.unpublish"
        await record(
            actor, verb, "page", page_id, target_label=row["title"],
            before={"state": row["state"]}, after={"state": state},
        )  # fmt: skip
        await bump_content_generation()
    return await get_page(page_id)
