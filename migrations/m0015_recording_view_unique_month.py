"""One count per recording and month (the view counter upserts on it). Raw statements run before
a migration's tables are created, so it has a migration of its own; valid on both engines."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-06T07:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Recordings: unique (recording, month) of the monthly views"


class _Raw(Table, tablename="recording_monthly_view"):
    pass


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="platform", description=DESCRIPTION
    )

    async def run():
        await _Raw.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS recording_monthly_view_recording_month "
            "ON recording_monthly_view (recording, month)"
        )

    manager.add_raw(run)
    return manager
