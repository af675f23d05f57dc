"""One live registration per e-mail address and event (a cancelled one does not count, so a
person may register again). A partial unique index, valid on SQLite and PostgreSQL; raw
statements run before a migration's tables are created, so it has a migration of its own."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T06:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Events: one live registration per (event, e-mail address)"


class _Raw(Table, tablename="event_registration"):
    pass


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="platform", description=DESCRIPTION
    )

    async def run():
        await _Raw.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS event_registration_event_email "
            "ON event_registration (event, email_key) WHERE status <> 'cancelled'"
        )

    manager.add_raw(run)
    return manager
