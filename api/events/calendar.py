"""iCalendar (RFC 5545) files of events: one event, or the feed of upcoming public events.
Times are in Asia/Tokyo with its VTIMEZONE; UIDs are stable, so a calendar that subscribed
updates the event in place, and a cancelled event arrives as STATUS:CANCELLED."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from api.dates import JST
from api.events.reference import Mode

if TYPE_CHECKING:
    from api.events.service import EventView

PRODUCT_ID = "-//Kumamoto DX Consortium//Events//JA"
UID_DOMAIN = "events.kumamoto-dx"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _location(view: EventView) -> str:
    if Mode.ONSITE in view.modes:
        place = f"{view.venue_name} {view.venue_address}".strip()
        return f"{place}（オンライン併催）" if view.hybrid else place
    return "オンライン"


def _component(view: EventView, page_url: str) -> CalendarEvent:
    item = CalendarEvent()
    item.add("uid", f"event-{view.id}@{UID_DOMAIN}")
    item.add("dtstamp", view.updated_at)
    item.add("created", view.created_at)
    item.add("last-modified", view.updated_at)
    # Each change moves the sequence on (seconds since creation only grow).
    item.add("sequence", max(0, int((view.updated_at - view.created_at).total_seconds())))
    item.add("dtstart", view.starts_at.astimezone(JST))
    item.add("dtend", view.ends_at.astimezone(JST))
    item.add("summary", f"【中止】{view.title}" if view.cancelled else view.title)
    description = "\n\n".join(part for part in (view.summary, page_url) if part)
    item.add("description", description)
    item.add("location", _location(view))
    item.add("url", page_url)
    item.add("status", "CANCELLED" if view.cancelled else "CONFIRMED")
    item.add("transp", "OPAQUE")
    return item


def calendar_of(views: Iterable[EventView], page_url_of: dict[int, str], name: str) -> bytes:
    """The iCalendar text of some events; page_url_of gives each event's page."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Tokyo")
    for view in views:
        calendar.add_component(_component(view, page_url_of[view.id]))
    calendar.add_missing_timezones()
    return calendar.to_ical()
