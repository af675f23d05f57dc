"""argon2id password hashing with the parameters from settings.

Hashing costs tens of milliseconds of CPU and about 19 MiB per call at the default parameters
(api.settings.Argon2Parameters), so it never runs on the event loop: each Passwords (one per parameter set and process, `passwords_for`) hashes and
verifies on its own small thread pool, which bounds how many run at once (memory) while the rest
of the site keeps serving. Logins beyond that wait their turn in the pool's queue.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from api.settings import Argon2Parameters

MIN_LENGTH = 10
MAX_LENGTH = 128
# Hashes computed at the same time per process (argon2-cffi releases the GIL while it works).
CONCURRENCY = 2


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    needs_rehash: bool = False


class Passwords:
    def __init__(self, parameters: Argon2Parameters, concurrency: int = CONCURRENCY) -> None:
        self._hasher = PasswordHasher(
            time_cost=parameters.time_cost,
            memory_cost=parameters.memory_kib,
            parallelism=parameters.parallelism,
            type=Type.ID,
        )
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="argon2")
        self._dummy_lock = threading.Lock()
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        return await self._in_pool(self.hash_now, password)

    async def verify(self, stored_hash: str | None, password: str) -> Verification:
        return await self._in_pool(self.verify_now, stored_hash, password)

    async def _in_pool(self, function: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    def hash_now(self, password: str) -> str:
        """Blocking; for commands and tests (the site awaits `hash`)."""
        return self._hasher.hash(password)

    def verify_now(self, stored_hash: str | None, password: str) -> Verification:
        """Blocking; for commands and tests (the site awaits `verify`)."""
        try:
            self._hasher.verify(stored_hash or self._dummy(), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verification(ok=False)
        if stored_hash is None:
            return Verification(ok=False)
        return Verification(ok=True, needs_rehash=self._hasher.check_needs_rehash(stored_hash))

    def _dummy(self) -> str:
        # Verified when the account does not exist, so timing does not reveal that. Computed
        # once per process, not once per login.
        with self._dummy_lock:
            if self._dummy_hash is None:
                self._dummy_hash = self._hasher.hash("dummy password for timing")
            return self._dummy_hash


@functools.cache
def passwords_for(parameters: Argon2Parameters) -> Passwords:
    """The one Passwords of this process for these parameters (settings.argon2)."""
    return Passwords(parameters)


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
