"""Small helpers shared by every view module."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

from portal.db import Database
from portal.settings import Settings


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def see_other(url: str) -> RedirectResponse:
    """POST → 303 → GET."""
    return RedirectResponse(url, status_code=303)


def not_found() -> HTTPException:
    return HTTPException(404)


def int_param(request: Request, name: str) -> int:
    """A positive integer path parameter, or 404 (never a 500 for /x/abc)."""
    raw: Any = request.path_params.get(name)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise HTTPException(404) from None
    if value <= 0 or value > 2**62:
        raise HTTPException(404)
    return value


def page_param(request: Request, name: str = "page") -> int:
    """The ?page= number, 1 when missing or malformed."""
    try:
        value = int(request.query_params.get(name, "1"))
    except ValueError:
        return 1
    return min(max(value, 1), 100_000)
