"""Piccolo tables of the reports: the fiscal year's KPI targets (and the figures staff enter
for what the platform does not measure)."""

from piccolo.columns import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class KpiTarget(Table, tablename="kpi_target"):
    """One KPI's target for one fiscal year; a year without rows uses the contract's defaults."""

    fiscal_year = Integer(index=True)
    key = Varchar(length=40)
    target = Integer()
    actual = Integer(null=True, default=None)  # entered by staff, for KPIs the site cannot count
    updated_at = Timestamptz(default=TimestamptzNow())
