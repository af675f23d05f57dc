"""Checking what people type about an organisation: numbers, codes, readings, names."""

from __future__ import annotations

import pytest

from api.errors import ValidationFailed
from api.members.validation import (
    corporate_number_check_digit,
    corporate_number_problem,
    kana_problem,
    name_key,
    normalize_corporate_number,
    normalize_kana,
    normalize_phone,
    normalize_postal_code,
    phone_problem,
    postal_code_problem,
    validate_organisation,
    website_problem,
)
from tests.factories import organisation_form


def test_corporate_number_check_digit_of_a_published_number() -> None:
    # 国税庁's own corporate number is 7000012050002.
    assert corporate_number_check_digit("000012050002") == 7
    assert corporate_number_problem("7000012050002") is None


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("8000012050002", "チェックデジット"),  # one digit wrong
        ("700001205000", "13桁"),  # too short
        ("70000120500a2", "13桁"),
    ],
)
def test_wrong_corporate_numbers_are_explained(typed: str, problem: str) -> None:
    message = corporate_number_problem(normalize_corporate_number(typed))
    assert message is not None and problem in message


def test_full_width_and_hyphenated_corporate_numbers_are_normalised() -> None:
    assert normalize_corporate_number("７０００－０１２０－５０００２") == "7000012050002"


def test_postal_codes_in_any_width_become_nnn_nnnn() -> None:
    assert normalize_postal_code("８６０８５７０") == "860-8570"
    assert normalize_postal_code("860ー8570") == "860-8570"
    assert postal_code_problem(normalize_postal_code("86085")) is not None
    assert postal_code_problem("") == "郵便番号を入力してください。"


def test_phone_numbers() -> None:
    assert normalize_phone("０９６（３３３）２１１１") == "096-333-2111"
    assert phone_problem(normalize_phone("090-1234-5678")) is None
    assert phone_problem(normalize_phone("12345")) is not None
    assert phone_problem(normalize_phone("096-333-2111 内線5")) is not None


def test_readings_are_kept_in_katakana() -> None:
    assert normalize_kana("くまもとでじたる") == "クマモトデジタル"
    assert normalize_kana("ｸﾏﾓﾄ") == "クマモト"  # half-width kana become full-width
    assert kana_problem("クマモト デジタル", "フリガナ") is None
    assert kana_problem("熊本", "フリガナ") == "フリガナはカタカナで入力してください。"


def test_names_match_without_width_spacing_or_legal_form() -> None:
    assert name_key("株式会社 くまもとＤＸ") == name_key("くまもとdx株式会社")
    assert name_key("(株)くまもとDX") == name_key("㈱ くまもと ＤＸ")
    assert name_key("くまもとDX") != name_key("くまもとIT")


def test_websites_must_be_http_urls() -> None:
    assert website_problem("") is None
    assert website_problem("https://example.jp/") is None
    assert website_problem("javascript:alert(1)") is not None
    assert website_problem("example.jp") is not None


def test_a_valid_form_gives_an_organisation_with_its_contact() -> None:
    data = validate_organisation(organisation_form(1), contact_prefixes=("contact_0_",))
    assert data.name == "株式会社テスト1"
    assert data.contacts[0].email == "contact1@example.jp"
    assert data.profile_public is True


def test_every_problem_is_reported_at_once_next_to_its_field() -> None:
    values = organisation_form(1, corporate_number="1234567890123", postal_code="abc")
    values.update(industry="Z", contact_0_email="not-an-address", name="")
    with pytest.raises(ValidationFailed) as caught:
        validate_organisation(values, contact_prefixes=("contact_0_",))
    assert set(caught.value.errors) == {
        "name", "corporate_number", "postal_code", "industry", "contact_0_email",
    }  # fmt: skip


def test_sole_proprietors_need_no_corporate_number_but_companies_do() -> None:
    sole = organisation_form(1, corporate_number="", kind="sole_proprietor")
    assert validate_organisation(sole).corporate_number == ""
    with pytest.raises(ValidationFailed) as caught:
        validate_organisation(organisation_form(1, corporate_number="", kind="company"))
    assert "法人番号を入力してください" in caught.value.errors["corporate_number"]


def test_kumamoto_addresses_name_one_of_its_45_municipalities() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_organisation(organisation_form(1, municipality="福岡市"))
    assert "municipality" in caught.value.errors
    outside = organisation_form(1, prefecture="福岡県", municipality="福岡市")
    assert validate_organisation(outside).municipality == "福岡市"
