"""Events: who runs them, who sees them, registration with capacity per mode and a waiting
list, duplicates, windows, members-only seminars, cancellation (signed links included), the
online URL's visibility, check-in, attendance, anonymisation and iCalendar."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from api import clock
from api.accounts import service as accounts
from api.dates import JST
from api.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from api.events import calendar
from api.events import service as events
from api.events.service import EventFilter
from api.events.tables import EventRegistration
from api.events.validation import EventInput, local_input_value
from api.mail.tables import OutboxMail
from api.members.reference import MembershipStatus
from api.pagination import PageRequest
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from api.text import new_submission_key
from tests.conftest import PASSWORD, make_account
from tests.factories import make_organisation

ALL = PageRequest.of(1, 100)


async def signed_in(settings: Settings, email: str) -> Principal:
    return (await accounts.login(settings, email, PASSWORD, "10.0.0.1")).principal


def event_input(**overrides: Any) -> EventInput:
    starts = (
        (clock.now() + timedelta(days=10))
        .astimezone(JST)
        .replace(hour=13, minute=30, second=0, microsecond=0)
    )
    values: dict[str, Any] = {
        "kind": "seminar",
        "title": "生成AI活用セミナー",
        "summary": "業務で生成AIを使い始めるための基礎講座です。",
        "description": "## 内容\n\n- 基礎\n- 事例",
        "starts_at": local_input_value(starts),
        "ends_at": local_input_value(starts + timedelta(hours=2)),
        "venue_name": "熊本県庁 本館",
        "venue_address": "熊本市中央区水前寺6-18-1",
        "access_notes": "市電「県庁前」下車徒歩5分",
        "online_url": "https://meet.example.jp/dx-seminar",
        "capacity_onsite": "2",
        "capacity_online": "1",
        "registration_opens_at": local_input_value(clock.now() - timedelta(days=1)),
        "registration_closes_at": local_input_value(starts - timedelta(hours=1)),
        "audience": "anyone",
        "speakers": "熊本 太郎（熊本大学）\n阿蘇 花子（株式会社阿蘇テック）",
    }
    values.update(overrides)
    return EventInput.from_mapping(values)


def person(index: int = 1, **overrides: Any) -> dict[str, Any]:
    values = {
        "name": f"参加 太郎{index}",
        "name_kana": "さんか たろう",
        "organisation_name": "熊本テスト株式会社",
        "email": f"person{index}@example.jp",
        "mode": "onsite",
        "accessibility_needs": "",
    }
    values.update(overrides)
    return values


@pytest.fixture
async def world(settings: Settings, db: None) -> dict[str, Any]:
    aso = await make_organisation(1, name="株式会社阿蘇テック")
    suspended = await make_organisation(2, status=MembershipStatus.SUSPENDED)
    await make_account(settings, "staff@example.jp", {Role.STAFF})
    await make_account(settings, "editor@example.jp", {Role.EDITOR})
    await make_account(settings, "official@example.jp", {Role.OFFICIAL})
    await make_account(settings, "aso-admin@example.jp", {Role.MEMBER_ADMIN}, organisation_id=aso)
    colleague = await make_account(
        settings, "aso-user@example.jp", {Role.MEMBER_USER}, organisation_id=aso
    )
    await make_account(
        settings, "suspended@example.jp", {Role.MEMBER_USER}, organisation_id=suspended
    )
    staff = await signed_in(settings, "staff@example.jp")
    return {"staff": staff, "aso": aso, "colleague": colleague.id}


async def published(staff: Principal, **overrides: Any) -> events.EventView:
    view = await events.create_event(staff, event_input(**overrides))
    return await events.publish_event(staff, view.id)


async def mails_to(address: str) -> list[str]:
    rows = (
        await OutboxMail.select(OutboxMail.subject)
        .where(OutboxMail.to_address == address)
        .order_by(OutboxMail.id)
    )
    return [row["subject"] for row in rows]


# --- running events ----------------------------------------------------------------------------


async def test_only_the_secretariat_runs_events(settings: Settings, world: dict[str, Any]) -> None:
    for email in ("editor@example.jp", "aso-admin@example.jp", "official@example.jp"):
        with pytest.raises(PermissionDenied):
            await events.create_event(await signed_in(settings, email), event_input())
    view = await events.create_event(world["staff"], event_input())
    assert view.state == "draft" and view.modes == ("onsite", "online") and view.hybrid
    assert view.speaker_lines == ["熊本 太郎（熊本大学）", "阿蘇 花子（株式会社阿蘇テック）"]


async def test_invalid_events_name_each_field_and_write_nothing(
    settings: Settings, world: dict[str, Any]
) -> None:
    data = event_input(
        kind="party", title="", ends_at="2020-01-01T10:00", capacity_onsite="0", capacity_online="x",
        online_url="http://insecure.example.jp", registration_closes_at="2100-01-01T00:00",
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        await events.create_event(world["staff"], data)
    assert set(caught.value.errors) >= {"kind", "title", "ends_at", "capacity_online", "online_url"}
    with pytest.raises(ValidationFailed) as caught:
        await events.create_event(
            world["staff"], event_input(capacity_onsite="0", capacity_online="0")
        )
    assert "capacity_onsite" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        await events.create_event(world["staff"], event_input(venue_name="", venue_address=""))
    assert {"venue_name", "venue_address"} <= set(caught.value.errors)
    page = await events.list_events_for_staff(world["staff"], "", ALL)
    assert page.total == 0


async def test_drafts_are_the_secretariats_and_members_only_events_are_members(
    settings: Settings, world: dict[str, Any]
) -> None:
    staff = world["staff"]
    draft = await events.create_event(staff, event_input(title="下書きの催し"))
    open_event = await published(staff, title="公開イベント", kind="open_event")
    seminar = await published(staff, title="会員限定セミナー", audience="members")
    member = await signed_in(settings, "aso-user@example.jp")
    suspended = await signed_in(settings, "suspended@example.jp")

    async def titles(principal: Principal | None) -> list[str]:
        return [v.title for v in (await events.list_events(principal, EventFilter(), ALL)).items]

    assert await titles(None) == ["公開イベント"]
    assert await titles(suspended) == ["公開イベント"]
    assert sorted(await titles(member)) == ["会員限定セミナー", "公開イベント"]
    with pytest.raises(NotFound):
        await events.get_event(None, draft.id)
    with pytest.raises(NotFound):
        await events.get_event(None, seminar.id)
    assert (await events.get_event(member, seminar.id)).title == "会員限定セミナー"
    assert (await events.get_event(staff, draft.id)).state == "draft"
    assert (await events.get_event(None, open_event.id)).published


async def test_calendar_filters_by_kind_month_and_past(
    settings: Settings, world: dict[str, Any]
) -> None:
    staff = world["staff"]
    soon = await published(staff, title="近日のセミナー")
    starts = datetime(2031, 2, 10, 13, 0, tzinfo=JST)
    await published(
        staff, title="2031年の公開イベント", kind="open_event",
        starts_at=local_input_value(starts), ends_at=local_input_value(starts + timedelta(hours=3)),
    )  # fmt: skip

    async def titles(**filters: str) -> list[str]:
        return [
            v.title for v in (await events.list_events(None, EventFilter(**filters), ALL)).items
        ]

    assert await titles() == ["近日のセミナー", "2031年の公開イベント"]
    assert await titles(kind="open_event") == ["2031年の公開イベント"]
    assert await titles(month="2031-02") == ["2031年の公開イベント"]
    assert await titles(month="2031-13") == ["近日のセミナー", "2031年の公開イベント"]  # ignored
    assert await titles(when="past") == []
    later = soon.ends_at + timedelta(minutes=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: later)
        assert await titles(when="past") == ["近日のセミナー"]
        assert await titles() == ["2031年の公開イベント"]


# --- registering -------------------------------------------------------------------------------


async def test_anyone_registers_for_an_open_event_and_is_mailed(
    settings: Settings, world: dict[str, Any]
) -> None:
    view = await published(world["staff"], kind="open_event")
    checked, data = await events.check_registration(
        None, view.id, person(1, name_kana="さんか たろう")
    )
    assert data.name_kana == "サンカ タロウ" and checked.id == view.id
    assert await EventRegistration.count() == 0  # the 確認 step writes nothing
    result = await events.register(settings, None, view.id, person(1))
    assert result.registration.status == "registered" and not result.waiting
    assert result.registration.reference.startswith("EV-")
    assert result.event.counts.of("onsite") == 1
    assert await mails_to("person1@example.jp") == ["【参加登録完了】生成AI活用セミナー"]
    body = (
        await OutboxMail.select(OutboxMail.body).where(
            OutboxMail.to_address == "person1@example.jp"
        )
    )[0]["body"]
    assert result.registration.reference in body and "/events/cancel/" in body


async def test_a_registration_names_every_wrong_field(
    settings: Settings, world: dict[str, Any]
) -> None:
    view = await published(world["staff"], capacity_online="0")
    bad = person(1, name="", name_kana="Taro", email="not-an-address", mode="online")
    with pytest.raises(ValidationFailed) as caught:
        await events.register(settings, None, view.id, bad)
    assert set(caught.value.errors) == {"name", "name_kana", "email", "mode"}
    assert await EventRegistration.count() == 0 and await OutboxMail.count() == 0


async def test_the_same_address_registers_once_per_event(
    settings: Settings, world: dict[str, Any]
) -> None:
    view = await published(world["staff"])
    await events.register(settings, None, view.id, person(1))
    for values in (person(1), person(2, email="PERSON1@example.jp")):
        with pytest.raises(ValidationFailed) as caught:
            await events.register(settings, None, view.id, values)
        assert "既にお申し込み" in caught.value.errors["email"]
    other = await published(world["staff"], title="別のセミナー")
    assert (
        await events.register(settings, None, other.id, person(1))
    ).registration.status == "registered"


async def test_posting_the_same_form_twice_makes_one_registration(
    settings: Settings, world: dict[str, Any]
) -> None:
    view = await published(world["staff"])
    values = person(1, submission_key=new_submission_key())
    first = await events.register(settings, None, view.id, values)
    again = await events.register(settings, None, view.id, values)
    assert again.replayed and again.registration.id == first.registration.id
    assert await EventRegistration.count() == 1


async def test_a_full_mode_puts_people_on_its_waiting_list_and_a_cancellation_moves_one_up(
    settings: Settings, world: dict[str, Any]
) -> None:
    view = await published(world["staff"], capacity_onsite="1", capacity_online="1")
    first = await events.register(settings, None, view.id, person(1))
    second = await events.register(settings, None, view.id, person(2))
    third = await events.register(settings, None, view.id, person(3))
    online = await events.register(settings, None, view.id, person(4, mode="online"))
    assert [r.registration.status for r in (first, second, third, online)] == [
        "registered", "waiting", "waiting", "registered",
    ]  # fmt: skip
    assert await mails_to("person2@example.jp") == ["【キャンセル待ち受付】生成AI活用セミナー"]

    await events.cancel_by_token(settings, first.cancel_token)
    promoted = await events._registration(second.registration.id)
    assert promoted.status == "registered" and promoted.promoted_at is not None
    assert (await events._registration(third.registration.id)).status == "waiting"
    assert (await mails_to("person2@example.jp"))[-1].startswith("【参加確定】")
    assert (await mails_to("person1@example.jp"))[-1] == "【キャンセル受付】生成AI活用セミナー"
    counts = (await events.get_event(None, view.id)).counts
    assert (
        counts.of("onsite") == 1 and counts.waiting_of("onsite") == 1 and counts.of("online") == 1
    )
    # Cancelling again changes nothing and mails nobody.
    before = await OutboxMail.count()
    assert (await events.cancel_by_token(settings, first.cancel_token)).status == "cancelled"
    assert await OutboxMail.count() == before


async def test_a_larger_capacity_moves_people_up_and_a_smaller_one_than_taken_is_refused(
    settings: Settings, world: dict[str, Any]
) -> None:
    staff = world["staff"]
    view = await published(staff, capacity_onsite="1", capacity_online="0")
    await events.register(settings, None, view.id, person(1))
    waiting = await events.register(settings, None, view.id, person(2))
    values = {"capacity_onsite": "2", "capacity_online": "0"}
    changed = await events.update_event(settings, staff, view.id, event_input(**values))
    assert changed.counts.of("onsite") == 2
    assert (await events._registration(waiting.registration.id)).status == "registered"
    with pytest.raises(ValidationFailed) as caught:
        await events.update_event(
            settings, staff, view.id, event_input(capacity_onsite="1", capacity_online="0")
        )
    assert "2人" in caught.value.errors["capacity_onsite"]


async def test_two_people_taking_the_last_seat_at_once(
    settings: Settings, world: dict[str, Any]
) -> None:
    view = await published(world["staff"], capacity_onsite="1", capacity_online="0")
    results = await asyncio.gather(
        *(events.register(settings, None, view.id, person(i)) for i in range(1, 5))
    )
    statuses = sorted(r.registration.status for r in results)
    assert statuses == ["registered", "waiting", "waiting", "waiting"]
    assert (await events.get_event(None, view.id)).counts.of("onsite") == 1


async def test_registration_only_inside_its_window(
    settings: Settings, world: dict[str, Any]
) -> None:
    staff = world["staff"]
    later = await published(
        staff, registration_opens_at=local_input_value(clock.now() + timedelta(days=2))
    )
    with pytest.raises(Conflict) as caught:
        await events.register(settings, None, later.id, person(1))
    assert "からです" in str(caught.value)
    view = await published(staff)
    closed = view.registration_closes_at + timedelta(seconds=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: closed)
        with pytest.raises(Conflict) as caught:
            await events.register(settings, None, view.id, person(1))
    assert "終了しました" in str(caught.value)


async def test_members_only_seminars_take_members_of_active_organisations(
    settings: Settings, world: dict[str, Any]
) -> None:
    view = await published(world["staff"], audience="members")
    member = await signed_in(settings, "aso-user@example.jp")
    with pytest.raises(NotFound):  # it does not even show to visitors
        await events.register(settings, None, view.id, person(1))
    with pytest.raises(PermissionDenied):
        await events.register_member(
            settings, await signed_in(settings, "suspended@example.jp"), view.id, "onsite"
        )
    result = await events.register_member(
        settings, member, view.id, "online", "字幕があると助かります"
    )
    registration = result.registration
    assert registration.email == "aso-user@example.jp" and registration.is_member
    assert registration.organisation_name == "株式会社阿蘇テック"
    assert registration.accessibility_needs == "字幕があると助かります"
    with pytest.raises(ValidationFailed) as caught:
        await events.register_member(settings, member, view.id, "onsite")
    assert "既にお申し込み" in caught.value.errors["email"]


async def test_a_member_admin_registers_a_colleague_and_a_member_user_cannot(
    settings: Settings, world: dict[str, Any]
) -> None:
    view = await published(world["staff"], audience="members")
    admin = await signed_in(settings, "aso-admin@example.jp")
    user = await signed_in(settings, "aso-user@example.jp")
    staff_account = world["staff"].account_id
    with pytest.raises(PermissionDenied):
        await events.register_member(settings, user, view.id, "onsite", account_id=staff_account)
    with pytest.raises(NotFound):  # not a colleague
        await events.register_member(settings, admin, view.id, "onsite", account_id=staff_account)
    result = await events.register_member(
        settings, admin, view.id, "onsite", account_id=world["colleague"]
    )
    assert result.registration.email == "aso-user@example.jp"
    # Both see it among their registrations; either may cancel it.
    assert [m.registration.id for m in await events.my_registrations(admin)] == [
        result.registration.id
    ]
    assert [m.registration.id for m in await events.my_registrations(user)] == [
        result.registration.id
    ]
    outsider = await signed_in(settings, "staff@example.jp")
    assert await events.my_registrations(outsider) == []
    cancelled = await events.cancel_registration(settings, user, result.registration.id)
    assert cancelled.status == "cancelled"


async def test_another_persons_registration_is_not_found(
    settings: Settings, world: dict[str, Any]
) -> None:
    view = await published(world["staff"])
    result = await events.register(settings, None, view.id, person(1))
    member = await signed_in(settings, "aso-user@example.jp")
    with pytest.raises(NotFound):
        await events.cancel_registration(settings, member, result.registration.id)


async def test_signed_cancellation_links_refuse_tampering_and_expire(
    settings: Settings, world: dict[str, Any]
) -> None:
    view = await published(world["staff"])
    result = await events.register(settings, None, view.id, person(1))
    token = result.cancel_token
    registration_id, expires, signature = token.split("-")
    for bad in (
        f"{int(registration_id) + 1}-{expires}-{signature}",
        f"{registration_id}-{int(expires) + 3600}-{signature}",
        f"{registration_id}-{expires}-{signature[:-1]}0",
        "1-2", "", "x" * 300, "99999999999999999999-1-ab",
    ):  # fmt: skip
        with pytest.raises(NotFound):
            await events.cancel_by_token(settings, bad)
    after_the_end = view.ends_at + timedelta(seconds=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: after_the_end)
        with pytest.raises(NotFound):
            await events.cancel_by_token(settings, token)
    assert (await events.registration_by_token(settings, token))[0].id == result.registration.id


async def test_the_online_url_shows_to_online_participants_from_an_hour_before(
    settings: Settings, world: dict[str, Any]
) -> None:
    view = await published(world["staff"], capacity_onsite="1", capacity_online="1")
    online = (await events.register(settings, None, view.id, person(1, mode="online"))).registration
    onsite = (await events.register(settings, None, view.id, person(2))).registration
    waiting = (
        await events.register(settings, None, view.id, person(3, mode="online"))
    ).registration
    early = view.starts_at - timedelta(hours=1, seconds=1)
    on_time = view.starts_at - timedelta(minutes=59)
    assert events.online_url_for(view, online, early) is None
    assert events.online_url_for(view, online, on_time) == "https://meet.example.jp/dx-seminar"
    assert events.online_url_for(view, online, view.ends_at) is None
    for other in (onsite, waiting, None):
        assert events.online_url_for(view, other, on_time) is None


async def test_cancelling_an_event_mails_every_registrant(
    settings: Settings, world: dict[str, Any]
) -> None:
    staff = world["staff"]
    view = await published(staff, capacity_onsite="1", capacity_online="0")
    await events.register(settings, None, view.id, person(1))
    await events.register(settings, None, view.id, person(2))
    with pytest.raises(ValidationFailed):
        await events.cancel_event(settings, staff, view.id, "")
    cancelled = await events.cancel_event(settings, staff, view.id, "台風の接近のため")
    assert cancelled.cancelled and cancelled.cancel_reason == "台風の接近のため"
    for address in ("person1@example.jp", "person2@example.jp"):
        assert (await mails_to(address))[-1] == "【開催中止】生成AI活用セミナー"
    with pytest.raises(Conflict):
        await events.register(settings, None, view.id, person(3))
    with pytest.raises(Conflict):
        await events.cancel_event(settings, staff, view.id, "もう一度")


# --- the secretariat at the door and afterwards ------------------------------------------------


async def test_check_in_search_and_attendance(settings: Settings, world: dict[str, Any]) -> None:
    staff = world["staff"]
    view = await published(staff, capacity_onsite="1", capacity_online="5")
    member = await signed_in(settings, "aso-user@example.jp")
    mine = (await events.register_member(settings, member, view.id, "online")).registration
    guest = (
        await events.register(
            settings, None, view.id, person(1, name="菊池 花子", name_kana="キクチ ハナコ")
        )
    ).registration
    waiting = (await events.register(settings, None, view.id, person(2))).registration

    _, found = await events.list_participants(staff, view.id, "きくち", "", ALL)
    assert [r.id for r in found.items] == [guest.id]
    assert (await events.list_participants(staff, view.id, "", "waiting", ALL))[1].total == 1
    with pytest.raises(PermissionDenied):
        await events.list_participants(member, view.id, "", "", ALL)

    assert (await events.check_in(staff, view.id, guest.id, True)).attended
    await events.check_in(staff, view.id, mine.id, True)
    assert not (await events.check_in(staff, view.id, mine.id, False)).attended
    with pytest.raises(Conflict):
        await events.check_in(staff, view.id, waiting.id, True)
    counts = (await events.get_event(staff, view.id)).counts
    assert counts.attended_of("onsite") == 1 and counts.attended_of("online") == 0

    official = await signed_in(settings, "official@example.jp")
    [row] = await events.attendance(official, view.fiscal_year)
    assert (row.registered, row.attended, row.members_registered, row.others_attended) == (
        2,
        1,
        1,
        1,
    )
    with pytest.raises(PermissionDenied):
        await events.attendance(member, view.fiscal_year)


async def test_anonymising_an_ended_event_keeps_the_counts(
    settings: Settings, world: dict[str, Any]
) -> None:
    staff = world["staff"]
    view = await published(staff)
    result = await events.register(
        settings, None, view.id, person(1, accessibility_needs="車椅子で伺います")
    )
    await events.check_in(staff, view.id, result.registration.id, True)
    with pytest.raises(Conflict):
        await events.anonymise_event(staff, view.id)
    after = view.ends_at + timedelta(days=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: after)
        assert await events.anonymise_event(staff, view.id) == 1
        [row] = await events.all_participants(staff, view.id)
        assert (row.name, row.email, row.accessibility_needs) == ("（匿名化済み）", "", "")
        assert row.attended
        [figures] = await events.attendance(staff, view.fiscal_year)
        assert figures.attended == 1


# --- iCalendar ---------------------------------------------------------------------------------


async def test_icalendar_is_valid_with_tokyo_times_stable_uids_and_cancellations(
    settings: Settings, world: dict[str, Any]
) -> None:
    staff = world["staff"]
    kept = await published(staff, title="公開イベント, 2027; 熊本")
    dropped = await published(staff, title="中止になる催し")
    await events.cancel_event(settings, staff, dropped.id, "会場の都合")
    views = await events.upcoming_public_events()
    text = calendar.calendar_of(
        views, {v.id: f"https://example.jp/events/{v.id}" for v in views}, "催し"
    )
    parsed = Calendar.from_ical(text)
    [timezone] = parsed.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "Asia/Tokyo"
    items = {str(item["UID"]): item for item in parsed.walk("VEVENT")}
    first = items[f"event-{kept.id}@events.kumamoto-dx"]
    assert str(first["SUMMARY"]) == "公開イベント, 2027; 熊本"
    assert first.decoded("DTSTART") == kept.starts_at
    assert first["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert str(first["STATUS"]) == "CONFIRMED"
    assert str(items[f"event-{dropped.id}@events.kumamoto-dx"]["STATUS"]) == "CANCELLED"
    again = calendar.calendar_of(views, {v.id: "https://example.jp/" for v in views}, "催し")
    assert {str(i["UID"]) for i in Calendar.from_ical(again).walk("VEVENT")} == set(items)


# --- mails with the calendar and the reminder ---------------------------------------------------


async def attachments_to(address: str) -> list[list[dict[str, str]]]:
    import json

    rows = (
        await OutboxMail.select(OutboxMail.attachments)
        .where(OutboxMail.to_address == address)
        .order_by(OutboxMail.id)
    )
    return [
        json.loads(row["attachments"])
        if isinstance(row["attachments"], str)
        else row["attachments"]
        for row in rows
    ]


async def test_the_confirmation_carries_the_events_calendar_file(
    settings: Settings, world: dict[str, Any]
) -> None:
    view = await published(world["staff"], capacity_onsite="1", capacity_online="0")
    await events.register(settings, None, view.id, person(1))
    await events.register(settings, None, view.id, person(2))  # waiting: no calendar entry yet
    [[ics]] = await attachments_to("person1@example.jp")
    assert ics["filename"] == f"event-{view.id}.ics" and ics["content_type"] == "text/calendar"
    [item] = Calendar.from_ical(ics["text"]).walk("VEVENT")
    assert str(item["UID"]) == f"event-{view.id}@events.kumamoto-dx"
    assert await attachments_to("person2@example.jp") == [[]]


async def test_the_reminder_goes_once_the_day_before_with_the_url_for_online_participants(
    settings: Settings, world: dict[str, Any]
) -> None:
    from api.jobs.worker import Worker

    view = await published(world["staff"], capacity_onsite="1", capacity_online="1")
    await events.register(settings, None, view.id, person(1))
    await events.register(settings, None, view.id, person(2, mode="online"))
    await events.register(settings, None, view.id, person(3))  # waiting: not reminded
    assert await events.send_due_reminders(settings) == []  # ten days ahead
    day_before = view.starts_at - timedelta(hours=20)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: day_before)
        await Worker(settings).scheduled_tasks()
        assert await events.send_due_reminders(settings) == []  # once, whoever asks again
    assert (await mails_to("person1@example.jp"))[-1] == "【明日開催】生成AI活用セミナー"
    assert (await mails_to("person3@example.jp"))[-1].startswith("【キャンセル待ち受付】")
    bodies = {
        row["to_address"]: row["body"]
        for row in await OutboxMail.select().where(OutboxMail.subject.like("【明日開催】%"))
    }
    assert "https://meet.example.jp/dx-seminar" in bodies["person2@example.jp"]
    assert "https://meet.example.jp/dx-seminar" not in bodies["person1@example.jp"]


async def test_many_registrations_from_one_address_are_stopped(
    settings: Settings, world: dict[str, Any]
) -> None:
    from api.errors import TooManyAttempts

    view = await published(world["staff"], capacity_onsite="100", capacity_online="0")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(events, "REGISTRATIONS_PER_HOUR", 3)
        for index in range(3):
            await events.register(settings, None, view.id, person(index), "203.0.113.9")
        with pytest.raises(TooManyAttempts):
            await events.register(settings, None, view.id, person(9), "203.0.113.9")
        await events.register(settings, None, view.id, person(10), "198.51.100.7")  # another office
        later = clock.now() + timedelta(hours=1, minutes=1)
        patch.setattr(clock, "now", lambda: later)
        await events.register(settings, None, view.id, person(11), "203.0.113.9")
    assert await EventRegistration.count() == 5
