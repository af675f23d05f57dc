from datetime import UTC, date, datetime

import pytest

from api.dates import (
    fiscal_year,
    fiscal_year_range,
    format_date,
    format_era_date,
    format_fiscal_year,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 12, 1), "令和6年12月1日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
    ],
)
def test_era_dates(day: date, expected: str) -> None:
    assert format_era_date(day) == expected


def test_weekday_is_japanese() -> None:
    assert format_era_date(date(2024, 12, 1), weekday=True) == "令和6年12月1日（日）"


def test_datetimes_are_shown_in_japan_time() -> None:
    # 2024-03-31 20:00 UTC is already April 1st in Japan: a new fiscal year.
    moment = datetime(2024, 3, 31, 20, 0, tzinfo=UTC)
    assert format_date(moment) == "2024年4月1日"
    assert fiscal_year(moment) == 2024


@pytest.mark.parametrize(
    ("day", "year"),
    [(date(2025, 3, 31), 2024), (date(2025, 4, 1), 2025), (date(2025, 12, 31), 2025)],
)
def test_fiscal_year_runs_april_to_march(day: date, year: int) -> None:
    assert fiscal_year(day) == year
    start, end = fiscal_year_range(year)
    assert start <= day <= end


@pytest.mark.parametrize(
    ("year", "label"), [(2024, "令和6年度"), (2019, "令和元年度"), (2018, "平成30年度")]
)
def test_fiscal_year_labels(year: int, label: str) -> None:
    assert format_fiscal_year(year) == label


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        format_date(datetime(2024, 1, 1, 12, 0))
