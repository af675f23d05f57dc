"""Demo progress management for the embedded mode: the running fiscal year's schedule (what is
due before today done, one task late, the rest under way or waiting), a short issues list and
the minutes of the last two progress meetings, all dated from today so that the monthly report
and the progress pages show something true to life on any day. Created once; a restart only
looks."""

from __future__ import annotations

from datetime import date, timedelta

from api import clock, periods
from api.dates import fiscal_year, today
from api.db import transaction
from api.progress.tables import MeetingMinutes, ProjectIssue, ScheduleItem

# (month of the fiscal year from 0 = April, day, kind, title, owner)
SCHEDULE: list[tuple[int, int, str, str, str]] = [
    (0, 25, "milestone", "事業計画の県との合意", "事務局・県DX推進課"),
    (1, 31, "task", "ポータルサイトと会員プラットフォームの公開", "事務局"),
    (2, 30, "task", "会員募集の案内（第1期）", "事務局"),
    (4, 31, "task", "導入事例の取材と公開（前半6件）", "事務局"),
    (5, 30, "milestone", "上半期の進捗報告", "事務局"),
    (7, 30, "task", "会員アンケートの配布準備", "事務局"),
    (8, 20, "milestone", "公開DXイベントの開催", "事務局・県DX推進課"),
    (9, 31, "task", "導入事例の取材と公開（後半6件）", "事務局"),
    (10, 28, "task", "会員アンケートの回収と集計", "事務局"),
    (11, 31, "milestone", "年度報告書の提出", "事務局"),
]


def _day(year: int, month_index: int, day: int) -> date:
    month = periods.add_months(date(year, 4, 1), month_index)
    last = (periods.add_months(month, 1) - timedelta(days=1)).day
    return month.replace(day=min(day, last))


def _schedule_rows(now: date) -> list[ScheduleItem]:
    year = fiscal_year(now)
    due_days = [_day(year, m, d) for m, d, *_ in SCHEDULE]
    past = [due for due in due_days if due < now]
    late = past[-1] if past else None  # the last task due before today is running late
    rows = []
    for (month_index, _, kind, title, owner), due in zip(SCHEDULE, due_days, strict=True):
        starts = periods.add_months(due.replace(day=1), -1)
        if due < now and due != late:
            status, done_on = "done", due - timedelta(days=2)
        elif starts <= now:
            status, done_on = "in_progress", None
        else:
            status, done_on = "not_started", None
        rows.append(
            ScheduleItem(
                fiscal_year=year, kind=kind, title=title, owner=owner, starts_on=starts,
                due_on=due, status=status, done_on=done_on,
                notes="県と月次の進捗会議で確認" if kind == "milestone" and month_index else "",
            )
        )  # fmt: skip
    return rows


def _issue_rows(now: date) -> list[ProjectIssue]:
    return [
        ProjectIssue(
            title="会員アンケートの回答数が目標に届かない見込み", owner="事務局",
            details="目標500件に対し、現在の回答は約200件。", raised_on=now - timedelta(days=40),
            due_on=now + timedelta(days=25), status="in_progress",
            actions="会員向けメールで回答を依頼（2回）。セミナー会場でも案内する。",
        ),
        ProjectIssue(
            title="セミナー録画の公開可否", owner="事務局", raised_on=now - timedelta(days=70),
            details="登壇者の同意がない録画の扱い。", status="resolved",
            actions="登壇者に同意書を送付。", decision="同意を得た録画だけを会員に公開する。",
            decided_by="県DX推進課", decided_on=now - timedelta(days=50),
            resolved_on=now - timedelta(days=50),
        ),
        ProjectIssue(
            title="会員プラットフォームへのログインが少ない", owner="事務局・県DX推進課",
            details="登録アカウントの約3割しか月1回以上ログインしていない。",
            raised_on=now - timedelta(days=20), due_on=now + timedelta(days=40), status="open",
        ),
    ]  # fmt: skip


def _minutes_rows(now: date) -> list[MeetingMinutes]:
    this_month = now.replace(day=1)
    last_month = periods.add_months(this_month, -1)
    earlier = periods.add_months(this_month, -2)
    body = (
        "## 報告事項\n\n- 前月の閲覧数、検索、会員の利用状況\n- スケジュールの進捗\n\n"
        "## 協議事項\n\n- 会員アンケートの回収を進める方法\n\n"
        "## 決定事項\n\n- 会員向けメールで回答を再度依頼する。\n\n"
        "## 次回\n\n- 翌月上旬に開催する。"
    )
    return [
        MeetingMinutes(
            held_on=last_month + timedelta(days=4), report_month=earlier,
            title=f"定例会議（{periods.format_month(earlier)}分）", body=body,
            attendees="県DX推進課 2名\n事務局 3名", approved_at=clock.now(),
            approved_by="県DX推進課",
        ),
        MeetingMinutes(
            held_on=min(now, this_month + timedelta(days=4)), report_month=last_month,
            title=f"定例会議（{periods.format_month(last_month)}分）", body=body,
            attendees="県DX推進課 2名\n事務局 2名",
        ),
    ]  # fmt: skip


async def load_demo_progress() -> int:
    """Create the demo schedule, issues and minutes if none exist; returns rows created."""
    if await ScheduleItem.exists() or await ProjectIssue.exists() or await MeetingMinutes.exists():
        return 0
    now = today()
    schedule, issues, minutes = _schedule_rows(now), _issue_rows(now), _minutes_rows(now)
    async with transaction():
        await ScheduleItem.insert(*schedule)
        await ProjectIssue.insert(*issues)
        await MeetingMinutes.insert(*minutes)
    return len(schedule) + len(issues) + len(minutes)
