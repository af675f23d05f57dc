"""Piccolo tables of the reports: the fiscal year's KPI targets (and the figures staff enter
for what the platform does not measure), and what staff add to a month's report."""

from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from api.accounts.tables import Account


class KpiTarget(Table, tablename="kpi_target"):
    """One KPI's target for one fiscal year; a year without rows uses the contract's defaults."""

    fiscal_year = Integer(index=True)
    key = Varchar(length=40)
    target = Integer()
    actual = Integer(null=True, default=None)  # entered by staff, for KPIs the site cannot count
    updated_at = Timestamptz(default=TimestamptzNow())


class MonthlyReportNote(Table, tablename="monthly_report_note"):
    """What staff add to a month's report for the prefecture: the comments, and when it was sent
    and by whom (the figures themselves are always read from the records)."""

    month = Date(unique=True)  # the first day of the month
    comments = Text(default="")
    sent_at = Timestamptz(null=True, default=None)
    sent_by = ForeignKey(references=Account, null=True, default=None, on_delete=OnDelete.set_null)
    updated_at = Timestamptz(null=True, default=None)
