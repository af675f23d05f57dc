"""Report periods and the small arithmetic of reports, shared by every report for the prefecture.

A period is a month or a fiscal year (April to March) in Japan time, taken from text so that a
mistyped one gets a Japanese message; the choosers list the latest months and years. A report's
breakdowns (Breakdown of Buckets) are what its charts draw, and its tables (ReportTable) what its
page, its CSV and its XLSX show alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from api import clock
from api.dates import JST, fiscal_year, format_fiscal_year, month_of
from api.errors import ValidationFailed

FIRST_MONTH = date(2020, 4, 1)  # earlier months are refused as mistakes
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_span(month: date) -> tuple[datetime, datetime]:
    """A month as moments: its first day 00:00 Japan time, and the next month's (excluded)."""
    start = datetime(month.year, month.month, 1, tzinfo=JST)
    following = add_months(month, 1)
    return start, datetime(following.year, following.month, 1, tzinfo=JST)


def current_month() -> date:
    return month_of(clock.now())


def parse_month(text: str | None) -> date:
    """'2026-11' (the current month when empty); anything else is refused in Japanese."""
    if not text:
        return current_month()
    found = _MONTH.match(text.strip())
    if found and 1 <= int(found.group(2)) <= 12:
        month = date(int(found.group(1)), int(found.group(2)), 1)
        if FIRST_MONTH <= month <= current_month():
            return month
    raise ValidationFailed(
        {"month": "月は 2026-11 の形で、2020年4月から今月までの中から選んでください。"}
    )


def format_month(month: date) -> str:
    return f"{month.year}年{month.month}月"


@dataclass(frozen=True, slots=True)
class Period:
    """A month or a fiscal year: the months it covers and what people read."""

    kind: str  # month or fiscal_year
    first: date  # the first day of its first month
    months: int
    label: str
    code: str  # 2026-11 or 2026 (for links and file names)

    @property
    def last(self) -> date:
        return add_months(self.first, self.months - 1)

    @property
    def end(self) -> date:
        """The first day after the period."""
        return add_months(self.first, self.months)

    def previous(self) -> Period:
        if self.kind == "month":
            return month_period(add_months(self.first, -1))
        return year_period(self.first.year - 1)

    def year_before(self) -> Period:
        """The same month or fiscal year one year earlier."""
        if self.kind == "month":
            return month_period(add_months(self.first, -12))
        return year_period(self.first.year - 1)

    def month_list(self) -> list[date]:
        return [add_months(self.first, step) for step in range(self.months)]

    @property
    def query(self) -> dict[str, str]:
        """The period as the query of a report's links (month=2026-11 or year=2026)."""
        return {"year" if self.kind == "fiscal_year" else "month": self.code}


def month_period(month: date) -> Period:
    return Period("month", month, 1, format_month(month), f"{month.year}-{month.month:02d}")


def year_period(year: int) -> Period:
    return Period(
        "fiscal_year", date(year, 4, 1), 12, f"{year}年度（{format_fiscal_year(year)}）", str(year)
    )


def current_fiscal_year() -> int:
    return fiscal_year(clock.now())


def _first_year() -> int:
    return fiscal_year(datetime.combine(FIRST_MONTH, datetime.min.time(), JST))


def parse_period(month: str | None, year: str | None) -> Period:
    """A fiscal year when `year` is given ('2026': April 2026 to March 2027), else a month
    (the current one when `month` is empty too); anything else is refused in Japanese."""
    if year:
        return year_period(parse_fiscal_year(year))
    return month_period(parse_month(month))


def check_fiscal_year(year: int, first: int | None = None) -> int:
    """A fiscal year a report can describe: from `first` (by default the first year of the
    logs) up to the running one; refused in Japanese."""
    first = _first_year() if first is None else first
    last = current_fiscal_year()
    if not first <= year <= last:
        message = f"年度は{first}年度から{last}年度までの中から西暦で選んでください。"
        raise ValidationFailed({"year": message}, message)
    return year


def parse_fiscal_year(text: str | None, first: int | None = None) -> int:
    """A fiscal year from a query string (the running one when empty), refused in Japanese."""
    value = (text or "").strip()
    if not value:
        return current_fiscal_year()
    if not value.isascii() or not value.isdigit() or len(value) > 6:
        message = "年度は西暦の数字（例: 2026）で選んでください。"
        raise ValidationFailed({"year": message}, message)
    return check_fiscal_year(int(value), first)


def month_choices(count: int = 24) -> list[tuple[str, str]]:
    """The latest months (newest first) for a chooser: (2026-11, 2026年11月)."""
    latest = current_month()
    months = [add_months(latest, -step) for step in range(count)]
    return [(month_period(m).code, format_month(m)) for m in months if m >= FIRST_MONTH]


def year_choices() -> list[tuple[str, str]]:
    return [
        (str(y), year_period(y).label) for y in range(current_fiscal_year(), _first_year() - 1, -1)
    ]


# --- figures ---------------------------------------------------------------------------------


def share(part: float, whole: int) -> float | None:
    """part of whole in per cent, one decimal (None when whole is nothing)."""
    return round(part * 100 / whole, 1) if whole else None


def change(now: float | int | None, before: float | int | None) -> float | None:
    """The change against an earlier period in per cent (None when there was nothing)."""
    if now is None or not before:
        return None
    return round((now - before) * 100 / before, 1)


@dataclass(frozen=True, slots=True)
class Bucket:
    """One row of a breakdown: a code, what people read, and how many."""

    code: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Breakdown:
    name: str  # industry, municipality, size, kind
    title: str
    buckets: tuple[Bucket, ...]

    @property
    def total(self) -> int:
        return sum(bucket.count for bucket in self.buckets)

    @property
    def largest(self) -> int:
        return max((bucket.count for bucket in self.buckets), default=0)

    def top(self, n: int = 3) -> list[Bucket]:
        """The largest buckets (ties keep the list order), for the chart's text alternative."""
        return sorted((b for b in self.buckets if b.count), key=lambda b: -b.count)[:n]


@dataclass(frozen=True, slots=True)
class ReportTable:
    """One table of a report: shown on its page and exported as CSV and XLSX alike."""

    name: str
    title: str
    header: tuple[str, ...]
    rows: list[tuple[str | int | float | None, ...]]
