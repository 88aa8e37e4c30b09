"""One conformance run against a standard OpenID Connect provider from PyPI (oidc-provider-mock,
Authlib's server), started here: the portal's client, state handling and account creation work
against a provider that follows the standard, with its own endpoint paths from discovery.

ClaveÚnica's own claims (RolUnico, name as an object) are the mock user's claims; the standard
`name` claim comes with the `profile` scope, so this run asks for it too."""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from claveunica_helpers import REDIRECT_URI, counts, results

from portal.claveunica import api
from portal.claveunica.client import Endpoints, Provider

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # the mock's own use of older Authlib APIs
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

# The mock server (a thread) calls Authlib APIs that newer Authlib deprecates: not the portal's concern.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CLAIMS = {"RolUnico": {"numero": 99999999, "DV": "9", "tipo": "RUN"},
          "name": {"nombres": ["Luis", "Alberto"], "apellidos": ["Pérez", "Soto"]}}


async def test_standard_provider(client: Any, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    user = oidc_provider_mock.User(sub="persona-99999999", claims=CLAIMS)
    with oidc_provider_mock.run_server_in_thread(user_claims=[user]) as server:
        base = f"http://localhost:{server.server_port}"
        async with httpx.AsyncClient() as http:
            meta = (await http.get(base + "/.well-known/openid-configuration")).json()
            endpoints = Endpoints(meta["authorization_endpoint"], meta["token_endpoint"],
                                  meta["userinfo_endpoint"], meta.get("end_session_endpoint", base))
            provider = Provider("portal-participa", "secreto", REDIRECT_URI, endpoints, timeout=5.0,
                                scope="openid profile run name")
            monkeypatch.setattr(api, "provider", lambda settings: provider)
            start = await client.post("/ingresar/claveunica", {"next": "/cuenta"})
            assert start.status_code == 303
            location = start.headers["location"]
            assert location.startswith(meta["authorization_endpoint"] + "?")
            assert (await http.get(location)).status_code == 200  # the provider's sign-in form
            chosen = await http.post(location, data={"sub": user.sub})
            assert chosen.status_code == 302, chosen.text[:300]
            query = parse_qs(urlsplit(chosen.headers["location"]).query)
        back = await client.get("/ingresar/claveunica", params={"code": query["code"][0], "state": query["state"][0]})
    assert back.status_code == 303 and back.headers["location"] == "/cuenta"
    assert await counts(db) == (1, 1) and await results(db) == ["created"]
    assert await db.fetch_val("SELECT run FROM claveunica_identities") == "99999999-9"
    assert dataclasses.asdict(provider)["client_id"] == "portal-participa"
