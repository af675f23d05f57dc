"""Writing and reading the audit log. `record` joins the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from api.audit.tables import AuditEntry
from api.dates import JST
from api.db import contains
from api.pagination import Page, PageRequest
from api.principal import Principal
from api.text import lookup_text


async def record(
    actor: Principal | None,
    action: str,
    target_type: str,
    target_id: object,
    *,
    target_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    await AuditEntry.insert(
        AuditEntry(
            actor=actor.account_id if actor else None,
            actor_label=actor.label if actor else "system",
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            target_label=target_label,
            before=before or {},
            after=after or {},
            client_address=actor.client_address if actor else "",
        )
    )


EARLIEST = date(1900, 1, 1)
LATEST = date(9000, 12, 31)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    target_type: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at: datetime
    actor_label: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    before: dict[str, Any]
    after: dict[str, Any]
    client_address: str


def _where(filters: AuditFilter) -> list[Any]:
    clauses: list[Any] = []
    action, target_type = lookup_text(filters.action, 64), lookup_text(filters.target_type, 32)
    actor = lookup_text(filters.actor, 254)
    if action:
        clauses.append(AuditEntry.action == action)
    if target_type:
        clauses.append(AuditEntry.target_type == target_type)
    if actor:
        clauses.append(contains(AuditEntry.actor_label, actor))
    # Dates at the ends of the calendar mean "no bound" (and would overflow in UTC).
    if filters.date_from and filters.date_from > EARLIEST:
        start = datetime.combine(filters.date_from, datetime.min.time(), JST)
        clauses.append(AuditEntry.at >= start)
    if filters.date_to and filters.date_to < LATEST:
        end = datetime.combine(filters.date_to + timedelta(days=1), datetime.min.time(), JST)
        clauses.append(AuditEntry.at < end)
    return clauses


def _decode(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    import json

    try:
        decoded = json.loads(value or "{}")
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


async def list_entries(filters: AuditFilter, page: PageRequest) -> Page[AuditRow]:
    clauses = _where(filters)
    query = AuditEntry.select().order_by(AuditEntry.id, ascending=False)
    count = AuditEntry.count()
    if clauses:
        query = query.where(*clauses)
        count = count.where(*clauses)
    rows = await query.limit(page.per_page).offset(page.offset)
    total = await count
    items = [
        AuditRow(
            id=row["id"],
            at=row["at"],
            actor_label=row["actor_label"],
            action=row["action"],
            target_type=row["target_type"],
            target_id=row["target_id"],
            target_label=row["target_label"],
            before=_decode(row["before"]),
            after=_decode(row["after"]),
            client_address=row["client_address"],
        )
        for row in rows
    ]
    return Page(items=items, total=total, page=page.page, per_page=page.per_page)


async def distinct_actions() -> list[str]:
    rows = await AuditEntry.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    return [row["action"] for row in rows]
