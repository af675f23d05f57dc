"""Page controllers: thin, they read the request, call api services and render templates."""

from web.controllers import account, auth, console, docs, public

ROUTES = [*public.ROUTES, *auth.ROUTES, *account.ROUTES, *console.ROUTES, *docs.ROUTES]
