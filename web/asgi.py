"""ASGI entry for several server processes (production): `uvicorn web.asgi:app --workers N`."""

from web.app import create_app

app = create_app(migrate_on_start=False)
