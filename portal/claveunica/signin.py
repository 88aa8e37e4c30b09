"""The steps of a ClaveÚnica sign-in: the state kept in the browser's session, and what a person
who came back does to the accounts (docs/claveunica.md, How it works).

`state` is random (43 characters), kept in the server-side session (docs/security.md, Sessions) so
it is bound to this browser, taken out on the first return (single use) and good for 30 minutes.
`settle` runs inside one transaction: the account is created or linked there, or nothing is stored.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from portal import audit, clock, i18n
from portal.accounts import queries as accounts
from portal.claveunica import queries
from portal.claveunica.client import Failure, Person
from portal.db import Database

SESSION_KEY = "claveunica"
STATE_SECONDS = 30 * 60
UNUSABLE_PASSWORD = "!claveunica"  # noqa: S105 (not a password: no hash matches it, so no password signs in)
EMAIL_DOMAIN = "claveunica.invalid"  # RFC 2606: an address that is never delivered


@dataclass(frozen=True)
class Pending:
    """What the browser's session holds between the button and the return."""

    state: str
    next_path: str
    link_user: int | None  # linking this signed-in account (after its password), else signing in


@dataclass(frozen=True)
class Outcome:
    result: str  # signed_in | created | linked
    user_id: int
    auth_version: int


def begin(session: dict[str, Any], next_path: str, link_user: int | None = None) -> str:
    state = secrets.token_urlsafe(32)
    session[SESSION_KEY] = {"state": state, "at": clock.now().timestamp(), "next": next_path, "link": link_user}
    return state


def take(session: dict[str, Any], sent: str | None) -> Pending:
    """The pending sign-in this `state` belongs to, removed from the session (or Failure)."""
    kept = session.pop(SESSION_KEY, None)
    if not isinstance(kept, dict) or not isinstance(sent, str) or not isinstance(kept.get("state"), str) \
            or not hmac.compare_digest(sent.encode(), kept["state"].encode()):
        raise Failure("bad_state")
    if clock.now().timestamp() - float(kept.get("at") or 0) > STATE_SECONDS:
        raise Failure("expired_state")
    link = kept.get("link")
    return Pending(kept["state"], str(kept.get("next") or ""), link if isinstance(link, int) else None)


async def settle(db: Database, person: Person, pending: Pending, locale: str) -> Outcome:
    """Sign in the account tied to the RUN, create the person on a first visit, or link the account
    that asked for it. Call inside a transaction: a Failure rolls everything back."""
    if pending.link_user is not None:
        return await _link(db, person, pending.link_user)
    found = await queries.account_for_run(db, person.run)
    if found is None:
        return await _create(db, person, locale)
    _may_sign_in(found)
    await queries.signed_in(db, found.id)
    return Outcome("signed_in", found.id, found.auth_version)


def _may_sign_in(found: queries.Account) -> None:
    if not found.is_active:
        raise Failure("inactive")
    if found.is_staff:
        raise Failure("staff")  # staff sign in with email, password and their second factor


async def _create(db: Database, person: Person, locale: str) -> Outcome:
    email = f"run-{person.run.lower()}@{EMAIL_DOMAIN}"
    if await accounts.email_taken(db, email):
        raise Failure("run_taken")
    user_id = await accounts.create_user(db, email=email, name=person.name, password_hash=UNUSABLE_PASSWORD,
                                         document_type="run", document_number=person.run, verified=True,
                                         locale=locale)
    if not await queries.link(db, user_id, person.run, person.sub):
        raise Failure("run_taken")  # another sign-in of the same RUN got there first
    await audit.record(db, actor=user_id, actor_label="ClaveÚnica", action="account.created_claveunica",
                       object_type="user", object_id=user_id, after={"run": person.run})
    return Outcome("created", user_id, 1)


async def _link(db: Database, person: Person, user_id: int) -> Outcome:
    found = await queries.account(db, user_id)
    if found is None:
        raise Failure("bad_state")
    _may_sign_in(found)
    if await queries.identity_of(db, user_id) is not None:
        raise Failure("already_linked")
    if await queries.account_for_run(db, person.run) is not None or \
            not await queries.link(db, user_id, person.run, person.sub):
        raise Failure("run_taken")
    await audit.record(db, actor=user_id, action="account.claveunica_linked", object_type="user",
                       object_id=user_id, after={"run": person.run})
    return Outcome("linked", user_id, found.auth_version)


def message(result: str) -> tuple[str, int]:
    """The page's explanation of a failed attempt, and its status."""
    texts: dict[str, tuple[str, int]] = {
        "bad_state": (i18n.gettext("Este regreso desde ClaveÚnica no corresponde a un ingreso iniciado en este navegador, o "
                        "ya se usó. Vuelva a ingresar."), 400),
        "expired_state": (i18n.gettext("Pasaron más de 30 minutos desde que inició el ingreso. Vuelva a ingresar."), 400),
        "denied": (i18n.gettext("El ingreso con ClaveÚnica se canceló. No se guardó nada."), 400),
        "no_code": (i18n.gettext("ClaveÚnica no devolvió una autorización. Vuelva a ingresar."), 400),
        "token_error": (i18n.gettext("ClaveÚnica no aceptó la autorización (puede haber vencido o ya haberse usado). "
                          "Vuelva a ingresar."), 502),
        "token_timeout": (i18n.gettext("ClaveÚnica no respondió a tiempo. Intente de nuevo en unos minutos."), 504),
        "userinfo_error": (i18n.gettext("ClaveÚnica no entregó sus datos. Intente de nuevo en unos minutos."), 502),
        "userinfo_timeout": (i18n.gettext("ClaveÚnica no respondió a tiempo. Intente de nuevo en unos minutos."), 504),
        "malformed_userinfo": (i18n.gettext("Los datos recibidos de ClaveÚnica no se pudieron leer. No se guardó nada."), 502),
        "bad_check_digit": (i18n.gettext("El RUN recibido de ClaveÚnica no tiene un dígito verificador válido. No se guardó "
                              "nada."), 502),
        "run_taken": (i18n.gettext("Ese RUN ya está vinculado a otra cuenta del portal. Ingrese con ClaveÚnica a esa cuenta, "
                        "o escriba a la mesa de ayuda."), 409),
        "already_linked": (i18n.gettext("Su cuenta ya está vinculada a un RUN; no se puede cambiar."), 409),
        "staff": (i18n.gettext("Las cuentas del equipo del Servicio ingresan con correo, contraseña y segundo factor."), 409),
        "inactive": (i18n.gettext("Esta cuenta está desactivada."), 403),
    }
    return texts.get(result, texts["bad_state"])
