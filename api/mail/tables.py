"""Piccolo table of the mail outbox."""

from piccolo.columns import JSON, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxMail(Table, tablename="outbox_mail"):
    to_address = Varchar(length=254, index=True)
    subject = Varchar(length=255)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    sent_at = Timestamptz(null=True, default=None)
    transport = Varchar(length=16, default="")
    # Text attachments (an event's .ics): [{"filename", "content_type", "text"}]
    attachments = JSON(default="[]")
