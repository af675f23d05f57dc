"""The secretariat's member tools: the filtered list, editing, and the membership status rules."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from api.accounts import service as accounts
from api.audit.tables import AuditEntry
from api.errors import PermissionDenied, ValidationFailed
from api.members import service
from api.members.reference import MembershipStatus
from api.members.tables import Organisation, OrganisationContact
from api.pagination import PageRequest
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from tests.conftest import PASSWORD, make_account
from tests.factories import make_organisation, organisation_form
from tests.querycount import count_queries


@pytest.fixture
async def staff(settings: Settings, db: None) -> Principal:
    view = await make_account(settings, "staff@example.jp", {Role.STAFF})
    return Principal(view.id, view.email, view.display_name, view.roles)


def names(page) -> list[str]:
    return [item.name for item in page.items]


async def listed(**filters: object) -> list[str]:
    page = await service.list_organisations(
        service.OrganisationFilter.of(**filters), PageRequest.of(1, 100)
    )
    return names(page)


async def test_list_filters_by_each_field_and_sorts_by_reading(db: None) -> None:
    await make_organisation(1, name="株式会社さくら", name_kana="サクラ", industry="E")
    await make_organisation(
        2, name="阿蘇ファーム", name_kana="アソファーム", municipality="阿蘇市", size_band="1-5",
        kind="sole_proprietor", corporate_number="",
    )  # fmt: skip
    await make_organisation(
        3, name="福岡システム", name_kana="フクオカシステム", prefecture="福岡県",
        municipality="福岡市", joined_on=date(2021, 6, 1),
    )  # fmt: skip
    await make_organisation(
        4, name="球磨商店", name_kana="クマショウテン", status=MembershipStatus.WITHDRAWN
    )

    # Sorted by the reading (ア, ク, サ, フ), not by the name or the id.
    assert await listed() == ["阿蘇ファーム", "球磨商店", "株式会社さくら", "福岡システム"]
    assert await listed(status="withdrawn") == ["球磨商店"]
    assert await listed(industry="e") == ["株式会社さくら"]
    assert await listed(municipality="阿蘇市") == ["阿蘇ファーム"]
    assert await listed(municipality="県外") == ["福岡システム"]
    assert await listed(size_band="1-5") == ["阿蘇ファーム"]
    assert await listed(kind="sole_proprietor") == ["阿蘇ファーム"]
    assert await listed(fiscal_year="2021") == ["福岡システム"]
    assert await listed(municipality="阿蘇市", industry="E") == []
    # Unknown filter values are dropped, not errors: everything is listed.
    assert len(await listed(status="nonsense", industry="Z9", fiscal_year="abc")) == 4
    assert 2021 in await service.joined_fiscal_years()


async def test_search_matches_name_and_reading_in_hiragana_or_katakana(db: None) -> None:
    await make_organisation(1, name="株式会社熊本デジタル", name_kana="クマモトデジタル")
    await make_organisation(2, name="八代100%商会", name_kana="ヤツシロショウカイ")
    assert await listed(q="熊本") == ["株式会社熊本デジタル"]
    assert await listed(q="くまもと") == ["株式会社熊本デジタル"]  # hiragana finds katakana
    assert await listed(q="ｸﾏﾓﾄ") == ["株式会社熊本デジタル"]  # half-width kana too
    assert await listed(q="デジタル") == ["株式会社熊本デジタル"]
    # Typed characters are literal: % and _ are no wildcards.
    assert await listed(q="100%") == ["八代100%商会"]
    assert await listed(q="%") == ["八代100%商会"]
    assert await listed(q="_") == []


async def test_list_pages_with_one_query_whatever_the_page_size(db: None) -> None:
    for index in range(1, 26):
        await make_organisation(index, name_kana=f"テスト{index:03d}")
    with count_queries() as small:
        first = await service.list_organisations(
            service.OrganisationFilter.of(q="テスト"), PageRequest.of(1, 5)
        )
    with count_queries() as large:
        everything = await service.list_organisations(
            service.OrganisationFilter.of(q="テスト"), PageRequest.of(1, 100)
        )
    assert small.count == large.count == 1
    assert first.total == everything.total == 25 and first.pages == 5
    assert len(everything.items) == 25
    second = await service.list_organisations(service.OrganisationFilter(), PageRequest.of(2, 10))
    assert second.items[0].name_kana == "テスト011"


async def test_iterating_in_chunks_reads_every_row_once_in_order(db: None) -> None:
    for index in range(1, 8):
        await make_organisation(index, name_kana="オナジヨミ" if index % 2 else f"ア{index}")
    seen = []
    async for chunk in service.iter_organisations(
        service.OrganisationFilter(), with_contacts=True, chunk_size=3
    ):
        assert len(chunk) <= 3
        assert all(view.contacts for view in chunk)
        seen.extend(view.id for view in chunk)
    assert len(seen) == len(set(seen)) == 7


# --- editing -----------------------------------------------------------------------------------


async def test_update_saves_fields_and_contacts_and_ignores_empty_extra_rows(
    db: None, staff: Principal
) -> None:
    organisation_id = await make_organisation(1)
    values = organisation_form(1, name="株式会社テスト改", address_line="中央区1-2-3")
    values.update(
        {
            "contact_1_name": "追加 次郎", "contact_1_department": "",
            "contact_1_email": "jiro@example.jp", "contact_1_phone": "0963334444",
            # An offered row left empty means nothing.
            "contact_2_name": "", "contact_2_department": " ", "contact_2_email": "",
            "contact_2_phone": "",
        }
    )  # fmt: skip
    view = await service.update_organisation(staff, organisation_id, values)
    assert view.name == "株式会社テスト改"
    assert [c.name for c in view.contacts] == ["担当 花子1", "追加 次郎"]
    entry = await AuditEntry.select().where(AuditEntry.action == "organisation.update").first()
    assert entry is not None
    before, after = json.loads(entry["before"]), json.loads(entry["after"])
    assert before["name"] == "株式会社テスト1" and after["name"] == "株式会社テスト改"
    assert after["contacts"] == 2 and after["contacts_changed"] is True
    # Personal data of contacts never reaches the audit log.
    assert "jiro@example.jp" not in entry["after"] and "追加 次郎" not in entry["after"]


async def test_update_refuses_another_members_name_or_number_but_not_its_own(
    db: None, staff: Principal
) -> None:
    first = await make_organisation(1)
    await make_organisation(2)
    # Its own name and number are no duplicates.
    await service.update_organisation(staff, first, organisation_form(1, website=""))
    with pytest.raises(ValidationFailed) as caught:
        await service.update_organisation(
            staff, first, organisation_form(1, name="株式会社テスト2")
        )
    assert "name" in caught.value.errors
    other_number = organisation_form(2)["corporate_number"]
    with pytest.raises(ValidationFailed) as caught:
        await service.update_organisation(
            staff, first, organisation_form(1, corporate_number=other_number)
        )
    assert "corporate_number" in caught.value.errors
    assert (await service.get_organisation(first)).name == "株式会社テスト1"


async def test_update_reports_every_field_problem_and_writes_nothing(
    db: None, staff: Principal
) -> None:
    organisation_id = await make_organisation(1)
    values = organisation_form(1, name="", postal_code="12", contact_0_email="not-an-email")
    values["contact_3_name"] = "途中 三郎"  # a filled extra row is checked like the first
    with pytest.raises(ValidationFailed) as caught:
        await service.update_organisation(staff, organisation_id, values)
    assert {"name", "postal_code", "contact_0_email", "contact_3_email", "contact_3_phone"} <= set(
        caught.value.errors
    )
    assert await AuditEntry.count().where(AuditEntry.action == "organisation.update") == 0
    assert await OrganisationContact.count() == 1


# --- membership status -------------------------------------------------------------------------


async def test_status_rules_from_active_to_withdrawn(db: None, staff: Principal) -> None:
    organisation_id = await make_organisation(1, joined_on=date(2023, 4, 1))
    day = date(2024, 5, 1)
    with pytest.raises(ValidationFailed) as caught:
        await service.reactivate(staff, organisation_id)
    assert caught.value.errors["status"] == "この団体の会員資格はすでに有効です。"

    view = await service.suspend(staff, organisation_id, day, "会費未納のため")
    assert view.status == "suspended" and view.suspended_on == day
    assert view.status_note == "会費未納のため"
    with pytest.raises(ValidationFailed) as caught:
        await service.suspend(staff, organisation_id, day)
    assert caught.value.errors["status"] == "この団体はすでに休止中です。"

    view = await service.reactivate(staff, organisation_id)
    assert view.status == "active" and view.suspended_on is None

    await service.suspend(staff, organisation_id, "2024-06-01")
    view = await service.record_withdrawal(staff, organisation_id, "2024/7/31", "事業終了")
    assert view.status == "withdrawn" and view.withdrawn_on == date(2024, 7, 31)

    # Withdrawal is final.
    for change in (
        service.reactivate(staff, organisation_id),
        service.suspend(staff, organisation_id, day),
        service.record_withdrawal(staff, organisation_id, day),
    ):
        with pytest.raises(ValidationFailed) as caught:
            await change
        assert "退会" in caught.value.errors["status"]

    actions = [
        row["action"]
        for row in await AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.target_type == "organisation")
        .order_by(AuditEntry.id)
    ]
    assert actions == [
        "organisation.suspend", "organisation.reactivate", "organisation.suspend",
        "organisation.withdraw",
    ]  # fmt: skip


async def test_status_dates_must_be_real_past_dates_after_joining(
    db: None, staff: Principal
) -> None:
    organisation_id = await make_organisation(1, joined_on=date(2023, 4, 1))
    problems = {
        None: "休止日を入力してください。",
        "": "休止日を入力してください。",
        "明日": "休止日は「2024-04-01」の形式で入力してください。",
        "2024-02-30": "休止日は「2024-04-01」の形式で入力してください。",
        service.today() + timedelta(days=1): "休止日に未来の日付は指定できません。",
        date(2023, 3, 31): "休止日は入会日（2023年4月1日）以降の日付を入力してください。",
    }
    for value, message in problems.items():
        with pytest.raises(ValidationFailed) as caught:
            await service.suspend(staff, organisation_id, value)
        assert caught.value.errors == {"date": message}, value
    with pytest.raises(ValidationFailed) as caught:
        await service.suspend(staff, organisation_id, date(2024, 1, 1), "長" * 1001)
    assert "note" in caught.value.errors
    assert (await service.get_organisation(organisation_id)).status == "active"


async def test_a_suspended_organisations_members_lose_access_at_their_next_request(
    settings: Settings, db: None, staff: Principal
) -> None:
    organisation_id = await make_organisation(1)
    await make_account(settings, "member@example.jp", {Role.MEMBER_USER}, organisation_id=organisation_id)  # fmt: skip
    login = await accounts.login(settings, "member@example.jp", PASSWORD, "10.0.0.1")
    before = await accounts.resolve_session(settings, login.session_token)
    assert before is not None and before.organisation_active
    assert service.own_organisation_id(before) == organisation_id

    await service.suspend(staff, organisation_id, service.today())

    # The session and the account stay; the organisation's pages refuse them at once.
    after = await accounts.resolve_session(settings, login.session_token)
    assert after is not None and not after.organisation_active
    with pytest.raises(PermissionDenied):
        service.own_organisation_id(after)
    members = await service.organisation_accounts(organisation_id)
    assert [(m.email, m.is_active) for m in members] == [("member@example.jp", True)]
    assert members[0].role_labels == ("会員ユーザー",)

    await service.reactivate(staff, organisation_id)
    again = await accounts.resolve_session(settings, login.session_token)
    assert again is not None and again.organisation_active


async def test_unknown_organisations_are_not_found(db: None, staff: Principal) -> None:
    from api.errors import NotFound

    for organisation_id in (999, 2**40):
        with pytest.raises(NotFound):
            await service.suspend(staff, organisation_id, date(2024, 1, 1))
        with pytest.raises(NotFound):
            await service.update_organisation(staff, organisation_id, organisation_form(1))
    assert await service.organisation_accounts(2**40) == []
    assert await Organisation.count() == 0
