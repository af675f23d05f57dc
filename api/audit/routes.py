"""JSON route of the audit log (admins)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from litestar import get
from litestar.params import FromQuery, QueryParameter

from api.audit import service
from api.pagination import PageRequest


class AuditEntryOut(msgspec.Struct):
    id: int
    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    before: dict[str, Any]
    after: dict[str, Any]


class AuditPage(msgspec.Struct):
    items: list[AuditEntryOut]
    total: int
    page: int
    pages: int


@get("/api/v1/audit", opt={"action": "audit.view"}, tags=["監査ログ"], summary="監査ログ")
async def list_audit(
    action: FromQuery[str] = "",
    actor: FromQuery[str] = "",
    target_type: FromQuery[str] = "",
    date_from: FromQuery[date | None] = None,
    date_to: FromQuery[date | None] = None,
    page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
) -> AuditPage:
    result = await service.list_entries(
        service.AuditFilter(action, actor, target_type, date_from, date_to), PageRequest.of(page)
    )
    return AuditPage(
        items=[
            AuditEntryOut(
                id=r.id,
                at=r.at,
                actor=r.actor_label,
                action=r.action,
                target_type=r.target_type,
                target_id=r.target_id,
                target_label=r.target_label,
                before=r.before,
                after=r.after,
            )
            for r in result.items
        ],
        total=result.total,
        page=result.page,
        pages=result.pages,
    )


ROUTES = [list_audit]
