"""Demo events for the embedded mode: this fiscal year's open DX event and five member seminars
(two already held, with attendance), a community meeting, and registrations from people of the
demo member organisations. Dates are set relative to today so the calendar always has upcoming
and past entries. Loading creates only what is missing (a restart only looks)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from api import clock
from api.accounts.tables import Account
from api.dates import JST
from api.db import transaction
from api.demo_members import DEMO_MEMBER_ORGANISATION
from api.events import service
from api.events.reference import RegistrationStatus
from api.events.tables import Event, EventRegistration
from api.events.validation import EventInput, local_input_value
from api.members.reference import MembershipStatus
from api.members.tables import Organisation
from api.permissions import Role
from api.principal import Principal


@dataclass(frozen=True, slots=True)
class DemoEvent:
    title: str
    kind: str
    days_from_today: int  # the start, relative to today (negative: already held)
    hours: int
    onsite: int
    online: int
    audience: str
    summary: str
    speakers: str
    registrations: int  # how many people from the demo organisations registered
    opens_in_days: int = -30  # registration opens this many days from today


DEMO_EVENTS: tuple[DemoEvent, ...] = (
    DemoEvent(
        "くまもとDXフォーラム",
        "open_event",
        40,
        4,
        200,
        300,
        "anyone",
        "県内企業のDX事例発表と、生成AI・データ活用の基調講演。会場とオンラインで開催します。",
        "熊本 太郎（熊本大学 工学部 教授）\n阿蘇 大輔（株式会社阿蘇デジタルワークス 代表取締役）",
        24,
    ),
    DemoEvent(
        "はじめてのDX推進セミナー",
        "seminar",
        -120,
        2,
        30,
        20,
        "members",
        "DXの進め方を、業務の棚卸しから小さく始める手順で学びます。",
        "天草 玲子（中小企業診断士）",
        28,
    ),
    DemoEvent(
        "クラウド会計・電子帳簿保存法セミナー",
        "seminar",
        -45,
        2,
        30,
        30,
        "members",
        "電子帳簿保存法への対応とクラウド会計の導入事例を紹介します。",
        "八代 修（税理士）",
        26,
    ),
    DemoEvent(
        "生成AI活用セミナー",
        "seminar",
        8,
        2,
        3,
        20,
        "members",
        "業務で生成AIを安全に使い始めるための基礎とハンズオン。会場は少人数制です。",
        "菊池 彩（株式会社菊池AIラボ）",
        9,
    ),
    DemoEvent(
        "製造業のデータ活用セミナー",
        "seminar",
        60,
        2,
        30,
        30,
        "members",
        "IoTセンサーで集めたデータを生産管理に生かす方法を、県内工場の事例で学びます。",
        "玉名 誠（熊本県産業技術センター）",
        0,
        opens_in_days=14,
    ),
    DemoEvent(
        "サイバーセキュリティ対策セミナー",
        "seminar",
        95,
        2,
        30,
        50,
        "members",
        "中小企業が最低限押さえるべきセキュリティ対策と、インシデント時の初動。",
        "人吉 剛（情報処理安全確保支援士）",
        0,
        opens_in_days=45,
    ),
    DemoEvent(
        "データ利活用コミュニティ 第3回会合",
        "community",
        20,
        2,
        0,
        40,
        "members",
        "オープンデータを使った地域課題の分析結果を共有します（オンライン）。",
        "",
        9,
    ),
)

_FAMILY = ("阿蘇", "天草", "菊池", "八代", "玉名", "山鹿", "宇土", "人吉", "水俣", "荒尾")
_FAMILY_KANA = (
    "アソ",
    "アマクサ",
    "キクチ",
    "ヤツシロ",
    "タマナ",
    "ヤマガ",
    "ウト",
    "ヒトヨシ",
    "ミナマタ",
    "アラオ",
)
_GIVEN = ("健", "美咲", "大輔", "彩", "誠", "玲子", "修", "剛", "葵", "翔")
_GIVEN_KANA = (
    "ケン",
    "ミサキ",
    "ダイスケ",
    "アヤ",
    "マコト",
    "レイコ",
    "オサム",
    "ツヨシ",
    "アオイ",
    "ショウ",
)


def _starts(today: datetime, days: int) -> datetime:
    day = (today + timedelta(days=days)).astimezone(JST)
    return day.replace(hour=13, minute=30, second=0, microsecond=0)


async def load_demo_events() -> int:
    """Create the missing demo events with their registrations; returns how many were created."""
    titles = [event.title for event in DEMO_EVENTS]
    existing = {
        row["title"] for row in await Event.select(Event.title).where(Event.title.is_in(titles))
    }
    if existing >= set(titles):
        return 0
    staff = await Account.select(Account.id).where(Account.email == "staff@example.jp").first()
    actor = Principal(
        account_id=staff["id"] if staff else 0, email="staff@example.jp", display_name="デモ",
        roles=frozenset({Role.STAFF}),
    )  # fmt: skip
    organisations = (
        await Organisation.select(Organisation.id, Organisation.name)
        .where(Organisation.status == MembershipStatus.ACTIVE.value)
        .order_by(Organisation.id)
    )
    member = (
        await Account.select(Account.id, Account.email, Account.display_name)
        .where(Account.email == "member@example.jp")
        .first()
    )
    rng = random.Random(16)
    now = clock.now()
    created = 0
    async with transaction():
        for plan in DEMO_EVENTS:
            if plan.title in existing:
                continue
            starts = _starts(now, plan.days_from_today)
            opens = now + timedelta(days=plan.opens_in_days)
            if plan.days_from_today < 0:
                opens = starts - timedelta(days=40)
            data = EventInput.from_mapping(
                {
                    "kind": plan.kind, "title": plan.title, "summary": plan.summary,
                    "description": f"## 概要\n\n{plan.summary}\n\n## 対象\n\n県内企業・団体の経営者、DX担当者の方。",
                    "starts_at": local_input_value(starts),
                    "ends_at": local_input_value(starts + timedelta(hours=plan.hours)),
                    "venue_name": "熊本県庁 本館地下大会議室" if plan.onsite else "",
                    "venue_address": "熊本市中央区水前寺6-18-1" if plan.onsite else "",
                    "access_notes": "市電「市立体育館前」電停から徒歩約10分。駐車場には限りがあります。" if plan.onsite else "",
                    "online_url": "https://meet.example.jp/kumamoto-dx" if plan.online else "",
                    "capacity_onsite": str(plan.onsite), "capacity_online": str(plan.online),
                    "registration_opens_at": local_input_value(opens),
                    "registration_closes_at": local_input_value(starts - timedelta(hours=3)),
                    "audience": plan.audience, "speakers": plan.speakers,
                }
            )  # fmt: skip
            view = await service.create_event(actor, data)
            view = await service.publish_event(actor, view.id)
            await _registrations(view, plan, organisations, rng, past=plan.days_from_today < 0)
            created += 1
        forum = await Event.select(Event.id).where(Event.title == DEMO_EVENTS[0].title).first()
        if created and member is not None and forum is not None:
            await _insert(forum["id"], member["display_name"], "", DEMO_MEMBER_ORGANISATION,
                          member["email"], "online", True, RegistrationStatus.REGISTERED,
                          account=member["id"])  # fmt: skip
    return created


async def _registrations(
    view: service.EventView,
    plan: DemoEvent,
    organisations: list[dict[str, object]],
    rng: random.Random,
    *,
    past: bool,
) -> None:
    taken = {mode: 0 for mode in view.modes}
    for number in range(plan.registrations):
        organisation = organisations[(number * 7 + len(plan.title)) % len(organisations)]
        family, given = number % len(_FAMILY), (number * 3 + len(plan.title)) % len(_GIVEN)
        mode = view.modes[number % len(view.modes)]
        full = taken[mode] >= view.capacity(mode)
        taken[mode] += 0 if full else 1
        status = RegistrationStatus.WAITING if full else RegistrationStatus.REGISTERED
        attended = past and status == RegistrationStatus.REGISTERED and rng.random() < 0.85
        await _insert(
            view.id, f"{_FAMILY[family]} {_GIVEN[given]}", f"{_FAMILY_KANA[family]} {_GIVEN_KANA[given]}",
            str(organisation["name"]), f"event{view.id}-{number}@example.jp", mode,
            True, status, organisation=int(str(organisation["id"])),
            attended_at=view.starts_at + timedelta(minutes=rng.randint(-20, 10)) if attended else None,
        )  # fmt: skip


async def _insert(
    event_id: int,
    name: str,
    kana: str,
    organisation_name: str,
    email: str,
    mode: str,
    is_member: bool,
    status: str,
    *,
    account: int | None = None,
    organisation: int | None = None,
    attended_at: datetime | None = None,
) -> None:
    # Written directly: past events no longer take registrations through the service.
    await EventRegistration.insert(
        EventRegistration(
            {
                EventRegistration.event: event_id, EventRegistration.account: account,
                EventRegistration.organisation: organisation, EventRegistration.reference: service.new_reference(),
                EventRegistration.name: name, EventRegistration.name_kana: kana,
                EventRegistration.organisation_name: organisation_name, EventRegistration.email: email,
                EventRegistration.email_key: email.lower(), EventRegistration.mode: mode,
                EventRegistration.is_member: is_member, EventRegistration.status: status,
                EventRegistration.attended_at: attended_at,
            }
        )
    )  # fmt: skip
