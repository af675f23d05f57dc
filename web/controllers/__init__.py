"""Page controllers: thin, they read the request, call api services and render templates."""

from web.controllers import (
    account,
    applications,
    auth,
    console,
    docs,
    media,
    members_console,
    platform,
    public,
    reports,
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
    *reports.ROUTES,
    *media.ROUTES,
]
