"""Valid domain data for tests: organisations (with real check digits) and their accounts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from api.db import transaction
from api.members import service as members
from api.members.reference import MembershipStatus
from api.members.validation import ContactInput, OrganisationInput, corporate_number_check_digit


def corporate_number(serial: int) -> str:
    """A valid 13-digit corporate number built from a serial."""
    base = f"{serial:012d}"
    return f"{corporate_number_check_digit(base)}{base}"


def organisation_input(index: int = 1, **overrides: Any) -> OrganisationInput:
    data = OrganisationInput(
        name=f"株式会社テスト{index}",
        name_kana=f"テスト{index}",
        corporate_number=corporate_number(3300001000 + index),
        kind="company",
        industry="G",
        size_band="6-20",
        postal_code="860-0001",
        prefecture="熊本県",
        municipality="熊本市",
        address_line=f"中央区千葉城町{index}-1",
        website="https://example.jp/",
        representative_name="代表 太郎",
        representative_title="代表取締役",
        profile_public=True,
        profile_text="テスト用の団体です。",
        contacts=(
            ContactInput(
                name=f"担当 花子{index}",
                department="総務部",
                email=f"contact{index}@example.jp",
                phone="096-000-0000",
            ),
        ),
    )
    return replace(data, **overrides)


def organisation_form(index: int = 1, **overrides: Any) -> dict[str, str]:
    """The same organisation as form fields (contact fields prefixed contact_0_)."""
    data = organisation_input(index)
    values: dict[str, str] = {
        key: str(value)
        for key, value in data.as_dict().items()
        if key not in ("contacts", "profile_public")
    }
    if data.profile_public:
        values["profile_public"] = "on"
    contact = data.contacts[0]
    for key in ("name", "department", "email", "phone"):
        values[f"contact_0_{key}"] = getattr(contact, key)
    values.update({key: str(value) for key, value in overrides.items()})
    return values


async def make_organisation(
    index: int = 1,
    status: MembershipStatus = MembershipStatus.ACTIVE,
    joined_on: date | None = None,
    **overrides: Any,
) -> int:
    async with transaction():
        return await members.insert_organisation(
            organisation_input(index, **overrides), status=status, joined_on=joined_on
        )
