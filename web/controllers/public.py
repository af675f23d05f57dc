"""Public pages: the home page, the accessibility statement and the privacy policy.

The statement and the policy are static pages of the page tree (editable by editors); the
templates here stand in only while those pages are not published.
"""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from api.errors import NotFound
from web.controllers import site
from web.rendering import page

PUBLIC = {"action": "public.view", "cache": "public"}


@get("/", opt=PUBLIC, include_in_schema=False)
async def home(request: Request) -> Template:
    return page(request, "pages/home.html", **await site.latest_content())


@get("/accessibility", opt=PUBLIC, include_in_schema=False)
async def accessibility(request: Request) -> Template:
    try:
        return await site.render_page(request, "accessibility")
    except NotFound:
        return page(request, "pages/accessibility.html")


@get("/privacy", opt=PUBLIC, include_in_schema=False)
async def privacy(request: Request) -> Template:
    try:
        return await site.render_page(request, "privacy")
    except NotFound:
        return page(request, "pages/privacy.html")


ROUTES = [home, accessibility, privacy]
