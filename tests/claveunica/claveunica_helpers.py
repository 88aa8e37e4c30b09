"""Helpers for the ClaveÚnica tests: the round trip through the stand-in, and what was stored."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

REDIRECT_URI = "http://testserver/ingresar/claveunica"


async def to_provider(client: Any, next_path: str = "") -> httpx.Response:
    """Press the button: 303 to the provider's authorize URL."""
    response = await client.post("/ingresar/claveunica", {"next": next_path})
    assert response.status_code == 303, response.text[:500]
    return response


async def authorize(location: str, run: str = "") -> tuple[str, str]:
    """The browser at the provider (over HTTP): the code and state it sends back."""
    async with httpx.AsyncClient() as http:
        url = httpx.URL(location)
        answer = await http.get(url.copy_add_param("run", run) if run else url)
    assert answer.status_code == 302, answer.text
    back = answer.headers["location"]
    assert back.startswith(REDIRECT_URI + "?")
    query = parse_qs(urlsplit(back).query)
    return query["code"][0], query["state"][0]


async def sign_in(client: Any, run: str = "44444444", next_path: str = "") -> httpx.Response:
    """The whole round trip; the answer to the return."""
    start = await to_provider(client, next_path)
    code, state = await authorize(start.headers["location"], run)
    back = await client.get("/ingresar/claveunica", params={"code": code, "state": state})
    client.forget_token()  # a sign-in starts a new session, with a new CSRF token
    return back


async def counts(db: Any) -> tuple[int, int]:
    users = await db.fetch_val("SELECT count(*) FROM users")
    identities = await db.fetch_val("SELECT count(*) FROM claveunica_identities")
    return int(users), int(identities)


async def results(db: Any) -> list[str]:
    rows = await db.fetch_all("SELECT result FROM claveunica_attempts ORDER BY id")
    return [r["result"] for r in rows]
