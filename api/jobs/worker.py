"""The worker loop: claims jobs and runs their handlers; in-process in embedded mode."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from api.jobs import service
from api.settings import Settings
from search import SearchBackend, open_search

log = logging.getLogger("kdx.worker")

Handler = Callable[[Settings, dict[str, Any]], Awaitable[None]]
HOUSEKEEPING_INTERVAL = 3600.0  # seconds between purges of expired sessions and links
SCHEDULE_INTERVAL = 60.0  # seconds between checks for scheduled articles that are due
SEARCH_RETRY_SECONDS = 30.0  # a search backend that failed is tried again after this


def default_handlers() -> dict[str, Handler]:
    from api.articles.service import publish_due_job
    from api.mail.service import send_queued_mail

    return {"mail.send": send_queued_mail, "articles.publish_due": publish_due_job}


@contextlib.contextmanager
def housekeeping_turn(settings: Settings) -> Iterator[bool]:
    """Whether this process does the housekeeping now. On SQLite several processes share one
    file (`kdx serve --workers N`): one at a time rolls up the logs, since a long roll-up in
    one held the write lock past the other's busy timeout; the others skip the round (a lock
    file in the data directory, released if the process dies). PostgreSQL runs them side by
    side."""
    if not settings.is_sqlite:
        yield True
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with (settings.data_dir / "housekeeping.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Worker:
    def __init__(self, settings: Settings, handlers: dict[str, Handler] | None = None) -> None:
        self.settings = settings
        self.handlers = handlers if handlers is not None else default_handlers()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._stopping = asyncio.Event()
        self._search: SearchBackend | None = None
        self._search_ready = False
        self._search_retry_at = 0.0

    async def index_updates(self) -> int:
        """Apply the search outbox; a backend that fails is left alone for a while (the rows
        wait) and the rest of the worker goes on."""
        loop = asyncio.get_running_loop()
        if loop.time() < self._search_retry_at:
            return 0
        from api.searching import indexing

        try:
            if self._search is None:
                self._search = open_search(
                    self.settings.search_url, self.settings.data_dir, self.settings.search_api_key
                )
            if not self._search_ready:
                await indexing.configure_indexes(self._search)
                self._search_ready = True
            return await indexing.apply_updates(self._search)
        except Exception as exc:  # a search backend that is down must not stop the worker
            log.warning("search index updates wait: %s", exc)
            self._search_ready = False
            self._search_retry_at = loop.time() + SEARCH_RETRY_SECONDS
            return 0

    async def run_once(self) -> bool:
        """Run one due job; False when there was none."""
        job = await service.claim(self.worker_id)
        if job is None:
            return False
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            await handler(self.settings, job.payload)
        except Exception as exc:  # a failing job must never stop the worker
            log.warning("job %s (%s) failed: %s", job.id, job.kind, exc)
            await service.fail(job, f"{type(exc).__name__}: {exc}")
        else:
            await service.complete(job)
        return True

    async def run_until_idle(self, limit: int = 1000) -> int:
        done = 0
        while done < limit and await self.run_once():
            done += 1
        return done

    async def housekeeping(self) -> None:
        """Purge expired sessions and links; abort recording uploads abandoned for a day; roll
        up the search log by month and the page views by day, and prune the raw rows of both
        past their retention periods; note the member accounts that used a session this month;
        refresh SQLite's planner statistics."""
        from api.accounts.service import purge_expired
        from api.analytics import platform_use
        from api.analytics import service as page_views
        from api.db import refresh_statistics
        from api.recordings.service import clean_abandoned_uploads
        from api.searching import analytics
        from storage import open_store

        purged = await purge_expired()
        if any(purged.values()):
            log.info("housekeeping: %s", purged)
        store = open_store(self.settings.storage_url, self.settings.data_dir)
        abandoned = await clean_abandoned_uploads(store)
        if abandoned:
            log.info("housekeeping: %d abandoned recording uploads removed", abandoned)
        await analytics.roll_up_pending()
        pruned = await analytics.prune(self.settings.search_log_retention_days)
        if pruned:
            log.info("housekeeping: %d search log rows past the retention period deleted", pruned)
        await platform_use.note_active_accounts()
        await page_views.roll_up_pending()
        pruned = await page_views.prune(self.settings.page_view_retention_months)
        if pruned:
            log.info("housekeeping: %d page views past the retention period deleted", pruned)
        await refresh_statistics()  # after the roll-ups and prunes changed the logs

    async def scheduled_tasks(self) -> None:
        """Publish due scheduled articles and remind registrants of tomorrow's events, found from
        the database state (survives restarts)."""
        from api.articles.service import publish_due
        from api.events.service import send_due_reminders

        published = await publish_due()
        if published:
            log.info("published scheduled articles: %s", published)
        reminded = await send_due_reminders(self.settings)
        if reminded:
            log.info("reminded registrants of events: %s", reminded)

    async def run_forever(self, poll_seconds: float = 1.0) -> None:
        log.info("worker %s started", self.worker_id)
        loop = asyncio.get_running_loop()
        next_housekeeping = next_schedule = loop.time()
        while not self._stopping.is_set():
            try:
                if loop.time() >= next_housekeeping:
                    next_housekeeping = loop.time() + HOUSEKEEPING_INTERVAL
                    with housekeeping_turn(self.settings) as mine:
                        if mine:
                            await self.housekeeping()
                if loop.time() >= next_schedule:
                    next_schedule = loop.time() + SCHEDULE_INTERVAL
                    await self.scheduled_tasks()
                busy = await self.run_once()
                busy = bool(await self.index_updates()) or busy
            except Exception:
                log.exception("worker loop error")
                busy = False
            if not busy:
                try:
                    await asyncio.wait_for(self._stopping.wait(), timeout=poll_seconds)
                except TimeoutError:
                    pass

    def stop(self) -> None:
        self._stopping.set()

    async def close(self) -> None:
        if self._search is not None:
            await self._search.close()
            self._search = None
