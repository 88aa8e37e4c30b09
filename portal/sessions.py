"""Server-side sessions that can be ended (docs/security.md, Sessions).

The cookie holds one random id (256 bits) and nothing else. The `sessions` table keys the row by
the id's SHA-256, so a copy of the table gives no usable cookie, and seals what the session holds
(the signed-in user's id and auth version, the CSRF token, flash messages) with a key derived from
the id and the app's secret: neither the database nor the cookie alone reveals it.

`request.session` stays a dict, as with Starlette's SessionMiddleware. Its `clear()` (sign-in,
sign-out, a stale auth version) ends the row: whatever is stored afterwards goes to a new row under
a new id, so a copied cookie is worthless after logout, and a session id fixed before sign-in
never becomes signed in. A session ends after 2 hours without a request or 12 hours after it
began, whichever comes first; an admin can end every session of an account
(POST /staff/cuentas/{id}/cerrar-sesiones).

Keep sessions small and impersonal: ids, a version number, short-lived messages and one-time
values of the sign-in steps (accounts: `uid`, `av`, `mfa`, `recovery_codes` …; `csrf`; `_flashes`).
Never a vote's tracking code: whatever is stored here is linked to a signed-in person's row
(docs/security.md, Sessions; docs/ballot-secrecy.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable
from typing import Any

import nacl.exceptions
import nacl.secret
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal import audit, guards, i18n, session_queries as q
from portal.templating import flash
from portal.txn import atomic
from portal.web import get_db, int_param, see_other

COOKIE = "participa_session"
IDLE_SECONDS = 2 * 3600
ABSOLUTE_SECONDS = 12 * 3600
TOUCH_AFTER_SECONDS = 60          # a request refreshes last_seen_at at most once a minute
SKIP_PREFIXES = ("/static/",)     # files need no session: no query for them
_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")


class Session(dict[str, Any]):
    """The request's session data; `clear()` marks it for a new id."""

    rotated = False

    def clear(self) -> None:
        super().clear()
        self.rotated = True


def id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _box(secret: str, session_id: str) -> nacl.secret.SecretBox:
    key = hmac.new(secret.encode(), b"participa-session-seal\x00" + session_id.encode(), hashlib.sha256).digest()
    return nacl.secret.SecretBox(key)


def seal(secret: str, session_id: str, data: dict[str, Any]) -> bytes:
    return bytes(_box(secret, session_id).encrypt(json.dumps(data, separators=(",", ":")).encode()))


def unseal(secret: str, session_id: str, blob: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(_box(secret, session_id).decrypt(blob))
    except (nacl.exceptions.CryptoError, ValueError):
        return None  # sealed under another secret key: the session has ended
    return value if isinstance(value, dict) else None


class ServerSessionMiddleware:
    """Loads `scope["session"]` from the sessions table, and writes it back before the response starts."""

    def __init__(self, app: ASGIApp, secret_key: str, https_only: bool,
                 idle_seconds: int = IDLE_SECONDS, absolute_seconds: int = ABSOLUTE_SECONDS) -> None:
        self.app = app
        self.secret = secret_key
        self.https_only = https_only
        self.idle, self.absolute = idle_seconds, absolute_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(SKIP_PREFIXES):
            if scope["type"] == "http":
                scope["session"] = Session()
            await self.app(scope, receive, send)
            return
        db = scope["app"].state.db
        sent_id = _cookie_id(scope)
        row = await q.load(db, id_hash(sent_id), self.idle, self.absolute) if sent_id else None
        data = unseal(self.secret, sent_id, row.data) if row is not None and sent_id else None
        if data is None:
            row = None
        session = Session(data or {})
        scope["session"] = session
        initial = json.dumps(data or {}, sort_keys=True)

        async def send_with_session(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = await self._save(db, sent_id, row, session, initial)
                if cookie is not None:
                    message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie.encode())]}
            await send(message)

        await self.app(scope, receive, send_with_session)

    async def _save(self, db: Any, sent_id: str | None, row: q.SessionRow | None, session: Session,
                    initial: str) -> str | None:
        """Write the session back; returns the Set-Cookie value when the cookie changes."""
        data = dict(session)
        unchanged = row is not None and not session.rotated and json.dumps(data, sort_keys=True) == initial
        if unchanged and row is not None:
            if row.seen_seconds > TOUCH_AFTER_SECONDS:
                await q.touch(db, row.id_hash)
            return None
        if sent_id and row is None:
            await q.delete(db, id_hash(sent_id))  # timed out (or sealed under another key): gone for good
        if not data:
            if row is not None:
                await q.delete(db, row.id_hash)
            return self._cookie("", 0) if sent_id else None
        if row is not None and sent_id and not session.rotated and data.get("uid") == json.loads(initial).get("uid"):
            await q.update(db, row.id_hash, seal(self.secret, sent_id, data))
            return None
        # a new id: the first write, or after clear() (sign-in, sign-out): the old id dies here
        if row is not None:
            await q.delete(db, row.id_hash)
        new_id = secrets.token_urlsafe(32)
        uid = data.get("uid")
        await q.insert(db, id_hash(new_id), seal(self.secret, new_id, data), uid if isinstance(uid, int) else None)
        return self._cookie(new_id, self.absolute)

    def _cookie(self, value: str, max_age: int) -> str:
        parts = [f"{COOKIE}={value}", "Path=/", f"Max-Age={max_age}", "HttpOnly", "SameSite=Lax"]
        if max_age == 0:
            parts.append("Expires=Thu, 01 Jan 1970 00:00:00 GMT")
        if self.https_only:
            parts.append("Secure")
        return "; ".join(parts)


def _cookie_id(scope: Scope) -> str | None:
    """The session id from the Cookie header, if it has the form of one (anything else is ignored)."""
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in _split(value.decode("latin-1")):
                name, _, found = part.strip().partition("=")
                if name == COOKIE and _ID.match(found):
                    return found
    return None


def _split(header: str) -> Iterable[str]:
    return header.split(";")


async def purge(db: Any) -> int:
    """Delete the sessions past either timeout (the maintenance task calls this)."""
    return await q.purge_expired(db, IDLE_SECONDS, ABSOLUTE_SECONDS)


async def end_everywhere(request: Request) -> Response:
    """POST /staff/cuentas/{id}/cerrar-sesiones: an admin ends every session of an account (audited)."""
    admin = guards.staff(request, "admin")
    user_id = int_param(request, "id")
    db = get_db(request)
    guards.found(await q.user_exists(db, user_id) or None)
    async with atomic(db):
        ended = await q.end_all(db, user_id)
        await audit.record(db, actor=admin, action="account.sessions_ended", object_type="user",
                           object_id=user_id, after={"sessions": ended})
    flash(request, i18n.gettext("Se cerraron todas las sesiones de la cuenta (%(n)s).", n=ended))
    return see_other("/staff/cuentas" if user_id != admin.id else "/ingresar")
