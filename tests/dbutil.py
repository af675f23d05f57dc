"""Test databases: a fresh SQLite file or a fresh PostgreSQL database per test session.

TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres) selects PostgreSQL; each
run creates its own databases on that server and drops them at the end.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import asyncpg

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")


def using_postgres() -> bool:
    return bool(POSTGRES_URL)


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(POSTGRES_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def create_database_async(tmp_dir: Path, label: str) -> str:
    """A new empty database; returns its DATABASE_URL."""
    if not using_postgres():
        return f"sqlite:///{tmp_dir / f'{label}.sqlite3'}"
    name = f"kdx_test_{label}_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    return _with_database(POSTGRES_URL, name)


async def drop_database_async(url: str) -> None:
    if url.startswith("postgres"):
        name = url.rpartition("/")[2]
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database(tmp_dir: Path, label: str) -> str:
    return asyncio.run(create_database_async(tmp_dir, label))


def drop_database(url: str) -> None:
    asyncio.run(drop_database_async(url))
