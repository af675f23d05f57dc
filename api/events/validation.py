"""What staff type for an event and what a person types to register: the inputs read a form or
a JSON body (NFKC, trimmed) and say what is wrong, field by field, in Japanese."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.dates import JST
from api.events.reference import (
    AUDIENCE_LABELS,
    KIND_LABELS,
    MAX_ADDRESS,
    MAX_CAPACITY,
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_NEEDS,
    MAX_NOTES,
    MAX_ORGANISATION,
    MAX_SPEAKERS,
    MAX_SUMMARY,
    MAX_TITLE,
    MAX_URL,
    MAX_VENUE,
    MODE_LABELS,
    Audience,
)
from api.members.validation import normalize_kana
from api.text import (
    clean,
    email_problem,
    has_control,
    lookup_text,
    normalize_email,
    required_text_problem,
    text_problem,
)

# A person's reading: katakana (hiragana is converted before), the long-vowel mark and spaces.
_PERSON_KANA = re.compile(r"^[\u30a1-\u30f6\u30fc\u30fb 　]+$")

# The form's datetime-local inputs, read as Japan time.
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def parse_local_datetime(value: object) -> datetime | None:
    """A time typed in a form (2027-02-10T13:30, Japan time) or sent as ISO 8601 with an
    offset; None when it is neither."""
    if isinstance(value, datetime):
        return value if value.tzinfo else None
    text = lookup_text(value, 40)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=JST)
    if not 2000 <= parsed.year <= 2100:
        return None
    return parsed


def local_input_value(value: datetime | None) -> str:
    """A stored time as a datetime-local input's value (Japan time)."""
    return value.astimezone(JST).strftime(LOCAL_FORMAT) if value else ""


def _multiline(value: object, limit: int) -> str:
    text = "" if value is None else str(value)
    return text.replace("\r\n", "\n").strip()[: limit + 1]


def _count(value: object) -> int | None:
    text = lookup_text(value, 12)
    if text == "":
        return 0
    return int(text) if text.isdigit() and len(text) <= 6 else None


def _url_problem(url: str, label: str) -> str | None:
    if url and (
        not url.startswith("https://")
        or len(url) > MAX_URL
        or any(ch.isspace() for ch in url)
        or has_control(url)
    ):
        return f"{label}は https:// から始まる形で入力してください（{MAX_URL}文字以内）。"
    return None


@dataclass(frozen=True, slots=True)
class EventInput:
    """An event as staff typed it; `problems()` says what is wrong."""

    kind: str = ""
    title: str = ""
    summary: str = ""
    description: str = ""
    starts_at_text: str = ""
    ends_at_text: str = ""
    venue_name: str = ""
    venue_address: str = ""
    access_notes: str = ""
    online_url: str = ""
    capacity_onsite_text: str = ""
    capacity_online_text: str = ""
    registration_opens_at_text: str = ""
    registration_closes_at_text: str = ""
    audience: str = Audience.ANYONE.value
    speakers: str = ""

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> EventInput:
        return cls(
            kind=lookup_text(values.get("kind"), 20),
            title=clean(values.get("title"), MAX_TITLE),
            summary=clean(values.get("summary"), MAX_SUMMARY),
            description=_multiline(values.get("description"), MAX_DESCRIPTION),
            starts_at_text=lookup_text(values.get("starts_at"), 40),
            ends_at_text=lookup_text(values.get("ends_at"), 40),
            venue_name=clean(values.get("venue_name"), MAX_VENUE),
            venue_address=clean(values.get("venue_address"), MAX_ADDRESS),
            access_notes=_multiline(values.get("access_notes"), MAX_NOTES),
            online_url=clean(values.get("online_url"), MAX_URL),
            capacity_onsite_text=lookup_text(values.get("capacity_onsite"), 12),
            capacity_online_text=lookup_text(values.get("capacity_online"), 12),
            registration_opens_at_text=lookup_text(values.get("registration_opens_at"), 40),
            registration_closes_at_text=lookup_text(values.get("registration_closes_at"), 40),
            audience=lookup_text(values.get("audience"), 20) or Audience.ANYONE.value,
            speakers=_multiline(values.get("speakers"), MAX_SPEAKERS),
        )

    @property
    def starts_at(self) -> datetime | None:
        return parse_local_datetime(self.starts_at_text)

    @property
    def ends_at(self) -> datetime | None:
        return parse_local_datetime(self.ends_at_text)

    @property
    def registration_opens_at(self) -> datetime | None:
        return parse_local_datetime(self.registration_opens_at_text)

    @property
    def registration_closes_at(self) -> datetime | None:
        return parse_local_datetime(self.registration_closes_at_text)

    @property
    def capacity_onsite(self) -> int:
        return _count(self.capacity_onsite_text) or 0

    @property
    def capacity_online(self) -> int:
        return _count(self.capacity_online_text) or 0

    def problems(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if self.kind not in KIND_LABELS:
            errors["kind"] = "種別を選んでください。"
        for name, label, limit in (("title", "名称", MAX_TITLE),):
            if problem := required_text_problem(getattr(self, name), label, limit):
                errors[name] = problem
        for name, label, limit in (
            ("summary", "概要", MAX_SUMMARY),
            ("venue_name", "会場名", MAX_VENUE),
            ("venue_address", "会場の住所", MAX_ADDRESS),
        ):
            if problem := text_problem(getattr(self, name), label, limit):
                errors[name] = problem
        for name, label, limit in (
            ("description", "詳しい説明", MAX_DESCRIPTION),
            ("access_notes", "アクセス", MAX_NOTES),
            ("speakers", "登壇者", MAX_SPEAKERS),
        ):
            if problem := text_problem(getattr(self, name), label, limit, multiline=True):
                errors[name] = problem
        starts, ends = self.starts_at, self.ends_at
        if starts is None:
            errors["starts_at"] = "開始日時を入力してください（例: 2027-02-10 13:30）。"
        if ends is None:
            errors["ends_at"] = "終了日時を入力してください（例: 2027-02-10 16:00）。"
        elif starts is not None and ends <= starts:
            errors["ends_at"] = "終了日時は開始日時より後にしてください。"
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if opens is None:
            errors["registration_opens_at"] = "申込の受付開始日時を入力してください。"
        if closes is None:
            errors["registration_closes_at"] = "申込の締切日時を入力してください。"
        elif opens is not None and closes <= opens:
            errors["registration_closes_at"] = "申込の締切は受付開始より後にしてください。"
        elif ends is not None and closes > ends:
            errors["registration_closes_at"] = "申込の締切は終了日時までにしてください。"
        onsite, online = _count(self.capacity_onsite_text), _count(self.capacity_online_text)
        for name, value in (("capacity_onsite", onsite), ("capacity_online", online)):
            if value is None or value > MAX_CAPACITY:
                errors[name] = f"定員は0から{MAX_CAPACITY:,}までの数字で入力してください。"
        if onsite == 0 and online == 0:
            errors["capacity_onsite"] = "会場かオンラインの定員を1人以上にしてください。"
        if onsite and not self.venue_name:
            errors["venue_name"] = "会場で参加できる催しには会場名を入力してください。"
        if onsite and not self.venue_address:
            errors["venue_address"] = "会場で参加できる催しには会場の住所を入力してください。"
        if problem := _url_problem(self.online_url, "オンライン参加のURL"):
            errors["online_url"] = problem
        if self.audience not in AUDIENCE_LABELS:
            errors["audience"] = "参加できる方を選んでください。"
        return errors


@dataclass(frozen=True, slots=True)
class RegistrationInput:
    """A registration for an open event as typed (the 入力 step); `problems()` says what is
    wrong. `modes` are the attendance modes the event offers."""

    name: str = ""
    name_kana: str = ""
    organisation_name: str = ""
    email: str = ""
    mode: str = ""
    accessibility_needs: str = ""
    submission_key: str = ""

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> RegistrationInput:
        return cls(
            name=clean(values.get("name"), MAX_NAME),
            name_kana=normalize_kana(values.get("name_kana")),
            organisation_name=clean(values.get("organisation_name"), MAX_ORGANISATION),
            email=normalize_email(values.get("email")),
            mode=lookup_text(values.get("mode"), 10),
            accessibility_needs=_multiline(values.get("accessibility_needs"), MAX_NEEDS),
            submission_key=lookup_text(values.get("submission_key"), 64),
        )

    def problems(self, modes: tuple[str, ...]) -> dict[str, str]:
        errors: dict[str, str] = {}
        if problem := required_text_problem(self.name, "お名前", MAX_NAME):
            errors["name"] = problem
        if problem := required_text_problem(self.name_kana, "お名前のフリガナ", MAX_NAME):
            errors["name_kana"] = problem
        elif not _PERSON_KANA.match(self.name_kana):
            errors["name_kana"] = "お名前のフリガナはカタカナで入力してください。"
        if problem := text_problem(
            self.organisation_name, "所属（会社・団体名）", MAX_ORGANISATION
        ):
            errors["organisation_name"] = problem
        if problem := email_problem(self.email):
            errors["email"] = problem
        if self.mode not in modes:
            errors["mode"] = "参加方法を選んでください。"
        if problem := text_problem(self.accessibility_needs, "配慮事項", MAX_NEEDS, multiline=True):
            errors["accessibility_needs"] = problem
        return errors

    def as_form(self) -> dict[str, str]:
        """The values as hidden fields of the 確認 step."""
        return {
            "name": self.name,
            "name_kana": self.name_kana,
            "organisation_name": self.organisation_name,
            "email": self.email,
            "mode": self.mode,
            "accessibility_needs": self.accessibility_needs,
            "submission_key": self.submission_key,
        }


def mode_label(mode: str) -> str:
    return MODE_LABELS.get(mode, mode)
