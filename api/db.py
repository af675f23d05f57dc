"""Database engines (SQLite embedded, PostgreSQL in production), table binding and migrations.

One service call is one transaction: services wrap their writes in `transaction()`, which is
IMMEDIATE on SQLite so that concurrent writers wait instead of failing on a lock upgrade.
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from piccolo.columns.combination import WhereRaw
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

from api.settings import DEFAULT_DATABASE_POOL_SIZE, Settings
from api.sqlite_engine import PooledSQLiteEngine

os.environ.setdefault("PICCOLO_CONF", "api.piccolo_conf")

_bound: Engine | None = None


def sqlite_path(database_url: str) -> Path:
    return Path(unquote(urlparse(database_url).path))


def create_engine(database_url: str, pool_size: int = DEFAULT_DATABASE_POOL_SIZE) -> Engine:
    """The engine for DATABASE_URL; pool_size is DATABASE_POOL_SIZE (connections per process)."""
    if database_url.startswith("sqlite"):
        path = sqlite_path(database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        # timeout: wait for a writer in another process instead of raising "database is locked".
        return PooledSQLiteEngine(path=str(path), size=pool_size, timeout=30)
    if database_url.startswith(("postgres://", "postgresql://")):
        return PostgresEngine(config={"dsn": database_url})
    raise ValueError(f"unsupported DATABASE_URL scheme: {database_url.split(':', 1)[0]}")


def bind_engine(engine: Engine) -> None:
    """Point every table (and Piccolo's migration tools) at this engine."""
    global _bound
    from piccolo.apps.migrations.tables import Migration

    from api.piccolo_app import TABLES

    _bound = engine
    # Piccolo's own migration-tracking table caches the first engine it sees; rebind it too.
    for table in [*TABLES, Migration]:
        table._meta.db = engine


def current_engine() -> Engine:
    if _bound is None:
        bind_engine(create_engine(Settings.from_env().effective_database_url))
    assert _bound is not None
    return _bound


def is_postgres() -> bool:
    return isinstance(current_engine(), PostgresEngine)


MAX_ID = 2**31 - 1  # Serial primary keys are int4 on PostgreSQL


def is_storable_id(value: int) -> bool:
    """Whether an id from outside can name a row at all (a larger one overflows the driver)."""
    return 0 < value <= MAX_ID


def contains(column: Any, text: str) -> Any:
    """Case-insensitive substring match (ILIKE on PostgreSQL; SQLite's LIKE already ignores case).

    The text is matched literally: % and _ typed by a user are not wildcards.
    """
    return WhereRaw(*contains_sql(column._meta.get_full_name(with_alias=False), text))


def contains_sql(name: str, text: str) -> tuple[str, str]:
    """`contains` written out for a raw query: the condition on the column `name` and its one
    value."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    operator = "ILIKE" if is_postgres() else "LIKE"
    return f"{name} {operator} {{}} ESCAPE '\\'", f"%{escaped}%"


@dataclass(slots=True)
class Where:
    """A WHERE clause written out for a raw query: conditions with `{}` placeholders, ANDed,
    and their values in order. For the hottest list queries, where building the statement with
    the ORM cost more than running it."""

    conditions: list[str] = field(default_factory=list)
    values: list[object] = field(default_factory=list)

    def add(self, condition: str, *values: object) -> Where:
        self.conditions.append(f"({condition})")
        self.values.extend(values)
        return self

    def add_any(self, *alternatives: tuple[Any, ...]) -> Where:
        """One condition met by any of the alternatives, each a condition and its values."""
        return self.add(
            " OR ".join(f"({condition})" for condition, *_ in alternatives),
            *(value for _, *values in alternatives for value in values),
        )

    @property
    def sql(self) -> str:
        return " AND ".join(self.conditions) or "1 = 1"


def placeholders(values: Sequence[object]) -> str:
    """One raw-query placeholder per value, for a written-out `IN (...)`: the values stay
    parameters, never text in the SQL."""
    return ", ".join("{}" for _ in values)


async def insert_rows(
    table: type[Table], columns: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    """Many rows in one INSERT, the values as parameters (keep a batch within SQLite's 32,766
    bound values). For logs written in batches: a Piccolo object per row cost more than the
    request that logged it."""
    if not rows:
        return
    names = ", ".join(f'"{column}"' for column in columns)
    row_marks = "(" + ", ".join("{}" for _ in columns) + ")"
    values = ", ".join(row_marks for _ in rows)
    name = table._meta.tablename
    await table.raw(
        f'INSERT INTO "{name}" ({names}) VALUES {values}',  # noqa: S608 (names are ours)
        *(value for row in rows for value in row),
    )


def is_unique_violation(exc: BaseException) -> bool:
    """Whether a failed statement broke a unique constraint (on either engine)."""
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc).upper()
    return type(exc).__name__ == "UniqueViolationError"


def text_agg(column_sql: str) -> str:
    """SQL that joins a column's values of a group with spaces (order not guaranteed)."""
    if is_postgres():
        return f"string_agg({column_sql}, ' ')"
    return f"group_concat({column_sql}, ' ')"


def local_date_sql(column_sql: str, unit: str = "day") -> str:
    """SQL for the day (or the month's first day) in Japan time of a timestamp column, as a date
    on PostgreSQL and as 'YYYY-MM-DD' text on SQLite (which keeps the moment as UTC text). Japan
    keeps no summer time, so nine hours on is exact."""
    if is_postgres():
        local = f"({column_sql} AT TIME ZONE 'Asia/Tokyo')"
        return f"date_trunc('month', {local})::date" if unit == "month" else f"{local}::date"
    if unit == "month":
        return f"date({column_sql}, '+9 hours', 'start of month')"
    return f"date({column_sql}, '+9 hours')"


@contextlib.asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """A write transaction; nested calls join the outer one."""
    engine = current_engine()
    if engine.current_transaction.get() is not None:
        yield
        return
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with engine.transaction():
            yield


async def refresh_statistics(engine: Engine | None = None) -> None:
    """SQLite's query-planner statistics, sampled (ANALYZE reads a few hundred rows per index,
    milliseconds even beside large logs), then the engine's connections reopened, since
    SQLite loads them when a connection reads the schema. Without them the planner took any
    equality index over an ordered one: the directory read every solution through
    `moderated` and sorted them, instead of walking `updated_at` for the first twenty.
    PostgreSQL's autovacuum keeps its own statistics."""
    engine = engine or current_engine()
    if not isinstance(engine, PooledSQLiteEngine):
        return
    async with engine.transaction(transaction_type=TransactionType.immediate):
        await engine.run_ddl("PRAGMA analysis_limit = 400")
        await engine.run_ddl("ANALYZE")
    await engine.close()


async def prepare_database(engine: Engine) -> None:
    """Per-file settings for SQLite (WAL survives restarts) before the app serves."""
    if isinstance(engine, SQLiteEngine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def migrate(quiet: bool = True) -> None:
    """Run all pending migrations on the bound engine (the same files for both engines)."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{buffer.getvalue()}")


async def _keep_session(connection: Any) -> None:
    """Given back to the pool as it is: asyncpg has already rolled back a transaction left
    open, and the app keeps no session state (no SET, LISTEN, cursors or session-level
    advisory locks), so asyncpg's reset query, a round trip after every statement, is skipped."""


async def start_pool(engine: Engine, size: int = DEFAULT_DATABASE_POOL_SIZE) -> None:
    """PostgreSQL's pool opens at start; SQLite's pool opens connections as they are needed."""
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=size, reset=_keep_session)


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        if engine.pool is not None:
            await engine.close_connection_pool()
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.close()
