"""/healthz (the process answers) and /readyz (the database answers)."""

from __future__ import annotations

from litestar import Response, get

from api.db import current_engine


@get("/healthz", opt={"action": "public.view"}, include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", opt={"action": "public.view"}, include_in_schema=False)
async def readyz() -> Response[dict[str, str]]:
    try:
        await current_engine().run_ddl("SELECT 1")
    except Exception:
        return Response({"status": "unavailable", "database": "error"}, status_code=503)
    return Response({"status": "ok", "database": "ok"})


ROUTES = [healthz, readyz]
