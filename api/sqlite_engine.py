"""Piccolo's SQLite engine on a pool of long-lived connections.

Piccolo's SQLiteEngine opens a connection (and an aiosqlite thread) for every query outside a
transaction; on a page with a handful of queries that cost is most of the time. This engine
keeps up to `size` connections open (WAL mode: readers in parallel with one writer) and runs
each statement in one hop to the connection's thread. A read outside a transaction that SQLite
answers within a small budget of steps runs on the calling thread instead (see INLINE_BUDGET);
one that needs more is stopped and run again by the pool.

Transactions keep their meaning: a transaction holds one connection until it ends. Writes
(IMMEDIATE/EXCLUSIVE transactions and single write statements) take the process's one writer
slot and run on one write connection (InlineWriter) on the event loop's thread (commits do not
wait for the disk: synchronous=NORMAL in WAL mode): holding the slot then costs no turn of a
busy event loop per statement, which under load made sign-ins queue for seconds. A lock held
by another process (`kdx serve --workers N`, the worker) is waited for asynchronously, up to
the busy timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import aiosqlite
from piccolo.engine.sqlite import (
    SQLiteEngine,
    SQLiteTransaction,
    TransactionType,
    convert_int_out,
    dict_factory,
)

from api.settings import DEFAULT_DATABASE_POOL_SIZE

# A read runs on the calling thread (the event loop) unless SQLite needs more than
# INLINE_BUDGET × INLINE_STEP steps of its virtual machine (about 0.7 ms here) for it: a hop to a
# connection's thread and back costs more than most of the site's reads, and under load each
# hop also waits for the GIL.
INLINE_STEP = 1000
INLINE_BUDGET = 50
T = TypeVar("T")
# Inserts return their keys through RETURNING (SQLite 3.35, 2021; Python 3.11 bundles newer).
if sqlite3.sqlite_version_info < (3, 35):  # pragma: no cover
    raise ImportError(f"SQLite 3.35 or newer is needed (this is {sqlite3.sqlite_version})")


def _integer_out(value: bytes) -> int:
    """Piccolo's INTEGER converter with a fast path: it read every integer (every id) through
    Decimal, four times slower than int(), and a list page reads hundreds; what int() cannot
    read (1.0 stored in an INTEGER column) still goes the long way."""
    try:
        return int(value)
    except ValueError:
        return convert_int_out(value)  # type: ignore[no-any-return]


sqlite3.register_converter("INTEGER", _integer_out)


class Slots:
    """A counting semaphore that tolerates being used from successive event loops (each test
    runs in its own loop, while the engine and its connections outlive them)."""

    def __init__(self, size: int) -> None:
        self.free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        self._waiters = deque(w for w in self._waiters if not _is_stale(w))
        if self.free > 0 and not self._waiters:
            self.free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # woken and cancelled at once: pass the slot on
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not _is_stale(waiter):
                waiter.set_result(None)  # the slot passes straight to the first waiter
                return
        self.free += 1


def _is_stale(waiter: asyncio.Future[None]) -> bool:
    return waiter.done() or waiter.get_loop().is_closed()


WRITE_STATEMENTS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "WITH")


def is_plain_read(query: str) -> bool:
    """A SELECT (a PRAGMA or a CTE may write)."""
    return query.lstrip()[:6].upper() == "SELECT"


def is_write(query: str) -> bool:
    """Whether a statement may write (WITH is counted: a CTE may lead an INSERT or UPDATE)."""
    return query.lstrip().upper().startswith(WRITE_STATEMENTS)


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """SQLite's lock is held by another connection (another process, on this engine)."""
    return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def loop_connection(connection_kwargs: dict[str, Any]) -> sqlite3.Connection:
    """A connection used on the event loop's thread (its rows read with fetch_dicts), with no
    busy timeout: waiting for a lock never blocks the loop; callers wait asynchronously or hand
    the statement to the pool."""
    return sqlite3.connect(**{**connection_kwargs, "timeout": 0, "check_same_thread": False})


def fetch_dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    """A statement's rows as dicts, as Piccolo's engine gives them: the column names read once
    per statement (Piccolo's row factory reads them again for every row)."""
    rows = cursor.fetchall()
    if not rows:
        return []
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in rows]


class InlineWriter:
    """The process's one write connection, driven from the event loop's thread by whoever holds
    the writer slot: a write transaction runs without a hop to another thread, so that under
    load the slot is not held for a turn of the busy event loop per statement (that queued
    sign-ins behind view counters for seconds). With synchronous=NORMAL, which WAL mode makes
    safe from corruption, a COMMIT writes to the WAL without waiting for the disk (a power cut
    may lose the last commits, never the database); checkpoints sync it. It offers the async
    methods that Piccolo's transactions and this engine call on a connection.

    Its busy timeout is zero: when another process holds SQLite's write lock, a statement fails
    at once and `locked()` waits for the lock asynchronously, never blocking the event loop."""

    __slots__ = ("_connection", "busy_timeout")

    def __init__(self, connection_kwargs: dict[str, Any]) -> None:
        self.busy_timeout = float(connection_kwargs.get("timeout", 5.0))
        self._connection = loop_connection(connection_kwargs)
        self._connection.execute("PRAGMA foreign_keys = 1")
        self._connection.execute("PRAGMA synchronous = NORMAL")

    @property
    def in_transaction(self) -> bool:
        return self._connection.in_transaction

    async def locked(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """attempt(), again after a pause while another process holds the write lock (a
        statement refused as busy has done nothing yet), for at most the busy timeout."""
        deadline = time.monotonic() + self.busy_timeout
        pause = 0.001
        while True:
            try:
                return await attempt()
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() > deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    async def _rows(self, sql: str, parameters: Any) -> list[dict[str, Any]]:
        return fetch_dicts(self._connection.execute(sql, parameters))

    async def execute(self, sql: str, parameters: Any = ()) -> None:
        await self.execute_fetchall(sql, parameters)

    async def execute_fetchall(self, sql: str, parameters: Any = ()) -> list[dict[str, Any]]:
        """A statement's rows (outside a transaction it commits by itself)."""
        return await self.locked(lambda: self._rows(sql, parameters))

    async def commit(self) -> None:
        if self._connection.in_transaction:
            self._connection.execute("COMMIT")

    async def rollback(self) -> None:
        if self._connection.in_transaction:
            self._connection.execute("ROLLBACK")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._connection.close()


class PooledTransaction(SQLiteTransaction):
    """A transaction on a pooled connection, given back (not closed) when it ends; a write
    transaction runs on the engine's InlineWriter instead."""

    __slots__ = ("_lease", "_writer")

    def __init__(
        self,
        engine: PooledSQLiteEngine,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> None:
        super().__init__(engine, transaction_type, allow_nested)
        self._writer = transaction_type is not TransactionType.deferred

    async def __aenter__(self) -> PooledTransaction:
        if self._parent is not None:
            return self._parent  # type: ignore[no-any-return]
        engine: PooledSQLiteEngine = self.engine  # type: ignore[assignment]
        self._lease = engine.lease(writes=self._writer)
        self.connection = await self._lease.__aenter__()
        try:
            await self.begin()
        except BaseException as exc:
            await self._lease.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent is not None:
            return exception is None
        try:
            if exception is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            # A failed COMMIT or ROLLBACK leaves the transaction open: the lease's release()
            # ends it.
            await self._lease.__aexit__(exception_type, exception, traceback)
            self.engine.current_transaction.reset(self.context)
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    __slots__ = (
        "_idle", "_inline", "_inline_connections", "_inline_lock", "_open", "_slots",
        "_writer_connection", "size", "writer",
    )  # fmt: skip

    def __init__(
        self, path: str, size: int = DEFAULT_DATABASE_POOL_SIZE, **connection_kwargs: Any
    ) -> None:
        super().__init__(path=path, **connection_kwargs)
        self.size = max(1, size)
        self.writer = Slots(1)
        self._slots = Slots(self.size)
        self._idle: list[aiosqlite.Connection] = []
        self._open: set[aiosqlite.Connection] = set()
        # Reads that SQLite answers at once run on the calling thread, each thread with its
        # own connection (see _read_inline).
        self._inline = threading.local()
        self._inline_lock = threading.Lock()
        self._inline_connections: list[sqlite3.Connection] = []
        self._writer_connection: InlineWriter | None = None

    @property
    def open_connections(self) -> int:
        return len(self._open)

    async def _connect(self) -> aiosqlite.Connection:
        connection = aiosqlite.connect(**self.connection_kwargs)
        # Pooled connections live as long as the process: their threads must not keep a
        # finished command from exiting (close() ends them properly at shutdown).
        connection._thread.daemon = True
        await connection
        try:
            connection.row_factory = dict_factory  # type: ignore[assignment]
            # Per connection, once (Piccolo's engine repeats it before every statement).
            await connection.execute("PRAGMA foreign_keys = 1")
        except BaseException:
            await connection.close()
            raise
        self._open.add(connection)
        return connection

    async def acquire(self) -> aiosqlite.Connection:
        await self._slots.acquire()
        try:
            if self._idle:
                return self._idle.pop()
            return await self._connect()
        except BaseException:
            self._slots.release()
            raise

    async def release(self, connection: aiosqlite.Connection) -> None:
        try:
            if connection.in_transaction:
                await connection.rollback()
            self._idle.append(connection)
        except (sqlite3.Error, ValueError):
            # Broken (or closed by close()): drop it; the pool opens another when needed.
            self._open.discard(connection)
            with contextlib.suppress(sqlite3.Error, ValueError):
                await connection.close()
        finally:
            self._slots.release()

    @contextlib.asynccontextmanager
    async def lease(self, writes: bool) -> AsyncIterator[aiosqlite.Connection | InlineWriter]:
        """A connection for one statement or one transaction: a pooled one to read, the
        InlineWriter (after the writer slot) to write."""
        if not writes:
            connection = await self.acquire()
            try:
                yield connection
            finally:
                await self.release(connection)
            return
        await self.writer.acquire()
        try:
            if self._writer_connection is None:
                self._writer_connection = InlineWriter(self.connection_kwargs)
            writer = self._writer_connection
            try:
                yield writer
            finally:
                # A failed COMMIT leaves the transaction open: end it before the next holder.
                with contextlib.suppress(sqlite3.Error):
                    await writer.rollback()
        finally:
            self.writer.release()

    async def close(self) -> None:
        """Close the idle connections (at shutdown; a connection in use closes when given back)."""
        with self._inline_lock:
            inline, self._inline_connections = self._inline_connections, []
            self._inline = threading.local()
        for reader in inline:
            with contextlib.suppress(sqlite3.Error):
                reader.close()
        if self._writer_connection is not None and self.writer.free:
            self._writer_connection.close()
            self._writer_connection = None
        idle, self._idle = self._idle, []
        for connection in idle:
            self._open.discard(connection)
            with contextlib.suppress(sqlite3.Error, ValueError):
                await connection.close()

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return PooledTransaction(self, transaction_type, allow_nested)

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        if is_plain_read(query):
            rows = self._read_inline(query, args or [])
            if rows is not None:
                return rows
        if is_write(query):
            # Autocommit (isolation_level None): the statement commits by itself. It takes the
            # writer slot as a write transaction does: otherwise writes that wait for SQLite's
            # lock (a counter, a session touch) each held a pooled connection meanwhile, and
            # under load they took the whole pool from the readers.
            async with self.lease(writes=True) as writer:
                assert isinstance(writer, InlineWriter)
                return await writer.execute_fetchall(query, args or [])
        async with self.lease(writes=False) as connection:
            return await self._run_in_existing_connection(
                connection, query, args, query_type, table
            )

    def _read_inline(self, query: str, args: list[Any]) -> list[dict[str, Any]] | None:
        """The rows of a read, on the calling thread, if it finishes within INLINE_BUDGET steps
        of SQLite's virtual machine (under a millisecond); None when it would take longer or
        has to wait for a lock, and the pool runs it instead (a read can simply start again)."""
        inline = self._inline
        connection: sqlite3.Connection | None = getattr(inline, "connection", None)
        if connection is None:
            connection = loop_connection(self.connection_kwargs)
            steps = [0]
            inline.steps = steps

            def over_budget() -> bool:
                steps[0] += 1
                return steps[0] > INLINE_BUDGET

            connection.set_progress_handler(over_budget, INLINE_STEP)
            inline.connection = connection
            with self._inline_lock:
                self._inline_connections.append(connection)
        inline.steps[0] = 0
        try:
            return fetch_dicts(connection.execute(query, args))
        except sqlite3.OperationalError:
            return None  # interrupted, or locked: the pool's thread runs it (or raises again)

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        # One hop to the connection's thread: execute and fetch together (inserts return their
        # keys through RETURNING).
        return list(await connection.execute_fetchall(query, args or []))
