"""The solutions directory: who may change what, what the directory lists, filters, paging,
bookmarks, the secretariat's moderation and stale list, and the provider's monthly counts."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from api import clock
from api.accounts import service as accounts
from api.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from api.members import service as members
from api.pagination import PageRequest
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from api.solutions import service as solutions
from api.solutions import taxonomy
from api.solutions.service import SolutionFilter
from api.solutions.tables import SolutionMonthlyStat
from api.solutions.validation import SolutionInput
from tests.conftest import PASSWORD, make_account
from tests.factories import make_organisation
from tests.querycount import count_queries

ALL = PageRequest.of(1, 100)


async def signed_in(settings: Settings, email: str) -> Principal:
    return (await accounts.login(settings, email, PASSWORD, "10.0.0.1")).principal


async def category_id(name: str) -> str:
    categories = {c.name: c.id for c in await taxonomy.list_categories()}
    return str(categories[name])


async def solution_input(**overrides: Any) -> SolutionInput:
    values: dict[str, Any] = {
        "title": "クラウド勤怠管理",
        "summary": "スマートフォンで打刻できる勤怠管理サービスです。",
        "description": "## 特長\n\n- 打刻\n- 集計",
        "category_ids": [await category_id("業務効率化")],
        "industries": ["E", "I"],
        "all_kumamoto": "on",
        "sizes": ["6-20", "21-50"],
        "price_model": "subscription",
        "price_text": "月額3,000円〜",
        "delivery": ["cloud"],
        "subsidy_eligible": "on",
        "website": "https://example.jp/kintai",
    }
    values.update(overrides)
    return SolutionInput.from_mapping(values)


@pytest.fixture
async def world(settings: Settings, db: None) -> dict[str, int]:
    await taxonomy.ensure_default_categories()
    ids = {
        "aso": await make_organisation(1, name="株式会社阿蘇テック"),
        "kikuchi": await make_organisation(2, name="菊池システム株式会社"),
    }
    await make_account(settings, "aso@example.jp", {Role.MEMBER_ADMIN}, organisation_id=ids["aso"])
    await make_account(
        settings, "aso-user@example.jp", {Role.MEMBER_USER}, organisation_id=ids["aso"]
    )
    await make_account(
        settings, "kikuchi@example.jp", {Role.MEMBER_USER}, organisation_id=ids["kikuchi"]
    )
    await make_account(settings, "staff@example.jp", {Role.STAFF})
    await make_account(settings, "official@example.jp", {Role.OFFICIAL})
    return ids


async def titles(principal: Principal, **filters: Any) -> list[str]:
    page = await solutions.list_directory(principal, SolutionFilter(**filters), ALL)
    assert page.total == len(page.items)
    return [item.title for item in page.items]


async def test_member_creates_and_reads_back_a_solution(
    settings: Settings, world: dict[str, int]
) -> None:
    member = await signed_in(settings, "aso-user@example.jp")
    created = await solutions.create_solution(member, await solution_input())
    assert created.organisation_id == world["aso"]
    assert created.organisation_name == "株式会社阿蘇テック"
    assert created.category_names == ["業務効率化"]
    assert created.industries == ["E", "I"]
    assert created.all_kumamoto and created.municipalities == []
    assert created.delivery_labels == ["クラウド"]
    assert created.subsidy_eligible and created.listed
    other = await signed_in(settings, "kikuchi@example.jp")
    seen = await solutions.get_solution(other, created.id)
    assert seen.description.startswith("## 特長")


async def test_invalid_input_names_each_field_and_writes_nothing(
    settings: Settings, world: dict[str, int]
) -> None:
    member = await signed_in(settings, "aso@example.jp")
    data = SolutionInput.from_mapping(
        {
            "title": " ",
            "summary": "あ" * 201,
            "category_ids": ["99999"],
            "industries": ["Z"],
            "municipalities": ["横浜市"],
            "sizes": ["huge"],
            "price_model": "barter",
            "delivery": [],
            "website": "javascript:alert(1)",
        }
    )
    with pytest.raises(ValidationFailed) as caught:
        await solutions.create_solution(member, data)
    assert set(caught.value.errors) == {
        "title", "summary", "category_ids", "industries", "municipalities", "sizes",
        "price_model", "delivery", "website",
    }  # fmt: skip
    assert (await solutions.list_own_solutions(member, ALL)).total == 0


async def test_area_is_required_unless_all_of_kumamoto(
    settings: Settings, world: dict[str, int]
) -> None:
    member = await signed_in(settings, "aso@example.jp")
    with pytest.raises(ValidationFailed) as caught:
        await solutions.create_solution(member, await solution_input(all_kumamoto=""))
    assert "municipalities" in caught.value.errors
    local = await solutions.create_solution(
        member, await solution_input(all_kumamoto="", municipalities=["阿蘇市", "小国町"])
    )
    assert local.area_label == "阿蘇市、小国町"


async def test_another_organisation_cannot_change_a_solution(
    settings: Settings, world: dict[str, int]
) -> None:
    owner = await signed_in(settings, "aso@example.jp")
    created = await solutions.create_solution(owner, await solution_input())
    intruder = await signed_in(settings, "kikuchi@example.jp")
    with pytest.raises(NotFound):
        await solutions.update_solution(
            intruder, created.id, await solution_input(title="乗っ取り")
        )
    with pytest.raises(NotFound):
        await solutions.set_provider_hidden(intruder, created.id, True)
    with pytest.raises(NotFound):
        await solutions.delete_solution(intruder, created.id)
    with pytest.raises(NotFound):
        await solutions.get_own_solution(intruder, created.id)
    assert (await solutions.get_solution(owner, created.id)).title == "クラウド勤怠管理"


async def test_accounts_without_an_active_organisation_cannot_publish(
    settings: Settings, world: dict[str, int]
) -> None:
    staff = await signed_in(settings, "staff@example.jp")
    with pytest.raises(PermissionDenied):
        await solutions.create_solution(staff, await solution_input())
    official = await signed_in(settings, "official@example.jp")
    with pytest.raises(PermissionDenied):
        await solutions.list_directory(official, SolutionFilter(), ALL)


async def test_colleagues_edit_hide_and_delete_their_organisations_solutions(
    settings: Settings, world: dict[str, int]
) -> None:
    admin = await signed_in(settings, "aso@example.jp")
    user = await signed_in(settings, "aso-user@example.jp")
    reader = await signed_in(settings, "kikuchi@example.jp")
    created = await solutions.create_solution(admin, await solution_input())
    updated = await solutions.update_solution(
        user, created.id, await solution_input(title="新名称")
    )
    assert updated.title == "新名称" and updated.updated_at >= created.updated_at
    await solutions.set_provider_hidden(user, created.id, True)
    assert await titles(reader) == []
    with pytest.raises(NotFound):
        await solutions.get_solution(reader, created.id)
    # The provider still sees its hidden solution.
    assert (await solutions.get_solution(admin, created.id)).provider_hidden
    await solutions.set_provider_hidden(admin, created.id, False)
    assert await titles(reader) == ["新名称"]
    await solutions.delete_solution(user, created.id)
    assert await titles(reader) == []


async def test_suspended_organisations_solutions_leave_the_directory_and_come_back(
    settings: Settings, world: dict[str, int]
) -> None:
    owner = await signed_in(settings, "aso@example.jp")
    created = await solutions.create_solution(owner, await solution_input())
    reader = await signed_in(settings, "kikuchi@example.jp")
    staff = await signed_in(settings, "staff@example.jp")
    await members.suspend(staff, world["aso"], members.today().isoformat(), "会費未納")
    assert await titles(reader) == []
    with pytest.raises(NotFound):
        await solutions.get_solution(reader, created.id)
    with pytest.raises(NotFound):
        await solutions.set_bookmark(reader, created.id, True)
    await members.reactivate(staff, world["aso"])
    assert await titles(reader) == ["クラウド勤怠管理"]


async def test_filters_combine(settings: Settings, world: dict[str, int]) -> None:
    aso = await signed_in(settings, "aso@example.jp")
    kikuchi = await signed_in(settings, "kikuchi@example.jp")
    await solutions.create_solution(aso, await solution_input(title="勤怠"))
    await solutions.create_solution(
        kikuchi,
        await solution_input(
            title="農業IoT",
            category_ids=[await category_id("農業"), await category_id("IoT・センサー")],
            industries=["A"],
            all_kumamoto="",
            municipalities=["菊池市"],
            sizes=["1-5"],
            price_model="one_off",
            delivery=["on_premises", "consulting"],
            subsidy_eligible="",
        ),
    )
    assert await titles(aso, category=await category_id("農業")) == ["農業IoT"]
    assert await titles(aso, industry="E") == ["勤怠"]
    # A solution for all of Kumamoto is found in every municipality.
    assert sorted(await titles(aso, municipality="菊池市")) == ["勤怠", "農業IoT"]
    assert await titles(aso, municipality="水俣市") == ["勤怠"]
    assert await titles(aso, size="1-5") == ["農業IoT"]
    assert await titles(aso, delivery="consulting") == ["農業IoT"]
    assert await titles(aso, price_model="subscription") == ["勤怠"]
    assert await titles(aso, subsidy=True) == ["勤怠"]
    assert await titles(aso, q="iot") == ["農業IoT"]
    assert await titles(aso, q="100%") == []
    assert await titles(aso, industry="A", subsidy=True) == []
    # Values outside the lists are ignored rather than failing.
    assert len(await titles(aso, industry="ZZ", size="x", category="abc")) == 2
    assert await titles(aso, sort="title") == sorted(["勤怠", "農業IoT"])


async def test_directory_pages_and_costs_the_same_queries_for_any_page_size(
    settings: Settings, world: dict[str, int]
) -> None:
    owner = await signed_in(settings, "aso@example.jp")
    for index in range(12):
        await solutions.create_solution(owner, await solution_input(title=f"製品{index:02d}"))
    reader = await signed_in(settings, "kikuchi@example.jp")
    counts = []
    for per_page in (2, 10):
        with count_queries() as counter:
            page = await solutions.list_directory(
                reader, SolutionFilter(), PageRequest.of(1, per_page)
            )
        counts.append(counter.count)
        assert page.total == 12 and len(page.items) == per_page
    assert counts[0] == counts[1] <= 6
    first = await solutions.list_directory(reader, SolutionFilter(), PageRequest.of(1, 5))
    second = await solutions.list_directory(reader, SolutionFilter(), PageRequest.of(2, 5))
    assert not {i.id for i in first.items} & {i.id for i in second.items}


async def test_bookmarks(settings: Settings, world: dict[str, int]) -> None:
    owner = await signed_in(settings, "aso@example.jp")
    created = await solutions.create_solution(owner, await solution_input())
    reader = await signed_in(settings, "kikuchi@example.jp")
    await solutions.set_bookmark(reader, created.id, True)
    await solutions.set_bookmark(reader, created.id, True)  # twice is once
    marks = await solutions.list_bookmarks(reader, ALL)
    assert [m.title for m in marks.items] == ["クラウド勤怠管理"] and marks.items[0].bookmarked
    assert (await solutions.get_solution(reader, created.id)).bookmarked
    assert not (await solutions.get_solution(owner, created.id)).bookmarked
    # A hidden solution drops out of the bookmarks until it is shown again.
    await solutions.set_provider_hidden(owner, created.id, True)
    assert (await solutions.list_bookmarks(reader, ALL)).total == 0
    await solutions.set_provider_hidden(owner, created.id, False)
    await solutions.set_bookmark(reader, created.id, False)
    assert (await solutions.list_bookmarks(reader, ALL)).total == 0
    with pytest.raises(NotFound):
        await solutions.set_bookmark(reader, 2**40, True)


async def test_moderation_hides_with_a_reason_the_provider_sees(
    settings: Settings, world: dict[str, int]
) -> None:
    owner = await signed_in(settings, "aso@example.jp")
    created = await solutions.create_solution(owner, await solution_input())
    staff = await signed_in(settings, "staff@example.jp")
    reader = await signed_in(settings, "kikuchi@example.jp")
    with pytest.raises(ValidationFailed) as caught:
        await solutions.moderate(staff, created.id, "  ")
    assert "reason" in caught.value.errors
    with pytest.raises(PermissionDenied):
        await solutions.moderate(owner, created.id, "自分で")
    await solutions.moderate(staff, created.id, "価格表記が誤解を招くため")
    assert await titles(reader) == []
    mine = await solutions.get_own_solution(owner, created.id)
    assert mine.moderated and mine.moderation_reason == "価格表記が誤解を招くため"
    # The provider cannot undo moderation by hiding and showing again.
    await solutions.set_provider_hidden(owner, created.id, False)
    assert await titles(reader) == []
    assert [s.id for s in (await solutions.list_moderated(staff, ALL)).items] == [created.id]
    await solutions.lift_moderation(staff, created.id)
    assert await titles(reader) == ["クラウド勤怠管理"]


async def test_stale_list_shows_solutions_not_updated_for_a_year(
    settings: Settings, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await signed_in(settings, "aso@example.jp")
    staff = await signed_in(settings, "staff@example.jp")
    old = await solutions.create_solution(owner, await solution_input(title="古い製品"))
    fresh = await solutions.create_solution(owner, await solution_input(title="新しい製品"))
    later = clock.now() + timedelta(days=366)
    monkeypatch.setattr(clock, "now", lambda: later)
    await solutions.update_solution(owner, fresh.id, await solution_input(title="新しい製品"))
    stale = await solutions.list_stale(staff, ALL)
    assert [s.id for s in stale.items] == [old.id]
    with pytest.raises(PermissionDenied):
        await solutions.list_stale(owner, ALL)


async def test_views_are_counted_per_month_for_other_organisations_only(
    settings: Settings, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await signed_in(settings, "aso@example.jp")
    created = await solutions.create_solution(owner, await solution_input())
    reader = await signed_in(settings, "kikuchi@example.jp")
    staff = await signed_in(settings, "staff@example.jp")
    for _ in range(3):
        await solutions.get_solution(reader, created.id, count_view=True)
    await solutions.get_solution(owner, created.id, count_view=True)
    await solutions.get_solution(staff, created.id, count_view=True)
    await solutions.get_solution(reader, created.id)  # not a page view
    assert await SolutionMonthlyStat.count() == 1
    stats = await solutions.provider_statistics(owner)
    assert len(stats) == 1 and len(stats[0].months) == 12
    assert stats[0].months[-1].views == 3 and stats[0].total_views == 3
    next_month = clock.now() + timedelta(days=32)
    monkeypatch.setattr(clock, "now", lambda: next_month)
    await solutions.get_solution(reader, created.id, count_view=True)
    stats = await solutions.provider_statistics(owner)
    assert [m.views for m in stats[0].months[-2:]] == [3, 1]
    with pytest.raises(PermissionDenied):
        await solutions.provider_statistics(staff)


async def test_taxonomy_rename_retire_and_delete(settings: Settings, world: dict[str, int]) -> None:
    staff = await signed_in(settings, "staff@example.jp")
    owner = await signed_in(settings, "aso@example.jp")
    new = await taxonomy.create_category(staff, "ＥＣ・通販")
    assert new.name == "EC・通販"
    with pytest.raises(ValidationFailed):
        await taxonomy.create_category(staff, "EC・通販")
    created = await solutions.create_solution(
        owner, await solution_input(category_ids=[str(new.id)])
    )
    with pytest.raises(Conflict):
        await taxonomy.delete_category(staff, new.id)
    retired = await taxonomy.update_category(
        staff, new.id, name="EC・ネット通販", position="3", active=False
    )
    assert not retired.active
    assert new.id not in {c.id for c in await taxonomy.list_categories()}
    # The solution keeps its retired category and can still be saved with it ...
    kept = await solutions.update_solution(
        owner, created.id, await solution_input(category_ids=[str(new.id)])
    )
    assert kept.category_names == ["EC・ネット通販"]
    # ... but a new solution cannot choose it.
    with pytest.raises(ValidationFailed):
        await solutions.create_solution(owner, await solution_input(category_ids=[str(new.id)]))
    unused = await taxonomy.create_category(staff, "未使用")
    await taxonomy.delete_category(staff, unused.id)
    with pytest.raises(NotFound):
        await taxonomy.delete_category(staff, unused.id)


def test_filter_query_keeps_only_set_values() -> None:
    filters = dataclasses.replace(SolutionFilter(), industry="E", subsidy=True)
    assert filters.as_query() == {"industry": "E", "subsidy": "1"}


async def test_default_categories_are_seeded_once(db: None) -> None:
    assert await taxonomy.ensure_default_categories() == 12
    assert await taxonomy.ensure_default_categories() == 0
    names = [c.name for c in await taxonomy.list_categories()]
    assert names[:3] == ["業務効率化", "生産管理", "販売・顧客管理"] and len(names) == 12


async def _case_study(staff: Principal, slug: str, publish: bool = True) -> int:
    from api.articles import service as articles

    body = "## 背景\n\n紙の台帳でした。\n\n## 取り組み\n\nクラウドに移しました。\n"
    made = await articles.create_article(
        staff, articles.ArticleInput(kind="case_study", slug=slug, title=f"事例 {slug}",
                                     body_markdown=body, organisation_name="株式会社阿蘇テック"),
    )  # fmt: skip
    if publish:
        await articles.publish_now(staff, made.id)
    return made.id


async def test_linked_case_studies_are_published_ones_only(
    settings: Settings, world: dict[str, int]
) -> None:
    from api.articles import service as articles

    staff = await signed_in(settings, "staff@example.jp")
    published = await _case_study(staff, "kintai")
    draft = await _case_study(staff, "draft", publish=False)
    owner = await signed_in(settings, "aso@example.jp")
    with pytest.raises(ValidationFailed) as caught:
        await solutions.create_solution(
            owner, await solution_input(case_study_ids=[str(published), str(draft)])
        )
    assert "case_study_ids" in caught.value.errors
    with pytest.raises(ValidationFailed):
        await solutions.create_solution(owner, await solution_input(case_study_ids=["99999999999"]))
    created = await solutions.create_solution(
        owner, await solution_input(case_study_ids=[str(published)])
    )
    assert created.case_studies == [(published, "kintai", "事例 kintai")]
    await articles.unpublish(staff, published)
    reader = await signed_in(settings, "kikuchi@example.jp")
    assert (await solutions.get_solution(reader, created.id)).case_studies == []


async def test_staff_ask_a_provider_to_refresh_once_a_month(
    settings: Settings, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.mail.tables import OutboxMail

    owner = await signed_in(settings, "aso@example.jp")
    created = await solutions.create_solution(owner, await solution_input())
    staff = await signed_in(settings, "staff@example.jp")
    with pytest.raises(PermissionDenied):
        await solutions.request_refresh(settings, owner, created.id)
    asked = await solutions.request_refresh(settings, staff, created.id)
    assert asked.refresh_requested_at is not None
    mails = await OutboxMail.select().where(OutboxMail.subject.like("%更新のお願い%"))
    assert [m["to_address"] for m in mails] == ["contact1@example.jp"]
    assert f"/platform/organisation/solutions/{created.id}/edit" in mails[0]["body"]
    with pytest.raises(Conflict):
        await solutions.request_refresh(settings, staff, created.id)
    later = clock.now() + timedelta(days=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    await solutions.request_refresh(settings, staff, created.id)
    assert await OutboxMail.count().where(OutboxMail.subject.like("%更新のお願い%")) == 2
