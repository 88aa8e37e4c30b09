"""Who is asking, and may they: current user, CSRF, body limits, security headers, guards."""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Iterable, Awaitable, Callable
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal import i18n

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
STAFF_ROLES = ("reviewer", "election_officer", "ministro_de_fe", "sello_evaluator", "compromiso_evaluator",
               "council_secretary", "admin")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in person, as loaded once per request."""

    id: int
    email: str
    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    org_id: int | None = None
    org_is_legal: bool = False
    email_verified: bool = False
    auth_version: int = 1
    comuna_code: str | None = None  # a municipal liaison's comuna (Sello Migrante)
    company_id: int | None = None  # a company contact's company (Compromiso Migrante)

    @property
    def is_liaison(self) -> bool:
        return self.comuna_code is not None

    @property
    def is_company_contact(self) -> bool:
        return self.company_id is not None

    @property
    def is_staff(self) -> bool:
        return bool(self.roles)

    @property
    def home_path(self) -> str:
        """Where this person's own area is."""
        if self.is_staff:
            return "/staff"
        if self.org_id is not None:
            return "/mi-organizacion"
        if self.is_liaison:
            return "/mi-municipalidad"
        if self.is_company_contact:
            return "/mi-empresa"
        return "/cuenta"

    def has_role(self, *roles: str) -> bool:
        """Admins hold every staff role."""
        return "admin" in self.roles or bool(self.roles.intersection(roles))


class LoginRequired(Exception):
    """Raised by guards when nobody is signed in; answered with a redirect to /ingresar."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


# Guards (who may act) live in portal/guards.py.


def safe_next(value: Any, default: str = "/") -> str:
    """Only local paths are accepted as redirect targets (no scheme, no host, no //); anything else
    a form or a token may hold (a file, a number, nothing) gives `default`."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def login_url(next_path: str) -> str:
    return "/ingresar?next=" + quote(next_path, safe="/")


# ----- middleware -----

UserLoader = Callable[[Scope, int, int], Awaitable[CurrentUser | None]]


class UserMiddleware:
    """Loads the session's user once per request; a stale auth_version ends the session."""

    def __init__(self, app: ASGIApp, loader: UserLoader) -> None:
        self.app = app
        self.loader = loader

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            state = scope.setdefault("state", {})
            session = scope.get("session", {})
            state["user"] = None
            user_id, version = session.get("uid"), session.get("av")
            if isinstance(user_id, int) and isinstance(version, int):
                user = await self.loader(scope, user_id, version)
                if user is None:
                    session.clear()
                state["user"] = user
        await self.app(scope, receive, send)


class LazyCsrfToken:
    """The session's CSRF token, created the first time a page renders it."""

    def __init__(self, session: dict[str, Any]) -> None:
        self._session = session

    def __str__(self) -> str:
        token = self._session.get("csrf")
        if not token:
            token = self._session["csrf"] = secrets.token_urlsafe(32)
        return token

    __html__ = __str__

    def __bool__(self) -> bool:
        return True


class CsrfMiddleware:
    """Every unsafe request must carry the session's token (form field or X-CSRF-Token header).

    The body is read here (bounded by `max_body`), its form parsed once and kept in
    `scope["state"]["form"]`, then replayed to the app.
    """

    def __init__(self, app: ASGIApp, max_body: int, on_error: Callable[[Scope, int], Any],
                 exempt: Iterable[str] = ()) -> None:
        self.app = app
        self.max_body = max_body
        self.on_error = on_error
        # Paths whose POST carries its own proof instead of a session (a signed one-click unsubscribe
        # link, RFC 8058): declared by the domain's routes module as `csrf_exempt`.
        self.exempt = [re.compile(pattern) for pattern in exempt]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = scope.get("session", {})
        state = scope.setdefault("state", {})
        state["csrf_token"] = LazyCsrfToken(session)
        if scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive, self.max_body)
        if body is None:
            await self.on_error(scope, 413)(scope, receive, send)
            return
        replay = _replay(body)
        form = await _parse_form(scope, replay)
        sent = _header(scope, CSRF_HEADER) or (form.get(CSRF_FIELD) if form is not None else None)
        if not tokens_match(sent, session.get("csrf")) and not any(p.fullmatch(scope["path"]) for p in self.exempt):
            await self.on_error(scope, 403)(scope, receive, send)
            return
        state["form"] = form
        try:
            await self.app(scope, _replay(body), send)
        finally:
            if form is not None:
                await form.close()  # uploaded files are spooled to temp files: release them


def tokens_match(sent: Any, expected: Any) -> bool:
    """Constant-time comparison of a token someone sent with the one expected. Compared as bytes:
    `hmac.compare_digest` raises TypeError on a str that is not ASCII, which made any POST with
    `csrf_token=%C3%A9` a 500. Whatever was sent (any text, a file, nothing) gives True or False."""
    if not isinstance(sent, str) or not isinstance(expected, str) or not expected:
        return False
    return hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _parse_form(scope: Scope, receive: Receive) -> FormData | None:
    content_type = _header(scope, "content-type") or ""
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    try:
        return await Request(scope, receive).form(max_part_size=256 * 1024)
    except Exception:  # a malformed body is refused like a missing token
        return None


def _header(scope: Scope, name: str) -> str | None:
    raw = name.encode()
    for key, value in scope.get("headers", []):
        if key == raw:
            return value.decode("latin-1")
    return None


async def read_form(request: Request) -> FormData:
    """The request's form, parsed once by the CSRF middleware."""
    form = request.scope.get("state", {}).get("form")
    return form if form is not None else await request.form()


class SecurityHeadersMiddleware:
    """Conservative headers for every response: no framing, no sniffing, a strict CSP."""

    CSP = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
    )

    def __init__(self, app: ASGIApp, https_only: bool) -> None:
        self.app = app
        self.https_only = https_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        # Our own static files (fonts, CSS, scripts, images) are never framed documents: they need
        # nosniff, not the page headers, whose bytes count on every first visit (docs/architecture.md).
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {b"x-content-type-options": b"nosniff"}
                if not static:
                    extra.update({
                        b"x-frame-options": b"DENY",
                        b"referrer-policy": b"same-origin",
                        b"content-security-policy": self.CSP.encode(),
                    })
                if self.https_only:
                    extra[b"strict-transport-security"] = b"max-age=31536000; includeSubDomains"
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HttpMiddleware:
    """An ASGI middleware that acts on HTTP requests only (`handle`); lifespan events pass through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.handle(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class LocaleMiddleware(HttpMiddleware):
    """Sets the request's language: the switcher's cookie, else Accept-Language, else Spanish."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        lang = i18n.negotiate(_cookie(scope, i18n.COOKIE), _header(scope, "accept-language"))
        token = i18n.set_language(lang)
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.reset_language(token)


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, "cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
