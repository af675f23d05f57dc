"""Progress management as the reports for the prefecture take it: the schedule's status and
the open issues at the period's end (or today, for a period still running), the issues resolved
in the period, and the minutes kept with the period's months (four queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from api.dates import fiscal_year, format_date, today
from api.periods import Period, ReportTable
from api.progress import issues, minutes, schedule


@dataclass(frozen=True, slots=True)
class ProgressSection:
    as_of: date  # the day the statuses describe
    counts: dict[str, int]  # the fiscal year's items by status on that day (STATUS_ORDER)
    items: list[schedule.ScheduleItemView]  # those the period's report shows
    open_issues: list[issues.IssueView]  # unresolved on that day
    resolved_issues: list[issues.IssueView]  # resolved within the period
    minutes: list[minutes.MinutesView]  # kept with the period's months

    def status_of(self, item: schedule.ScheduleItemView) -> str:
        return item.status_on(self.as_of)

    @property
    def late(self) -> int:
        return self.counts["late"]


def _shown(item: schedule.ScheduleItemView, period: Period, as_of: date) -> bool:
    """A month's report shows the items due or done in the month and every item late by its
    end; a year's shows them all."""
    if period.kind == "fiscal_year":
        return True
    last = period.end - timedelta(days=1)
    due_in = period.first <= item.due_on <= last
    done_in = item.done_on is not None and period.first <= item.done_on <= last
    return due_in or done_in or item.status_on(as_of) == "late"


async def progress_of(period: Period) -> ProgressSection:
    last = period.end - timedelta(days=1)
    as_of = min(last, today())
    items = await schedule.items_of_year(fiscal_year(period.first))
    return ProgressSection(
        as_of=as_of,
        counts=schedule.status_counts(items, as_of),
        items=[item for item in items if _shown(item, period, as_of)],
        open_issues=await issues.open_on(as_of),
        resolved_issues=await issues.resolved_between(period.first, last),
        minutes=await minutes.minutes_of_months(period.first, period.last),
    )


def tables(section: ProgressSection) -> dict[str, ReportTable]:
    """The section's tables, as the page, the print view and the workbook show them."""
    when = format_date(section.as_of)
    return {
        "schedule_counts": ReportTable(
            "schedule_counts", f"スケジュールの状況（{when}時点）", ("状況", "件数"),
            [(schedule.STATUS_LABELS[status], n) for status, n in section.counts.items()],
        ),
        "schedule": ReportTable(
            "schedule", "期間中に期限・完了を迎えた項目と遅れている項目",
            ("項目", "種類", "担当", "期限", "状況"),
            [
                (item.title, item.kind_label, item.owner, format_date(item.due_on),
                 schedule.STATUS_LABELS[section.status_of(item)])
                for item in section.items
            ],
        ),
        "open_issues": ReportTable(
            "open_issues", f"未解決の課題（{when}時点）",
            ("課題", "担当", "起票日", "対応期限", "状況", "対応内容"),
            [
                (f"{entry.number} {entry.title}", entry.owner, format_date(entry.raised_on),
                 format_date(entry.due_on) if entry.due_on else "—", entry.status_label,
                 entry.actions)
                for entry in section.open_issues
            ],
        ),
        "resolved_issues": ReportTable(
            "resolved_issues", "期間中に解決した課題", ("課題", "決定事項", "決定者", "解決日"),
            [
                (f"{entry.number} {entry.title}", entry.decision or entry.actions,
                 entry.decided_by, format_date(entry.resolved_on) if entry.resolved_on else "")
                for entry in section.resolved_issues
            ],
        ),
        "minutes": ReportTable(
            "minutes", "進捗会議の議事録", ("会議", "開催日", "状況", "承認者"),
            [
                (found.title, format_date(found.held_on), found.status_label, found.approved_by)
                for found in section.minutes
            ],
        ),
    }  # fmt: skip
