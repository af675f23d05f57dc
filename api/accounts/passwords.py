"""argon2id password hashing with the parameters from settings."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from api.settings import Argon2Parameters

MIN_LENGTH = 10
MAX_LENGTH = 128


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    needs_rehash: bool = False


class Passwords:
    def __init__(self, parameters: Argon2Parameters) -> None:
        self._hasher = PasswordHasher(
            time_cost=parameters.time_cost,
            memory_cost=parameters.memory_kib,
            parallelism=parameters.parallelism,
            type=Type.ID,
        )
        # Verified when the account does not exist, so timing does not reveal that.
        self._dummy_hash = self._hasher.hash("dummy password for timing")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> Verification:
        try:
            self._hasher.verify(stored_hash or self._dummy_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verification(ok=False)
        if stored_hash is None:
            return Verification(ok=False)
        return Verification(ok=True, needs_rehash=self._hasher.check_needs_rehash(stored_hash))


def password_problem(password: str, email: str = "") -> str | None:
    """The Japanese message for a password that is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"パスワードは{MIN_LENGTH}文字以上で入力してください。"
    if len(password) > MAX_LENGTH:
        return f"パスワードは{MAX_LENGTH}文字以内で入力してください。"
    if email and password.strip().lower() == email.strip().lower():
        return "メールアドレスと同じパスワードは使えません。"
    if len(set(password)) < 4:
        return "同じ文字の繰り返しが多すぎます。推測されにくいパスワードにしてください。"
    return None
