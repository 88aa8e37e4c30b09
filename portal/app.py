"""create_app(settings) → Starlette: routes from every domain, middleware, lifespan.

Error pages and the handlers that choose them live in portal/errors.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import os
from collections.abc import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import BaseRoute
from starlette.types import Scope

from portal import db as dbmod, i18n, mail, migrate, static_files, templating
from portal.anchor import maintain as anchor_upkeep
from portal.jobs import api as jobs
from portal.accounts.queries import load_current_user
from portal.etag import ETagMiddleware
from portal.errors import (
    DatabaseOutageMiddleware, conflict_response, error_app, http_exception, login_required, server_error,
)
from portal.security import (
    CsrfMiddleware, CurrentUser, LocaleMiddleware, LoginRequired, SecurityHeadersMiddleware, UserMiddleware,
)
from portal.sessions import ServerSessionMiddleware
from portal.ops.middleware import RequestLogMiddleware
from portal.settings import Settings
from portal.workflow import Conflict

# Each domain package has a `routes` module exposing `routes: list[BaseRoute]`.
DOMAINS = (
    "portal.public", "portal.accounts", "portal.staff", "portal.registry",
    "portal.elections_web", "portal.sello", "portal.compromiso", "portal.certificates", "portal.safeguards",
    "portal.help", "portal.ops", "portal.reminders", "portal.claveunica", "portal.council",
)


def csrf_exempt() -> list[str]:
    """Path patterns whose POST carries its own proof instead of the session's CSRF token, declared
    by a domain's routes module as `csrf_exempt` (today only the one-click unsubscribe, RFC 8058)."""
    return [pattern for name in DOMAINS for pattern in getattr(importlib.import_module(name + ".routes"),
                                                                "csrf_exempt", ())]


def collect_routes() -> list[BaseRoute]:
    """Every domain's routes, then the static files."""
    routes: list[BaseRoute] = []
    for name in DOMAINS:
        module = importlib.import_module(name + ".routes")
        routes.extend(module.routes)
    routes.append(static_files.mount())  # content-hashed names, cached for a year
    return routes


def _lifespan(settings: Settings) -> Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        targets = await migrate.prepare(_with_env_url(settings))  # as the owner; the app role is granted
        database = await dbmod.connect(targets.app, settings.db_min_size, settings.db_max_size,
                                        pooler=settings.db_pooler)
        app.state.db = database
        tasks = [asyncio.create_task(anchor_upkeep(database, settings))]
        if settings.smtp_url:
            tasks.append(asyncio.create_task(mail.run_sender(database, settings.smtp_url, settings.mail_from)))
        if settings.jobs_external:  # `portal worker` runs them elsewhere; /health/ready watches its heartbeat
            jobs.install_health_hook()
        if settings.jobs:  # every process stands by; the one holding the advisory lock runs the jobs
            tasks.append(jobs.start(database, settings))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await database.disconnect()
    return lifespan


def _with_env_url(settings: Settings) -> Settings:
    """Settings built in code may leave the URLs to the environment (workers started by `portal serve`)."""
    if settings.database_url or not os.environ.get("DATABASE_URL"):
        return settings
    return dataclasses.replace(settings, database_url=os.environ["DATABASE_URL"],
                              migration_database_url=settings.migration_database_url
                              or os.environ.get("MIGRATION_DATABASE_URL"))


async def _load_user(scope: Scope, user_id: int, version: int) -> CurrentUser | None:
    return await load_current_user(scope["app"].state.db, user_id, version)


def _middleware(settings: Settings) -> list[Middleware]:
    """Outermost first: compression, headers, language, database outages, session, user, CSRF."""
    return [
        Middleware(RequestLogMiddleware),  # outermost: request id, JSON log line, metrics (portal/ops)
        # level 1 (nginx's default): the registry list's 57 KB of HTML in 0.4 ms to 8.3 KB; level 6 took
        # 0.9 ms per request for 6.9 KB (measured for bench/bench_registry.py)
        Middleware(GZipMiddleware, minimum_size=500, compresslevel=1),
        Middleware(ETagMiddleware),  # anonymous pages: a weak ETag, then 304 while unchanged (portal/etag.py)
        Middleware(SecurityHeadersMiddleware, https_only=settings.https_only),
        Middleware(LocaleMiddleware),
        Middleware(DatabaseOutageMiddleware),
        Middleware(ServerSessionMiddleware, secret_key=str(settings.secret_key), https_only=settings.https_only),
        Middleware(UserMiddleware, loader=_load_user),
        Middleware(CsrfMiddleware, max_body=settings.max_upload_bytes + 512 * 1024, on_error=error_app,
                   exempt=csrf_exempt()),
    ]


def create_app(settings: Settings | None = None) -> Starlette:
    """The portal as an ASGI app."""
    settings = settings or Settings.from_env()
    i18n.install()
    # Templates change only with a deployment (and a restart) outside development: no stat() of every
    # template a page uses (base, page, partials, macros) on each render.
    templating.env.auto_reload = settings.environment == "development"
    app = Starlette(
        routes=collect_routes(),
        middleware=_middleware(settings),
        exception_handlers={HTTPException: http_exception, LoginRequired: login_required,
                            Conflict: conflict_response, 500: server_error},
        lifespan=_lifespan(settings),
    )
    app.state.settings = settings
    return app
