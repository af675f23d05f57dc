"""Fixtures: a migrated database per test (SQLite copy or PostgreSQL truncate), the app, clients.

Run with TEST_POSTGRES_URL set to use PostgreSQL; SQLite otherwise.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from piccolo.engine.base import Engine
from piccolo.table import Table

from api.accounts import service as accounts
from api.db import (
    bind_engine,
    close_pool,
    create_engine,
    current_engine,
    migrate,
    sqlite_path,
    start_pool,
)
from api.permissions import Role
from api.piccolo_app import TABLES
from api.settings import Argon2Parameters, Settings
from tests.dbutil import create_database, drop_database, using_postgres
from web.app import create_app, open_backends

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database per session; tests get copies (SQLite) or a truncated one (PG)."""
    url = create_database(tmp_path_factory.mktemp("db"), "template")

    async def run() -> None:
        engine = create_engine(url)
        bind_engine(engine)
        from api.db import prepare_database

        await prepare_database(engine)
        await migrate()
        await close_pool(engine)

    asyncio.run(run())
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every test's data directory and SQLite copy, at the same paths (emptied per test): two
    tests' settings are then equal, and so can be their app (see `app`)."""
    return tmp_path_factory.mktemp("workspace")


@pytest.fixture
def database_url(template_database: str, workspace: Path) -> str:
    if using_postgres():
        return template_database
    copy = workspace / "test.sqlite3"
    # A fresh file (a new inode), never the last test's rewritten under a connection that is
    # still open; its WAL and shared-memory files go with it.
    for name in ("test.sqlite3", "test.sqlite3-wal", "test.sqlite3-shm"):
        (workspace / name).unlink(missing_ok=True)
    shutil.copyfile(sqlite_path(template_database), copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def settings(database_url: str, workspace: Path) -> Settings:
    data_dir = workspace / "data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir()
    return replace(
        Settings(),
        data_dir=data_dir,
        database_url=database_url,
        demo_content=False,
        run_worker_in_process=False,
        database_pool=False,
        argon2=Argon2Parameters(time_cost=1, memory_kib=8, parallelism=1),
    )


@pytest.fixture
async def db(settings: Settings, request: pytest.FixtureRequest) -> AsyncIterator[None]:
    engine = create_engine(settings.database_url)
    bind_engine(engine)
    if using_postgres():
        await empty_postgres_tables()
        # A pool for the test's own event loop: without one every statement opened a
        # connection of its own (most of the PostgreSQL run's time). Tests whose app runs in
        # another event loop are marked and go without.
        if request.node.get_closest_marker("own_event_loop") is None:
            await start_pool(engine, 4)
    yield
    await close_pool(engine)


# DELETE in an order the foreign keys allow (referencing tables first) and the sequences set
# back, in one round trip: a few milliseconds per test, where TRUNCATE took about 0.3 s (it
# replaces every table's files, also for the tables that CASCADE pulls in).


def _referencing_first(tables: list[type[Table]]) -> list[str]:
    """Table names ordered so that a table comes before every table it references."""
    ordered: list[str] = []
    seen: set[type[Table]] = set()

    def visit(table: type[Table]) -> None:
        if table in seen:
            return
        seen.add(table)
        for referencing in tables:
            if any(
                fk._foreign_key_meta.resolved_references is table and referencing is not table
                for fk in referencing._meta.foreign_key_columns
            ):
                visit(referencing)
        ordered.append(table._meta.tablename)

    for table in tables:
        visit(table)
    return ordered


# The table names are the project's own (TABLES), not input.
_DELETES = " ".join(f'DELETE FROM "{name}";' for name in _referencing_first(TABLES))  # noqa: S608
_EMPTY_TABLES = (
    "DO $$ BEGIN "
    + _DELETES
    + " PERFORM setval(format('%I.%I', schemaname, sequencename), 1, false) "
    "FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL; "
    "END $$"
)


async def empty_postgres_tables() -> None:
    await current_engine().run_ddl(_EMPTY_TABLES)


# Apps built in this session, by their settings, with their engines: building one registers
# some 860 route handlers (half a second, most of a short HTTP test), and most tests' settings
# are equal.
_APPS: dict[Settings, tuple[Litestar, Engine]] = {}


@pytest.fixture
async def app(settings: Settings, db: None) -> AsyncIterator[Litestar]:
    """The app for these settings, as new: its page cache empty, its file store and search
    backend opened on this test's data directory, its engine bound (the test client runs the
    app in a thread of its own: PostgreSQL connections cannot be shared with the test's loop)."""
    built = _APPS.get(settings)
    if built is None:
        app = create_app(settings, migrate_on_start=False)
        built = _APPS[settings] = (app, current_engine())
    else:
        app, engine = built
        bind_engine(engine)
        open_backends(app, settings)
    app.state.page_cache.reset()
    yield app
    await app.state.search.close()
    await close_pool(built[1])  # the next test's database replaces this one's file


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app) as test_client:
        test_client.follow_redirects = False  # assertions look at the redirect itself
        yield test_client


async def make_account(
    settings: Settings,
    email: str,
    roles: set[Role] | None = None,
    password: str = PASSWORD,
    organisation_id: int | None = None,
) -> accounts.AccountView:
    data = accounts.AccountInput(
        email=email,
        display_name="テスト 利用者",
        roles=frozenset(roles or ()),
        organisation_id=organisation_id,
    )
    return await accounts.create_account_with_password(settings, data, password)


async def csrf_token(client: AsyncTestClient) -> str:
    if "kdx_csrf" not in client.cookies:
        await client.get("/login")
    return client.cookies["kdx_csrf"]


async def web_login(client: AsyncTestClient, email: str, password: str = PASSWORD) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/login", data={"email": email, "password": password, "_csrf": token}
    )
    assert response.status_code == 303, response.text
