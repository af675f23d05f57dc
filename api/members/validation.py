"""Checking and normalising what people type about an organisation and its contacts.

The application form, the staff edit form, the member admin's profile form, the import and the
JSON API all go through these functions, so a value means the same wherever it came from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from api.errors import ValidationFailed
from api.members.reference import (
    INDUSTRY_LABELS,
    KIND_LABELS,
    KINDS_WITHOUT_CORPORATE_NUMBER,
    KUMAMOTO,
    KUMAMOTO_MUNICIPALITIES,
    PREFECTURES,
    SIZE_LABELS,
)
from api.text import (
    clean,
    email_problem,
    flag,
    normalize_email,
    required_text_problem,
    text_problem,
)

_DASHES = re.compile(r"[\-‐‑‒–—―−ー－]")
_KANA_ALLOWED = re.compile(r"^[\u30a1-\u30f6\u30fc\u30fb 　A-Za-z0-9&・.\-]+$")
# Legal-form words that people write in different ways; names match without them.
_LEGAL_FORMS = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|公益社団法人|"
    r"公益財団法人|特定非営利活動法人|npo法人|学校法人|社会福祉法人|医療法人|\(株\)|\(有\)|㈱|㈲"
)
_NAME_NOISE = re.compile(r"[\s・,.，．、。\-()（）「」]")

MAX_CONTACTS = 5


def corporate_number_check_digit(base12: str) -> int:
    """The check digit of a 13-digit corporate number, computed from its last 12 digits."""
    total = 0
    for position, digit in enumerate(reversed(base12), start=1):
        total += int(digit) * (2 if position % 2 == 0 else 1)
    return 9 - total % 9


def normalize_corporate_number(value: object) -> str:
    return re.sub(r"[\s\-]", "", clean(value, 40))


def corporate_number_problem(number: str) -> str | None:
    if not re.fullmatch(r"\d{13}", number):
        return "法人番号は13桁の数字で入力してください。"
    if corporate_number_check_digit(number[1:]) != int(number[0]):
        return "法人番号が正しくありません（チェックデジットが一致しません）。入力内容をご確認ください。"
    return None


def normalize_postal_code(value: object) -> str:
    digits = _DASHES.sub("", clean(value, 20)).replace(" ", "")
    return f"{digits[:3]}-{digits[3:]}" if re.fullmatch(r"\d{7}", digits) else digits


def postal_code_problem(code: str) -> str | None:
    if not code:
        return "郵便番号を入力してください。"
    if not re.fullmatch(r"\d{3}-\d{4}", code):
        return "郵便番号は7桁の数字で入力してください（例: 860-8570）。"
    return None


def normalize_phone(value: object) -> str:
    text = _DASHES.sub("-", clean(value, 30)).replace(" ", "")
    return text.replace("(", "-").replace(")", "-").strip("-").replace("--", "-")


def phone_problem(phone: str) -> str | None:
    if not phone:
        return "電話番号を入力してください。"
    digits = phone.replace("-", "")
    if not re.fullmatch(r"0\d{9,10}", digits) or not re.fullmatch(r"[\d\-]+", phone):
        return "電話番号は0から始まる10桁または11桁の数字で入力してください（例: 096-333-2111）。"
    return None


def normalize_kana(value: object) -> str:
    """Readings are kept in katakana; hiragana input is converted."""
    text = clean(value, 200)
    return "".join(chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" else ch for ch in text)


def kana_problem(kana: str, label: str) -> str | None:
    if problem := required_text_problem(kana, label, 200):
        return problem
    if not _KANA_ALLOWED.match(kana):
        return f"{label}はカタカナで入力してください。"
    return None


def name_key(name: str) -> str:
    """A name reduced for matching duplicates: width, case, spacing and legal form ignored."""
    text = unicodedata.normalize("NFKC", name).lower()
    text = _LEGAL_FORMS.sub("", text)
    return _NAME_NOISE.sub("", text)


def website_problem(url: str) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
        return "ウェブサイトは https:// から始まるURLで入力してください。"
    if len(url) > 300:
        return "ウェブサイトのURLは300文字以内で入力してください。"
    return None


def _choice_problem(
    value: str, choices: Mapping[str, str] | tuple[str, ...], label: str
) -> str | None:
    if not value:
        return f"{label}を選んでください。"
    if value not in choices:
        return f"{label}は一覧から選んでください。"
    return None


@dataclass(frozen=True, slots=True)
class ContactInput:
    name: str
    department: str
    email: str
    phone: str


def validate_contact(
    values: Mapping[str, object], prefix: str, errors: dict[str, str]
) -> ContactInput:
    """Check one contact person; problems go into errors under prefix + field name."""
    contact = ContactInput(
        name=clean(values.get(f"{prefix}name"), 100),
        department=clean(values.get(f"{prefix}department"), 100),
        email=normalize_email(values.get(f"{prefix}email")),
        phone=normalize_phone(values.get(f"{prefix}phone")),
    )
    if problem := required_text_problem(contact.name, "氏名", 100):
        errors[f"{prefix}name"] = problem
    if problem := text_problem(contact.department, "部署名", 100):
        errors[f"{prefix}department"] = problem
    if problem := email_problem(contact.email):
        errors[f"{prefix}email"] = problem
    if problem := phone_problem(contact.phone):
        errors[f"{prefix}phone"] = problem
    return contact


@dataclass(frozen=True, slots=True)
class OrganisationInput:
    """An organisation as typed: the same fields for an application and for a member."""

    name: str
    name_kana: str
    corporate_number: str
    kind: str
    industry: str
    size_band: str
    postal_code: str
    prefecture: str
    municipality: str
    address_line: str
    website: str
    representative_name: str
    representative_title: str
    profile_public: bool = False
    profile_text: str = ""
    contacts: tuple[ContactInput, ...] = field(default_factory=tuple)

    @property
    def name_key(self) -> str:
        return name_key(self.name)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["contacts"] = [asdict(contact) for contact in self.contacts]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OrganisationInput:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        known["contacts"] = tuple(ContactInput(**c) for c in data.get("contacts", []))
        return cls(**known)


ORGANISATION_FIELDS = (
    "name", "name_kana", "corporate_number", "kind", "industry", "size_band", "postal_code",
    "prefecture", "municipality", "address_line", "website", "representative_name",
    "representative_title", "profile_public", "profile_text",
)  # fmt: skip


def validate_organisation(
    values: Mapping[str, object],
    *,
    contact_prefixes: tuple[str, ...] = (),
    errors: dict[str, str] | None = None,
) -> OrganisationInput:
    """Check an organisation's fields (and contacts named by prefix, e.g. "contact_0_").

    Raises ValidationFailed with every problem at once, keyed by field name. A caller that checks
    more fields passes its own errors dict; then the caller raises.
    """
    own_errors = errors is None
    errors = {} if errors is None else errors
    kind = clean(values.get("kind"), 32)
    prefecture = clean(values.get("prefecture"), 10) or KUMAMOTO
    data = OrganisationInput(
        name=clean(values.get("name"), 200),
        name_kana=normalize_kana(values.get("name_kana")),
        corporate_number=normalize_corporate_number(values.get("corporate_number")),
        kind=kind,
        industry=clean(values.get("industry"), 2).upper(),
        size_band=clean(values.get("size_band"), 10),
        postal_code=normalize_postal_code(values.get("postal_code")),
        prefecture=prefecture,
        municipality=clean(values.get("municipality"), 40),
        address_line=clean(values.get("address_line"), 200),
        website=clean(values.get("website"), 301),
        representative_name=clean(values.get("representative_name"), 100),
        representative_title=clean(values.get("representative_title"), 100),
        profile_public=flag(values.get("profile_public")),
        profile_text=clean(values.get("profile_text"), 4001).replace("\r\n", "\n"),
        contacts=tuple(validate_contact(values, prefix, errors) for prefix in contact_prefixes),
    )
    if problem := required_text_problem(data.name, "団体名", 200):
        errors["name"] = problem
    if problem := kana_problem(data.name_kana, "団体名のフリガナ"):
        errors["name_kana"] = problem
    if problem := _choice_problem(data.kind, KIND_LABELS, "団体の種別"):
        errors["kind"] = problem
    if data.corporate_number:
        if problem := corporate_number_problem(data.corporate_number):
            errors["corporate_number"] = problem
    elif data.kind and data.kind not in KINDS_WITHOUT_CORPORATE_NUMBER:
        errors["corporate_number"] = (
            "法人番号を入力してください（個人事業主・任意団体の場合は不要です）。"
        )
    if problem := _choice_problem(data.industry, INDUSTRY_LABELS, "業種"):
        errors["industry"] = problem
    if problem := _choice_problem(data.size_band, SIZE_LABELS, "従業員規模"):
        errors["size_band"] = problem
    if problem := postal_code_problem(data.postal_code):
        errors["postal_code"] = problem
    if data.prefecture not in PREFECTURES:
        errors["prefecture"] = "都道府県は一覧から選んでください。"
    if data.prefecture == KUMAMOTO:
        if problem := _choice_problem(data.municipality, KUMAMOTO_MUNICIPALITIES, "市区町村"):
            errors["municipality"] = problem
    elif problem := required_text_problem(data.municipality, "市区町村", 40):
        errors["municipality"] = problem
    if problem := required_text_problem(data.address_line, "町名・番地", 200):
        errors["address_line"] = problem
    if problem := website_problem(data.website):
        errors["website"] = problem
    if problem := required_text_problem(data.representative_name, "代表者氏名", 100):
        errors["representative_name"] = problem
    if problem := text_problem(data.representative_title, "代表者の役職", 100):
        errors["representative_title"] = problem
    if problem := text_problem(data.profile_text, "紹介文", 4000, multiline=True):
        errors["profile_text"] = problem
    if own_errors and errors:
        raise ValidationFailed(errors)
    return data
