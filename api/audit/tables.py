"""Piccolo tables of the audit log."""

from piccolo.columns import JSON, ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from api.accounts.tables import Account


class AuditEntry(Table, tablename="audit_entry"):
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = ForeignKey(references=Account, null=True, index=True)
    actor_label = Varchar(length=254, default="")
    action = Varchar(length=64, index=True)
    target_type = Varchar(length=32, index=True)
    target_id = Varchar(length=64, default="")
    target_label = Varchar(length=254, default="")
    before = JSON(default="{}")
    after = JSON(default="{}")
    client_address = Varchar(length=64, default="")
