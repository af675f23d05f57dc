"""Counting the SQL statements a piece of code sends, to prove list pages have no N+1 queries."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from api.db import current_engine


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextlib.contextmanager
def count_queries() -> Iterator[QueryCounter]:
    # Engines use __slots__, so the methods are wrapped on the engine's class for the duration.
    engine_class = type(current_engine())
    counter = QueryCounter()
    original_querystring = engine_class.run_querystring
    original_ddl = engine_class.run_ddl

    async def run_querystring(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        counter.statements.append(str(querystring))
        return await original_querystring(self, querystring, *args, **kwargs)

    async def run_ddl(self: Any, ddl: str, *args: Any, **kwargs: Any) -> Any:
        counter.statements.append(ddl)
        return await original_ddl(self, ddl, *args, **kwargs)

    engine_class.run_querystring = run_querystring  # type: ignore[method-assign]
    engine_class.run_ddl = run_ddl  # type: ignore[method-assign]
    try:
        yield counter
    finally:
        engine_class.run_querystring = original_querystring  # type: ignore[method-assign]
        engine_class.run_ddl = original_ddl  # type: ignore[method-assign]
