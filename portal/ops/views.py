"""Health and metrics endpoints (no session, no personal data)."""

from __future__ import annotations

import ipaddress

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from portal.ops import health, metrics
from portal.web import get_db


async def live(request: Request) -> Response:
    """The process answers (no database call): for a supervisor deciding whether to restart it."""
    return PlainTextResponse("ok", headers={"Cache-Control": "no-store"})


async def ready(request: Request) -> Response:
    """Whether this node should get traffic: 200 with the checks, else 503 with what failed."""
    result = await health.readiness(get_db(request))
    return JSONResponse({"ready": result.ok, **result.checks}, status_code=200 if result.ok else 503,
                        headers={"Cache-Control": "no-store"})


def metrics_allowed(request: Request) -> bool:
    """Only addresses in PORTAL_METRICS_ALLOW (addresses or networks; default 127.0.0.1 and ::1)."""
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    allowed = request.app.state.settings.metrics_allow
    return any(address in ipaddress.ip_network(entry, strict=False) for entry in allowed)


async def prometheus(request: Request) -> Response:
    if not metrics_allowed(request):
        return PlainTextResponse("Not Found", status_code=404)  # its existence is nobody else's business
    body = metrics.exposition(await health.scrape_values(get_db(request)))
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
