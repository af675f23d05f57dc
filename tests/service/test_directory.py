"""The members-only directory: who is listed, filters, order, paging, and who may read it."""

from __future__ import annotations

import dataclasses

import pytest

from api.accounts import service as accounts
from api.errors import NotFound, PermissionDenied
from api.members import directory
from api.members.directory import DirectoryFilter
from api.members.reference import MembershipStatus
from api.pagination import PageRequest
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from tests.conftest import PASSWORD, make_account
from tests.factories import make_organisation

ALL = PageRequest.of(1, 100)


async def signed_in(settings: Settings, email: str) -> Principal:
    return (await accounts.login(settings, email, PASSWORD, "10.0.0.1")).principal


@pytest.fixture
async def world(settings: Settings, db: None) -> dict[str, int]:
    """Organisations in every state; the member belongs to the first (active, public) one."""
    ids = {
        "mine": await make_organisation(1, name="株式会社阿蘇テック", name_kana="アソテック"),
        "kikuyo": await make_organisation(
            2, name="菊陽精密工業株式会社", name_kana="キクヨウセイミツコウギョウ",
            industry="E", size_band="101-300", municipality="菊陽町",
        ),
        "tokyo": await make_organisation(
            3, name="東京ソフト株式会社", name_kana="トウキョウソフト",
            prefecture="東京都", municipality="千代田区", size_band="301-",
        ),
        "hidden": await make_organisation(4, name="非公開株式会社", profile_public=False),
        "suspended": await make_organisation(5, status=MembershipStatus.SUSPENDED),
        "withdrawn": await make_organisation(6, status=MembershipStatus.WITHDRAWN),
        "applied": await make_organisation(7, status=MembershipStatus.APPLIED),
    }  # fmt: skip
    await make_account(
        settings, "member@example.jp", {Role.MEMBER_USER}, organisation_id=ids["mine"]
    )
    await make_account(
        settings, "suspended@example.jp", {Role.MEMBER_ADMIN}, organisation_id=ids["suspended"]
    )
    await make_account(settings, "staff@example.jp", {Role.STAFF})
    await make_account(settings, "orphan@example.jp", {Role.MEMBER_USER})
    return ids


async def names(principal: Principal, **filters: str) -> list[str]:
    page = await directory.list_directory(principal, DirectoryFilter(**filters), ALL)
    assert page.total == len(page.items)
    return [entry.name for entry in page.items]


async def test_lists_only_active_public_organisations_by_reading(
    settings: Settings, world: dict[str, int]
) -> None:
    member = await signed_in(settings, "member@example.jp")
    assert await names(member) == [
        "株式会社阿蘇テック",
        "菊陽精密工業株式会社",
        "東京ソフト株式会社",
    ]


async def test_filters_combine(settings: Settings, world: dict[str, int]) -> None:
    member = await signed_in(settings, "member@example.jp")
    assert await names(member, industry="E") == ["菊陽精密工業株式会社"]
    assert await names(member, municipality="菊陽町") == ["菊陽精密工業株式会社"]
    assert await names(member, municipality="県外") == ["東京ソフト株式会社"]
    assert await names(member, size="301-") == ["東京ソフト株式会社"]
    assert await names(member, industry="G", municipality="熊本市") == ["株式会社阿蘇テック"]
    assert await names(member, industry="E", municipality="県外") == []
    # Text matches the name or the reading; a reading typed in hiragana or half-width works.
    assert await names(member, q="精密") == ["菊陽精密工業株式会社"]
    assert await names(member, q="きくよう") == ["菊陽精密工業株式会社"]
    assert await names(member, q="ｿﾌﾄ") == ["東京ソフト株式会社"]
    assert await names(member, q="非公開") == []
    # Values outside the lists are ignored, and wildcards are literal.
    assert len(await names(member, industry="Z", municipality="大阪市", size="9")) == 3
    assert await names(member, q="%") == []


async def test_pages_follow_the_reading_order(settings: Settings, world: dict[str, int]) -> None:
    member = await signed_in(settings, "member@example.jp")
    first = await directory.list_directory(member, DirectoryFilter(), PageRequest.of(1, 2))
    second = await directory.list_directory(member, DirectoryFilter(), PageRequest.of(2, 2))
    assert (first.total, first.pages, second.page) == (3, 2, 2)
    assert [e.name for e in first.items + second.items] == await names(member)


async def test_an_entry_is_its_public_profile_and_nothing_more(
    settings: Settings, world: dict[str, int]
) -> None:
    member = await signed_in(settings, "member@example.jp")
    entry = await directory.get_directory_entry(member, world["tokyo"])
    assert entry.place == "東京都千代田区"
    assert entry.size_label == "301人以上"
    fields = {field.name for field in dataclasses.fields(entry)}
    assert fields == {
        "id", "name", "name_kana", "kind", "industry", "size_band", "prefecture",
        "municipality", "website", "profile_text",
    }  # fmt: skip
    for key in ("hidden", "suspended", "withdrawn", "applied"):
        with pytest.raises(NotFound):
            await directory.get_directory_entry(member, world[key])
    for unknown in (999_999, 0, -1, 2**40):
        with pytest.raises(NotFound):
            await directory.get_directory_entry(member, unknown)


async def test_members_need_an_active_organisation_and_staff_need_none(
    settings: Settings, world: dict[str, int]
) -> None:
    for email in ("suspended@example.jp", "orphan@example.jp"):
        principal = await signed_in(settings, email)
        with pytest.raises(PermissionDenied):
            await directory.list_directory(principal, DirectoryFilter(), ALL)
        with pytest.raises(PermissionDenied):
            await directory.get_directory_entry(principal, world["mine"])
    staff = await signed_in(settings, "staff@example.jp")
    assert len(await names(staff)) == 3
    assert (await directory.get_directory_entry(staff, world["mine"])).name == "株式会社阿蘇テック"
