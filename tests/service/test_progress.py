"""Progress management: the schedule (late read from the due date, status on a past day, done
noted and cleared), the issues list (resolving needs actions or a decision, a decision names
who decided, open on a day), the minutes (Markdown sanitised, the report's month, fixed once
approved), every change audited and every wrong field named in Japanese."""

from __future__ import annotations

from datetime import date

import pytest

from api.audit.tables import AuditEntry
from api.errors import Conflict, NotFound, ValidationFailed
from api.pagination import PageRequest
from api.principal import Principal
from api.progress import issues, minutes, schedule
from tests.service import test_monthly_report

pytestmark = pytest.mark.usefixtures("db", "now")

# The monthly report's fixtures: the clock at 2026-12-06 12:00 JST, and a staff member.
now = test_monthly_report.now
staff = test_monthly_report.staff


def item(**changes: str) -> dict[str, str]:
    return {
        "kind": "task", "title": "事例記事の取材", "owner": "事務局", "starts_on": "2026-10-01",
        "due_on": "2026-12-20", "status": "in_progress", "notes": "",
    } | changes  # fmt: skip


async def actions() -> list[str]:
    rows = await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id)
    return [row["action"] for row in rows if row["action"] != "account.create"]


# --- the schedule ----------------------------------------------------------------------------


async def test_an_item_belongs_to_the_fiscal_year_of_its_due_date(staff: Principal) -> None:
    march = await schedule.create_item(staff, item(due_on="2027-03-31", starts_on=""))
    april = await schedule.create_item(staff, item(due_on="2027-04-01", starts_on=""))
    assert [i.id for i in await schedule.items_of_year(2026)] == [march]
    assert [i.id for i in await schedule.items_of_year(2027)] == [april]


async def test_late_is_read_from_the_due_date(staff: Principal) -> None:
    past = await schedule.create_item(staff, item(due_on="2026-12-05", title="期限切れ"))
    due_today = await schedule.create_item(staff, item(due_on="2026-12-06", title="今日まで"))
    done = await schedule.create_item(staff, item(due_on="2026-11-30", status="done"))
    found = {i.id: i for i in await schedule.items_of_year(2026)}
    assert found[past].current_status == "late"
    assert found[past].current_status_label == "遅れ"
    assert found[due_today].current_status == "in_progress"
    assert found[done].current_status == "done"
    assert [i.id for i in schedule.with_status(list(found.values()), "late")] == [past]
    assert schedule.status_counts(list(found.values()), date(2026, 12, 6)) == {
        "late": 1, "in_progress": 1, "not_started": 0, "done": 1,
    }  # fmt: skip


async def test_marking_done_notes_the_day_and_the_status_on_a_past_day_follows_it(
    staff: Principal,
) -> None:
    item_id = await schedule.create_item(staff, item(due_on="2026-11-15"))
    await schedule.update_item(staff, item_id, item(due_on="2026-11-15", status="done"))
    done = await schedule.get_item(item_id)
    assert done.done_on == date(2026, 12, 6)
    # At the end of October it was under way; at the end of November it was late (done only
    # in December); today it is done.
    assert done.status_on(date(2026, 10, 31)) == "in_progress"
    assert done.status_on(date(2026, 11, 30)) == "late"
    assert done.current_status == "done"
    # Changing other fields keeps the day; taking the mark back clears it.
    await schedule.update_item(staff, item_id, item(due_on="2026-11-15", status="done", owner="県"))
    assert (await schedule.get_item(item_id)).done_on == date(2026, 12, 6)
    await schedule.update_item(staff, item_id, item(due_on="2026-11-15", status="in_progress"))
    assert (await schedule.get_item(item_id)).done_on is None
    assert await actions() == ["schedule.create"] + ["schedule.update"] * 3


async def test_every_wrong_schedule_field_is_named_and_nothing_is_stored(
    staff: Principal,
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await schedule.create_item(
            staff,
            item(kind="party", title="", owner="x" * 61, due_on="2026-13-01", status="lost"),
        )
    assert set(caught.value.errors) == {"kind", "title", "owner", "due_on", "status"}
    assert caught.value.errors["title"] == "項目名を入力してください。"
    with pytest.raises(ValidationFailed) as caught:
        await schedule.create_item(staff, item(starts_on="2027-01-01", due_on="2026-12-01"))
    assert caught.value.errors == {"starts_on": "開始日は期限より前の日付にしてください。"}
    with pytest.raises(ValidationFailed) as caught:
        await schedule.create_item(staff, item(notes="a\x00b"))
    assert "notes" in caught.value.errors
    assert await schedule.items_of_year(2026) == []
    assert await actions() == []


async def test_dates_are_read_as_people_type_them(staff: Principal) -> None:
    item_id = await schedule.create_item(staff, item(due_on="２０２７年１月３１日", starts_on=""))
    assert (await schedule.get_item(item_id)).due_on == date(2027, 1, 31)


async def test_removing_an_item_is_audited_and_a_missing_one_is_not_found(
    staff: Principal,
) -> None:
    item_id = await schedule.create_item(staff, item())
    await schedule.delete_item(staff, item_id)
    with pytest.raises(NotFound):
        await schedule.get_item(item_id)
    with pytest.raises(NotFound):
        await schedule.delete_item(staff, item_id)
    with pytest.raises(NotFound):
        await schedule.get_item(2**63)
    assert await actions() == ["schedule.create", "schedule.delete"]


# --- the issues list -------------------------------------------------------------------------


def issue(**changes: str) -> dict[str, str]:
    return {
        "title": "アンケート回収率の低さ", "details": "回答が目標に届かない。", "owner": "事務局",
        "raised_on": "2026-10-01", "due_on": "2026-12-31", "status": "open", "actions": "",
        "decision": "", "decided_by": "", "decided_on": "",
    } | changes  # fmt: skip


async def test_resolving_needs_actions_or_a_decision_and_notes_the_day(
    staff: Principal,
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await issues.create_issue(staff, issue(status="resolved"))
    assert caught.value.errors == {
        "status": "解決済みにするには、対応内容か決定事項を入力してください。"
    }
    issue_id = await issues.create_issue(staff, issue())
    await issues.update_issue(
        staff, issue_id, issue(status="resolved", decision="督促を2回行う。", decided_by="県DX推進課")
    )  # fmt: skip
    resolved = await issues.get_issue(issue_id)
    assert (resolved.resolved_on, resolved.decided_on) == (date(2026, 12, 6), date(2026, 12, 6))
    assert resolved.status_label == "解決済み"
    assert resolved.open_on(date(2026, 11, 30)) and not resolved.open_on(date(2026, 12, 6))
    await issues.update_issue(staff, issue_id, issue(status="in_progress", actions="再調査"))
    assert (await issues.get_issue(issue_id)).resolved_on is None
    assert await actions() == ["issue.create", "issue.update", "issue.update"]


async def test_a_decision_names_who_decided_and_dates_make_sense(staff: Principal) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await issues.create_issue(
            staff, issue(decision="延期する。", raised_on="2026-12-07", due_on="2026-09-01")
        )
    assert set(caught.value.errors) == {"decided_by", "raised_on", "due_on"}
    with pytest.raises(ValidationFailed) as caught:
        await issues.create_issue(staff, issue(decided_by="県"))
    assert set(caught.value.errors) == {"decision"}


async def test_the_list_shows_unresolved_first_a_page_at_a_time(staff: Principal) -> None:
    first = await issues.create_issue(staff, issue(title="古い課題", raised_on="2026-05-01"))
    newer = await issues.create_issue(staff, issue(title="新しい課題", raised_on="2026-11-01"))
    done = await issues.create_issue(
        staff, issue(title="解決した課題", status="resolved", actions="対応済み")
    )
    unresolved = await issues.list_issues("unresolved", PageRequest.of(1, 20))
    assert [i.id for i in unresolved.items] == [newer, first]
    assert [i.id for i in (await issues.list_issues("resolved", PageRequest.of(1))).items] == [done]
    everything = await issues.list_issues("all", PageRequest.of(2, 2))
    assert (everything.total, everything.pages, [i.id for i in everything.items]) == (3, 2, [first])
    # Open at the end of November: both unresolved ones (the resolved one was resolved in
    # December, so it stood open then as well); in December only one was resolved.
    assert [i.id for i in await issues.open_on(date(2026, 11, 30))] == [first, done, newer]
    assert [i.id for i in await issues.resolved_between(date(2026, 12, 1), date(2026, 12, 31))] == [
        done
    ]


# --- the minutes -----------------------------------------------------------------------------


def meeting(**changes: str) -> dict[str, str]:
    return {
        "held_on": "2026-12-03", "report_month": "2026-11", "title": "第8回 定例会議",
        "attendees": "県DX推進課 2名\n事務局 3名",
        "body": "## 議題\n\n- 11月の報告\n\n<script>alert(1)</script>",
    } | changes  # fmt: skip


async def test_minutes_render_sanitised_and_are_kept_with_their_month(staff: Principal) -> None:
    minutes_id = await minutes.create_minutes(staff, meeting())
    found = await minutes.get_minutes(minutes_id)
    assert found.report_month == date(2026, 11, 1)
    assert found.written_by == "テスト 利用者"  # the account's display name
    assert "<h2>議題</h2>" in found.body_html and "<script>" not in found.body_html
    defaulted = await minutes.create_minutes(staff, meeting(report_month=""))
    assert (await minutes.get_minutes(defaulted)).report_month == date(2026, 12, 1)
    november = await minutes.minutes_of_months(date(2026, 11, 1), date(2026, 11, 1))
    assert [m.id for m in november] == [minutes_id]
    assert [m.id for m in await minutes.minutes_of_year(2026)] == [defaulted, minutes_id]


async def test_minutes_are_fixed_once_approved_until_the_approval_is_taken_back(
    staff: Principal,
) -> None:
    minutes_id = await minutes.create_minutes(staff, meeting())
    with pytest.raises(ValidationFailed) as caught:
        await minutes.approve(staff, minutes_id, {"approved_by": ""})
    assert caught.value.errors == {"approved_by": "承認者を入力してください。"}
    await minutes.approve(staff, minutes_id, {"approved_by": "県DX推進課"})
    approved = await minutes.get_minutes(minutes_id)
    assert approved.is_approved and approved.approved_by == "県DX推進課"
    assert approved.status_label == "承認済み"
    with pytest.raises(Conflict):
        await minutes.update_minutes(staff, minutes_id, meeting(title="変更"))
    with pytest.raises(Conflict):
        await minutes.delete_minutes(staff, minutes_id)
    with pytest.raises(Conflict):
        await minutes.approve(staff, minutes_id, {"approved_by": "別の人"})
    await minutes.withdraw_approval(staff, minutes_id)
    await minutes.update_minutes(staff, minutes_id, meeting(title="第8回 定例会議 修正版"))
    assert (await minutes.get_minutes(minutes_id)).title == "第8回 定例会議 修正版"
    await minutes.delete_minutes(staff, minutes_id)
    assert await actions() == [
        "minutes.create", "minutes.approve", "minutes.unapprove", "minutes.update",
        "minutes.delete",
    ]  # fmt: skip


async def test_every_wrong_minutes_field_is_named(staff: Principal) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await minutes.create_minutes(
            staff, meeting(held_on="", report_month="2030-01", title="", body=" ")
        )
    assert set(caught.value.errors) == {"held_on", "report_month", "title", "body"}
    with pytest.raises(ValidationFailed) as caught:
        await minutes.create_minutes(staff, meeting(body="あ" * 20_001))
    assert caught.value.errors["body"].startswith("議事録は20,000文字以内")
    assert await minutes.minutes_of_year(2026) == []
