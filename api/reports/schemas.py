"""JSON shapes of the reports API."""

from __future__ import annotations

from datetime import date

import msgspec

from api.periods import Breakdown
from api.reports.service import MemberReport


class BucketOut(msgspec.Struct):
    code: str
    label: str
    count: int


class BreakdownOut(msgspec.Struct):
    title: str
    total: int
    buckets: list[BucketOut]

    @classmethod
    def of(cls, breakdown: Breakdown) -> BreakdownOut:
        return cls(
            title=breakdown.title,
            total=breakdown.total,
            buckets=[BucketOut(b.code, b.label, b.count) for b in breakdown.buckets],
        )


class MemberReportOut(msgspec.Struct):
    """A fiscal year's member report. Suspended organisations count as members."""

    year: int
    label: str  # 令和8年度
    start_date: date
    end_date: date
    baseline_date: date  # the day members_at_start describes (the previous year's last day)
    as_of: date  # the day members_at_end and the breakdowns describe
    is_partial: bool  # the year is still running
    members_at_start: int
    members_at_end: int
    new_members: int
    withdrawals: int
    net_change: int
    target: int
    target_percent: int | None
    by_industry: BreakdownOut
    by_municipality: BreakdownOut
    by_size: BreakdownOut
    by_kind: BreakdownOut
    new_by_month: BreakdownOut

    @classmethod
    def of(cls, report: MemberReport) -> MemberReportOut:
        return cls(
            year=report.year,
            label=report.label,
            start_date=report.start_date,
            end_date=report.end_date,
            baseline_date=report.baseline_date,
            as_of=report.as_of,
            is_partial=report.is_partial,
            members_at_start=report.members_at_start,
            members_at_end=report.members_at_end,
            new_members=report.new_members,
            withdrawals=report.withdrawals,
            net_change=report.net_change,
            target=report.target,
            target_percent=report.target_percent,
            by_industry=BreakdownOut.of(report.by_industry),
            by_municipality=BreakdownOut.of(report.by_municipality),
            by_size=BreakdownOut.of(report.by_size),
            by_kind=BreakdownOut.of(report.by_kind),
            new_by_month=BreakdownOut.of(report.new_by_month),
        )


class ReportYearOut(msgspec.Struct):
    year: int
    label: str


class ReportYearsOut(msgspec.Struct):
    current: int
    years: list[ReportYearOut]
