"""Piccolo's configuration module (PICCOLO_CONF=api.piccolo_conf).

Piccolo's migration tools look up `DB` here. It is resolved on each access from the engine the
app factory bound (api.db), so tests and the CLI choose the database without import-time globals.
"""

from typing import Any

from piccolo.conf.apps import AppRegistry

APP_REGISTRY = AppRegistry(apps=["api.piccolo_app"])


def __getattr__(name: str) -> Any:
    if name == "DB":
        from api.db import current_engine

        return current_engine()
    raise AttributeError(name)
