"""Piccolo tables of the publishing domain: themes, articles, revisions, relations, static pages.

Media are referred to by their integer id only (no foreign key): the media domain stays decoupled.
"""

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from api.accounts.tables import Account
from api.members.tables import Organisation


class Theme(Table, tablename="theme"):
    """An editable taxonomy term (業務効率化, データ活用, ...)."""

    name = Varchar(length=60)
    slug = Varchar(length=60, unique=True)
    position = Integer(default=0, index=True)


class Article(Table, tablename="article"):
    """A case study, news item or event notice; the working copy and its publishing state."""

    kind = Varchar(length=16, index=True)
    slug = Varchar(length=120, index=True)  # unique per kind (checked by the service)
    title = Varchar(length=200)
    summary = Text(default="")
    body_markdown = Text(default="")
    state = Varchar(length=16, index=True)
    publish_at = Timestamptz(null=True, default=None, index=True)
    published_at = Timestamptz(null=True, default=None, index=True)
    first_published_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)  # the editors' list order
    version = Integer(default=1)  # optimistic locking: each save increments it
    created_by = ForeignKey(references=Account, null=True, default=None)
    # Case studies
    organisation_name = Varchar(length=200, default="")
    organisation = ForeignKey(references=Organisation, null=True, default=None, index=True)
    industry = Varchar(length=2, default="", index=True)
    municipality = Varchar(length=40, default="", index=True)
    interview_date = Date(null=True, default=None)
    lead_image = Integer(null=True, default=None)
    lead_image_alt = Varchar(length=300, default="")
    # Event notices
    event_starts_at = Timestamptz(null=True, default=None, index=True)
    event_ends_at = Timestamptz(null=True, default=None)
    venue = Varchar(length=200, default="")
    online = Boolean(default=False)
    organiser = Varchar(length=200, default="")
    event_url = Varchar(length=500, default="")


class ArticleTheme(Table, tablename="article_theme"):
    article = ForeignKey(references=Article, index=True)
    theme = ForeignKey(references=Theme, index=True)


class ArticleRelation(Table, tablename="article_relation"):
    article = ForeignKey(references=Article, index=True)
    related = ForeignKey(references=Article, index=True)
    position = Integer(default=0)


class Revision(Table, tablename="article_revision"):
    """One save of an article: the text and every other field as JSON."""

    article = ForeignKey(references=Article, index=True)
    number = Integer()
    title = Varchar(length=200)
    summary = Text(default="")
    body_markdown = Text(default="")
    fields = JSON(default="{}")
    saved_by = ForeignKey(references=Account, null=True, default=None)
    saved_by_label = Varchar(length=100, default="")  # the saver's display name at save time
    saved_at = Timestamptz(default=TimestamptzNow())
    note = Varchar(length=300, default="")


class Page(Table, tablename="static_page"):
    """A static page in a tree (about, membership, privacy, ...)."""

    parent = ForeignKey(references="self", null=True, default=None, index=True)
    slug = Varchar(length=120, index=True)
    title = Varchar(length=200)
    body_markdown = Text(default="")
    position = Integer(default=0)
    state = Varchar(length=16, default="draft", index=True)
    version = Integer(default=1)
    updated_at = Timestamptz(default=TimestamptzNow())
    show_in_menu = Boolean(default=False)


class ContentGeneration(Table, tablename="content_generation"):
    """One row (id 1): a counter bumped by every change to public content, and when.

    Anonymous page caches of every app process key on it, so a publish shows at once everywhere.
    """

    generation = Integer(default=0)
    changed_at = Timestamptz(default=TimestamptzNow())
