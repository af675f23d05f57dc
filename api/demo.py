"""Demo content for the embedded mode (never in production mode): one account per role and about
60 member organisations (api.demo_members). The demo member admin and member user belong to one
of them; a few membership applications wait in the screening queue (api.demo_applications);
case studies, news and event information fill the public site (api.demo_articles), and
about 150 solutions the member platform's directory (api.demo_solutions), and this fiscal
year's events with registrations the calendar (api.demo_events), and two short recordings of
the seminars held the archive (api.demo_recordings).
Loading runs at every embedded start and creates only what is missing."""

from __future__ import annotations

import logging

from api.accounts import service as accounts
from api.accounts.tables import Account
from api.db import transaction
from api.demo_analytics import load_demo_activity, load_demo_page_views
from api.demo_applications import load_demo_applications
from api.demo_articles import load_demo_articles
from api.demo_events import load_demo_events
from api.demo_members import load_demo_organisations
from api.demo_progress import load_demo_progress
from api.demo_recordings import load_demo_recordings
from api.demo_search_log import load_demo_search_log
from api.demo_solutions import load_demo_solutions
from api.permissions import Role
from api.searching.indexing import queue_everything
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
MEMBER_ROLES = frozenset({Role.MEMBER_ADMIN, Role.MEMBER_USER})


async def load_demo_content(settings: Settings) -> int:
    """Create what is missing; returns how many accounts and organisations were created."""
    if settings.is_production:
        raise RuntimeError("demo content is for the embedded mode only")
    organisations, member_organisation = await load_demo_organisations()
    created = 0
    existing = {
        row["email"]: row
        for row in await Account.select(Account.id, Account.email, Account.organisation).where(
            Account.email.is_in([email for email, *_ in DEMO_ACCOUNTS])
        )
    }
    for email, name, role, password in DEMO_ACCOUNTS:
        organisation_id = member_organisation if role in MEMBER_ROLES else None
        found = existing.get(email)
        if found is not None:
            # Databases from before the member organisations existed: attach the member accounts.
            if organisation_id is not None and found["organisation"] is None:
                async with transaction():
                    await Account.update({Account.organisation: organisation_id}).where(
                        Account.id == found["id"]
                    )
            continue
        data = accounts.AccountInput(
            email=email,
            display_name=name,
            roles=frozenset({role}),
            organisation_id=organisation_id,
        )
        await accounts.create_account_with_password(settings, data, password, action="demo.create")
        created += 1
    applications = await load_demo_applications(settings)
    published = await load_demo_articles(settings)
    offered = await load_demo_solutions()
    held = await load_demo_events()
    recorded = await load_demo_recordings(settings)
    searched = await load_demo_search_log()
    viewed = await load_demo_page_views() + await load_demo_activity()
    progressed = await load_demo_progress()
    if published or offered:
        # Some demo content is written directly, past the services: the index hears of all.
        await queue_everything()
    counts = (
        created,
        organisations,
        applications,
        published,
        offered,
        held,
        recorded,
        searched,
        viewed,
        progressed,
    )
    if any(counts):
        log.info(
            "demo content: %d accounts, %d organisations, %d applications, %d articles, "
            "%d solutions, %d events, %d recordings, %d search log rows, %d page views and activity "
            "rows, %d schedule items, issues and minutes created",
            *counts,
        )
    return sum(counts)
