"""KPIs per fiscal year: targets default to the contract's and are set by staff (every mistake
named next to its field, nothing half-saved, audited), and the actual figures match the records
month by month in Japan time against a straight line."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from api import clock
from api.articles.tables import Article
from api.audit.tables import AuditEntry
from api.dates import JST
from api.errors import ValidationFailed
from api.events.tables import Event, EventRegistration
from api.permissions import Role
from api.principal import Principal
from api.reports import kpis
from api.reports.tables import KpiTarget
from api.settings import Settings
from tests.conftest import make_account
from tests.factories import make_organisation

pytestmark = pytest.mark.usefixtures("db")

NOW = datetime(2026, 10, 1, 0, 0, tzinfo=JST)  # half of FY2026 gone


@pytest.fixture(autouse=True)
def now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def at(month: int, day: int = 10, year: int = 2026, hour: int = 13, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


async def event(kind: str, starts: datetime, *, state: str = "published", onsite: int = 0,
                online: int = 0, absent: int = 0) -> int:  # fmt: skip
    [row] = await Event.insert(
        Event(kind=kind, title="催し", starts_at=starts, ends_at=starts + timedelta(hours=2),
              registration_opens_at=starts - timedelta(days=30),
              registration_closes_at=starts - timedelta(days=1), state=state)
    ).returning(Event.id)  # fmt: skip
    people = [("onsite", True)] * onsite + [("online", True)] * online
    people += [("onsite", False)] * absent
    for number, (mode, came) in enumerate(people):
        await EventRegistration.insert(
            EventRegistration(
                event=row["id"], reference=f"R{row['id']}-{number}", name="参加者",
                email=f"p{number}@example.jp", email_key=f"p{number}@example.jp", mode=mode,
                status="registered", attended_at=starts if came else None,
            )
        )  # fmt: skip
    return row["id"]


async def test_a_year_without_targets_uses_the_contracts() -> None:
    settings = await kpis.settings_of(2026)
    assert {key: s.target for key, s in settings.items()} == {
        "new_members": 50, "open_events": 1, "open_event_onsite": 200, "seminars": 5,
        "seminar_participants": 30, "case_studies": 12, "community_members": 20,
        "community_meetings": 5, "survey_responses": 500,
    }  # fmt: skip
    assert (await kpis.settings_of(2026, {"new_members": 60}))["new_members"].target == 60


async def test_staff_set_targets_and_entered_figures_and_mistakes_are_named(
    settings: Settings,
) -> None:
    account = await make_account(settings, "staff@example.jp", {Role.STAFF})
    staff = Principal(account.id, account.email, "事務局", frozenset({Role.STAFF}))
    form = {f"target_{kpi.key}": str(kpi.default_target) for kpi in kpis.KPIS}
    form |= {"target_new_members": "60", "actual_survey_responses": "1,234"}
    parsed = kpis.parse_settings(form)
    assert parsed["new_members"] == kpis.Setting(60, None)
    assert parsed["survey_responses"] == kpis.Setting(500, 1234)
    await kpis.save_settings(staff, 2026, parsed)
    assert (await kpis.settings_of(2026))["new_members"].target == 60
    assert (await kpis.settings_of(2025))["new_members"].target == 50  # per year
    entry = await AuditEntry.select().where(AuditEntry.action == "kpi.targets").first()
    assert entry is not None and entry["target_label"] == "令和8年度"
    bad = form | {
        "target_seminars": "",
        "target_case_studies": "-1",
        "actual_community_members": "二十",
    }
    with pytest.raises(ValidationFailed) as refused:
        kpis.parse_settings(bad)
    assert set(refused.value.errors) == {
        "target_seminars", "target_case_studies", "actual_community_members",
    }  # fmt: skip
    assert await KpiTarget.count() == len(kpis.KPIS)  # nothing else written


async def test_actual_figures_match_the_records_in_japan_time() -> None:
    for joined in (date(2026, 4, 1), date(2026, 4, 30), date(2026, 9, 30), date(2026, 3, 31)):
        await make_organisation(joined.toordinal() % 1000, joined_on=joined)
    await event("open_event", at(7), onsite=3, online=2, absent=4)
    await event("seminar", at(5), onsite=10, online=10)
    await event("seminar", at(9, 30, hour=23, minute=59), onsite=5, online=5)
    await event("seminar", at(8), state="cancelled", onsite=30)
    await event("seminar", at(10, 20))  # not held yet
    await event("community", at(3, 31, hour=23, minute=59))  # FY2025
    await event("community", at(4, 1, hour=0))
    await Article.insert(
        Article(kind="case_study", slug="a", title="事例", state="published",
                first_published_at=at(6)),
        Article(kind="case_study", slug="b", title="事例", state="published",
                first_published_at=at(3, 31, hour=23, minute=59)),
        Article(kind="news", slug="c", title="お知らせ", state="published",
                first_published_at=at(6)),
    )  # fmt: skip
    report = await kpis.kpi_report(2026)
    assert report.elapsed == pytest.approx(183 / 365, abs=0.001)
    figures = {item.kpi.key: item for item in report.items}
    assert figures["new_members"].actual == 3
    assert figures["new_members"].by_month[:8] == [2, 2, 2, 2, 2, 3, 3, None]  # October so far
    assert figures["open_events"].actual == 1 and figures["open_events"].status == "achieved"
    assert figures["open_event_onsite"].actual == 3
    assert figures["seminars"].actual == 2
    assert figures["seminar_participants"].actual == 15.0  # 30 people at two seminars
    assert figures["seminar_participants"].by_month[:6] == [None, 20.0, 20.0, 20.0, 20.0, 15.0]
    assert figures["community_meetings"].actual == 1
    assert figures["case_studies"].actual == 1
    assert figures["survey_responses"].actual is None
    assert figures["survey_responses"].status == "not_entered"
    # Half the year gone: 25 of 50 new members expected; 3 is behind.
    assert figures["new_members"].expected == pytest.approx(25.1, abs=0.1)
    assert figures["new_members"].status == "behind" and figures["new_members"].share == 6.0
    assert figures["seminar_participants"].expected == 30.0


async def test_a_finished_year_is_read_to_its_end() -> None:
    await event("seminar", at(3, 20, year=2026), onsite=4)
    report = await kpis.kpi_report(2025)
    assert report.elapsed == 1.0 and report.as_of == date(2026, 3, 31)
    seminars = next(item for item in report.items if item.kpi.key == "seminars")
    assert seminars.actual == 1 and seminars.by_month[-1] == 1 and seminars.expected == 5.0
