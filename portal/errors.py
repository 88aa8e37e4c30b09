"""Error pages: one handler per kind of failure, each answering with the portal's own page.

HTTPException → its status page; Conflict (portal.workflow) → 409 on the page the user was on;
LoginRequired → 303 to the sign-in page; a lost database → 503 with Retry-After (middleware, so
uvicorn neither logs a crash nor drops the keep-alive connection); anything else → 500, logged.
"""

from __future__ import annotations

import logging
from typing import cast
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal import i18n
from portal.security import HttpMiddleware, LoginRequired, login_url
from portal.templating import render
from portal.txn import DB_FAILURES
from portal.workflow import Conflict

log = logging.getLogger(__name__)

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
    403: i18n.N_("No tiene permiso para realizar esta acción o ver esta página. "
                 "Si cree que es un error, vuelva a ingresar y recargue el formulario."),
    404: i18n.N_("No encontramos la página que busca. Revise la dirección o vuelva al inicio."),
    405: i18n.N_("Esta dirección no acepta esa operación."),
    409: i18n.N_("La acción no se pudo completar porque el estado cambió. Recargue la página."),
    413: i18n.N_("Lo enviado supera el tamaño permitido (10 MB por archivo)."),
    422: i18n.N_("Algunos datos no son válidos. Revise el formulario."),
    500: i18n.N_("Ocurrió un error inesperado. Ya quedó registrado; inténtelo de nuevo en unos minutos."),
    503: i18n.N_("No pudimos comunicarnos con la base de datos. "
                 "Nada de lo que envió quedó a medias: inténtelo de nuevo en unos segundos."),
}


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
    exc = cast(HTTPException, exc)
    response = error_page(request, exc.status_code, exc.detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def conflict_response(request: Request, exc: Exception) -> Response:
    """Every Conflict: 409 on the page the user was on (its GET, rendered again with the reason at
    the top), or the plain 409 page when that page cannot be shown."""
    exc = cast(Conflict, exc)
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
    return Response(status_code=303, headers={"Location": login_url(cast(LoginRequired, exc).next_path)})


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


def error_app(scope: Scope, status: int) -> ASGIApp:
    """A tiny ASGI app answering with the error page for `status` (the CSRF middleware's refusals)."""
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response = error_page(Request(scope, receive), status)
        await response(scope, receive, send)
    return app


