"""Piccolo table of the job queue."""

from piccolo.columns import JSON, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Job(Table, tablename="job"):
    kind = Varchar(length=64, index=True)
    payload = JSON(default="{}")
    status = Varchar(length=16, default="queued", index=True)
    attempts = Integer(default=0)
    max_attempts = Integer(default=5)
    run_after = Timestamptz(default=TimestamptzNow(), index=True)
    locked_by = Varchar(length=64, default="")
    locked_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
