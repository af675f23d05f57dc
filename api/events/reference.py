"""The fixed vocabulary of events: kinds, audiences, attendance modes, states and limits."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class EventKind(StrEnum):
    OPEN_EVENT = "open_event"  # the yearly open DX event, anyone may come
    SEMINAR = "seminar"  # members' seminars
    COMMUNITY = "community"  # meetings of the data-utilisation community


KIND_LABELS: dict[str, str] = {
    EventKind.OPEN_EVENT: "公開イベント",
    EventKind.SEMINAR: "会員向けセミナー",
    EventKind.COMMUNITY: "コミュニティ会合",
}


class Audience(StrEnum):
    ANYONE = "anyone"
    MEMBERS = "members"


AUDIENCE_LABELS: dict[str, str] = {
    Audience.ANYONE: "どなたでも参加できます",
    Audience.MEMBERS: "会員限定",
}


class Mode(StrEnum):
    ONSITE = "onsite"
    ONLINE = "online"


MODE_LABELS: dict[str, str] = {Mode.ONSITE: "会場で参加", Mode.ONLINE: "オンラインで参加"}


class EventState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


STATE_LABELS: dict[str, str] = {
    EventState.DRAFT: "下書き",
    EventState.PUBLISHED: "公開中",
    EventState.CANCELLED: "中止",
}


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    WAITING = "waiting"
    CANCELLED = "cancelled"


REGISTRATION_STATUS_LABELS: dict[str, str] = {
    RegistrationStatus.REGISTERED: "参加登録済み",
    RegistrationStatus.WAITING: "キャンセル待ち",
    RegistrationStatus.CANCELLED: "キャンセル済み",
}

# The online URL shows to registered online participants from this long before the start.
ONLINE_URL_LEAD = timedelta(hours=1)

MAX_TITLE = 120
MAX_SUMMARY = 200
MAX_DESCRIPTION = 20_000
MAX_VENUE = 120
MAX_ADDRESS = 200
MAX_NOTES = 1_000
MAX_SPEAKERS = 2_000
MAX_URL = 300
MAX_CAPACITY = 10_000
MAX_NAME = 60
MAX_ORGANISATION = 120
MAX_NEEDS = 1_000
MAX_CANCEL_REASON = 500
