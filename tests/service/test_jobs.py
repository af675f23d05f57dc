import asyncio
from datetime import timedelta
from typing import Any

import pytest

from api import clock
from api.db import transaction
from api.jobs import service as jobs
from api.jobs.tables import Job
from api.jobs.worker import Worker
from api.mail.service import queue_mail
from api.mail.tables import OutboxMail
from api.settings import Settings
from tests.querycount import count_queries


async def test_enqueued_job_is_rolled_back_with_the_change(db: None) -> None:
    with pytest.raises(RuntimeError):
        async with transaction():
            await queue_mail("a@example.jp", "件名", "本文")
            raise RuntimeError("the change fails after queueing mail")
    assert await Job.count() == 0
    assert await OutboxMail.count() == 0


async def test_worker_sends_queued_mail_to_the_log(settings: Settings, db: None) -> None:
    async with transaction():
        mail_id = await queue_mail("a@example.jp", "件名", "本文")
    assert await Worker(settings).run_until_idle() == 1
    mail = await OutboxMail.select().where(OutboxMail.id == mail_id).first()
    assert mail is not None and mail["sent_at"] is not None and mail["transport"] == "log"
    assert (await Job.select(Job.status).first())["status"] == "done"


async def test_failing_job_is_retried_with_backoff_then_marked_failed(
    settings: Settings, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    async def flaky(_: Settings, payload: dict[str, Any]) -> None:
        calls.append(payload)
        raise ConnectionError("SMTP server unreachable")

    worker = Worker(settings, {"flaky": flaky})
    await jobs.enqueue("flaky", {"n": 1})
    assert await worker.run_once()
    row = await Job.select().first()
    assert row["status"] == "queued" and row["attempts"] == 1
    assert "SMTP server unreachable" in row["last_error"]
    assert row["run_after"] > clock.now() + timedelta(seconds=20)
    assert not await worker.run_once(), "a job waiting for its backoff is not taken early"

    start = clock.now()
    for attempt in range(2, 6):
        later = start + timedelta(hours=attempt)
        monkeypatch.setattr(clock, "now", lambda later=later: later)
        assert await worker.run_once()
    row = await Job.select().first()
    assert row["status"] == "failed" and row["attempts"] == 5
    assert len(calls) == 5

    await jobs.retry(row["id"])
    row = await Job.select().first()
    assert row["status"] == "queued" and row["attempts"] == 0


async def test_unknown_job_kind_fails_without_stopping_the_worker(
    settings: Settings, db: None
) -> None:
    await jobs.enqueue("no.such.kind", {})
    assert await Worker(settings, {}).run_once()
    assert "no handler" in (await Job.select(Job.last_error).first())["last_error"]


async def test_concurrent_workers_never_take_the_same_job(settings: Settings, db: None) -> None:
    for n in range(20):
        await jobs.enqueue("count", {"n": n})
    seen: list[int] = []

    async def record(_: Settings, payload: dict[str, Any]) -> None:
        seen.append(payload["n"])
        await asyncio.sleep(0)

    workers = [Worker(settings, {"count": record}) for _ in range(4)]
    await asyncio.gather(*(worker.run_until_idle() for worker in workers))
    assert sorted(seen) == list(range(20))


async def test_list_filters_by_status(settings: Settings, db: None) -> None:
    await jobs.enqueue("a", {})
    await jobs.enqueue("b", {})
    await Worker(settings, {"a": _noop, "b": _noop}).run_once()
    from api.pagination import PageRequest

    assert (await jobs.list_jobs("done", PageRequest.of(1))).total == 1
    assert (await jobs.list_jobs("queued", PageRequest.of(1))).total == 1
    assert (await jobs.list_jobs("", PageRequest.of(1))).total == 2


async def _noop(_: Settings, __: dict[str, Any]) -> None:
    return None


async def test_polling_an_empty_queue_is_one_read_and_no_write(db: None) -> None:
    with count_queries() as counter:
        assert await jobs.claim("idle-worker") is None
    assert len(counter.statements) == 1
    assert counter.statements[0].lstrip().upper().startswith("SELECT")


async def test_a_job_whose_worker_died_is_claimed_again(db: None) -> None:
    job_id = await jobs.enqueue("test.noop", {})
    await Job.update(
        {Job.status: "running", Job.locked_at: clock.now() - timedelta(hours=1)}
    ).where(Job.id == job_id)
    claimed = await jobs.claim("second-worker")
    assert claimed is not None and claimed.id == job_id


def test_one_process_at_a_time_does_the_housekeeping_on_sqlite(settings: Settings) -> None:
    from dataclasses import replace

    from api.jobs.worker import housekeeping_turn

    embedded = replace(settings, database_url=f"sqlite:///{settings.data_dir / 'x.sqlite3'}")
    with housekeeping_turn(embedded) as first, housekeeping_turn(embedded) as second:
        assert first and not second  # another process (another open file) skips the round
    with housekeeping_turn(embedded) as again:
        assert again  # released afterwards
    server = replace(settings, database_url="postgresql://postgres@127.0.0.1:5432/x")
    with housekeeping_turn(server) as one, housekeeping_turn(server) as other:
        assert one and other
