"""Page controllers: thin, they read the request, call api services and render templates."""

from web.controllers import (
    account,
    applications,
    auth,
    console,
    docs,
    editor,
    editor_pages,
    events,
    feeds,
    media,
    members_console,
    platform,
    public,
    reports,
    site,
    solutions,
)

ROUTES = [
    *public.ROUTES,
    *auth.ROUTES,
    *account.ROUTES,
    *console.ROUTES,
    *docs.ROUTES,
    *applications.ROUTES,
    *members_console.ROUTES,
    *platform.ROUTES,
    *solutions.ROUTES,
    *reports.ROUTES,
    *media.ROUTES,
    *editor.ROUTES,
    *editor_pages.ROUTES,
    *site.ROUTES,
    *feeds.ROUTES,
    *events.ROUTES,
]
