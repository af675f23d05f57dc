"""Platform use: exact monthly figures on known records in Japan time (the last minute of a
month, 1 April), active users from session use and sign-ins (each counted once), staff not
counted as members, and the worker's hourly note of session use."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from api import clock, periods
from api.accounts.tables import Account, UserSession
from api.analytics import platform_use
from api.analytics.tables import AccountActivity, PageViewDaily
from api.audit.tables import AuditEntry
from api.dates import JST
from api.jobs.worker import Worker
from api.permissions import Role
from api.settings import Settings
from api.solutions.tables import SolutionInquiry
from tests.conftest import make_account
from tests.factories import make_organisation

pytestmark = pytest.mark.usefixtures("db")

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=JST)
NOVEMBER = date(2026, 11, 1)


@pytest.fixture(autouse=True)
def now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def at(day: int, month: int = 11, year: int = 2026, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


async def member(settings: Settings, name: str, organisation: int, created: datetime) -> int:
    account = await make_account(
        settings, f"{name}@example.jp", {Role.MEMBER_USER}, organisation_id=organisation
    )
    await Account.update({Account.created_at: created}).where(Account.id == account.id)
    return account.id


async def signed_in(account_id: int, when: datetime) -> None:
    await AuditEntry.insert(
        AuditEntry(at=when, actor=account_id, action="session.login", target_type="account",
                   target_id=str(account_id))
    )  # fmt: skip


async def contact(provider: int, when: datetime) -> None:
    await SolutionInquiry.insert(
        SolutionInquiry(
            solution_title="勤怠クラウド", provider=provider, sender_organisation_name="株式会社A",
            sender_name="熊本 太郎", sender_email="taro@example.jp", subject="相談",
            body="資料をください", created_at=when,
        )
    )  # fmt: skip


@pytest.fixture
async def known(settings: Settings) -> dict[str, int]:
    first, second = await make_organisation(1), await make_organisation(2)
    ids = {
        "a": await member(settings, "a", first, at(1, hour=0)),  # 1 November 00:00 JST
        "b": await member(settings, "b", first, at(30, hour=23, minute=59)),  # still November
        "c": await member(settings, "c", second, at(1, month=12, hour=0)),  # December
        "d": await member(settings, "d", second, at(31, month=10, hour=23, minute=59)),  # October
    }
    staff = await make_account(settings, "staff@example.jp", {Role.STAFF})
    await signed_in(ids["a"], at(2))
    await signed_in(ids["a"], at(3))
    await signed_in(ids["b"], at(30, hour=23, minute=59))
    await signed_in(ids["d"], at(31, month=10, hour=23, minute=59))  # October
    await signed_in(staff.id, at(4))  # the secretariat is not platform use
    # c used a session in November without signing in then (noted by the worker).
    await AccountActivity.insert(
        AccountActivity(month=NOVEMBER, account_id=ids["c"], organisation_id=second),
        AccountActivity(month=NOVEMBER, account_id=ids["a"], organisation_id=first),  # and a
    )
    await contact(second, at(10))
    await contact(second, at(1, month=12, hour=0))
    for kind, views in (("case_study", 5), ("solution", 3), ("recording", 2), ("news", 9)):
        await PageViewDaily.insert(
            PageViewDaily(day=date(2026, 11, 20), area="public", path="/x", content_kind=kind,
                          content_key="x", audience="member", device="desktop", views=views)
        )  # fmt: skip
    return ids


async def test_a_month_is_exact_in_japan_time(known: dict[str, int]) -> None:
    report = await platform_use.platform_use(periods.month_period(NOVEMBER))
    totals = report.totals
    assert (totals.new_accounts, totals.logins) == (2, 3)
    assert (totals.active_users, totals.active_organisations) == (3, 2)  # a, b and c
    assert (totals.case_study_views, totals.solution_views, totals.recording_views) == (5, 3, 2)
    assert totals.contacts == 1
    assert report.previous == platform_use.MonthUse(
        new_accounts=1, logins=1, active_users=1, active_organisations=1
    )
    assert len(report.by_month) == 12 and report.by_month[-1] == (NOVEMBER, totals)
    assert report.by_month[-2][1] == report.previous
    summary = platform_use.tables(report)["summary"]
    assert summary.rows[1] == ("ログイン回数", 3, 1, 200.0)
    months = platform_use.tables(report)["months"]
    assert months.rows[-1] == ("2026年11月", 2, 3, 3, 2, 5, 3, 2, 1)


async def test_the_fiscal_year_counts_each_active_user_once(known: dict[str, int]) -> None:
    year = await platform_use.platform_use(periods.year_period(2026))
    assert year.totals.logins == 4 and year.totals.new_accounts == 4
    assert year.totals.active_users == 4  # a, b, c and d, each once over the year
    assert year.totals.contacts == 2
    assert year.by_month[0][0] == date(2026, 4, 1)
    assert year.previous == platform_use.MonthUse()
    fy2025 = await platform_use.platform_use(periods.year_period(2025))
    assert fy2025.is_empty


async def test_the_worker_notes_member_accounts_that_used_a_session(
    settings: Settings, known: dict[str, int]
) -> None:
    for account_id, seen in ((known["b"], NOW - timedelta(hours=1)), (known["d"], at(20))):
        await UserSession.insert(
            UserSession(token_hash=f"hash-{account_id}", account=account_id, last_seen_at=seen,
                        expires_at=NOW + timedelta(days=1))
        )  # fmt: skip
    assert await platform_use.note_active_accounts() == 1  # b this month; d was in November
    assert await platform_use.note_active_accounts() == 0  # once a month
    worker = Worker(settings)
    try:
        await worker.housekeeping()
    finally:
        await worker.close()
    december = await platform_use.platform_use(periods.month_period(date(2026, 12, 1)))
    assert december.totals.active_users == 1 and december.totals.new_accounts == 1
