"""One JSON log line per request, the request id, and the request metrics (portal.ops.metrics).

The line has the method, the route template (`/organizaciones/{id}`, never the path asked for nor its
query string, which can carry names, RUTs or tokens), the status, the duration and the request id:
nginx's X-Request-ID when it sends one (deploy/nginx), else one made here. The id goes back in the
response's X-Request-ID header and is available to other log lines (`request_id.get()`).
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.ops import metrics

log = logging.getLogger("portal.request")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class JsonFormatter(logging.Formatter):
    """`{"ts": ..., "level": ..., "logger": ..., "msg": ..., **extra fields}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                                "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


def configure_logging() -> None:
    """The request log writes JSON lines to stderr (journald keeps them), once per process."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def route_template(scope: Scope) -> str:
    """The matched route's path template; mounts (static files) as `/static/{path}`; no match: `unmatched`."""
    route = scope.get("route")
    if isinstance(route, Mount):
        return f"{route.path}/{{path}}"
    return str(getattr(route, "path", None) or "unmatched")


def incoming_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SAFE_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Outermost: times every HTTP request, logs it, counts it; sets and returns X-Request-ID."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        configure_logging()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self._lifespan(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        rid = incoming_id(scope)
        token = request_id.set(rid)
        start, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._done(scope, status, time.perf_counter() - start, rid)
            request_id.reset(token)

    def _done(self, scope: Scope, status: int, seconds: float, rid: str) -> None:
        route, method = route_template(scope), scope["method"]
        db = getattr(getattr(scope.get("app"), "state", None), "db", None)
        if db is not None:
            metrics.instrument(db)
        metrics.observe(method, route, status, seconds, db)
        log.info("request", extra={"fields": {"method": method, "route": route, "status": status,
                                              "duration_ms": round(seconds * 1000, 1), "request_id": rid,
                                              "pid": os.getpid()}})

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            metrics.worker_exiting()
