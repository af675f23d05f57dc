"""Piccolo tables of the solutions directory: members' products and services, the staff-kept
category taxonomy, the filterable facets, bookmarks, inquiries to providers and monthly counts."""

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from api.accounts.tables import Account
from api.members.tables import Organisation


class SolutionCategory(Table, tablename="solution_category"):
    """One entry of the taxonomy staff keep (業務効率化, 生産管理 ...). Retired, never deleted
    while a solution uses it, so old links keep their name."""

    name = Varchar(length=60, unique=True)
    position = Integer(default=0, index=True)
    active = Boolean(default=True)


class Solution(Table, tablename="solution"):
    """A member organisation's product, service or know-how."""

    organisation = ForeignKey(references=Organisation, index=True, on_delete=OnDelete.cascade)
    title = Varchar(length=120)
    summary = Varchar(length=200)  # the line shown in lists
    description = Text(default="")  # Markdown, rendered and sanitised like articles
    price_model = Varchar(length=16, index=True)  # free, subscription, one_off, quote
    price_text = Varchar(length=200, default="")  # e.g. 月額5,000円〜
    all_kumamoto = Boolean(default=False)  # offered in every municipality of Kumamoto
    subsidy_eligible = Boolean(default=False, index=True)  # IT導入補助金の対象
    website = Varchar(length=300, default="")
    provider_hidden = Boolean(default=False, index=True)  # the provider took it off the list
    moderation_reason = Text(default="")  # set when staff hid it; the provider sees it
    moderated = Boolean(default=False, index=True)
    moderated_at = Timestamptz(null=True, default=None)
    refresh_requested_at = Timestamptz(null=True, default=None)  # staff asked for an update
    created_by = ForeignKey(references=Account, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)  # lists and the stale list


class SolutionTag(Table, tablename="solution_tag"):
    """One value of a multi-valued, filterable field: category (its id), industry (JSIC
    division), municipality, size band or delivery. Filters are semi-joins on (facet, value)."""

    solution = ForeignKey(references=Solution, index=True, on_delete=OnDelete.cascade)
    facet = Varchar(length=16, index=True)
    value = Varchar(length=40, index=True)


class SolutionBookmark(Table, tablename="solution_bookmark"):
    account = ForeignKey(references=Account, index=True, on_delete=OnDelete.cascade)
    solution = ForeignKey(references=Solution, index=True, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())


class SolutionInquiry(Table, tablename="solution_inquiry"):
    """A member's message to a provider. It stays in the provider's inbox even if the solution
    is deleted later (the title is kept). The sender's address goes to the provider only."""

    solution = ForeignKey(references=Solution, null=True, index=True, on_delete=OnDelete.set_null)
    solution_title = Varchar(length=120)
    provider = ForeignKey(references=Organisation, index=True, on_delete=OnDelete.cascade)
    sender = ForeignKey(references=Account, null=True, index=True, on_delete=OnDelete.set_null)
    sender_organisation_name = Varchar(length=200)
    sender_name = Varchar(length=100)
    sender_email = Varchar(length=254)
    subject = Varchar(length=120)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    read_at = Timestamptz(null=True, default=None)


class SolutionMonthlyStat(Table, tablename="solution_monthly_stat"):
    """How often a solution was viewed and contacted in one month (the first day names it)."""

    solution = ForeignKey(references=Solution, index=True, on_delete=OnDelete.cascade)
    month = Date(index=True)
    views = Integer(default=0)
    inquiries = Integer(default=0)


class SolutionFile(Table, tablename="solution_file"):
    """An image (with its alternative text and renditions) or a PDF brochure of a solution,
    stored through the storage port under a generated key; the original name is kept here."""

    solution = ForeignKey(references=Solution, index=True, on_delete=OnDelete.cascade)
    kind = Varchar(length=16)  # image, brochure
    position = Integer(default=0)
    storage_key = Varchar(length=200)
    file_name = Varchar(length=255)
    content_type = Varchar(length=100)
    size = Integer()
    width = Integer(null=True, default=None)
    height = Integer(null=True, default=None)
    alt_text = Varchar(length=300, default="")  # images: what the picture shows
    title = Varchar(length=200, default="")  # brochures: the link text
    renditions = Text(default="[]")  # JSON list of {width, height, key, content_type, size}
    created_at = Timestamptz(default=TimestamptzNow())
