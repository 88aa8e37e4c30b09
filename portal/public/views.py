"""Public pages that belong to no single domain: home, health."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from portal.public import queries
from portal.templating import render
from portal.web import get_db


async def home(request: Request) -> Response:
    """The portal's home page."""
    return render(request, "public/home.html", {})


async def health(request: Request) -> Response:
    """For load balancers: 200 when the database answers."""
    await queries.ping(get_db(request))
    return PlainTextResponse("ok")
