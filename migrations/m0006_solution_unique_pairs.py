"""Unique pairs the solutions code upserts on (bookmarks, monthly counts). Raw statements run
before a migration's tables are created, so they follow the tables in a migration of their own;
both statements are valid on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-05T23:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Solutions directory: unique (account, solution) and (solution, month)"


class _Raw(Table, tablename="solution_bookmark"):
    pass


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="platform", description=DESCRIPTION
    )

    async def run():
        await _Raw.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS solution_bookmark_account_solution "
            "ON solution_bookmark (account, solution)"
        )
        await _Raw.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS solution_monthly_stat_solution_month "
            "ON solution_monthly_stat (solution, month)"
        )

    manager.add_raw(run)
    return manager
