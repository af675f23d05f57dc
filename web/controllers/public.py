"""Public pages: the home page, the accessibility statement and the privacy policy."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from web.rendering import page

PUBLIC = {"action": "public.view"}


@get("/", opt=PUBLIC, include_in_schema=False)
async def home(request: Request) -> Template:
    return page(request, "pages/home.html")


@get("/accessibility", opt=PUBLIC, include_in_schema=False)
async def accessibility(request: Request) -> Template:
    return page(request, "pages/accessibility.html")


@get("/privacy", opt=PUBLIC, include_in_schema=False)
async def privacy(request: Request) -> Template:
    return page(request, "pages/privacy.html")


ROUTES = [home, accessibility, privacy]
