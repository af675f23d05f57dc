"""Normalising and checking text that users type (full-width/half-width, e-mail addresses)."""

from __future__ import annotations

import re
import secrets
import unicodedata

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def clean(value: object, max_length: int = 10_000) -> str:
    """NFKC (full-width ASCII to half-width, half-width kana to full-width), trimmed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text[: max_length + 1]


def lookup_text(value: object, max_length: int = 100) -> str:
    """Cleaned text without control characters, for searches, filters and lookups of input that
    is not validated first (PostgreSQL refuses NUL in text parameters)."""
    text = "".join(ch for ch in clean(value, max_length) if unicodedata.category(ch) != "Cc")
    return text.strip()[:max_length]


def normalize_email(value: object) -> str:
    return clean(value, 254).lower()


def email_problem(email: str) -> str | None:
    if not email:
        return "メールアドレスを入力してください。"
    if len(email) > 254 or not _EMAIL.match(email):
        return "メールアドレスの形式が正しくありません（例: taro@example.jp）。"
    return None


def text_problem(
    value: str, label: str, max_length: int, *, required: bool = False, multiline: bool = False
) -> str | None:
    """What is wrong with a typed (cleaned) text, in Japanese, or None: missing when required,
    longer than max_length, or holding control characters (line breaks and tabs are allowed in
    multiline text). The one wording of these three problems for every form and JSON body."""
    if not value:
        return f"{label}を入力してください。" if required else None
    if len(value) > max_length:
        return f"{label}は{max_length:,}文字以内で入力してください。"
    if has_control(value, allowed="\n\t" if multiline else ""):
        return f"{label}に使用できない文字が含まれています。"
    return None


def required_text_problem(
    value: str, label: str, max_length: int, *, multiline: bool = False
) -> str | None:
    return text_problem(value, label, max_length, required=True, multiline=multiline)


def has_control(text: str, allowed: str = "") -> bool:
    """Control characters (NUL among them, which PostgreSQL refuses in text)."""
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def flag(value: object) -> bool:
    """A checkbox or a JSON boolean: on, true, 1, yes."""
    if isinstance(value, bool):
        return value
    return lookup_text(value, 10).lower() in {"on", "true", "1", "yes"}


_SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")


def new_submission_key() -> str:
    """A random key for one filled-in form: posting it twice makes one submission (an
    application, a registration)."""
    return secrets.token_urlsafe(24)


def is_submission_key(value: object) -> bool:
    return isinstance(value, str) and bool(_SUBMISSION_KEY.match(value))
