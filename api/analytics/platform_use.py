"""Platform use per month (Japan time): member accounts created, logins, active member users
and organisations, views of case studies, solutions and recordings, and contacts sent to
providers.

A user is active in a month when they signed in or used a session in it. Sessions are purged
when they expire, so the worker notes every hour which member accounts used one this month
(`account_activity`); sign-ins come from the audit log, so that one that logs out within the
hour still counts. Views come from the page-view counts (api.analytics.service).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from api import periods
from api.accounts.tables import Account, UserSession
from api.analytics.tables import AccountActivity, PageViewDaily
from api.dates import as_date
from api.db import local_date_sql
from api.periods import Breakdown, Bucket, Period, ReportTable, add_months, change, format_month

LOGIN = "session.login"
VIEWED_KINDS = {"case_study": "case_study_views", "solution": "solution_views",
                "recording": "recording_views"}  # fmt: skip


async def note_active_accounts() -> int:
    """Note the member accounts that used a session this month (the worker, every hour);
    returns how many were new to the month."""
    month = periods.current_month()
    start = periods.month_span(month)[0]
    used = await UserSession.raw(
        "SELECT DISTINCT s.account AS account_id, a.organisation AS organisation_id "
        "FROM user_session s JOIN account a ON a.id = s.account "
        "WHERE s.last_seen_at >= {} AND a.organisation IS NOT NULL",
        start,
    )
    noted = {
        row["account_id"]
        for row in await AccountActivity.select(AccountActivity.account_id).where(
            AccountActivity.month == month
        )
    }
    new = [
        AccountActivity(
            month=month, account_id=row["account_id"], organisation_id=row["organisation_id"]
        )
        for row in used
        if row["account_id"] not in noted
    ]
    if new:
        await AccountActivity.insert(*new)
    return len(new)


@dataclass(frozen=True, slots=True)
class MonthUse:
    new_accounts: int = 0  # member accounts created
    logins: int = 0  # sign-ins of member accounts
    active_users: int = 0
    active_organisations: int = 0
    case_study_views: int = 0
    solution_views: int = 0
    recording_views: int = 0
    contacts: int = 0  # messages sent to solution providers


LABELS = {
    "new_accounts": "新しい会員アカウント",
    "logins": "ログイン回数",
    "active_users": "利用した会員ユーザー",
    "active_organisations": "利用した会員団体",
    "case_study_views": "導入事例の閲覧数",
    "solution_views": "ソリューションの閲覧数",
    "recording_views": "録画の閲覧数",
    "contacts": "提供者への問い合わせ",
}


@dataclass(frozen=True, slots=True)
class PlatformUse:
    period: Period
    totals: MonthUse  # the period's (active users and organisations: distinct over it)
    previous: MonthUse  # the period before
    by_month: list[tuple[date, MonthUse]]  # the period's months (a month: the 12 up to it)

    @property
    def is_empty(self) -> bool:
        return self.totals == MonthUse() and self.previous == MonthUse()


def _shown_months(period: Period) -> list[date]:
    if period.kind == "fiscal_year":
        return period.month_list()
    return [add_months(period.first, step) for step in range(-11, 1)]


_COUNTS_SQL = {
    "new_accounts": (
        "SELECT {month} AS month, count(*) AS n FROM account "
        "WHERE organisation IS NOT NULL AND created_at >= {{}} AND created_at < {{}} GROUP BY {month}",
        "created_at",
    ),
    "logins": (
        "SELECT {month} AS month, count(*) AS n FROM audit_entry e JOIN account a ON a.id = e.actor "
        "WHERE e.action = {{}} AND a.organisation IS NOT NULL AND e.at >= {{}} AND e.at < {{}} "
        "GROUP BY {month}",
        "e.at",
    ),
    "contacts": (
        "SELECT {month} AS month, count(*) AS n FROM solution_inquiry "
        "WHERE created_at >= {{}} AND created_at < {{}} GROUP BY {month}",
        "created_at",
    ),
}
# Who was active: noted session use and sign-ins, one row per month and account.
_ACTIVE = (
    "FROM (SELECT month, account_id, organisation_id FROM account_activity "
    "WHERE month >= {{}} AND month < {{}} "
    "UNION SELECT {month} AS month, e.actor AS account_id, a.organisation AS organisation_id "
    "FROM audit_entry e JOIN account a ON a.id = e.actor "
    "WHERE e.action = {{}} AND a.organisation IS NOT NULL AND e.at >= {{}} AND e.at < {{}}) "
    "AS active"
)
_ACTIVE_COUNTS = "count(DISTINCT account_id) AS users, count(DISTINCT organisation_id) AS orgs"
_VIEWS_SQL = (
    "SELECT day, content_kind, sum(views) AS views FROM page_view_daily "
    "WHERE day >= {} AND day < {} AND content_kind IN ('case_study', 'solution', 'recording') "
    "GROUP BY day, content_kind"
)


async def _per_month(first: date, end: date) -> dict[date, dict[str, int]]:
    start, stop = periods.month_span(first)[0], periods.month_span(add_months(end, -1))[1]
    found: dict[date, dict[str, int]] = {}
    for name, (sql, column) in _COUNTS_SQL.items():
        month_sql = local_date_sql(column, "month")
        arguments: tuple[Any, ...] = (LOGIN, start, stop) if name == "logins" else (start, stop)
        for row in await Account.raw(sql.format(month=month_sql), *arguments):
            found.setdefault(as_date(row["month"]), {})[name] = int(row["n"])
    active = _ACTIVE.format(month=local_date_sql("e.at", "month"))
    sql = f"SELECT month, {_ACTIVE_COUNTS} {active} GROUP BY month"
    for row in await Account.raw(sql, first, end, LOGIN, start, stop):
        month = found.setdefault(as_date(row["month"]), {})
        month["active_users"], month["active_organisations"] = int(row["users"]), int(row["orgs"])
    views: Counter[tuple[date, str]] = Counter()
    for row in await PageViewDaily.raw(_VIEWS_SQL, first, end):
        views[(as_date(row["day"]).replace(day=1), VIEWED_KINDS[row["content_kind"]])] += int(
            row["views"]
        )
    for (month, name), count in views.items():
        found.setdefault(month, {})[name] = count
    return found


async def _distinct_active(period: Period) -> tuple[int, int]:
    """Users and organisations active at any time in the period (each once)."""
    start, stop = periods.month_span(period.first)[0], periods.month_span(period.last)[1]
    sql = f"SELECT {_ACTIVE_COUNTS} {_ACTIVE.format(month=local_date_sql('e.at', 'month'))}"
    [row] = await Account.raw(sql, period.first, period.end, LOGIN, start, stop)
    return int(row["users"]), int(row["orgs"])


def _sum(months: list[dict[str, int]], active: tuple[int, int]) -> MonthUse:
    totals = Counter[str]()
    for month in months:
        totals.update(month)
    totals["active_users"], totals["active_organisations"] = active
    return MonthUse(**{name: totals.get(name, 0) for name in LABELS})


async def platform_use(period: Period) -> PlatformUse:
    """The platform use of a month or a fiscal year, with the months around it."""
    shown = _shown_months(period)
    previous = period.previous()
    first = min(shown[0], previous.first)
    found = await _per_month(first, max(add_months(shown[-1], 1), period.end))
    months = [(month, MonthUse(**found.get(month, {}))) for month in shown]

    def months_of(p: Period) -> list[dict[str, int]]:
        return [found.get(month, {}) for month in p.month_list()]

    return PlatformUse(
        period=period,
        totals=_sum(months_of(period), await _distinct_active(period)),
        previous=_sum(months_of(previous), await _distinct_active(previous)),
        by_month=months,
    )


# --- charts and tables -----------------------------------------------------------------------


def charts(report: PlatformUse) -> dict[str, Breakdown]:
    def of(name: str) -> Breakdown:
        buckets = tuple(
            Bucket(periods.month_period(month).code, format_month(month), getattr(use, name))
            for month, use in report.by_month
        )
        return Breakdown(name, f"月ごとの{LABELS[name]}", buckets)

    return {name: of(name) for name in ("logins", "active_users")}


def summary_table(report: PlatformUse) -> ReportTable:
    now, before = report.totals, report.previous
    return ReportTable(
        "summary", "概要",
        ("項目", report.period.label, report.period.previous().label, "増減（%）"),
        [
            (label, getattr(now, name), getattr(before, name),
             change(getattr(now, name), getattr(before, name)))
            for name, label in LABELS.items()
        ],
    )  # fmt: skip


def month_table(report: PlatformUse) -> ReportTable:
    return ReportTable(
        "months", "月ごとの推移", ("月", *LABELS.values()),
        [
            (format_month(month), *(getattr(use, field.name) for field in fields(MonthUse)))
            for month, use in report.by_month
        ],
    )  # fmt: skip


def tables(report: PlatformUse) -> dict[str, ReportTable]:
    return {table.name: table for table in (summary_table(report), month_table(report))}


def export_names(report: PlatformUse, table: ReportTable, extension: str) -> tuple[str, str]:
    return (
        f"platform-use-{table.name}-{report.period.code}.{extension}",
        f"プラットフォームの利用状況_{table.title}_{report.period.label}.{extension}",
    )
