"""The member report: who counts as a member on which day, the target, breakdowns and months."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from openpyxl import load_workbook

from api import periods
from api.errors import ValidationFailed
from api.members.reference import INDUSTRY_LABELS, MembershipStatus
from api.members.tables import Organisation
from api.reports import service
from api.spreadsheets import csv_bytes, xlsx_bytes
from tests.factories import make_organisation
from tests.querycount import count_queries

YEAR = 2024  # 2024-04-01 .. 2025-03-31
AFTER_YEAR = date(2025, 6, 1)


async def member(
    index: int,
    joined: date | None,
    withdrawn: date | None = None,
    status: MembershipStatus = MembershipStatus.ACTIVE,
    **overrides: object,
) -> int:
    if withdrawn is not None:
        status = MembershipStatus.WITHDRAWN
    organisation_id = await make_organisation(index, status=status, joined_on=joined, **overrides)
    if withdrawn is not None:
        await Organisation.update({Organisation.withdrawn_on: withdrawn}).where(
            Organisation.id == organisation_id
        )
    return organisation_id


async def test_start_end_new_and_withdrawals_follow_the_dates(db: None) -> None:
    await member(1, date(2023, 6, 1))  # member all year
    await member(2, date(2024, 4, 1))  # joined on the first day: new, not at the start
    await member(3, date(2025, 3, 31))  # joined on the last day: new and at the end
    await member(4, date(2023, 1, 10), withdrawn=date(2025, 3, 31))  # left on the last day
    await member(5, date(2022, 5, 1), withdrawn=date(2024, 4, 1))  # left on the first day
    await member(6, date(2021, 5, 1), withdrawn=date(2024, 3, 31))  # left before the year
    await member(7, date(2025, 4, 1))  # joined the next year
    await member(8, date(2023, 7, 1), status=MembershipStatus.SUSPENDED)  # suspended: counts
    await member(9, None, status=MembershipStatus.APPLIED)  # never joined

    report = await service.member_report(YEAR, 50, today=AFTER_YEAR)

    assert report.baseline_date == date(2024, 3, 31)
    assert report.as_of == date(2025, 3, 31) and not report.is_partial
    assert report.members_at_start == 4  # 1, 4, 5, 8
    assert report.members_at_end == 4  # 1, 2, 3, 8
    assert report.new_members == 2  # 2, 3
    assert report.withdrawals == 2  # 4, 5
    assert report.members_at_start + report.new_members - report.withdrawals == (
        report.members_at_end
    )
    # The previous year's end is this year's start.
    previous = await service.member_report(YEAR - 1, 50, today=AFTER_YEAR)
    assert previous.members_at_end == report.members_at_start


async def test_target_ratio_reads_like_the_secretariat_writes_it(db: None) -> None:
    for index in range(1, 4):
        await member(index, date(2024, 5, index))
    report = await service.member_report(YEAR, 50, today=AFTER_YEAR)
    assert report.target_text == "3 / 50（6%）"
    assert replace(report, new_members=38).target_text == "38 / 50（76%）"
    # Rounded down: 199 of 200 is not yet 100%.
    assert replace(report, new_members=199, target=200).target_percent == 99
    assert replace(report, new_members=60).target_percent == 120
    assert replace(report, target=0).target_percent is None


async def test_breakdowns_add_up_to_the_members_at_the_end(db: None) -> None:
    await member(1, date(2023, 6, 1), industry="E", size_band="1-5", kind="company")
    await member(2, date(2024, 6, 1), industry="G", municipality="菊陽町")
    await member(
        3, date(2024, 7, 1), prefecture="福岡県", municipality="福岡市", kind="school",
        corporate_number="",
    )  # fmt: skip
    await member(4, date(2024, 8, 1), prefecture="東京都", municipality="千代田区")
    await member(5, date(2023, 6, 1), withdrawn=date(2024, 9, 1), industry="A")

    report = await service.member_report(YEAR, 50, today=AFTER_YEAR)

    assert report.members_at_end == 4
    for breakdown in report.breakdowns:
        assert breakdown.total == report.members_at_end, breakdown.name
    industry = {b.code: b.count for b in report.by_industry.buckets}
    assert list(industry) == list(INDUSTRY_LABELS)  # all 20 divisions, in the official order
    assert industry["E"] == 1 and industry["G"] == 3 and industry["A"] == 0
    municipality = [(b.label, b.count) for b in report.by_municipality.buckets]
    # Only places with members, official order, everything outside Kumamoto as 県外 at the end.
    assert municipality == [("熊本市", 1), ("菊陽町", 1), ("県外", 2)]
    assert {b.label: b.count for b in report.by_kind.buckets}["大学・学校"] == 1
    assert {b.code: b.count for b in report.by_size.buckets}["1-5"] == 1


async def test_unknown_codes_still_count(db: None) -> None:
    organisation_id = await member(1, date(2024, 6, 1))
    await Organisation.update({Organisation.industry: "Z"}).where(
        Organisation.id == organisation_id
    )
    report = await service.member_report(YEAR, 50, today=AFTER_YEAR)
    assert report.by_industry.total == 1
    assert report.by_industry.buckets[-1].code == "Z"


async def test_new_members_by_month_run_from_april_to_march(db: None) -> None:
    await member(1, date(2024, 4, 1))
    await member(2, date(2024, 4, 30))
    await member(3, date(2024, 12, 31))
    await member(4, date(2025, 1, 1))
    await member(5, date(2025, 3, 31))
    await member(6, date(2024, 3, 31))  # the previous year
    await member(7, date(2024, 6, 1), withdrawn=date(2024, 8, 1))  # joined and left: still new

    report = await service.member_report(YEAR, 50, today=AFTER_YEAR)

    months = report.new_by_month.buckets
    assert [b.code for b in months][:2] == ["2024-04", "2024-05"]
    assert months[-1].code == "2025-03" and months[-1].label == "2025年3月"
    assert len(months) == 12
    counts = {b.code: b.count for b in months}
    assert counts["2024-04"] == 2 and counts["2024-06"] == 1
    assert counts["2024-12"] == 1 and counts["2025-01"] == 1 and counts["2025-03"] == 1
    assert report.new_by_month.total == report.new_members == 6


async def test_a_running_year_counts_up_to_today(db: None) -> None:
    await member(1, date(2024, 5, 1))
    await member(2, date(2024, 6, 1), withdrawn=date(2025, 3, 31))  # leaves at the year's end
    report = await service.member_report(YEAR, 50, today=date(2024, 10, 15))
    assert report.is_partial and report.as_of == date(2024, 10, 15)
    assert report.members_at_end == 2 and report.withdrawals == 0
    assert "年度途中" in service.describe_period(report)


async def test_a_year_without_members_is_empty(db: None) -> None:
    report = await service.member_report(2010, 50)
    assert report.is_empty
    assert report.by_municipality.buckets == ()
    assert report.by_industry.total == 0


async def test_years_outside_the_range_are_refused_in_japanese(db: None) -> None:
    current = periods.current_fiscal_year()
    for year in (1999, current + 1, -5):
        with pytest.raises(ValidationFailed) as caught:
            await service.member_report(year, 50)
        assert "年度" in caught.value.errors["year"]
    for text in ("abc", "２０２４x", "2024.5", "99999999999"):
        with pytest.raises(ValidationFailed):
            periods.parse_fiscal_year(text, service.FIRST_YEAR)
    assert periods.parse_fiscal_year("", service.FIRST_YEAR) == current
    assert periods.parse_fiscal_year(" 2024 ", service.FIRST_YEAR) == 2024


async def test_report_years_run_from_the_first_member_to_now(db: None) -> None:
    current = periods.current_fiscal_year()
    assert await service.report_years() == [current]
    await member(1, date(2022, 3, 31))  # fiscal year 2021
    years = await service.report_years()
    assert years[0] == current and years[-1] == 2021
    assert years == sorted(years, reverse=True)


async def test_the_report_reads_a_bounded_number_of_queries(db: None) -> None:
    await member(1, date(2024, 5, 1))
    with count_queries() as small:
        await service.member_report(YEAR, 50, today=AFTER_YEAR)
    for index in range(2, 30):
        await member(index, date(2024, 5, 1), industry="E" if index % 2 else "G")
    with count_queries() as large:
        report = await service.member_report(YEAR, 50, today=AFTER_YEAR)
    assert report.members_at_end == 29
    assert large.count == small.count <= 2


async def test_report_rows_hold_every_figure(db: None) -> None:
    await member(1, date(2024, 5, 1))
    report = await service.member_report(YEAR, 50, today=AFTER_YEAR)
    rows = service.report_rows(report)
    assert rows[0] == ("概要", "年度", "令和6年度（2024年度）")
    summary = {item: value for section, item, value in rows if section == "概要"}
    assert summary["新規入会数"] == 1 and summary["目標達成率（%）"] == 2
    assert any(item == "G 情報通信業" and value == 1 for _, item, value in rows)
    assert sum(1 for section, *_ in rows if section == "月別の新規入会") == 12


def test_csv_has_a_bom_crlf_and_no_formulas() -> None:
    body = csv_bytes(("区分", "項目"), [("a", "=HYPERLINK(1)"), ("b", 3), ("c", None)])
    assert body.startswith(b"\xef\xbb\xbf")
    text = body[3:].decode("utf-8")
    assert text.split("\r\n")[:4] == ["区分,項目", "a,'=HYPERLINK(1)", "b,3", "c,"]
    assert "\n" not in text.replace("\r\n", "")


def test_xlsx_keeps_numbers_and_text() -> None:
    body = xlsx_bytes(
        "会員レポート", ("区分", "値"), [("概要", 5), ("x", "=SUM(1)")], widths=(20, 10)
    )
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.title == "会員レポート"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [("区分", "値"), ("概要", 5), ("x", "=SUM(1)")]
    assert sheet["B3"].data_type == "s"  # text, not a formula
    assert sheet["B2"].data_type == "n"
