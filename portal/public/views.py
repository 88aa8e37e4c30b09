"""Public pages that belong to no single domain: home, health."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from portal.i18n import N_
from portal.public import queries
from portal.templating import render
from portal.web import get_db


async def home(request: Request) -> Response:
    """The portal's home page: what is happening now (live figures, what is open), each linking on."""
    figures = await queries.home_figures(get_db(request))
    return render(request, "public/home.html", {"figures": figures, "category_labels": CATEGORY_SHORT})


# The categories as the home names them (docs/registry.md, Categories).
CATEGORY_SHORT = {"A": N_("Categoría A: mayoritariamente migrantes"), "B": N_("Categoría B: trabajan con migrantes"),
                  "C": N_("Categoría C: universidades y centros de estudio")}


async def health(request: Request) -> Response:
    """For load balancers: 200 when the database answers."""
    await queries.ping(get_db(request))
    return PlainTextResponse("ok")
