"""The ClaveÚnica client: where to send the person, and who came back (docs/claveunica.md, How it works).

Plain httpx, no OIDC library. Authlib was the candidate, but its httpx integration now deprecates
httpx for the separate httpx2 package (a warning at import, the fallback to be removed), and
ClaveÚnica departs from the standard at most steps, so a library would only build one URL and
one form:

- the token request (`client_secret_post`: client id and secret in the form) also carries `state`;
- userinfo is a POST with the bearer token;
- the person is in non-standard claims: `RolUnico {numero, DV, tipo}` and `name {nombres, apellidos}`;
- no source documents nonce or PKCE support, so neither is sent. The ID token is not used: the
  person comes from userinfo, asked over TLS with the access token just issued.

The same code passes against a standard OIDC provider (tests/claveunica, the conformance run).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from portal import rut

SCOPE = "openid run name"
AUTHORIZE, TOKEN, USERINFO, LOGOUT = "/openid/authorize/", "/openid/token/", "/openid/userinfo/", \
    "/api/v1/accounts/app/logout"
NAME_MAX = 200


class Failure(Exception):
    """The attempt ended without a person; `result` is what the attempts log records."""

    def __init__(self, result: str) -> None:
        super().__init__(result)
        self.result = result


@dataclass(frozen=True)
class Endpoints:
    authorize: str
    token: str
    userinfo: str
    logout: str

    @classmethod
    def under(cls, base_url: str) -> Endpoints:
        """ClaveÚnica's four paths appended to its base URL (a sandbox or a test provider is one variable away)."""
        base = base_url.rstrip("/")
        return cls(base + AUTHORIZE, base + TOKEN, base + USERINFO, base + LOGOUT)


@dataclass(frozen=True)
class Provider:
    """Everything needed to talk to ClaveÚnica (or a stand-in)."""

    client_id: str
    client_secret: str
    redirect_uri: str
    endpoints: Endpoints
    timeout: float = 10.0
    scope: str = SCOPE
    transport: httpx.AsyncBaseTransport | None = None  # the development stand-in, answered in-process


@dataclass(frozen=True)
class Person:
    """Who ClaveÚnica says signed in: the RUN normalised ('12345678-5'), the name, the subject."""

    run: str
    name: str
    sub: str


def _client(provider: Provider) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=provider.timeout, transport=provider.transport, follow_redirects=False,
                             headers={"Accept": "application/json"})


async def authorization_url(provider: Provider, state: str) -> str:
    """The authorize URL: client_id, response_type=code, scope, redirect_uri, state."""
    query = urlencode({"client_id": provider.client_id, "response_type": "code", "scope": provider.scope,
                       "redirect_uri": provider.redirect_uri, "state": state})
    return provider.endpoints.authorize + ("&" if "?" in provider.endpoints.authorize else "?") + query


def logout_url(provider: Provider, back_to: str) -> str:
    return provider.endpoints.logout + "?redirect=" + quote(back_to, safe="")


async def person_for(provider: Provider, code: str, state: str) -> Person:
    """Exchange the code for a token, ask userinfo, and read the person (or raise Failure)."""
    async with _client(provider) as client:
        token = await _token(client, provider, code, state)
        data = await _userinfo(client, provider, token)
    return parse_person(data)


async def _token(client: httpx.AsyncClient, provider: Provider, code: str, state: str) -> str:
    form = {"client_id": provider.client_id, "client_secret": provider.client_secret,
            "redirect_uri": provider.redirect_uri, "grant_type": "authorization_code", "code": code, "state": state}
    try:
        response = await client.post(provider.endpoints.token, data=form)
        token = response.json() if response.status_code == 200 else None
    except httpx.TimeoutException:
        raise Failure("token_timeout") from None
    except (httpx.HTTPError, ValueError):
        raise Failure("token_error") from None  # a broken connection, a body that is no JSON
    access = token.get("access_token") if isinstance(token, dict) else None
    if not isinstance(access, str) or not access or len(access) > 4096:
        raise Failure("token_error")  # an error answer (invalid_grant: a code expired or used), or no token
    return access


async def _userinfo(client: httpx.AsyncClient, provider: Provider, access_token: str) -> Any:
    try:
        response = await client.post(provider.endpoints.userinfo, headers={"Authorization": "Bearer " + access_token})
    except httpx.TimeoutException:
        raise Failure("userinfo_timeout") from None
    except httpx.HTTPError:
        raise Failure("userinfo_error") from None
    if response.status_code != 200:
        raise Failure("userinfo_error")
    try:
        return response.json()
    except ValueError:
        raise Failure("malformed_userinfo") from None


def parse_person(data: Any) -> Person:
    """ClaveÚnica's userinfo → Person. Malformed claims and a wrong check digit raise Failure."""
    try:
        role, names, sub = data["RolUnico"], data["name"], data["sub"]
        numero, digit, kind = role["numero"], role["DV"], role.get("tipo", "RUN")
        given, family = names["nombres"], names["apellidos"]
    except (KeyError, TypeError, AttributeError):
        raise Failure("malformed_userinfo") from None
    body = _number(numero)
    if body is None or not isinstance(digit, str) or len(digit) != 1 or kind != "RUN" \
            or not isinstance(sub, (str, int)) or isinstance(sub, bool):
        raise Failure("malformed_userinfo")
    if rut.check_digit(body) != digit.upper():
        raise Failure("bad_check_digit")
    name = " ".join(_words(given) + _words(family))
    if not name or len(name) > NAME_MAX:
        raise Failure("malformed_userinfo")
    return Person(run=f"{body}-{digit.upper()}", name=name, sub=str(sub))


def _number(value: Any) -> int | None:
    """RolUnico.numero: an int (a string of digits is accepted too), 1 to 99 999 999."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 < value < 100_000_000 else None


def _words(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Failure("malformed_userinfo")
    return [" ".join(v.split()) for v in value if v.strip()]
