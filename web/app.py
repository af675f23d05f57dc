"""The app factory: one Litestar app (JSON API and pages) built from one settings object."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from litestar import Litestar, Request, Response, Router
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from api.accounts import routes as account_routes
from api.analytics import recording as page_view_log
from api.analytics import routes as analytics_routes
from api.applications import routes as application_routes
from api.articles import routes as article_routes
from api.audit import routes as audit_routes
from api.buffered_log import flush_forever
from api.db import bind_engine, close_pool, create_engine, migrate, prepare_database, start_pool
from api.defaults import ensure_defaults
from api.demo import load_demo_content
from api.events import routes as event_routes
from api.health import routes as health_routes
from api.http.auth import AuthMiddleware
from api.http.compression import Compression
from api.http.cors import ApiCors
from api.http.guards import access_guard
from api.http.head import HeadAsGet
from api.http.headers import security_headers
from api.http.page_cache import PageCache, PageCacheFront, PageCacheMiddleware
from api.http.page_views import PageViewRecorder
from api.http.problems import (
    ProblemAwareJsonRenderPlugin,
    api_exception_handler,
    problem_response,
)
from api.jobs import routes as job_routes
from api.jobs.worker import Worker
from api.media import routes as media_routes
from api.members import platform_routes as member_platform_routes
from api.members import routes as member_routes
from api.progress import routes as progress_routes
from api.recordings import routes as recording_routes
from api.reports import routes as report_routes
from api.searching import log as search_log
from api.searching import routes as search_routes
from api.settings import Settings
from api.solutions import routes as solution_routes
from search import open_search
from storage import open_store
from web.assets import StaticFiles
from web.controllers import ROUTES as WEB_ROUTES
from web.errors import html_exception_handler
from web.rendering import build_environment, static_assets

log = logging.getLogger("kdx")

BUFFERED_LOGS = [search_log.BUFFER, page_view_log.BUFFER]

API_ROUTES = [
    *account_routes.ROUTES,
    *audit_routes.ROUTES,
    *job_routes.ROUTES,
    *application_routes.ROUTES,
    *member_routes.ROUTES,
    *member_platform_routes.ROUTES,
    *solution_routes.ROUTES,
    *report_routes.ROUTES,
    *progress_routes.ROUTES,
    *analytics_routes.ROUTES,
    *article_routes.ROUTES,
    *media_routes.ROUTES,
    *event_routes.ROUTES,
    *recording_routes.ROUTES,
    *search_routes.ROUTES,
]


def exception_handler(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/") and request.url.path != "/api/docs":
        return api_exception_handler(request, exc)
    return html_exception_handler(request, exc)


async def _schema_not_found_in_japanese(response: Response) -> Response:
    # Litestar answers unknown paths under /api/<name> with an English HTML page.
    if response.status_code == 404:
        return problem_response(404, "お探しのAPI仕様のファイルは見つかりませんでした。")
    return response


def create_app(settings: Settings | None = None, *, migrate_on_start: bool = True) -> Litestar:
    settings = (settings or Settings.from_env()).validate()
    engine = create_engine(settings.effective_database_url, settings.database_pool_size)
    bind_engine(engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await prepare_database(engine)
        if migrate_on_start:
            await migrate()
            # Every mode, production included; only the migrating process seeds, so several
            # workers never race (`kdx serve --workers N` seeds once in web/cli.py).
            await ensure_defaults()
        if settings.database_pool:
            await start_pool(engine, settings.database_pool_size)
        if migrate_on_start and settings.demo_content and not settings.is_production:
            # Several processes (`kdx serve --workers N`) leave it to the command, done once.
            await load_demo_content(settings)
        worker_task: asyncio.Task[None] | None = None
        worker = Worker(settings)
        if settings.run_worker_in_process:
            worker_task = asyncio.create_task(worker.run_forever())
        # Log rows (searches, page views) are written in batches, off the requests.
        stopping = asyncio.Event()
        logs_task = asyncio.create_task(flush_forever(BUFFERED_LOGS, stopping))
        try:
            yield
        finally:
            worker.stop()
            stopping.set()
            await logs_task
            if worker_task is not None:
                await worker_task
            await worker.close()
            await app.state.search.close()
            await close_pool(engine)

    page_cache = PageCache()  # anonymous public pages, one per process
    add_security_headers = security_headers(settings.behind_tls)
    app = Litestar(
        route_handlers=[*health_routes.ROUTES, *API_ROUTES, *WEB_ROUTES],
        middleware=[
            DefineMiddleware(AuthMiddleware, settings=settings),
            # Inside the AuthMiddleware: it knows who is logged in, and the CSRF cookie for new
            # visitors is added outside it, never into a stored page.
            DefineMiddleware(PageCacheMiddleware, cache=page_cache),
        ],
        before_send=[add_security_headers],
        guards=[access_guard],
        exception_handlers={Exception: exception_handler},
        template_config=TemplateConfig(
            instance=JinjaTemplateEngine.from_environment(build_environment())
        ),
        openapi_config=OpenAPIConfig(
            title="熊本県DX推進コンソーシアム API",
            version="1.0.0",
            description="公開コンテンツの参照と、スコープ付きAPIトークンによる操作のためのJSON API。",
            path="/api",
            # The schema router is public reading (the permission table decides every route).
            openapi_router=Router(
                "/api",
                route_handlers=[],
                include_in_schema=False,
                opt={"action": "public.view"},
                after_request=_schema_not_found_in_japanese,
            ),
            render_plugins=[ProblemAwareJsonRenderPlugin(path="/openapi.json")],
            create_examples=False,
        ),
        lifespan=[lifespan],
        request_max_body_size=1024 * 1024,
        debug=False,
    )
    # Outside routing, from the outside in: page views counted (the cached ones too), HEAD as
    # GET without a body, compression, CORS for
    # the JSON API (CORS_ORIGINS), static files from memory, and cached pages for visitors
    # without a session, before sessions, routing and templates.
    front = PageCacheFront(app.asgi_handler, page_cache, add_security_headers)
    static = StaticFiles(front, static_assets(), add_security_headers)
    app.asgi_handler = PageViewRecorder(
        HeadAsGet(Compression(ApiCors(static, settings.cors_origins)))
    )
    app.state.settings = settings
    app.state.page_cache = page_cache
    open_backends(app, settings)
    return app


def open_backends(app: Litestar, settings: Settings) -> None:
    """The object store for files (evidence, media, recordings: a local directory or S3/MinIO)
    and the search backend the pages and the API query (the worker keeps its indexes)."""
    app.state.store = open_store(settings.storage_url, settings.data_dir)
    app.state.search = open_search(settings.search_url, settings.data_dir, settings.search_api_key)
