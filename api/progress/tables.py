"""Piccolo tables of progress management: the fiscal year's schedule agreed with the
prefecture, the issues list (課題管理) and the minutes of the monthly progress meetings."""

from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from api.accounts.tables import Account


class ScheduleItem(Table, tablename="schedule_item"):
    """A task or a milestone of a fiscal year's schedule. "Late" is not stored: it is read
    from the due date, so it never goes stale."""

    fiscal_year = Integer(index=True)  # the fiscal year of the due date
    kind = Varchar(length=20)  # task | milestone
    title = Varchar(length=120)
    owner = Varchar(length=60)
    starts_on = Date(null=True, default=None)
    due_on = Date()
    status = Varchar(length=20, default="not_started")  # not_started | in_progress | done
    done_on = Date(null=True, default=None)  # set when it is marked done
    notes = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class ProjectIssue(Table, tablename="project_issue"):
    """An entry of the issues list: what is at stake, what is done about it and what was
    decided by whom."""

    title = Varchar(length=120)
    details = Text(default="")
    owner = Varchar(length=60)
    raised_on = Date(index=True)
    due_on = Date(null=True, default=None)
    status = Varchar(length=20, default="open", index=True)  # open | in_progress | resolved
    actions = Text(default="")
    decision = Text(default="")
    decided_by = Varchar(length=60, default="")
    decided_on = Date(null=True, default=None)
    resolved_on = Date(null=True, default=None)  # set when it is marked resolved
    updated_at = Timestamptz(default=TimestamptzNow())


class MeetingMinutes(Table, tablename="meeting_minutes"):
    """The minutes of a progress meeting, in Markdown, kept with the report of their month;
    approved minutes are fixed until the approval is taken back."""

    held_on = Date(index=True)
    report_month = Date(index=True)  # the first day of the month whose report keeps them
    title = Varchar(length=120)
    attendees = Text(default="")
    body = Text(default="")
    approved_at = Timestamptz(null=True, default=None)
    approved_by = Varchar(length=60, default="")  # who approved them (a person or a body)
    written_by = ForeignKey(
        references=Account, null=True, default=None, on_delete=OnDelete.set_null
    )
    updated_at = Timestamptz(default=TimestamptzNow())
