"""create_app(settings) → Starlette: routes from every domain, middleware, lifespan, error pages."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from portal import ROOT, db as dbmod, i18n, mail, migrate
from portal.accounts.queries import load_current_user
from portal.security import (
    CsrfMiddleware, HttpMiddleware, LocaleMiddleware, LoginRequired, SecurityHeadersMiddleware, UserMiddleware,
    login_url,
)
from portal.settings import Settings
from portal.txn import DB_FAILURES
from portal.templating import render
from portal.workflow import Conflict

log = logging.getLogger(__name__)

# Each domain package has a `routes` module exposing `routes: list[BaseRoute]`.
DOMAINS = (
    "portal.public", "portal.accounts", "portal.staff", "portal.registry",
    "portal.elections_web", "portal.sello", "portal.compromiso", "portal.certificates",
)
ERROR_TITLES = {
    400: i18n.N_("Solicitud no válida"),
    403: i18n.N_("Acceso no permitido"),
    404: i18n.N_("Página no encontrada"),
    405: i18n.N_("Método no permitido"),
    409: i18n.N_("Conflicto"),
    413: i18n.N_("Archivo o formulario demasiado grande"),
    422: i18n.N_("Datos no válidos"),
    500: i18n.N_("Error del servidor"),
    503: i18n.N_("Servicio no disponible por un momento"),
}
ERROR_TEXTS = {
    400: i18n.N_("La solicitud no se pudo entender. Vuelva atrás e inténtelo de nuevo."),
    403: i18n.N_("No tiene permiso para realizar esta acción o ver esta página. Si cree que es un error, vuelva a ingresar y recargue el formulario."),
    404: i18n.N_("No encontramos la página que busca. Revise la dirección o vuelva al inicio."),
    405: i18n.N_("Esta dirección no acepta esa operación."),
    409: i18n.N_("La acción no se pudo completar porque el estado cambió. Recargue la página."),
    413: i18n.N_("Lo enviado supera el tamaño permitido (10 MB por archivo)."),
    422: i18n.N_("Algunos datos no son válidos. Revise el formulario."),
    500: i18n.N_("Ocurrió un error inesperado. Ya quedó registrado; inténtelo de nuevo en unos minutos."),
    503: i18n.N_("No pudimos comunicarnos con la base de datos. Nada de lo que envió quedó a medias: inténtelo de nuevo en unos segundos."),
}


def collect_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for name in DOMAINS:
        module = importlib.import_module(name + ".routes")
        routes.extend(module.routes)
    routes.append(Mount("/static", app=StaticFiles(directory=str(ROOT / "static")), name="static"))
    return routes


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    code = status if status in ERROR_TITLES else (500 if status >= 500 else 400)
    context = {
        "status": status,
        "title": i18n.gettext(ERROR_TITLES[code]),
        "message": detail if detail and detail not in ("Not Found", "Forbidden", "Method Not Allowed")
        else i18n.gettext(ERROR_TEXTS[code]),
    }
    return render(request, "errors/error.html", context, status=status)


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = error_page(request, exc.status_code, exc.detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def conflict_response(request: Request, exc: Exception) -> Response:
    """Every Conflict: 409 on the page the user was on (its GET, rendered again with the reason at
    the top), or the plain 409 page when that page cannot be shown."""
    assert isinstance(exc, Conflict)
    page = exc.page or _referring_path(request) or (request.url.path if request.method == "GET" else None)
    if page is not None:
        shown = await _page_with_problem(request, page, exc.reason)
        if shown is not None:
            return shown
    return error_page(request, 409, exc.reason)


def _referring_path(request: Request) -> str | None:
    """The local page a form was sent from (Referer on this host), if any."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.headers.get("host"):
        return None
    path = referer.path + ("?" + referer.query if referer.query else "")
    return path if path.startswith("/") and path != request.url.path else None


async def _page_with_problem(request: Request, page: str, reason: str) -> Response | None:
    """GET `page` through the router with `reason` in the page's alert; None if it is not a 200."""
    target = urlsplit(page)
    scope = {k: v for k, v in request.scope.items() if k not in ("endpoint", "path_params", "route", "router")}
    scope.update(method="GET", path=target.path, raw_path=target.path.encode(), query_string=target.query.encode(),
                 headers=[(k, v) for k, v in request.scope["headers"]
                          if k not in (b"content-type", b"content-length") and not k.startswith(b"hx-")])
    scope["state"] = {**request.scope.get("state", {}), "conflict": reason}
    status, headers, body = 0, [], bytearray()

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], message.get("headers", [])
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    try:
        await request.app.router(scope, receive, send)
    except Exception:  # the page itself refuses (404, 403, another Conflict): fall back to the plain 409
        return None
    if status != 200:
        return None
    kept = {k.decode(): v.decode() for k, v in headers if k.lower() not in (b"content-length",)}
    return Response(bytes(body), status_code=409, headers=kept)


async def login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return Response(status_code=303, headers={"Location": login_url(exc.next_path)})


async def server_error(request: Request, exc: Exception) -> Response:
    # Outside LocaleMiddleware here: negotiate the language again for the page.
    token = i18n.set_language(i18n.negotiate(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language")))
    try:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_page(request, 500)
    finally:
        i18n.reset_language(token)


class DatabaseOutageMiddleware(HttpMiddleware):
    """A lost database (a restart, a failover) answers 503 with Retry-After, wherever the request
    noticed it: in a view, or while loading the session's user. Answered here and not by the 500
    handler, the error is not re-raised to the server, so uvicorn neither logs it as a crash nor
    closes the client's keep-alive connection."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except DB_FAILURES as exc:
            if started:
                raise
            request = Request(scope, receive)
            log.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
            response = error_page(request, 503)
            response.headers["Retry-After"] = "5"
            await response(scope, receive, send)


def _error_app(scope: Scope, status: int):  # type: ignore[no-untyped-def]
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response = error_page(Request(scope, receive), status)
        await response(scope, receive, send)
    return app


def create_app(settings: Settings | None = None) -> Starlette:
    """The portal as an ASGI app."""
    settings = settings or Settings.from_env()
    i18n.install()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        url = settings.database_url or os.environ.get("DATABASE_URL") or dbmod.embedded_url(settings.pgdata)
        await migrate.apply(url)
        database = await dbmod.connect(url, settings.db_min_size, settings.db_max_size)
        app.state.db = database
        sender = None
        if settings.smtp_url:
            sender = asyncio.create_task(mail.run_sender(database, settings.smtp_url, settings.mail_from))
        try:
            yield
        finally:
            if sender:
                sender.cancel()
            await database.disconnect()

    async def loader(scope: Scope, user_id: int, version: int):  # type: ignore[no-untyped-def]
        return await load_current_user(scope["app"].state.db, user_id, version)

    app = Starlette(
        routes=collect_routes(),
        middleware=[
            Middleware(SecurityHeadersMiddleware, https_only=settings.https_only),
            Middleware(LocaleMiddleware),
            Middleware(DatabaseOutageMiddleware),
            Middleware(
                SessionMiddleware,
                secret_key=str(settings.secret_key),
                session_cookie="participa_session",
                max_age=12 * 3600,
                same_site="lax",
                https_only=settings.https_only,
            ),
            Middleware(UserMiddleware, loader=loader),
            Middleware(CsrfMiddleware, max_body=settings.max_upload_bytes + 512 * 1024, on_error=_error_app),
        ],
        exception_handlers={HTTPException: http_exception, LoginRequired: login_required, Conflict: conflict_response,
                            500: server_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
