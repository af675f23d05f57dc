"""Japanese dates: the Asia/Tokyo zone, the era (令和6年12月1日) and fiscal years (April-March)."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from api import clock
from api.text import lookup_text

JST = ZoneInfo("Asia/Tokyo")

# (first day, name); newest first.
_ERAS: list[tuple[date, str]] = [
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
    (date(1912, 7, 30), "大正"),
    (date(1868, 1, 25), "明治"),
]

_WEEKDAYS = "月火水木金土日"


def to_local(value: datetime | date) -> date | datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: store and pass aware datetimes")
        return value.astimezone(JST)
    return value


def local_date(value: datetime | date) -> date:
    """The day in Japan of a moment (a date stays as it is)."""
    local = to_local(value)
    return local.date() if isinstance(local, datetime) else local


def today() -> date:
    """Today in Japan."""
    return local_date(clock.now())


def fiscal_month_index(value: datetime | date) -> int:
    """The month's place in its fiscal year: 0 for April ... 11 for March."""
    return (local_date(value).month - 4) % 12


def as_date(value: date | datetime | str) -> date:
    """A DATE column's value as a date (SQLite gives raw queries text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def era_year(day: date) -> tuple[str, int]:
    for start, name in _ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError("dates before Meiji are not supported")


def _era_number(year: int) -> str:
    return "元" if year == 1 else str(year)


def format_era_date(value: datetime | date, weekday: bool = False) -> str:
    """令和6年12月1日 (and （日） with weekday=True)."""
    day = local_date(value)
    name, year = era_year(day)
    text = f"{name}{_era_number(year)}年{day.month}月{day.day}日"
    if weekday:
        text += f"（{_WEEKDAYS[day.weekday()]}）"
    return text


def format_date(value: datetime | date, weekday: bool = False) -> str:
    """2024年12月1日 (Western year, the common style in lists)."""
    day = local_date(value)
    text = f"{day.year}年{day.month}月{day.day}日"
    if weekday:
        text += f"（{_WEEKDAYS[day.weekday()]}）"
    return text


def format_datetime(value: datetime) -> str:
    local = to_local(value)
    assert isinstance(local, datetime)
    return f"{format_date(local)} {local.hour:02d}:{local.minute:02d}"


def fiscal_year(value: datetime | date) -> int:
    """The fiscal year (April to March) by the Western year it starts in."""
    day = local_date(value)
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_range(year: int) -> tuple[date, date]:
    """First and last day of a fiscal year."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def fiscal_year_span(year: int) -> tuple[datetime, datetime]:
    """The fiscal year as moments: 1 April 00:00 Japan time, and the next 1 April (excluded)."""
    return datetime(year, 4, 1, tzinfo=JST), datetime(year + 1, 4, 1, tzinfo=JST)


def format_fiscal_year(year: int) -> str:
    """令和6年度. FY2019 began under Heisei but is customarily called 令和元年度."""
    if year == 2019:
        return "令和元年度"
    name, era = era_year(date(year, 4, 1))
    return f"{name}{_era_number(era)}年度"


def month_of(moment: datetime) -> date:
    """The first day of the moment's month in Japan time (monthly counts key on it)."""
    local = moment.astimezone(JST)
    return date(local.year, local.month, 1)


def parse_date(value: object) -> date | None:
    """A date as people type it: 2024-04-01, 2024/4/1 or 2024年4月1日 (None if unreadable)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = lookup_text(value, 20)
    found = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not found:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None
