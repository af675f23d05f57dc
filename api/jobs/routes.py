"""JSON routes of the job queue (admins): list and retry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, QueryParameter

from api.jobs import service
from api.pagination import PageRequest

JOB_STATUSES = ("queued", "running", "done", "failed")


class JobOut(msgspec.Struct):
    id: int
    kind: str
    status: str
    attempts: int
    max_attempts: int
    last_error: str
    created_at: datetime
    run_after: datetime


class JobPage(msgspec.Struct):
    items: list[JobOut]
    total: int
    page: int
    pages: int


class JobsController(Controller):
    path = "/api/v1/jobs"
    tags = ["ジョブ"]

    @get("", opt={"action": "jobs.manage"}, summary="ジョブ一覧")
    async def list_jobs(
        self,
        status: FromQuery[Literal["", "queued", "running", "done", "failed"]] = "",
        page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
    ) -> JobPage:
        result = await service.list_jobs(status, PageRequest.of(page))
        return JobPage(
            items=[
                JobOut(
                    id=j.id,
                    kind=j.kind,
                    status=j.status,
                    attempts=j.attempts,
                    max_attempts=j.max_attempts,
                    last_error=j.last_error,
                    created_at=j.created_at,
                    run_after=j.run_after,
                )
                for j in result.items
            ],
            total=result.total,
            page=result.page,
            pages=result.pages,
        )

    @post("/{job_id:int}/retry", opt={"action": "jobs.manage"}, status_code=204, summary="再実行")
    async def retry(self, job_id: FromPath[int]) -> None:
        await service.retry(job_id)


ROUTES = [JobsController]
