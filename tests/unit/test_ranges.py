"""Byte ranges for seeking: the first bytes, a middle range, the last bytes, open ends; several
ranges and impossible ones are refused; other units are ignored."""

import pytest

from api.http.ranges import RangeNotSatisfiable, requested_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("items=0-1", None),
        ("bytes=0-99", (0, 99)),
        ("bytes=500-599", (500, 599)),
        ("bytes=900-", (900, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=-5000", (0, 999)),
        ("bytes=990-5000", (990, 999)),
        ("BYTES = 0-0", (0, 0)),
    ],
)
def test_one_range(header: str | None, expected: tuple[int, int] | None) -> None:
    assert requested_range(header, 1000) == expected


@pytest.mark.parametrize(
    "header",
    ["bytes=0-1,5-6", "bytes=1000-", "bytes=5-4", "bytes=-0", "bytes=abc", "bytes=1", "bytes=--1"],
)
def test_refused(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable) as caught:
        requested_range(header, 1000)
    assert caught.value.size == 1000
