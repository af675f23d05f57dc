"""Demo content: about 60 member organisations, the demo member accounts attached, idempotent."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime

import pytest

from api import clock, periods
from api.accounts.tables import Account
from api.analytics import platform_use
from api.analytics import service as page_views
from api.analytics.tables import AccountActivity, PageView
from api.applications import service as applications
from api.applications.service import ApplicationStatus
from api.dates import JST
from api.demo import DEMO_ACCOUNTS, load_demo_content
from api.demo_applications import DEMO_APPLICATIONS
from api.demo_events import DEMO_EVENTS
from api.demo_members import (
    DEMO_MEMBER_ORGANISATION,
    DEMO_ORGANISATIONS,
    demo_input,
    load_demo_organisations,
)
from api.demo_progress import load_demo_progress
from api.demo_recordings import DEMO_RECORDINGS
from api.demo_solutions import demo_solution_count
from api.members.reference import KUMAMOTO, MembershipStatus
from api.members.tables import Organisation, OrganisationContact
from api.members.validation import corporate_number_problem
from api.pagination import PageRequest
from api.permissions import Role
from api.principal import Principal
from api.progress.tables import MeetingMinutes, ProjectIssue, ScheduleItem
from api.reports import service as reports
from api.searching import analytics
from api.searching.tables import SearchClick, SearchLog
from api.settings import Settings
from tests.querycount import count_queries


@pytest.fixture(autouse=True)
def _without_demo_articles(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo articles (with their images) are tested in test_demo_articles.py; here they
    would only slow every test down."""

    async def nothing(*args: object, **kwargs: object) -> int:
        return 0

    monkeypatch.setattr("api.demo.load_demo_articles", nothing)


def test_every_demo_organisation_passes_the_form_validation() -> None:
    inputs = [demo_input(serial, entry) for serial, entry in enumerate(DEMO_ORGANISATIONS, 1)]
    assert 55 <= len(inputs) <= 65
    assert len({data.name_key for data in inputs}) == len(inputs)
    numbers = [data.corporate_number for data in inputs if data.corporate_number]
    assert len(set(numbers)) == len(numbers)
    assert all(corporate_number_problem(number) is None for number in numbers)
    for data in inputs:
        assert 1 <= len(data.contacts) <= 2
        assert all(c.email.endswith("@example.jp") for c in data.contacts)
    kinds = Counter(data.kind for data in inputs)
    assert {"sole_proprietor", "school", "public_body", "association"} <= set(kinds)
    assert any(d.kind == "sole_proprietor" and not d.corporate_number for d in inputs)
    outside = [d for d in inputs if d.prefecture != KUMAMOTO]
    assert 2 <= len(outside) <= 3
    assert len({data.industry for data in inputs}) >= 12
    assert len({data.municipality for data in inputs}) >= 15


async def test_loading_twice_creates_everything_once(settings: Settings, db: None) -> None:
    first = await load_demo_content(settings)
    assert first == (
        len(DEMO_ORGANISATIONS) + len(DEMO_ACCOUNTS) + len(DEMO_APPLICATIONS)
        + demo_solution_count() + len(DEMO_EVENTS) + len(DEMO_RECORDINGS)
        + await SearchLog.count() + await SearchClick.count() + await PageView.count()
        + await AccountActivity.count() + await ScheduleItem.count() + await ProjectIssue.count()
        + await MeetingMinutes.count()
    )  # fmt: skip
    counts = (await Organisation.count(), await OrganisationContact.count(), await Account.count())
    with count_queries() as second_run:
        assert await load_demo_content(settings) == 0
    assert (
        await Organisation.count(),
        await OrganisationContact.count(),
        await Account.count(),
    ) == counts
    assert second_run.count <= 10  # a second start only looks (once per kind of content)
    assert counts[0] == len(DEMO_ORGANISATIONS)


async def test_the_demo_search_log_gives_the_analytics_something_to_show(
    settings: Settings, db: None
) -> None:
    await load_demo_content(settings)
    last_month = periods.month_period(periods.add_months(periods.current_month(), -1))
    report = await analytics.analytics(last_month)
    assert report.totals.searches > 100 and report.totals.clicks > 0
    assert report.top_queries[0].query == "kintone"
    assert {q.query for q in report.no_result_queries} >= {"生成AI", "ドローン"}
    assert all(figures.searches for _, _, figures in report.by_audience)


async def test_the_demo_page_views_give_the_report_something_to_show(
    settings: Settings, db: None
) -> None:
    await load_demo_content(settings)
    last_month = periods.month_period(periods.add_months(periods.current_month(), -1))
    report = await page_views.page_views(last_month)
    assert report.views > 300 and report.year_before > 0 and report.year_before < report.views
    assert report.top_pages[0].path == "/"
    assert any(page.kind and page.title for page in report.top_pages)
    assert all(bucket.count for bucket in report.by_device) and report.top_referrers
    use = await platform_use.platform_use(last_month)
    assert use.totals.active_users == 2 and use.totals.solution_views > 0
    assert not await page_views.days_to_roll_up() or (
        await page_views.days_to_roll_up() == [page_views.today()]
    )


async def test_demo_member_accounts_belong_to_an_active_public_member(
    settings: Settings, db: None
) -> None:
    await load_demo_content(settings)
    organisation = (
        await Organisation.select().where(Organisation.name == DEMO_MEMBER_ORGANISATION).first()
    )
    assert organisation is not None
    assert organisation["status"] == MembershipStatus.ACTIVE and organisation["profile_public"]
    accounts = await Account.select(Account.email, Account.organisation).where(
        Account.email.is_in(["member-admin@example.jp", "member@example.jp"])
    )
    assert {row["organisation"] for row in accounts} == {organisation["id"]}
    staff = (
        await Account.select(Account.organisation)
        .where(Account.email == "staff@example.jp")
        .first()
    )
    assert staff is not None and staff["organisation"] is None


async def test_member_accounts_from_an_older_database_get_attached(
    settings: Settings, db: None
) -> None:
    await load_demo_content(settings)
    await Account.update({Account.organisation: None}).where(Account.email == "member@example.jp")
    await load_demo_content(settings)
    row = (
        await Account.select(Account.organisation)
        .where(Account.email == "member@example.jp")
        .first()
    )
    assert row is not None and row["organisation"] is not None


async def test_demo_statuses_and_years_make_a_report_with_a_trend(
    settings: Settings, db: None
) -> None:
    await load_demo_content(settings)
    statuses = Counter(row["status"] for row in await Organisation.select(Organisation.status))
    assert 2 <= statuses[MembershipStatus.WITHDRAWN] <= 3
    assert statuses[MembershipStatus.SUSPENDED] >= 2
    withdrawn = await Organisation.select(Organisation.withdrawn_on).where(
        Organisation.status == MembershipStatus.WITHDRAWN
    )
    assert all(row["withdrawn_on"] is not None for row in withdrawn)
    years = await reports.report_years()
    assert len(years) == 4
    for year in years:
        report = await reports.member_report(year, settings.new_members_target)
        assert report.new_members > 5, year
        assert report.by_industry.total == report.members_at_end
    assert (await reports.member_report(years[0], 50)).members_at_start > 30


async def test_no_date_lies_in_the_future_on_the_first_day_of_a_year(db: None) -> None:
    today = date(2026, 4, 1)
    created, member_id = await load_demo_organisations(today=today)
    assert created == len(DEMO_ORGANISATIONS) and member_id is not None
    rows = await Organisation.select(
        Organisation.joined_on, Organisation.withdrawn_on, Organisation.suspended_on
    )
    for row in rows:
        for value in row.values():
            assert value is None or value <= today


async def test_production_never_loads_demo_content(settings: Settings, db: None) -> None:
    production = replace(settings, mode="production")
    with pytest.raises(RuntimeError):
        await load_demo_content(production)
    assert await Organisation.count() == 0


async def test_demo_applications_wait_for_screening_and_one_can_be_approved_by_staff(
    settings: Settings, db: None
) -> None:
    await load_demo_content(settings)
    queue = await applications.list_applications("", PageRequest.of(1))
    statuses = Counter(item.status for item in queue.items)
    assert statuses == {ApplicationStatus.SUBMITTED: 3, ApplicationStatus.INFO_REQUESTED: 1}
    staff = await Account.select().where(Account.email == "staff@example.jp").first()
    assert staff is not None
    principal = Principal(
        account_id=staff["id"], email=staff["email"], display_name=staff["display_name"],
        roles=frozenset({Role.STAFF}),
    )  # fmt: skip
    screened = [
        item for item in queue.items if item.organisation_name == "有限会社不知火ロジテック"
    ]
    view = await applications.approve(settings, principal, screened[0].id)
    assert view.status == ApplicationStatus.APPROVED


async def test_the_demo_progress_is_dated_from_today(
    settings: Settings, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.progress import issues, minutes, schedule

    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 6, 12, tzinfo=JST))
    await load_demo_progress()
    items = await schedule.items_of_year(2026)
    assert len(items) == 10 and [i.title for i in schedule.with_status(items, "late")] == [
        "会員アンケートの配布準備"
    ]
    assert schedule.status_counts(items, date(2026, 12, 6)) == {
        "late": 1, "in_progress": 2, "not_started": 2, "done": 5,
    }  # fmt: skip
    assert [i.status for i in (await issues.list_issues("unresolved", PageRequest.of(1))).items] == [
        "open", "in_progress",
    ]  # fmt: skip
    kept = await minutes.minutes_of_year(2026)
    assert [(m.report_month, m.is_approved) for m in kept] == [
        (date(2026, 11, 1), False), (date(2026, 10, 1), True),
    ]  # fmt: skip
    assert await load_demo_progress() == 0
