"""The pooled SQLite engine: connections reused and bounded, transactions keep their meaning,
concurrent writers wait instead of failing, readers are not held up by a writer."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from piccolo.engine.sqlite import TransactionType
from piccolo.querystring import QueryString

from api.db import prepare_database, refresh_statistics
from api.sqlite_engine import PooledSQLiteEngine, Slots, is_write


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[PooledSQLiteEngine]:
    engine = PooledSQLiteEngine(path=str(tmp_path / "pool.sqlite3"), size=3, timeout=30)
    await prepare_database(engine)
    await engine.run_ddl("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
    await engine.run_ddl("INSERT INTO counter (id, value) VALUES (1, 0)")
    yield engine
    await engine.close()


async def value(engine: PooledSQLiteEngine) -> int:
    rows = await engine.run_ddl("SELECT value FROM counter WHERE id = 1")
    return int(rows[0]["value"])


async def test_statements_reuse_a_few_long_lived_connections(engine: PooledSQLiteEngine) -> None:
    for _ in range(20):
        assert await value(engine) == 0
    assert engine.open_connections == 1
    await asyncio.gather(*(value(engine) for _ in range(30)))
    assert 1 <= engine.open_connections <= 3  # never more than the pool's size


async def test_the_database_is_in_wal_mode_with_foreign_keys_on(engine: PooledSQLiteEngine) -> None:
    assert (await engine.run_ddl("PRAGMA journal_mode"))[0]["journal_mode"] == "wal"
    assert (await engine.run_ddl("PRAGMA foreign_keys"))[0]["foreign_keys"] == 1
    async with engine.transaction(transaction_type=TransactionType.immediate):
        # Writes commit to the WAL without waiting for the disk (safe from corruption in WAL).
        assert (await engine.run_ddl("PRAGMA synchronous"))[0]["synchronous"] == 1
        assert (await engine.run_ddl("PRAGMA foreign_keys"))[0]["foreign_keys"] == 1


async def test_a_failed_transaction_leaves_nothing_and_its_connection_clean(
    engine: PooledSQLiteEngine,
) -> None:
    with pytest.raises(RuntimeError):
        async with engine.transaction(transaction_type=TransactionType.immediate):
            await engine.run_ddl("UPDATE counter SET value = 5 WHERE id = 1")
            raise RuntimeError("half-way")
    assert await value(engine) == 0
    async with engine.transaction(transaction_type=TransactionType.immediate):
        await engine.run_ddl("UPDATE counter SET value = 7 WHERE id = 1")
        async with engine.transaction():  # nested: joins the outer one
            await engine.run_ddl("UPDATE counter SET value = value + 1 WHERE id = 1")
    assert await value(engine) == 8
    assert engine.writer.free == 1


async def test_a_failed_statement_gives_its_connection_back(engine: PooledSQLiteEngine) -> None:
    for _ in range(5):  # more failures than the pool has connections
        with pytest.raises(sqlite3.OperationalError):
            await engine.run_ddl("SELECT no_such_column FROM counter")
    assert await value(engine) == 0


async def test_concurrent_writers_wait_for_each_other_and_lose_nothing(
    engine: PooledSQLiteEngine,
) -> None:
    async def increment() -> None:
        async with engine.transaction(transaction_type=TransactionType.immediate):
            current = await value(engine)
            await asyncio.sleep(0)  # let the others try to write meanwhile
            await engine.run_querystring(
                QueryString("UPDATE counter SET value = {} WHERE id = 1", current + 1)
            )

    await asyncio.gather(*(increment() for _ in range(25)))
    assert await value(engine) == 25


async def test_readers_are_served_while_a_writer_holds_its_transaction(
    engine: PooledSQLiteEngine,
) -> None:
    written = asyncio.Event()
    read_done = asyncio.Event()

    async def writer() -> None:
        async with engine.transaction(transaction_type=TransactionType.immediate):
            await engine.run_ddl("UPDATE counter SET value = 42 WHERE id = 1")
            written.set()
            # The transaction stays open until the readers are done: they must not wait for it.
            await asyncio.wait_for(read_done.wait(), timeout=10)

    async def readers() -> list[int]:
        await written.wait()
        seen = await asyncio.gather(value(engine), value(engine))
        read_done.set()
        return list(seen)

    _, seen = await asyncio.gather(writer(), readers())
    assert seen == [0, 0]  # the committed state, not the writer's uncommitted one
    assert await value(engine) == 42


async def test_the_pool_works_across_event_loops(tmp_path: Path) -> None:
    engine = PooledSQLiteEngine(path=str(tmp_path / "loops.sqlite3"), size=1)

    def in_new_loop() -> int:
        async def run() -> int:
            rows = await engine.run_ddl("SELECT 1 AS one")
            return int(rows[0]["one"])

        return asyncio.run(run())

    # Each test and each asyncio.run has its own loop; the engine's connections outlive them.
    assert await asyncio.to_thread(in_new_loop) == 1
    assert await asyncio.to_thread(in_new_loop) == 1
    assert (await engine.run_ddl("SELECT 2 AS two"))[0]["two"] == 2
    await engine.close()
    assert engine.open_connections == 0


async def test_a_cancelled_waiter_does_not_lose_a_slot() -> None:
    slots = Slots(1)
    await slots.acquire()
    waiter = asyncio.create_task(slots.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    slots.release()
    await asyncio.wait_for(slots.acquire(), timeout=1)  # the slot came back
    assert slots.free == 0


async def test_writes_outside_transactions_wait_for_the_writer_slot_not_on_a_connection(
    tmp_path: Path,
) -> None:
    engine = PooledSQLiteEngine(path=str(tmp_path / "slot.sqlite3"), size=2, timeout=30)
    await prepare_database(engine)
    await engine.run_ddl("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
    await engine.run_ddl("INSERT INTO counter (id, value) VALUES (1, 0)")
    release = asyncio.Event()

    async def long_writer() -> None:
        async with engine.transaction(transaction_type=TransactionType.immediate):
            await engine.run_ddl("UPDATE counter SET value = value + 100 WHERE id = 1")
            await release.wait()

    writer = asyncio.create_task(long_writer())
    while engine.writer.free:
        await asyncio.sleep(0)
    counters = [
        asyncio.create_task(engine.run_ddl("UPDATE counter SET value = value + 1 WHERE id = 1"))
        for _ in range(5)
    ]
    await asyncio.sleep(0.05)
    # The counters queue for the writer slot; the pool's other connection still serves reads.
    assert await asyncio.wait_for(value(engine), timeout=5) == 0
    assert not any(task.done() for task in counters)
    release.set()
    await writer
    await asyncio.gather(*counters)
    assert await value(engine) == 105
    await engine.close()


def test_statements_that_write_are_told_apart() -> None:
    for sql in (
        "INSERT INTO x VALUES (1)",
        "  update x set a = 1",
        "DELETE FROM x",
        "CREATE TABLE y",
    ):
        assert is_write(sql), sql
    for sql in ("SELECT 1", "PRAGMA journal_mode", " select * from x"):
        assert not is_write(sql), sql


async def test_a_quick_read_runs_on_the_calling_thread_and_sees_every_commit(
    engine: PooledSQLiteEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    leases: list[bool] = []
    lease = PooledSQLiteEngine.lease

    def counted(self: PooledSQLiteEngine, writes: bool) -> object:
        leases.append(writes)
        return lease(self, writes)

    monkeypatch.setattr(PooledSQLiteEngine, "lease", counted)
    for step in range(1, 6):
        await engine.run_ddl("UPDATE counter SET value = value + 1 WHERE id = 1")
        assert await value(engine) == step  # the write is seen by the next read at once
    assert leases == [True] * 5  # only the writes took a pooled connection


async def test_a_long_read_is_stopped_and_finished_by_the_pool(tmp_path: Path) -> None:
    engine = PooledSQLiteEngine(path=str(tmp_path / "long.sqlite3"), size=2, timeout=30)
    try:
        long_read = (
            "SELECT (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
            "WHERE i < 300000) SELECT count(*) FROM n) AS total"
        )
        assert engine.open_connections == 0
        assert (await engine.run_ddl(long_read))[0]["total"] == 300000
        assert engine.open_connections == 1  # over the budget: the pool's thread ran it
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            await engine.run_ddl("SELECT * FROM no_such_table")  # errors still surface
    finally:
        await engine.close()


async def test_a_lock_held_by_another_process_is_waited_for_without_blocking_the_loop(
    tmp_path: Path,
) -> None:
    path = tmp_path / "other.sqlite3"
    engine = PooledSQLiteEngine(path=str(path), size=2, timeout=0.5)
    try:
        await prepare_database(engine)
        await engine.run_ddl("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)")
        await engine.run_ddl("INSERT INTO counter (id, value) VALUES (1, 0)")
        other = sqlite3.connect(str(path), isolation_level=None)  # another process's writer
        other.execute("BEGIN IMMEDIATE")
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.005)

        ticking = asyncio.create_task(ticker())
        write = asyncio.create_task(
            engine.run_ddl("UPDATE counter SET value = value + 1 WHERE id = 1")
        )
        await asyncio.sleep(0.1)
        assert not write.done() and ticks >= 5  # the write waits; the loop keeps running
        assert await value(engine) == 0  # and reads are served meanwhile
        other.execute("COMMIT")
        await asyncio.wait_for(write, timeout=2)
        assert await value(engine) == 1

        other.execute("BEGIN IMMEDIATE")  # never given up: the busy timeout ends the wait
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            async with engine.transaction(transaction_type=TransactionType.immediate):
                await engine.run_ddl("UPDATE counter SET value = 5 WHERE id = 1")
        other.execute("ROLLBACK")
        other.close()
        ticking.cancel()
        assert engine.writer.free == 1
        assert await value(engine) == 1
    finally:
        await engine.close()


async def test_writes_check_foreign_keys(engine: PooledSQLiteEngine) -> None:
    await engine.run_ddl(
        "CREATE TABLE child (id INTEGER PRIMARY KEY, counter INTEGER REFERENCES counter (id))"
    )
    with pytest.raises(sqlite3.IntegrityError):
        await engine.run_ddl("INSERT INTO child (counter) VALUES (99)")
    with pytest.raises(sqlite3.IntegrityError):
        async with engine.transaction(transaction_type=TransactionType.immediate):
            await engine.run_ddl("INSERT INTO child (counter) VALUES (1)")
            await engine.run_ddl("INSERT INTO child (counter) VALUES (98)")
    assert await engine.run_ddl("SELECT count(*) AS n FROM child") == [{"n": 0}]


async def test_planner_statistics_reach_connections_opened_before_them(
    engine: PooledSQLiteEngine,
) -> None:
    await engine.run_ddl("CREATE TABLE item (id INTEGER PRIMARY KEY, flag INTEGER, changed TEXT)")
    await engine.run_ddl("CREATE INDEX item_flag ON item (flag)")
    await engine.run_ddl("CREATE INDEX item_changed ON item (changed)")
    await engine.run_ddl(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
        "INSERT INTO item (flag, changed) SELECT 0, printf('%05d', i) FROM n"
    )
    plan = "EXPLAIN QUERY PLAN SELECT id FROM item WHERE flag = 0 ORDER BY changed DESC LIMIT 20"
    # Without statistics SQLite takes the equality index (every row) and sorts them all.
    assert "item_flag" in str(await engine.run_ddl(plan))
    await refresh_statistics(engine)
    # The connections that ran the plan before now read the statistics: the ordered index,
    # twenty rows and no sort.
    after = str(await engine.run_ddl(plan))
    assert "item_changed" in after and "TEMP B-TREE" not in after
    assert await value(engine) == 0
