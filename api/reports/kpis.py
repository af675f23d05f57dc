"""The fiscal year's KPIs: targets that staff set per year (the contract's figures by default)
against the actual figures computed from the records, with progress month by month against a
straight line from 1 April to 31 March.

Counted from the records: new members (joined_on), the open event and the members' seminars
held (published events that have started) with their attendance as checked in, community
meetings held, and case studies first published in the year. The community's members and the
survey's responses are not on the platform: staff enter those figures with the targets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate

from api import clock, periods
from api.articles.tables import Article
from api.audit import service as audit
from api.dates import as_date, fiscal_month_index, fiscal_year_span, format_fiscal_year, local_date
from api.db import transaction
from api.errors import ValidationFailed
from api.events.reference import EventKind, EventState
from api.events.tables import Event, EventRegistration
from api.members.tables import Organisation
from api.periods import Breakdown, Bucket, ReportTable
from api.principal import Principal
from api.reports.tables import KpiTarget
from api.settings import Settings as AppSettings

COUNT, AVERAGE = "count", "average"  # summed up over the months, or an average per event
MAX_FIGURE = 1_000_000


@dataclass(frozen=True, slots=True)
class Kpi:
    key: str
    label: str
    unit: str
    default_target: int
    kind: str = COUNT
    measured: bool = True  # False: staff enter the actual figure
    note: str = ""


KPIS: tuple[Kpi, ...] = (
    Kpi("new_members", "新規会員", "団体", 50, note="年度中に入会した団体"),
    Kpi("open_events", "公開イベントの開催", "回", 1),
    Kpi("open_event_onsite", "公開イベントの会場参加者", "人", 200,
        note="受付で出席を記録した会場の参加者"),
    Kpi("seminars", "会員向けセミナーの開催", "回", 5),
    Kpi("seminar_participants", "セミナー1回あたりの参加者", "人", 30, kind=AVERAGE,
        note="出席を記録した参加者（会場とオンライン）の1回あたりの平均"),
    Kpi("case_studies", "導入事例の公開", "件", 12, note="年度中に初めて公開した導入事例"),
    Kpi("community_members", "コミュニティの参加者", "人", 20, measured=False,
        note="事務局が入力した人数"),
    Kpi("community_meetings", "コミュニティ会合の開催", "回", 5),
    Kpi("survey_responses", "アンケートの回答", "件", 500, measured=False,
        note="配布1,500件に対する回答数（事務局が入力）"),
)  # fmt: skip
BY_KEY = {kpi.key: kpi for kpi in KPIS}

ACHIEVED, ON_TRACK, BEHIND, NOT_ENTERED = "achieved", "on_track", "behind", "not_entered"
STATUS_LABELS = {
    ACHIEVED: "達成", ON_TRACK: "順調", BEHIND: "遅れ", NOT_ENTERED: "未入力",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Setting:
    target: int
    actual: int | None  # entered by staff (KPIs the site does not count)


def configured_defaults(settings: AppSettings) -> dict[str, int]:
    """Defaults that the deployment may change (NEW_MEMBERS_TARGET)."""
    return {"new_members": settings.new_members_target}


def form_values(settings: Mapping[str, Setting]) -> dict[str, str]:
    """The settings as the form shows them (and as parse_settings reads them back)."""
    values: dict[str, str] = {}
    for key, setting in settings.items():
        values[f"target_{key}"] = str(setting.target)
        if setting.actual is not None:
            values[f"actual_{key}"] = str(setting.actual)
    return values


async def settings_of(year: int, defaults: Mapping[str, int] | None = None) -> dict[str, Setting]:
    """The year's targets (and entered figures), the defaults where none is set."""
    stored = {
        row["key"]: Setting(row["target"], row["actual"])
        for row in await KpiTarget.select(KpiTarget.key, KpiTarget.target, KpiTarget.actual).where(
            KpiTarget.fiscal_year == year
        )
    }
    fallback = {kpi.key: kpi.default_target for kpi in KPIS} | dict(defaults or {})
    return {kpi.key: stored.get(kpi.key, Setting(fallback[kpi.key], None)) for kpi in KPIS}


def _figure(text: str, field: str, errors: dict[str, str], *, required: bool) -> int | None:
    value = text.strip().replace(",", "")
    if not value:
        if required:
            errors[field] = "数値を入力してください。"
        return None
    if not value.isascii() or not value.isdigit() or int(value) > MAX_FIGURE:
        errors[field] = f"0から{MAX_FIGURE:,}までの整数で入力してください。"
        return None
    return int(value)


def parse_settings(values: Mapping[str, str]) -> dict[str, Setting]:
    """The form's targets (target_<key>) and entered figures (actual_<key>); every mistake is
    refused at once, in Japanese, next to its field."""
    errors: dict[str, str] = {}
    parsed: dict[str, Setting] = {}
    for kpi in KPIS:
        target = _figure(
            values.get(f"target_{kpi.key}", ""), f"target_{kpi.key}", errors, required=True
        )
        actual = None
        if not kpi.measured:
            actual = _figure(
                values.get(f"actual_{kpi.key}", ""), f"actual_{kpi.key}", errors, required=False
            )
        if target is not None:
            parsed[kpi.key] = Setting(target, actual)
    if errors:
        raise ValidationFailed(errors, "入力内容を確認してください。")
    return parsed


async def save_settings(actor: Principal, year: int, settings: Mapping[str, Setting]) -> None:
    """Replace the year's targets and entered figures (audited with what they were)."""
    before = await settings_of(year)
    now = clock.now()
    async with transaction():
        await KpiTarget.delete().where(KpiTarget.fiscal_year == year)
        await KpiTarget.insert(*(
            KpiTarget(fiscal_year=year, key=key, target=value.target, actual=value.actual,
                      updated_at=now)
            for key, value in settings.items()
        ))  # fmt: skip
        await audit.record(
            actor, "kpi.targets", "fiscal_year", year, target_label=format_fiscal_year(year),
            before={k: [v.target, v.actual] for k, v in before.items()},
            after={k: [v.target, v.actual] for k, v in settings.items()},
        )  # fmt: skip


# --- the figures -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KpiProgress:
    kpi: Kpi
    target: int
    actual: int | float | None  # None: not entered yet
    expected: float  # where a straight line from 1 April puts it today (or at the year's end)
    by_month: list[int | float | None]  # April..March: cumulative count, or the running average

    @property
    def share(self) -> float | None:
        """The actual figure against the target, in per cent."""
        return None if self.actual is None else periods.share(self.actual, self.target)

    @property
    def status(self) -> str:
        if self.actual is None:
            return NOT_ENTERED
        if self.actual >= self.target:
            return ACHIEVED
        return ON_TRACK if self.actual >= self.expected else BEHIND

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True, slots=True)
class KpiReport:
    year: int
    label: str
    elapsed: float  # the share of the year gone (1.0 once it is over)
    as_of: date
    items: list[KpiProgress]
    months: list[date]  # April..March

    def expected_by(self, index: int, target: int) -> float:
        """The straight line's figure at the end of the index-th month (0 is April)."""
        return round(target * (index + 1) / 12, 1)


async def _event_figures(year: int, now: datetime) -> dict[str, list[int]]:
    """Per month of the year: events held by kind, on-site attendance of the open event, and
    the seminars' attendance (for their average)."""
    start, end = fiscal_year_span(year)
    events = await Event.select(Event.id, Event.kind, Event.starts_at).where(
        (Event.state == EventState.PUBLISHED) & (Event.starts_at >= start)
        & (Event.starts_at < min(end, now))
    )  # fmt: skip
    figures: dict[str, list[int]] = defaultdict(lambda: [0] * 12)
    month_of_event: dict[int, tuple[int, str]] = {}
    for row in events:
        index = fiscal_month_index(row["starts_at"])
        month_of_event[row["id"]] = (index, row["kind"])
        figures[f"held_{row['kind']}"][index] += 1
    if month_of_event:
        attended = await EventRegistration.select(
            EventRegistration.event, EventRegistration.mode
        ).where(
            EventRegistration.event.is_in(list(month_of_event))
            & (EventRegistration.status == "registered")
            & EventRegistration.attended_at.is_not_null()
        )
        for row in attended:
            index, kind = month_of_event[row["event"]]
            figures[f"attended_{kind}"][index] += 1
            if row["mode"] == "onsite":
                figures[f"onsite_{kind}"][index] += 1
    return figures


async def _new_members(year: int) -> list[int]:
    first, last = date(year, 4, 1), date(year + 1, 3, 31)
    per_month = [0] * 12
    for row in await Organisation.select(Organisation.joined_on).where(
        (Organisation.joined_on >= first) & (Organisation.joined_on <= last)
    ):
        per_month[fiscal_month_index(as_date(row["joined_on"]))] += 1
    return per_month


async def _case_studies(year: int) -> list[int]:
    start, end = fiscal_year_span(year)
    per_month = [0] * 12
    for row in await Article.select(Article.first_published_at).where(
        (Article.kind == "case_study") & (Article.first_published_at >= start)
        & (Article.first_published_at < end)
    ):  # fmt: skip
        per_month[fiscal_month_index(row["first_published_at"])] += 1
    return per_month


def _running_average(attended: list[int], held: list[int]) -> list[int | float | None]:
    averages: list[int | float | None] = []
    people = events = 0
    for count, number in zip(attended, held, strict=True):
        people, events = people + count, events + number
        averages.append(round(people / events, 1) if events else None)
    return averages


async def kpi_report(year: int, defaults: Mapping[str, int] | None = None) -> KpiReport:
    """The year's KPIs against their targets (five queries)."""
    now = clock.now()
    start, end = fiscal_year_span(year)
    elapsed = min(1.0, max(0.0, (now - start) / (end - start)))
    settings = await settings_of(year, defaults)
    events = await _event_figures(year, now)
    seminar = EventKind.SEMINAR
    counted: dict[str, list[int | float | None]] = {
        "new_members": list(accumulate(await _new_members(year))),
        "open_events": list(accumulate(events[f"held_{EventKind.OPEN_EVENT}"])),
        "open_event_onsite": list(accumulate(events[f"onsite_{EventKind.OPEN_EVENT}"])),
        "seminars": list(accumulate(events[f"held_{seminar}"])),
        "seminar_participants": _running_average(
            events[f"attended_{seminar}"], events[f"held_{seminar}"]
        ),
        "case_studies": list(accumulate(await _case_studies(year))),
        "community_meetings": list(accumulate(events[f"held_{EventKind.COMMUNITY}"])),
    }
    shown = fiscal_month_index(now) if elapsed < 1 else 11
    items = []
    for kpi in KPIS:
        setting = settings[kpi.key]
        if kpi.measured:
            by_month = [
                value if index <= shown else None for index, value in enumerate(counted[kpi.key])
            ]
            actual = (
                by_month[shown]
                if kpi.kind == COUNT
                else next((value for value in reversed(by_month) if value is not None), 0)
            )
        else:
            by_month, actual = [None] * 12, setting.actual
        expected = (
            float(setting.target) if kpi.kind == AVERAGE else round(setting.target * elapsed, 1)
        )
        items.append(KpiProgress(kpi, setting.target, actual, expected, by_month))
    as_of = local_date(min(now, end - timedelta(microseconds=1)))
    return KpiReport(
        year=year, label=periods.year_period(year).label, elapsed=round(elapsed, 4), as_of=as_of,
        items=items, months=periods.year_period(year).month_list(),
    )  # fmt: skip


# --- charts and tables -----------------------------------------------------------------------


def chart(report: KpiReport) -> Breakdown:
    """The share of each target reached, in per cent (what is not entered counts 0)."""
    return Breakdown(
        "kpis", "目標に対する達成率",
        tuple(Bucket(item.kpi.key, item.kpi.label, round(item.share or 0)) for item in report.items),
    )  # fmt: skip


def summary_table(report: KpiReport) -> ReportTable:
    return ReportTable(
        "summary", "目標と実績",
        ("KPI", "目標", "実績", "見込み", "達成率（%）", "状況"),
        [
            (item.kpi.label, item.target, item.actual, item.expected, item.share,
             item.status_label)
            for item in report.items
        ],
    )  # fmt: skip


def month_table(report: KpiReport) -> ReportTable:
    return ReportTable(
        "months", "月ごとの累計",
        ("KPI", *(f"{month.month}月" for month in report.months), "年度の目標"),
        [(item.kpi.label, *item.by_month, item.target) for item in report.items],
    )  # fmt: skip


def tables(report: KpiReport) -> dict[str, ReportTable]:
    return {table.name: table for table in (summary_table(report), month_table(report))}


def export_names(report: KpiReport, table: ReportTable, extension: str) -> tuple[str, str]:
    return (
        f"kpis-{table.name}-{report.year}.{extension}",
        f"KPI_{table.title}_{report.label}.{extension}",
    )
