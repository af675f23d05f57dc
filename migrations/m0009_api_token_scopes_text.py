from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Varchar

class _Manager(MigrationManager):
    """SQLite cannot ALTER a column's type, and it never enforced the VARCHAR(255) either
    (VARCHAR and TEXT have the same affinity there): the change runs on PostgreSQL only, while
    Piccolo's schema snapshot still records it for later auto migrations."""

    async def _run_alter_columns(self, backwards: bool = False):
        from api.db import is_postgres

        if is_postgres():
            await super()._run_alter_columns(backwards=backwards)


ID = "2026-12-06T01:16:21:901038"
VERSION = "1.38.0"
DESCRIPTION = "API tokens: scopes as text (the scopes outgrew 255 characters)"


async def forwards():
    manager = _Manager(
        migration_id=ID, app_name="platform", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="ApiToken",
        tablename="api_token",
        column_name="scopes",
        db_column_name="scopes",
        params={},
        old_params={},
        column_class=Text,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
