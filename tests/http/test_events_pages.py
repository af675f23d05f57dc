"""The event pages: one calendar of the consortium's events and others' notices, the event
page, the 入力 → 確認 → 完了 registration with errors next to the fields, the members' one-step
registration and their list, cancellation by the mailed link, and iCalendar files."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from api import clock
from api.articles.service import ArticleInput
from api.events import service as events
from api.events.tables import EventRegistration
from api.mail.tables import OutboxMail
from api.permissions import Role
from api.settings import Settings
from api.text import new_submission_key
from tests.http.conftest import Editorial, World, login_as, role_email
from tests.http.test_applications import csrf_data
from tests.http.test_events_api import staff_event
from tests.service.test_events import person


async def test_one_calendar_lists_the_consortiums_events_and_others_notices(
    client: AsyncTestClient, world: World, editorial: Editorial
) -> None:
    await staff_event(world, title="DXフォーラム2027", kind="open_event")
    await staff_event(world, title="会員限定セミナー", audience="members")
    starts = clock.now() + timedelta(days=3)
    await editorial.published(
        ArticleInput(
            kind="event_info", title="県主催のDX講演会", slug="ken-dx", body_markdown="本文",
            event_starts_at=starts, event_ends_at=starts + timedelta(hours=2), venue="熊本市",
        )
    )  # fmt: skip
    page = await client.get("/events")
    assert page.status_code == 200
    assert "DXフォーラム2027" in page.text and "県主催のDX講演会" in page.text
    assert "会員限定セミナー" not in page.text
    assert page.text.index("県主催のDX講演会") < page.text.index("DXフォーラム2027")  # sooner first
    notices = await client.get("/events", params={"kind": "notice"})
    assert "県主催のDX講演会" in notices.text and "DXフォーラム2027" not in notices.text
    assert "条件に合う終了した" in (await client.get("/events", params={"when": "past"})).text
    await login_as(client, role_email(Role.MEMBER_USER))
    assert "会員限定セミナー" in (await client.get("/events")).text


async def test_registering_for_an_open_event_takes_three_steps(
    client: AsyncTestClient, world: World
) -> None:
    view = await staff_event(world, title="DXフォーラム2027", kind="open_event")
    detail = await client.get(f"/events/{view.id}")
    assert detail.status_code == 200 and f"/events/{view.id}/register" in detail.text
    form = await client.get(f"/events/{view.id}/register")
    assert form.status_code == 200 and 'aria-current="step"' in form.text
    bad = await client.post(
        f"/events/{view.id}/register/confirm",
        data=await csrf_data(client, person(1, name="", email="x")),
    )
    assert bad.status_code == 422
    assert 'id="error-name"' in bad.text and 'href="#field-email"' in bad.text
    values = person(1, name_kana="さんか たろう")
    confirm = await client.post(
        f"/events/{view.id}/register/confirm", data=await csrf_data(client, values)
    )
    assert confirm.status_code == 200 and "サンカ タロウ" in confirm.text
    assert await EventRegistration.count() == 0
    key = new_submission_key()
    values = {**values, "name_kana": "サンカ タロウ", "submission_key": key}
    done = await client.post(f"/events/{view.id}/register", data=await csrf_data(client, values))
    assert done.status_code == 303
    again = await client.post(f"/events/{view.id}/register", data=await csrf_data(client, values))
    assert again.status_code == 303 and again.headers["location"] == done.headers["location"]
    complete = await client.get(done.headers["location"])
    assert "参加登録を受け付けました" in complete.text
    assert await EventRegistration.count() == 1
    duplicate = await client.post(
        f"/events/{view.id}/register/confirm", data=await csrf_data(client, person(1))
    )
    assert duplicate.status_code == 422 and "既にお申し込み" in duplicate.text


async def test_the_mailed_link_cancels_and_moves_the_first_waiting_person_up(
    client: AsyncTestClient, settings: Settings, world: World
) -> None:
    view = await staff_event(world, capacity_onsite="1", capacity_online="0")
    first = await events.register(settings, None, view.id, person(1))
    second = await events.register(settings, None, view.id, person(2))
    assert second.waiting
    page = await client.get(f"/events/cancel/{first.cancel_token}")
    assert page.status_code == 200 and first.registration.reference in page.text
    assert (await client.get("/events/cancel/1-2-tampered")).status_code == 404
    done = await client.post(
        f"/events/cancel/{first.cancel_token}", data=await csrf_data(client, {})
    )
    assert done.status_code == 200 and "キャンセルを受け付けました" in done.text
    promoted = await OutboxMail.select(OutboxMail.subject).where(
        OutboxMail.to_address == "person2@example.jp"
    )
    assert promoted[-1]["subject"].startswith("【参加確定】")


async def test_members_register_in_one_step_and_see_their_registrations(
    client: AsyncTestClient, world: World
) -> None:
    view = await staff_event(world, title="会員限定セミナー", audience="members")
    assert (await client.get(f"/events/{view.id}")).status_code == 404
    await login_as(client, role_email(Role.MEMBER_ADMIN))
    page = await client.get(f"/events/{view.id}")
    assert f'action="/events/{view.id}/member-register"' in page.text
    assert "申し込む方" in page.text  # an admin may register a colleague
    missing = await client.post(
        f"/events/{view.id}/member-register", data=await csrf_data(client, {})
    )
    assert missing.status_code == 422 and 'id="error-mode"' in missing.text
    done = await client.post(
        f"/events/{view.id}/member-register", data=await csrf_data(client, {"mode": "online"})
    )
    assert done.status_code == 303
    mine = await client.get("/platform/events")
    assert (
        mine.status_code == 200 and "会員限定セミナー" in mine.text and "参加登録済み" in mine.text
    )
    [row] = await EventRegistration.select(EventRegistration.id)
    cancelled = await client.post(
        f"/events/registrations/{row['id']}/cancel", data=await csrf_data(client, {})
    )
    assert cancelled.status_code == 303
    assert "キャンセルしました" in (await client.get(cancelled.headers["location"])).text


async def test_icalendar_files_of_an_event_and_of_the_upcoming_public_events(
    client: AsyncTestClient, world: World
) -> None:
    from icalendar import Calendar

    view = await staff_event(world, title="DXフォーラム2027", kind="open_event")
    members_only = await staff_event(world, title="会員限定セミナー", audience="members")
    one = await client.get(f"/events/{view.id}/calendar.ics")
    assert one.status_code == 200 and one.headers["content-type"].startswith("text/calendar")
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(one.content).walk("VEVENT")] == [
        "DXフォーラム2027"
    ]
    feed = await client.get("/events/calendar.ics")
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")] == [
        "DXフォーラム2027"
    ]
    assert (await client.get(f"/events/{members_only.id}/calendar.ics")).status_code == 404


async def event_forms(settings: Settings, world: World) -> dict[tuple[str, str], tuple[Any, ...]]:
    """A valid post for every unsafe events page route, each with items of its own (for the CSRF
    walk in test_csrf_headers): (url, form, role, writes). The member admin posts the members'
    forms (the member user's password changes in that walk)."""
    from api.principal import Principal
    from tests.http.conftest import admin_principal
    from tests.http.test_events_console import form_of
    from tests.service.test_events import event_input

    open_event = await staff_event(world, title="フォーム用の公開イベント", kind="open_event")
    seminar = await staff_event(world, title="フォーム用のセミナー", audience="members")
    other = await staff_event(world, title="キャンセル用のセミナー", audience="members")
    admin = world.accounts[Role.MEMBER_ADMIN]
    member = Principal(
        account_id=admin.id, email=admin.email, display_name=admin.display_name,
        roles=frozenset({Role.MEMBER_ADMIN}), organisation_id=world.organisation_id,
        organisation_active=True,
    )  # fmt: skip
    mine = await events.register_member(settings, member, other.id, "onsite")
    linked = await events.register(settings, None, open_event.id, person(21))
    checked = await events.register(settings, None, open_event.id, person(25))
    staff = admin_principal(world.accounts[Role.STAFF])
    draft = await events.create_event(staff, event_input(title="公開用の下書き"))
    edited = await events.create_event(staff, event_input(title="編集用の下書き"))
    to_cancel = await staff_event(world, title="中止用の催し")
    ended = await staff_event(world, title="匿名化用の催し")
    await events.cancel_event(settings, staff, ended.id, "匿名化の試験")
    console = "/console/events"
    with_material = await staff_event(world, title="資料削除用の催し")
    from api.events import materials
    from storage import open_store
    from tests.service.test_media import pdf_bytes

    store = open_store(settings.storage_url, settings.data_dir)
    material = await materials.add_material(
        staff, store, with_material.id, "a.pdf", io.BytesIO(pdf_bytes()), ""
    )
    base = f"/events/{open_event.id}/register"
    return {
        ("POST", "/events/{event_id:int}/register/confirm"): (
            f"{base}/confirm", person(22), Role.ADMIN, False,
        ),
        ("POST", "/events/{event_id:int}/register/edit"): (f"{base}/edit", person(23), Role.ADMIN, False),
        ("POST", "/events/{event_id:int}/register"): (base, person(24), Role.ADMIN, True),
        ("POST", "/events/cancel/{token:str}"): (
            f"/events/cancel/{linked.cancel_token}", {}, Role.ADMIN, True,
        ),
        ("POST", "/events/{event_id:int}/member-register"): (
            f"/events/{seminar.id}/member-register", {"mode": "onsite"}, Role.MEMBER_ADMIN, True,
        ),
        ("POST", "/events/registrations/{registration_id:int}/cancel"): (
            f"/events/registrations/{mine.registration.id}/cancel", {}, Role.MEMBER_ADMIN, True,
        ),
        # The secretariat's console.
        ("POST", "/console/events/new"): (f"{console}/new", form_of(title="新規"), Role.STAFF, True),
        ("POST", "/console/events/{event_id:int}/edit"): (
            f"{console}/{edited.id}/edit", form_of(title="編集後"), Role.STAFF, True,
        ),
        ("POST", "/console/events/{event_id:int}/publish"): (
            f"{console}/{draft.id}/publish", {}, Role.STAFF, True,
        ),
        ("POST", "/console/events/{event_id:int}/cancel"): (
            f"{console}/{to_cancel.id}/cancel", {"reason": "試験"}, Role.STAFF, True,
        ),
        ("POST", "/console/events/{event_id:int}/anonymise"): (
            f"{console}/{ended.id}/anonymise", {}, Role.STAFF, True,
        ),
        ("POST", "/console/events/{event_id:int}/check-in/{registration_id:int}"): (
            f"{console}/{open_event.id}/check-in/{checked.registration.id}", {"attended": "1"},
            Role.STAFF, True,
        ),
        ("POST", "/console/events/{event_id:int}/materials/{material_id:int}/delete"): (
            f"{console}/{with_material.id}/materials/{material.id}/delete", {}, Role.STAFF, True,
        ),
        ("POST", "/console/events/{event_id:int}/mail"): (
            f"{console}/{open_event.id}/mail",
            {"recipients": "all", "subject": "お知らせ", "body": "本文です。"}, Role.STAFF, False,
        ),
    }  # fmt: skip
