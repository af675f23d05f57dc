"""Reading what staff type into the progress forms (and the JSON bodies): each field is
cleaned (NFKC, trimmed) and checked, and every problem is kept in Japanese under the field's
name, so a form shows all of them at once next to their fields."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from api.dates import parse_date
from api.errors import ValidationFailed
from api.text import clean, lookup_text, text_problem

EARLIEST = date(2020, 1, 1)
LATEST = date(2100, 12, 31)


class FieldReader:
    """Values of one submission, read field by field; `done()` raises every problem found."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.errors: dict[str, str] = {}

    def text(
        self, name: str, label: str, limit: int, *, required: bool = False,
        multiline: bool = False,
    ) -> str:  # fmt: skip
        raw = self.values.get(name)
        if multiline:
            value = ("" if raw is None else str(raw)).replace("\r\n", "\n").strip()
        else:
            value = clean(raw, limit)
        if problem := text_problem(value, label, limit, required=required, multiline=multiline):
            self.errors[name] = problem
        return value[:limit]

    def day(self, name: str, label: str, *, required: bool = False) -> date | None:
        raw = self.values.get(name)
        if raw is None or not str(raw).strip():
            if required:
                self.errors[name] = f"{label}を入力してください（例: 2027-01-31）。"
            return None
        found = parse_date(raw)
        if found is None or not EARLIEST <= found <= LATEST:
            self.errors[name] = f"{label}は「2027-01-31」の形で、正しい日付を入力してください。"
            return None
        return found

    def choice(self, name: str, label: str, options: Mapping[str, str], default: str = "") -> str:
        value = lookup_text(self.values.get(name), 40) or default
        if value not in options:
            self.errors[name] = f"{label}を選んでください。"
        return value

    def problem(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def done(self) -> None:
        if self.errors:
            raise ValidationFailed(dict(self.errors))
