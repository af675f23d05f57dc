"""The job queue: enqueue inside the caller's transaction, claim, finish, retry with backoff.

On PostgreSQL claiming uses FOR UPDATE SKIP LOCKED so several workers never take the same job;
on SQLite the IMMEDIATE write transaction serialises claims.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.querystring import QueryString

from api import clock
from api.db import current_engine, is_postgres, is_storable_id, transaction
from api.errors import Conflict, NotFound
from api.jobs.tables import Job
from api.pagination import Page, PageRequest

BACKOFF_BASE_SECONDS = 30
STALE_AFTER = timedelta(minutes=15)  # a running job whose worker died is taken up again


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


@dataclass(frozen=True, slots=True)
class JobRow:
    id: int
    kind: str
    status: str
    attempts: int
    max_attempts: int
    last_error: str
    created_at: datetime
    run_after: datetime


async def enqueue(kind: str, payload: dict[str, Any], delay: timedelta | None = None) -> int:
    rows = await Job.insert(
        Job(kind=kind, payload=payload, run_after=clock.now() + (delay or timedelta()))
    ).returning(Job.id)
    return int(rows[0]["id"])


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_BASE_SECONDS * (2 ** max(0, attempts - 1)))


# A job a worker may take: queued and due, or running under a worker that died. Parameters:
# now, and now - STALE_AFTER.
DUE = "(status = 'queued' AND run_after <= {}) OR (status = 'running' AND locked_at < {})"


async def claim(worker_id: str) -> ClaimedJob | None:
    now = clock.now()
    due = (now, now - STALE_AFTER)
    # A plain read first: polling an empty queue every second must not take the write lock
    # (on SQLite a write transaction queues behind, and holds up, every other writer).
    if not await Job.raw(f"SELECT id FROM job WHERE {DUE} LIMIT 1", *due):  # noqa: S608
        return None
    lock = " FOR UPDATE SKIP LOCKED" if is_postgres() else ""
    # QueryString renders {} as each engine's placeholder; the SQL text holds no input.
    sql = QueryString(
        "UPDATE job SET status = 'running', attempts = attempts + 1, locked_by = {}, "  # noqa: S608
        f"locked_at = {{}} WHERE id = (SELECT id FROM job WHERE {DUE}"
        f" ORDER BY run_after, id LIMIT 1{lock}) "
        "RETURNING id, kind, payload, attempts, max_attempts",
        worker_id,
        now,
        *due,
    )
    async with transaction():
        rows = await current_engine().run_querystring(sql)
    if not rows:
        return None
    row = rows[0]
    payload = row["payload"]
    if isinstance(payload, str):
        payload = json.loads(payload or "{}")
    return ClaimedJob(
        id=row["id"],
        kind=row["kind"],
        payload=payload,
        attempts=row["attempts"],
        max_attempts=row["max_attempts"],
    )


async def complete(job: ClaimedJob) -> None:
    await Job.update({Job.status: "done", Job.finished_at: clock.now(), Job.last_error: ""}).where(
        Job.id == job.id
    )


async def fail(job: ClaimedJob, error: str) -> None:
    if job.attempts >= job.max_attempts:
        values = {Job.status: "failed", Job.last_error: error[:4000], Job.finished_at: clock.now()}
    else:
        values = {
            Job.status: "queued",
            Job.last_error: error[:4000],
            Job.run_after: clock.now() + backoff(job.attempts),
        }
    await Job.update(values).where(Job.id == job.id)


async def retry(job_id: int) -> None:
    """An admin puts a failed job back in the queue with a fresh count of attempts."""
    async with transaction():
        rows: list[dict[str, Any]] = []
        if is_storable_id(job_id):  # a larger id names no row (and would overflow the driver)
            rows = await Job.select(Job.status).where(Job.id == job_id)
        if not rows:
            raise NotFound("指定されたジョブは見つかりませんでした。")
        # Only a failed job: a queued one runs anyway, a running one would run twice.
        updated = (
            await Job.update(
                {
                    Job.status: "queued",
                    Job.attempts: 0,
                    Job.run_after: clock.now(),
                    Job.finished_at: None,
                }
            )
            .where((Job.id == job_id) & (Job.status == "failed"))
            .returning(Job.id)
        )
        if not updated:
            raise Conflict("失敗したジョブだけを再実行できます。一覧を再読み込みしてください。")


async def list_jobs(status: str, page: PageRequest) -> Page[JobRow]:
    query = Job.select().order_by(Job.id, ascending=False)
    count = Job.count()
    if status:
        query = query.where(Job.status == status)
        count = count.where(Job.status == status)
    rows = await query.limit(page.per_page).offset(page.offset)
    items = [
        JobRow(
            id=r["id"],
            kind=r["kind"],
            status=r["status"],
            attempts=r["attempts"],
            max_attempts=r["max_attempts"],
            last_error=r["last_error"],
            created_at=r["created_at"],
            run_after=r["run_after"],
        )
        for r in rows
    ]
    return Page(items=items, total=await count, page=page.page, per_page=page.per_page)
