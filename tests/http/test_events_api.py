"""The events JSON API: the calendar for visitors and members, registration (open events for
anyone, members-only seminars for members), the secretariat's participants and check-in, the
attendance figures, and what each role may not do."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from api.events import service as events
from api.events.service import EventView
from api.permissions import Role
from api.settings import Settings
from tests.conftest import csrf_token
from tests.http.conftest import World, admin_principal, login_as, role_email
from tests.http.test_platform import api_headers, assert_problem
from tests.service.test_events import event_input, person


async def staff_event(world: World, **overrides: Any) -> EventView:
    staff = admin_principal(world.accounts[Role.STAFF])
    view = await events.create_event(staff, event_input(**overrides))
    return await events.publish_event(staff, view.id)


@pytest.fixture
async def calendar(world: World) -> dict[str, EventView]:
    return {
        "open": await staff_event(world, title="DXフォーラム2027", kind="open_event"),
        "members": await staff_event(world, title="会員限定セミナー", audience="members"),
    }


async def titles(client: AsyncTestClient) -> list[str]:
    response = await client.get("/api/v1/events")
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def test_the_calendar_shows_members_only_seminars_to_members_only(
    client: AsyncTestClient, calendar: dict[str, EventView]
) -> None:
    assert await titles(client) == ["DXフォーラム2027"]
    assert (await client.get(f"/api/v1/events/{calendar['members'].id}")).status_code == 404
    await login_as(client, role_email(Role.MEMBER_USER))
    assert sorted(await titles(client)) == ["DXフォーラム2027", "会員限定セミナー"]
    detail = (await client.get(f"/api/v1/events/{calendar['members'].id}")).json()
    assert detail["online_url"] is None and detail["registration_state"] == "open"
    assert [m["mode"] for m in detail["modes"]] == ["onsite", "online"]
    assert detail["speakers"][0] == "熊本 太郎（熊本大学）"


async def test_anyone_registers_through_the_api_and_a_second_time_is_refused(
    client: AsyncTestClient, calendar: dict[str, EventView]
) -> None:
    url = f"/api/v1/events/{calendar['open'].id}/registrations"
    # A visitor's browser has the CSRF cookie of the page it came from.
    headers = {"X-CSRF-Token": await csrf_token(client)}
    response = await client.post(url, json=person(1), headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "registered"
    assert response.json()["reference"].startswith("EV-")
    again = assert_problem(await client.post(url, json=person(1), headers=headers), 422)
    assert "既にお申し込み" in again["errors"]["email"]
    bad = assert_problem(
        await client.post(url, json=person(2, name_kana="Taro", mode="bus"), headers=headers), 422
    )
    assert set(bad["errors"]) == {"name_kana", "mode"}
    members_only = f"/api/v1/events/{calendar['members'].id}/registrations"
    assert_problem(await client.post(members_only, json=person(3), headers=headers), 404)


async def test_members_register_in_one_step_and_cancel(
    client: AsyncTestClient, world: World, calendar: dict[str, EventView]
) -> None:
    url = f"/api/v1/events/{calendar['members'].id}/member-registrations"
    assert_problem(await client.post(url, json={"mode": "onsite"}), 401)
    await login_as(client, role_email(Role.STAFF))
    assert_problem(
        await client.post(url, json={"mode": "onsite"}, headers=api_headers(client)), 403
    )
    await login_as(client, role_email(Role.MEMBER_USER))
    response = await client.post(url, json={"mode": "online"}, headers=api_headers(client))
    assert response.status_code == 201, response.text
    registration_id = response.json()["id"]
    mine = (await client.get("/api/v1/event-registrations")).json()
    assert [item["registration"]["id"] for item in mine] == [registration_id]
    cancelled = await client.delete(
        f"/api/v1/event-registrations/{registration_id}", headers=api_headers(client)
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (await client.get("/api/v1/event-registrations")).json() == []


async def test_only_the_secretariat_sees_participants_and_checks_them_in(
    client: AsyncTestClient, settings: Settings, calendar: dict[str, EventView]
) -> None:
    event_id = calendar["open"].id
    result = await events.register(
        settings, None, event_id, person(1, accessibility_needs="車椅子で伺います")
    )
    url = f"/api/v1/events/{event_id}/participants"
    for role in (Role.MEMBER_USER, Role.MEMBER_ADMIN, Role.EDITOR, Role.OFFICIAL):
        await login_as(client, role_email(role))
        assert_problem(await client.get(url), 403)
    await login_as(client, role_email(Role.STAFF))
    [row] = (await client.get(url, params={"q": "さんか"})).json()["items"]
    assert row["accessibility_needs"] == "車椅子で伺います"
    attended = await client.put(
        f"{url}/{result.registration.id}/attendance",
        json={"attended": True},
        headers=api_headers(client),
    )
    assert attended.status_code == 200 and attended.json()["attended_at"]
    await login_as(client, role_email(Role.OFFICIAL))
    figures = (
        await client.get("/api/v1/event-attendance", params={"year": calendar["open"].fiscal_year})
    ).json()
    forum = next(item for item in figures if item["event_id"] == event_id)
    assert (forum["registered"], forum["attended"], forum["others_attended"]) == (1, 1, 1)


async def test_staff_create_with_field_errors_in_japanese_then_publish_and_cancel(
    client: AsyncTestClient, calendar: dict[str, EventView]
) -> None:
    await login_as(client, role_email(Role.STAFF))
    headers = api_headers(client)
    body = {
        "kind": "seminar", "title": "", "starts_at": "2027-02-10T13:30",
        "ends_at": "2027-02-10T12:00", "registration_opens_at": "2027-01-10T09:00",
        "registration_closes_at": "2027-02-09T17:00", "capacity_online": 30,
    }  # fmt: skip
    problem = assert_problem(await client.post("/api/v1/events", json=body, headers=headers), 422)
    assert {"title", "ends_at"} <= set(problem["errors"])
    body.update(title="オンライン勉強会", ends_at="2027-02-10T15:00")
    created = await client.post("/api/v1/events", json=body, headers=headers)
    assert created.status_code == 201, created.text
    event_id = created.json()["id"]
    assert (
        created.json()["state"] == "draft" and created.json()["starts_at"] == "2027-02-10T04:30:00Z"
    )  # 13:30 in Japan
    drafts = (await client.get("/api/v1/events/managed", params={"state": "draft"})).json()
    assert [item["id"] for item in drafts["items"]] == [event_id]
    published = await client.post(f"/api/v1/events/{event_id}/publication", headers=headers)
    assert published.json()["state"] == "published"
    cancelled = await client.post(
        f"/api/v1/events/{event_id}/cancellation",
        json={"reason": "講師の急病のため"},
        headers=headers,
    )
    assert cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["registration_state"] == "cancelled"


async def test_two_requests_for_the_last_seat_at_the_same_moment(
    client: AsyncTestClient, world: World
) -> None:
    import asyncio

    view = await staff_event(world, kind="open_event", capacity_onsite="1", capacity_online="0")
    headers = {"X-CSRF-Token": await csrf_token(client)}
    url = f"/api/v1/events/{view.id}/registrations"
    responses = await asyncio.gather(
        *(client.post(url, json=person(index), headers=headers) for index in (1, 2, 3))
    )
    assert [r.status_code for r in responses] == [201, 201, 201], [r.text for r in responses]
    assert sorted(r.json()["status"] for r in responses) == ["registered", "waiting", "waiting"]
