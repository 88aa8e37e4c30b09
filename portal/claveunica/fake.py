"""A stand-in for ClaveÚnica, for development and tests (docs/claveunica.md, Trying it locally).

It speaks ClaveÚnica's paths and JSON: `GET /openid/authorize/` (here the person picks one of the
sandbox test users), `POST /openid/token/` (form with client_id, client_secret, redirect_uri,
grant_type, code, state; a code lives 5 minutes and works once), `POST /openid/userinfo/` with the
bearer token (`sub`, `RolUnico {numero, DV, tipo}`, `name {nombres, apellidos}`) and
`GET /api/v1/accounts/app/logout?redirect=…`.

With PORTAL_ENV=development and CLAVEUNICA_FAKE on (what `portal serve --demo` sets when no
CLAVEUNICA_CLIENT_ID is configured) the portal shows its authorize and logout pages under
/_claveunica_fake and answers the token and userinfo calls in-process (the same app, no network):
codes live in the process's memory, so run the demo with one worker. Anywhere else those pages
answer 404. Tests serve `FakeClaveUnica.app()` over HTTP and turn its knobs to misbehave.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from portal.settings import Settings

PREFIX = "/_claveunica_fake"
CLIENT_ID = "portal-participa-desarrollo"
CODE_SECONDS = 300


@dataclass(frozen=True)
class TestUser:
    numero: int
    dv: str
    nombres: tuple[str, ...]
    apellidos: tuple[str, ...]

    @property
    def display(self) -> str:
        body = f"{self.numero:,}".replace(",", ".")
        return f"{body}-{self.dv}"

    @property
    def name(self) -> str:
        return " ".join(self.nombres + self.apellidos)

    def claims(self) -> dict[str, Any]:
        return {"sub": str(1000 + self.numero % 997),
                "RolUnico": {"numero": self.numero, "DV": self.dv, "tipo": "RUN"},
                "name": {"nombres": list(self.nombres), "apellidos": list(self.apellidos)}}


# ClaveÚnica's sandbox test RUNs (names made up for the stand-in)
SANDBOX = (
    TestUser(44444444, "4", ("María", "José"), ("Quispe", "Mamani")),
    TestUser(55555555, "5", ("Jean", "Pierre"), ("Joseph",)),
    TestUser(88888888, "8", ("Ana",), ("Rojas", "Vidal")),
    TestUser(99999999, "9", ("Luis", "Alberto"), ("Pérez", "Soto")),
)


def enabled(settings: Settings) -> bool:
    """The stand-in exists only in development, and only when asked for."""
    return settings.environment == "development" and settings.claveunica_fake


def client_secret(settings: Settings) -> str:
    return hmac.new(str(settings.secret_key).encode(), b"claveunica-fake", hashlib.sha256).hexdigest()


class FakeClaveUnica:
    """ClaveÚnica's four endpoints over one in-memory store; the knobs make it misbehave for tests."""

    def __init__(self, client_id: str, client_secret: str, redirect_uri: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client_id, self.client_secret, self.redirect_uri = client_id, client_secret, redirect_uri
        self.clock = clock
        self.codes: dict[str, tuple[dict[str, Any], float]] = {}
        self.used: set[str] = set()
        self.tokens: dict[str, dict[str, Any]] = {}
        self.token_forms: list[dict[str, str]] = []  # what the portal sent to the token endpoint
        self.reset()

    def reset(self) -> None:
        """Behave again (tests turn these knobs)."""
        self.token_status: int | None = None      # answer the token request with this status
        self.token_body: Any = None               # … and this JSON (or text)
        self.token_delay = 0.0
        self.userinfo_status: int | None = None
        self.userinfo_body: Any = None            # replaces the claims (malformed, wrong check digit …)
        self.userinfo_delay = 0.0
        self.logout_calls = 0

    # ----- authorize -----

    def problem(self, params: Any) -> str | None:
        """What ClaveÚnica would refuse in an authorization request."""
        if params.get("client_id") != self.client_id:
            return "invalid client_id"
        if params.get("response_type") != "code":
            return "response_type must be code"
        if params.get("redirect_uri") != self.redirect_uri:
            return "redirect_uri does not match the registered one"
        if "openid" not in (params.get("scope") or "").split():
            return "scope must include openid"
        if len(params.get("state") or "") < 30:
            return "state must have at least 30 characters"
        return None

    def issue(self, params: Any, user: TestUser | dict[str, Any]) -> str:
        """A code for this person; the URL to send the browser back to."""
        code = secrets.token_urlsafe(24)
        claims = user.claims() if isinstance(user, TestUser) else user
        self.codes[code] = (claims, self.clock())
        return f"{self.redirect_uri}?{urlencode({'code': code, 'state': params['state']})}"

    async def authorize(self, request: Request) -> Response:
        """Standalone: no page; `run` (44444444 …) picks the sandbox user, the first by default."""
        params = request.query_params
        problem = self.problem(params)
        if problem:
            return JSONResponse({"error": "invalid_request", "error_description": problem}, status_code=400)
        return RedirectResponse(self.issue(params, pick(params.get("run"))), status_code=302)

    # ----- token and userinfo -----

    async def token(self, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        self.token_forms.append({k: v for k, v in form.items() if k != "client_secret"})
        if self.token_delay:
            await asyncio.sleep(self.token_delay)
        if self.token_status is not None:
            body = self.token_body if self.token_body is not None else {"error": "server_error"}
            if isinstance(body, str):
                return Response(body, status_code=self.token_status, media_type="text/html")
            return JSONResponse(body, status_code=self.token_status)
        error = self._token_problem(form)
        if error:
            return JSONResponse({"error": error}, status_code=400)
        claims, _ = self.codes.pop(form["code"])
        self.used.add(form["code"])
        access = secrets.token_urlsafe(32)
        self.tokens[access] = claims
        return JSONResponse({"access_token": access, "token_type": "bearer", "expires_in": 3600,
                             "id_token": "not-used-by-the-portal"})

    def _token_problem(self, form: dict[str, str]) -> str | None:
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return "invalid_client"
        if form.get("grant_type") != "authorization_code" or form.get("redirect_uri") != self.redirect_uri \
                or len(form.get("state", "")) < 30:
            return "invalid_request"
        code = form.get("code", "")
        if code in self.used or code not in self.codes:
            return "invalid_grant"
        if self.clock() - self.codes[code][1] > CODE_SECONDS:
            del self.codes[code]
            return "invalid_grant"
        return None

    async def userinfo(self, request: Request) -> Response:
        if self.userinfo_delay:
            await asyncio.sleep(self.userinfo_delay)
        scheme, _, access = request.headers.get("authorization", "").partition(" ")
        claims = self.tokens.get(access) if scheme.lower() == "bearer" else None
        if claims is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        if self.userinfo_status is not None:
            return JSONResponse({"error": "server_error"}, status_code=self.userinfo_status)
        if self.userinfo_body is not None:
            body = self.userinfo_body
            return Response(body, media_type="application/json") if isinstance(body, str) else JSONResponse(body)
        return JSONResponse(claims)

    # ----- logout -----

    async def logout(self, request: Request) -> Response:
        back = request.query_params.get("redirect", "")
        self.logout_calls += 1
        base = self.redirect_uri.split("/ingresar/")[0]
        if not back.startswith(base + "/"):
            return JSONResponse({"error": "redirect not allowed"}, status_code=400)
        return RedirectResponse(back, status_code=302)

    def app(self, prefix: str = "") -> Starlette:
        """The four endpoints at ClaveÚnica's own paths (under `prefix`)."""
        return Starlette(routes=[
            Route(prefix + "/openid/authorize/", self.authorize),
            Route(prefix + "/openid/token/", self.token, methods=["POST"]),
            Route(prefix + "/openid/userinfo/", self.userinfo, methods=["POST"]),
            Route(prefix + "/api/v1/accounts/app/logout", self.logout),
        ])


def pick(run: str | None) -> TestUser:
    """The sandbox user with this RUN body (44444444 or 44.444.444-4), else the first."""
    digits = "".join(ch for ch in (run or "").split("-")[0] if ch.isdigit())
    return next((u for u in SANDBOX if str(u.numero) == digits), SANDBOX[0])


_instances: dict[tuple[str, str], FakeClaveUnica] = {}


def instance(settings: Settings, redirect_uri: str) -> FakeClaveUnica:
    """The process's stand-in for these settings (development only)."""
    key = (redirect_uri, client_secret(settings))
    if key not in _instances:
        _instances[key] = FakeClaveUnica(CLIENT_ID, key[1], redirect_uri)
    return _instances[key]
