"""Reading submitted forms in controllers, and keeping values for re-display."""

from __future__ import annotations

from urllib.parse import urlparse

from litestar import Request


async def form_values(request: Request) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Single values (last wins) and lists (for checkboxes) of a submitted form."""
    form = await request.form()
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            single[key] = value
            multi.setdefault(key, []).append(value)
    return single, multi


def safe_next(value: str | None, default: str = "/account") -> str:
    """Only same-site paths: never an open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    parsed = urlparse(value)
    if parsed.scheme or parsed.netloc:
        return default
    return value
