"""JSON shapes of the publishing API: public content, editors' drafts, revisions, pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec

from api.articles import service
from api.articles.service import ArticleInput, ArticleView, PageInput, PageView, RevisionView


class ThemeOut(msgspec.Struct):
    id: int
    name: str
    slug: str
    position: int

    @classmethod
    def of(cls, view: service.ThemeView) -> ThemeOut:
        return cls(id=view.id, name=view.name, slug=view.slug, position=view.position)


class ThemeIn(msgspec.Struct, kw_only=True):
    name: str
    slug: str
    position: int = 0


class PublicArticleOut(msgspec.Struct):
    """What anyone may read of a published article (no editorial state, no history)."""

    kind: str
    kind_label: str
    slug: str
    title: str
    summary: str
    published_at: datetime | None
    first_published_at: datetime | None
    themes: list[ThemeOut]
    organisation_name: str
    industry: str
    industry_label: str
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
    body_markdown: str | None = None  # detail only
    body_html: str | None = None  # detail only (sanitised)

    @classmethod
    def of(cls, view: ArticleView, body_html: str | None = None) -> PublicArticleOut:
        """The detail (with the body) when body_html is given, else the list item."""
        with_body = body_html is not None
        return cls(
            kind=view.kind, kind_label=view.kind_label, slug=view.slug, title=view.title,
            summary=view.summary, published_at=view.published_at,
            first_published_at=view.first_published_at,
            themes=[ThemeOut.of(t) for t in view.themes],
            organisation_name=view.organisation_name, industry=view.industry,
            industry_label=view.industry_label, municipality=view.municipality,
            interview_date=view.interview_date, lead_image=view.lead_image,
            lead_image_alt=view.lead_image_alt, event_starts_at=view.event_starts_at,
            event_ends_at=view.event_ends_at, venue=view.venue, online=view.online,
            organiser=view.organiser, event_url=view.event_url,
            body_markdown=view.body_markdown if with_body else None, body_html=body_html,
        )  # fmt: skip


class PublicArticlePage(msgspec.Struct):
    items: list[PublicArticleOut]
    total: int
    page: int
    per_page: int
    pages: int


class PublicArticleDetail(msgspec.Struct):
    """A published article with its published related articles."""

    article: PublicArticleOut
    related: list[PublicArticleOut]


class ArticleOut(msgspec.Struct):
    """An article as editors see it (any state)."""

    id: int
    kind: str
    kind_label: str
    slug: str
    title: str
    summary: str
    body_markdown: str
    state: str
    state_label: str
    version: int
    publish_at: datetime | None
    published_at: datetime | None
    first_published_at: datetime | None
    updated_at: datetime
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
    themes: list[ThemeOut]
    related_ids: list[int]

    @classmethod
    def of(cls, view: ArticleView) -> ArticleOut:
        return cls(
            id=view.id, kind=view.kind, kind_label=view.kind_label, slug=view.slug,
            title=view.title, summary=view.summary, body_markdown=view.body_markdown,
            state=view.state, state_label=view.state_label, version=view.version,
            publish_at=view.publish_at, published_at=view.published_at,
            first_published_at=view.first_published_at, updated_at=view.updated_at,
            organisation_name=view.organisation_name, organisation_id=view.organisation_id,
            industry=view.industry, municipality=view.municipality,
            interview_date=view.interview_date, lead_image=view.lead_image,
            lead_image_alt=view.lead_image_alt, event_starts_at=view.event_starts_at,
            event_ends_at=view.event_ends_at, venue=view.venue, online=view.online,
            organiser=view.organiser, event_url=view.event_url,
            themes=[ThemeOut.of(t) for t in view.themes], related_ids=view.related_ids,
        )  # fmt: skip


class ArticlePage(msgspec.Struct):
    items: list[ArticleOut]
    total: int
    page: int
    per_page: int
    pages: int


class ArticleIn(msgspec.Struct, kw_only=True):
    """A new draft. kind: case_study / news / event_info. Datetimes carry a time zone."""

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
    theme_ids: list[int] = msgspec.field(default_factory=list)
    related_ids: list[int] = msgspec.field(default_factory=list)
    note: str = ""  # a note on the revision

    def as_input(self) -> ArticleInput:
        return ArticleInput(
            kind=self.kind, slug=self.slug, title=self.title, summary=self.summary,
            body_markdown=self.body_markdown, organisation_name=self.organisation_name,
            organisation_id=self.organisation_id, industry=self.industry,
            municipality=self.municipality, interview_date=self.interview_date,
            lead_image=self.lead_image, lead_image_alt=self.lead_image_alt,
            event_starts_at=self.event_starts_at, event_ends_at=self.event_ends_at,
            venue=self.venue, online=self.online, organiser=self.organiser,
            event_url=self.event_url, theme_ids=tuple(self.theme_ids),
            related_ids=tuple(self.related_ids),
        )  # fmt: skip


class ArticleUpdate(ArticleIn, kw_only=True):
    """A save of the whole draft, based on `version` (the version the editor loaded)."""

    version: int


class TransitionIn(msgspec.Struct, kw_only=True):
    """Optionally the version the decision was made on (refused if the draft changed since)."""

    version: int | None = None


class ScheduleIn(msgspec.Struct, kw_only=True):
    publish_at: datetime
    version: int | None = None


class RestoreIn(msgspec.Struct, kw_only=True):
    version: int


class PreviewLinkIn(msgspec.Struct, kw_only=True):
    revision: int | None = None  # the latest revision when omitted


class PreviewLinkOut(msgspec.Struct):
    token: str
    url: str
    expires_at: datetime


class RevisionSummaryOut(msgspec.Struct):
    number: int
    title: str
    saved_by: str
    saved_at: datetime
    note: str

    @classmethod
    def of(cls, view: RevisionView) -> RevisionSummaryOut:
        return cls(view.number, view.title, view.saved_by_label, view.saved_at, view.note)


class RevisionOut(msgspec.Struct):
    number: int
    title: str
    summary: str
    body_markdown: str
    fields: dict[str, Any]
    saved_by: str
    saved_at: datetime
    note: str

    @classmethod
    def of(cls, view: RevisionView) -> RevisionOut:
        return cls(
            number=view.number, title=view.title, summary=view.summary,
            body_markdown=view.body_markdown, fields=view.fields, saved_by=view.saved_by_label,
            saved_at=view.saved_at, note=view.note,
        )  # fmt: skip


class PreviewOut(msgspec.Struct):
    article_id: int
    kind: str
    revision: RevisionOut
    body_html: str


class DiffLineOut(msgspec.Struct):
    kind: str  # equal / added / removed
    text: str
    old_line: int | None
    new_line: int | None


class FieldChangeOut(msgspec.Struct):
    field: str
    label: str
    before: Any
    after: Any


class DiffOut(msgspec.Struct):
    from_revision: int
    to_revision: int
    fields: list[FieldChangeOut]
    lines: list[DiffLineOut]

    @classmethod
    def of(cls, diff: service.RevisionDiff) -> DiffOut:
        return cls(
            from_revision=diff.from_number,
            to_revision=diff.to_number,
            fields=[FieldChangeOut(c.field, c.label, c.before, c.after) for c in diff.fields],
            lines=[DiffLineOut(x.kind, x.text, x.old_line, x.new_line) for x in diff.lines],
        )


class PageNodeOut(msgspec.Struct):
    id: int
    slug: str
    path: str
    title: str
    position: int
    show_in_menu: bool
    state: str
    children: list[PageNodeOut]

    @classmethod
    def of(cls, view: PageView) -> PageNodeOut:
        return cls(
            id=view.id, slug=view.slug, path=view.path, title=view.title,
            position=view.position, show_in_menu=view.show_in_menu, state=view.state,
            children=[cls.of(child) for child in view.children],
        )  # fmt: skip


class PageOut(msgspec.Struct):
    id: int
    parent_id: int | None
    slug: str
    title: str
    body_markdown: str
    position: int
    state: str
    state_label: str
    version: int
    updated_at: datetime
    show_in_menu: bool
    body_html: str | None = None

    @classmethod
    def of(cls, view: PageView, body_html: str | None = None) -> PageOut:
        return cls(
            id=view.id, parent_id=view.parent_id, slug=view.slug, title=view.title,
            body_markdown=view.body_markdown, position=view.position, state=view.state,
            state_label=view.state_label, version=view.version, updated_at=view.updated_at,
            show_in_menu=view.show_in_menu, body_html=body_html,
        )  # fmt: skip


class PageIn(msgspec.Struct, kw_only=True):
    slug: str
    title: str
    body_markdown: str = ""
    parent_id: int | None = None
    position: int = 0
    show_in_menu: bool = False

    def as_input(self) -> PageInput:
        return PageInput(
            slug=self.slug, title=self.title, body_markdown=self.body_markdown,
            parent_id=self.parent_id, position=self.position, show_in_menu=self.show_in_menu,
        )  # fmt: skip


class PageUpdate(PageIn, kw_only=True):
    version: int
