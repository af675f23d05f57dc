"""Reading submitted forms in controllers, and keeping values for re-display."""

from __future__ import annotations

from urllib.parse import urlparse

from litestar import Request

from api.text import is_submission_key, new_submission_key


async def form_values(request: Request) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Single values (last wins) and lists (for checkboxes) of a submitted form."""
    form = await request.form()
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            single[key] = value
            multi.setdefault(key, []).append(value)
    return single, multi


def with_submission_key(values: dict[str, str]) -> dict[str, str]:
    """Posted values without the CSRF field and with a usable submission key (a tampered one
    is quietly replaced), for forms that must not submit twice."""
    values = dict(values)
    values.pop("_csrf", None)
    if not is_submission_key(values.get("submission_key")):
        values["submission_key"] = new_submission_key()
    return values


def delete_problems(values: dict[str, str]) -> dict[str, str]:
    """A delete form's confirmation checkbox (`confirm`): no problem when it is ticked, else
    the one message every delete form shows next to it."""
    if values.get("confirm") == "yes":
        return {}
    return {"confirm": "削除する場合は、確認のチェックを入れてください。"}


def at_file_field(errors: dict[str, str], field: str) -> dict[str, str]:
    """An upload's errors as the page shows them: the upload services name the file "file";
    a page's form names its file field (several forms on one page each have their own)."""
    return {field if name == "file" else name: message for name, message in errors.items()}


def safe_next(value: str | None, default: str = "/account") -> str:
    """Only same-site paths: never an open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    parsed = urlparse(value)
    if parsed.scheme or parsed.netloc:
        return default
    return value


ORGANISATION_LABELS: dict[str, str] = {
    "name": "団体名",
    "name_kana": "団体名のフリガナ",
    "corporate_number": "法人番号",
    "kind": "団体の種別",
    "industry": "業種",
    "size_band": "従業員規模",
    "postal_code": "郵便番号",
    "prefecture": "都道府県",
    "municipality": "市区町村",
    "address_line": "町名・番地・建物名",
    "website": "ウェブサイト",
    "representative_name": "代表者氏名",
    "representative_title": "代表者の役職",
    "profile_public": "会員名簿への掲載",
    "profile_text": "団体の紹介文",
}
CONTACT_LABELS: dict[str, str] = {
    "name": "氏名",
    "department": "部署",
    "email": "メールアドレス",
    "phone": "電話番号",
}


def organisation_labels(*contact_prefixes: tuple[str, str]) -> dict[str, str]:
    """Field labels for an error summary: the organisation's, then each contact's.

    Each contact prefix comes with the heading it has on the form, e.g. ("contact_0_", "担当者1").
    """
    labels = dict(ORGANISATION_LABELS)
    for prefix, heading in contact_prefixes:
        labels.update(
            {f"{prefix}{key}": f"{heading} {text}" for key, text in CONTACT_LABELS.items()}
        )
    return labels
