"""Demo content for the embedded mode: one account per role (never in production mode)."""

from __future__ import annotations

import logging

from api.accounts import service as accounts
from api.accounts.tables import Account
from api.permissions import Role
from api.settings import Settings

log = logging.getLogger("kdx.demo")

# (email, name, role, password). The README lists these; production mode never creates them.
DEMO_ACCOUNTS: list[tuple[str, str, Role, str]] = [
    ("admin@example.jp", "管理 太郎", Role.ADMIN, "demo-admin-2026"),
    ("staff@example.jp", "事務局 花子", Role.STAFF, "demo-staff-2026"),
    ("editor@example.jp", "編集 一郎", Role.EDITOR, "demo-editor-2026"),
    ("official@example.jp", "県庁 次郎", Role.OFFICIAL, "demo-official-2026"),
    ("member-admin@example.jp", "阿蘇 美咲", Role.MEMBER_ADMIN, "demo-member-admin-2026"),
    ("member@example.jp", "天草 健", Role.MEMBER_USER, "demo-member-2026"),
]


async def load_demo_content(settings: Settings) -> int:
    """Create what is missing; returns how many accounts were created."""
    if settings.is_production:
        raise RuntimeError("demo content is for the embedded mode only")
    created = 0
    for email, name, role, password in DEMO_ACCOUNTS:
        if await Account.exists().where(Account.email == email):
            continue
        data = accounts.AccountInput(email=email, display_name=name, roles=frozenset({role}))
        await accounts.create_account_with_password(settings, data, password, action="demo.create")
        created += 1
    if created:
        log.info("demo content: %d accounts created", created)
    return created
