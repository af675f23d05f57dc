"""Piccolo tables of events: the events themselves and the registrations for them."""

from piccolo.columns import (
    Boolean,
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


class Event(Table, tablename="event"):
    """One of the consortium's own events: the open event, a member seminar or a community
    meeting. Times are stored in UTC and shown in Asia/Tokyo."""

    kind = Varchar(length=16, index=True)
    title = Varchar(length=120)
    summary = Varchar(length=200, default="")  # the line shown in lists
    description = Text(default="")  # Markdown, rendered and sanitised like articles
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    venue_name = Varchar(length=120, default="")
    venue_address = Varchar(length=200, default="")
    access_notes = Text(default="")
    online_url = Varchar(length=300, default="")  # shown only to online participants, late
    capacity_onsite = Integer(default=0)  # 0: no on-site seats
    capacity_online = Integer(default=0)  # 0: not streamed
    registration_opens_at = Timestamptz()
    registration_closes_at = Timestamptz()
    audience = Varchar(length=16, default="anyone")
    speakers = Text(default="")  # one speaker per line: name and affiliation
    state = Varchar(length=16, default="draft", index=True)
    cancel_reason = Text(default="")
    published_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    reminder_sent_at = Timestamptz(null=True, default=None)  # the day-before reminder, once
    created_by = ForeignKey(references=Account, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class EventRegistration(Table, tablename="event_registration"):
    """One person's place (or place in the waiting list) at an event. The personal fields are
    kept for the fiscal year's report and blanked when staff anonymise the event."""

    event = ForeignKey(references=Event, index=True, on_delete=OnDelete.cascade)
    account = ForeignKey(references=Account, null=True, index=True, on_delete=OnDelete.set_null)
    organisation = ForeignKey(
        references=Organisation, null=True, index=True, on_delete=OnDelete.set_null
    )
    registered_by = ForeignKey(references=Account, null=True, on_delete=OnDelete.set_null)
    reference = Varchar(length=16, unique=True)  # shown on the completion page and in mails
    # The filled-in form's random key: posting it twice (a double click) makes one registration.
    submission_key = Varchar(length=64, null=True, default=None, unique=True)
    name = Varchar(length=60)
    name_kana = Varchar(length=60, default="")
    organisation_name = Varchar(length=120, default="")
    email = Varchar(length=254)
    email_key = Varchar(length=254, index=True)  # lower-cased, for the one-per-event rule
    mode = Varchar(length=8)
    accessibility_needs = Text(default="")  # staff only
    is_member = Boolean(default=False)  # a member organisation's person, for the reports
    status = Varchar(length=12, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    promoted_at = Timestamptz(null=True, default=None)  # moved up from the waiting list
    cancelled_at = Timestamptz(null=True, default=None)
    attended_at = Timestamptz(null=True, default=None)
    anonymised_at = Timestamptz(null=True, default=None)


class EventMaterial(Table, tablename="event_material"):
    """A document handed out for an event (slides, a programme), stored through the storage
    port; readers of the event download it (members-only seminars: members only)."""

    event = ForeignKey(references=Event, index=True, on_delete=OnDelete.cascade)
    title = Varchar(length=200, default="")  # the link text; the file name when empty
    file_name = Varchar(length=255)
    storage_key = Varchar(length=300)
    content_type = Varchar(length=120)  # detected from the content, never from the name
    size = Integer()
    position = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
