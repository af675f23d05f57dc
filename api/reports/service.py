"""The member report per fiscal year (April to March) for the secretariat and the prefecture.

Membership is read from the dates, not the current status: an organisation is a member on a day
when joined_on <= day and (withdrawn_on is null or withdrawn_on > day). Suspended organisations
keep their membership, so they count. The year starts with the members of the previous year's
last day (31 March), so that start + new - withdrawals = end holds for every year. For the year
that is still running, "the end" is today.

One bounded query reads the few columns of the organisations that matter for the year (at most
the whole member list, about 550 rows); the counting is done here so that both database engines
give the same answer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from api import dates, periods
from api.dates import (
    as_date,
    fiscal_year,
    fiscal_year_range,
    format_date,
    format_fiscal_year,
)
from api.members.reference import (
    INDUSTRY_LABELS,
    KIND_LABELS,
    KUMAMOTO_MUNICIPALITIES,
    OUTSIDE_KUMAMOTO,
    SIZE_LABELS,
    municipality_group,
)
from api.members.tables import Organisation
from api.periods import Breakdown, Bucket

# The consortium's records start long after this; earlier years are refused as mistakes.
FIRST_YEAR = 2000
FISCAL_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


@dataclass(frozen=True, slots=True)
class MemberReport:
    year: int
    start_date: date  # first day of the fiscal year
    end_date: date  # last day of the fiscal year
    as_of: date  # the day "the end" figures describe: end_date, or today while the year runs
    members_at_start: int  # members on the previous year's last day
    members_at_end: int  # members on as_of
    new_members: int  # joined between start_date and as_of
    withdrawals: int  # withdrew between start_date and as_of
    target: int  # new members wanted in the year (settings.new_members_target)
    by_industry: Breakdown
    by_municipality: Breakdown
    by_size: Breakdown
    by_kind: Breakdown
    new_by_month: Breakdown  # April .. March, codes "2026-04" ...

    @property
    def label(self) -> str:
        return format_fiscal_year(self.year)

    @property
    def baseline_date(self) -> date:
        """The day the start figure describes: the previous fiscal year's last day."""
        return self.start_date - timedelta(days=1)

    @property
    def is_partial(self) -> bool:
        return self.as_of < self.end_date

    @property
    def net_change(self) -> int:
        return self.members_at_end - self.members_at_start

    @property
    def target_percent(self) -> int | None:
        """Share of the target reached, rounded down (99.6% is not yet 100%)."""
        return self.new_members * 100 // self.target if self.target > 0 else None

    @property
    def target_text(self) -> str:
        """38 / 50（76%）"""
        if self.target_percent is None:
            return f"{self.new_members}（目標未設定）"
        return f"{self.new_members} / {self.target}（{self.target_percent}%）"

    @property
    def is_empty(self) -> bool:
        return not (self.members_at_start or self.members_at_end or self.new_members)

    @property
    def breakdowns(self) -> tuple[Breakdown, ...]:
        return (self.by_industry, self.by_municipality, self.by_size, self.by_kind)


async def report_years() -> list[int]:
    """Years with a report, newest first: from the first year anyone joined to the running one."""
    current = periods.current_fiscal_year()
    first = (
        await Organisation.select(Organisation.joined_on)
        .where(Organisation.joined_on.is_not_null())
        .order_by(Organisation.joined_on)
        .first()
    )
    start = current
    if first is not None:
        start = min(max(fiscal_year(as_date(first["joined_on"])), FIRST_YEAR), current)
    return list(range(current, start - 1, -1))


def _is_member(row: dict[str, Any], day: date) -> bool:
    withdrawn = row["withdrawn_on"]
    return row["joined_on"] <= day and (withdrawn is None or withdrawn > day)


def _breakdown(
    name: str, title: str, labels: dict[str, str], counts: Counter[str], *, keep_zero: bool = True
) -> Breakdown:
    """Buckets in the list's official order; codes outside the list follow, so sums stay whole."""
    buckets = [
        Bucket(code, label, counts.get(code, 0))
        for code, label in labels.items()
        if keep_zero or counts.get(code, 0)
    ]
    buckets += [
        Bucket(code, code or "未設定", n)
        for code, n in sorted(counts.items())
        if code not in labels
    ]
    return Breakdown(name, title, tuple(buckets))


async def member_report(year: int, target: int, *, today: date | None = None) -> MemberReport:
    periods.check_fiscal_year(year, FIRST_YEAR)
    start, end = fiscal_year_range(year)
    baseline = start - timedelta(days=1)
    today = today or dates.today()
    as_of = min(end, today)
    # Everyone who joined by as_of and had not left before the year began: at most the list.
    rows = await Organisation.select(
        Organisation.joined_on,
        Organisation.withdrawn_on,
        Organisation.industry,
        Organisation.size_band,
        Organisation.kind,
        Organisation.prefecture,
        Organisation.municipality,
    ).where(
        Organisation.joined_on.is_not_null(),
        Organisation.joined_on <= as_of,
        Organisation.withdrawn_on.is_null() | (Organisation.withdrawn_on > baseline),
    )
    for row in rows:
        row["joined_on"] = as_date(row["joined_on"])
        if row["withdrawn_on"] is not None:
            row["withdrawn_on"] = as_date(row["withdrawn_on"])

    at_end = [row for row in rows if _is_member(row, as_of)]
    joined = [row for row in rows if start <= row["joined_on"] <= as_of]
    withdrawn = [
        row
        for row in rows
        if row["withdrawn_on"] is not None and start <= row["withdrawn_on"] <= as_of
    ]
    months = {}
    for month in FISCAL_MONTHS:
        calendar_year = start.year + (1 if month < 4 else 0)
        months[f"{calendar_year}-{month:02d}"] = f"{calendar_year}年{month}月"
    municipalities = {name: name for name in (*KUMAMOTO_MUNICIPALITIES, OUTSIDE_KUMAMOTO)}
    return MemberReport(
        year=year,
        start_date=start,
        end_date=end,
        as_of=as_of,
        members_at_start=sum(1 for row in rows if _is_member(row, baseline)),
        members_at_end=len(at_end),
        new_members=len(joined),
        withdrawals=len(withdrawn),
        target=target,
        by_industry=_breakdown(
            "industry", "業種別", INDUSTRY_LABELS, Counter(r["industry"] for r in at_end)
        ),
        by_municipality=_breakdown(
            "municipality",
            "市町村別",
            municipalities,
            Counter(municipality_group(r["prefecture"], r["municipality"]) for r in at_end),
            keep_zero=False,  # 45 municipalities: list those with members
        ),
        by_size=_breakdown(
            "size", "従業員規模別", SIZE_LABELS, Counter(r["size_band"] for r in at_end)
        ),
        by_kind=_breakdown("kind", "種別", KIND_LABELS, Counter(r["kind"] for r in at_end)),
        new_by_month=_breakdown(
            "month",
            "月別の新規入会",
            months,
            Counter(row["joined_on"].strftime("%Y-%m") for row in joined),
        ),
    )


def describe_period(report: MemberReport) -> str:
    """2026年4月1日〜2027年3月31日 (with 時点 for a running year)."""
    text = f"{format_date(report.start_date)}〜{format_date(report.end_date)}"
    if report.is_partial:
        text += f"（{format_date(report.as_of)}時点・年度途中）"
    return text


# --- the report as rows, for CSV and XLSX --------------------------------------------------------

EXPORT_HEADER = ("区分", "項目", "値")


def report_rows(report: MemberReport) -> list[tuple[str, str, str | int]]:
    """The whole report as (section, item, value) rows: one table that sorts and pivots well."""
    end_label = "年度末" if not report.is_partial else "集計日"
    summary = "概要"
    rows: list[tuple[str, str, str | int]] = [
        (summary, "年度", f"{report.label}（{report.year}年度）"),
        (summary, "期間", describe_period(report)),
        (
            summary,
            f"年度初めの会員数（{format_date(report.baseline_date)}時点）",
            report.members_at_start,
        ),
        (summary, f"{end_label}の会員数（{format_date(report.as_of)}時点）", report.members_at_end),
        (summary, "新規入会数", report.new_members),
        (summary, "新規入会の目標", report.target),
        (
            summary,
            "目標達成率（%）",
            "" if report.target_percent is None else report.target_percent,
        ),
        (summary, "退会数", report.withdrawals),
        (summary, "増減", report.net_change),
    ]
    for breakdown in report.breakdowns:
        section = f"{breakdown.title}の会員数（{format_date(report.as_of)}時点）"
        for bucket in breakdown.buckets:
            item = f"{bucket.code} {bucket.label}" if breakdown.name == "industry" else bucket.label
            rows.append((section, item, bucket.count))
    for bucket in report.new_by_month.buckets:
        rows.append((report.new_by_month.title, bucket.label, bucket.count))
    return rows


def export_filename(report: MemberReport, extension: str) -> tuple[str, str]:
    """(ASCII fallback, Japanese name) of a download."""
    return (
        f"member-report-{report.year}.{extension}",
        f"会員レポート_{report.label}.{extension}",
    )
