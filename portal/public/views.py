"""Public pages that belong to no single domain: home, health."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from portal.templating import render
from portal.web import get_db


async def home(request: Request) -> Response:
    return render(request, "public/home.html", {})


async def health(request: Request) -> Response:
    """For load balancers: 200 when the database answers."""
    await get_db(request).fetch_val("SELECT 1")
    return PlainTextResponse("ok")
