"""Password hashing off the event loop: one hasher per process, a bounded pool of threads, the
same work for unknown accounts."""

from __future__ import annotations

import asyncio
import threading
import time

from argon2 import PasswordHasher

from api.accounts.passwords import CONCURRENCY, Passwords, passwords_for
from api.settings import Argon2Parameters

CHEAP = Argon2Parameters(time_cost=1, memory_kib=8, parallelism=1)


class RecordingHasher:
    """Wraps argon2's PasswordHasher (whose methods cannot be replaced) to see who calls it."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher
        self.hashed = 0
        self.verified = 0
        self.threads: set[str] = set()

    def hash(self, password: str) -> str:
        self.hashed += 1
        self.threads.add(threading.current_thread().name)
        return self.hasher.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        self.verified += 1
        self.threads.add(threading.current_thread().name)
        return self.hasher.verify(stored, password)

    def check_needs_rehash(self, stored: str) -> bool:
        return self.hasher.check_needs_rehash(stored)


def recording(passwords: Passwords) -> RecordingHasher:
    hasher = RecordingHasher(passwords._hasher)
    passwords._hasher = hasher  # type: ignore[assignment]
    return hasher


async def test_hashing_and_verifying_run_outside_the_event_loop_thread() -> None:
    passwords = Passwords(CHEAP)
    hasher = recording(passwords)
    stored = await passwords.hash("correct horse battery")
    assert (await passwords.verify(stored, "correct horse battery")).ok
    assert not (await passwords.verify(stored, "wrong horse battery")).ok
    assert hasher.threads and all(name.startswith("argon2") for name in hasher.threads)


async def test_no_more_than_the_bound_hash_at_once() -> None:
    passwords = Passwords(CHEAP)
    running = 0
    most = 0
    lock = threading.Lock()

    def slow_verify(stored_hash: str | None, password: str) -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return True

    passwords.verify_now = slow_verify  # type: ignore[method-assign,assignment]
    await asyncio.gather(*(passwords.verify(None, "x") for _ in range(10)))
    assert most == CONCURRENCY


async def test_unknown_accounts_cost_one_verification_and_the_dummy_hash_is_made_once() -> None:
    passwords = Passwords(CHEAP)
    hasher = recording(passwords)
    for _ in range(3):
        result = await passwords.verify(None, "anything at all")
        assert not result.ok
    assert hasher.hashed == 1  # the dummy hash, once per process
    assert hasher.verified == 3  # the same work as for an existing account


def test_one_hasher_per_parameter_set() -> None:
    assert passwords_for(CHEAP) is passwords_for(Argon2Parameters(1, 8, 1))
    assert passwords_for(CHEAP) is not passwords_for(Argon2Parameters(2, 8, 1))
