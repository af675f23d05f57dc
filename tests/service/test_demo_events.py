"""Demo events: the open event and five seminars of this fiscal year (some held, with
attendance), upcoming and past entries in the calendar, and loading that is done once."""

from __future__ import annotations

import pytest

from api.demo import load_demo_content
from api.demo_events import DEMO_EVENTS
from api.events import service as events
from api.events.service import EventFilter
from api.events.tables import Event, EventRegistration
from api.pagination import PageRequest
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from tests.querycount import count_queries


@pytest.fixture(autouse=True)
def _without_demo_articles(monkeypatch: pytest.MonkeyPatch) -> None:
    async def nothing(*args: object, **kwargs: object) -> int:
        return 0

    monkeypatch.setattr("api.demo.load_demo_articles", nothing)
    monkeypatch.setattr("api.demo.load_demo_solutions", nothing)


async def test_demo_events_fill_the_calendar_once(settings: Settings, db: None) -> None:
    await load_demo_content(settings)
    assert await Event.count() == len(DEMO_EVENTS)
    with count_queries() as again:
        await load_demo_content(settings)
    assert again.count <= 9 and await Event.count() == len(DEMO_EVENTS)
    staff = Principal(
        account_id=1, email="s@example.jp", display_name="s", roles=frozenset({Role.STAFF})
    )
    upcoming = await events.list_events(staff, EventFilter(), PageRequest.of(1, 100))
    past = await events.list_events(staff, EventFilter(when="past"), PageRequest.of(1, 100))
    assert upcoming.total >= 4 and past.total == 2
    assert {view.kind for view in upcoming.items} == {"open_event", "seminar", "community"}
    full = next(view for view in upcoming.items if view.title == "生成AI活用セミナー")
    assert full.full("onsite") and full.counts.waiting_of("onsite") >= 1
    [fiscal_year] = {view.fiscal_year for view in past.items}
    attendance = await events.attendance(staff, fiscal_year)
    assert any(row.attended > 0 for row in attendance)
    member = await EventRegistration.count().where(EventRegistration.email == "member@example.jp")
    assert member == 1
