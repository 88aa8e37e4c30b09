"""The staff second factor at sign-in: enrolment (QR code), codes, recovery codes.

docs/security.md, Second factor for staff. After the right password a staff account is not signed
in yet: the session holds only `mfa` (the account, its auth version, where to go, when the password
was given). The account is signed in once a code from its authenticator app (or a recovery code)
matches; one with no confirmed authenticator enrols first. Either way no staff page is reachable
without the second factor.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from portal import audit, clock, guards, i18n
from portal.accounts import forms, queries, second_factor, throttle
from portal.security import read_form
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, get_settings, see_other

PENDING_SECONDS = 10 * 60
PAGE = "/ingresar/segundo-factor"


def begin(request: Request, user_id: int, auth_version: int, next_path: str) -> Response:
    """The password was right: a fresh session that only remembers who is half-way in."""
    request.session.clear()
    request.session["mfa"] = {"uid": user_id, "av": auth_version, "next": next_path,
                              "at": int(clock.now().timestamp())}
    return see_other(PAGE)


def _pending(request: Request) -> dict[str, Any] | None:
    pending = request.session.get("mfa")
    if not isinstance(pending, dict) or not isinstance(pending.get("uid"), int):
        return None
    if clock.now().timestamp() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    return pending


def _start_again(request: Request) -> Response:
    """No second factor under way: someone signed in goes home, anyone else to the password step."""
    user = guards.current_user(request)
    if user is not None:
        return see_other(user.home_path)
    flash(request, i18n.gettext("Ingrese de nuevo con su correo y contraseña."))
    return see_other("/ingresar")


def _secret(request: Request) -> str:
    return str(get_settings(request).secret_key)


async def _state(request: Request, pending: dict[str, Any]) -> tuple[queries.SecondFactor, str] | None:
    """The account's second factor and its secret (a new one while not yet confirmed)."""
    db = get_db(request)
    factor = await queries.second_factor(db, pending["uid"])
    if factor is None:
        return None
    secret = second_factor.unseal(_secret(request), factor.sealed) if factor.sealed else None
    if secret is None and not factor.confirmed:
        secret = second_factor.new_secret()
        await queries.start_enrolment(db, factor.user_id, second_factor.seal(_secret(request), secret))
        factor = await queries.second_factor(db, pending["uid"]) or factor
    return (factor, secret) if secret else None


async def page(request: Request) -> Response:
    """GET/POST /ingresar/segundo-factor."""
    pending = _pending(request)
    state = await _state(request, pending) if pending else None
    if pending is None or state is None:
        return _start_again(request)
    if request.method != "POST":  # GET and HEAD
        return _render(request, state, {}, {})
    return await _check(request, pending, state)


def _render(request: Request, state: tuple[queries.SecondFactor, str], values: dict[str, Any],
            errors: dict[str, str], status: int = 200) -> Response:
    factor, secret = state
    context: dict[str, Any] = {"values": values, "errors": errors, "enrolling": not factor.confirmed}
    if not factor.confirmed:
        uri = second_factor.provisioning_uri(secret, factor.email)
        context.update(qr_svg=second_factor.qr_svg(uri),
                       secret_groups=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)))
    return render(request, "accounts/second_factor.html", context, status=status)


async def _check(request: Request, pending: dict[str, Any], state: tuple[queries.SecondFactor, str]) -> Response:
    factor, secret = state
    db = get_db(request)
    form = forms.second_factor_form(await read_form(request), recovery_allowed=factor.confirmed)
    if form.errors:
        return _render(request, state, form.values, form.errors.fields, status=422)
    ip = throttle.client_address(request)
    verdict = await throttle.check_login(db, factor.email, ip, get_settings(request).login_max_failures)
    if verdict.wait:
        form.errors.add("code", i18n.gettext(
            "Demasiados intentos desde su conexión. Espere %(s)s segundos e intente de nuevo.", s=verdict.wait))
        response = _render(request, state, form.values, form.errors.fields, status=429)
        response.headers["Retry-After"] = str(verdict.wait)
        return response
    async with atomic(db):
        accepted = await _accept(request, factor, secret, form.cleaned["code"], form.cleaned["recovery"])
    if not accepted:
        await throttle.record_login(db, factor.email, ip, False)
        form.errors.add("code", i18n.gettext("El código no es correcto o ya fue usado."))
        return _render(request, state, form.values, form.errors.fields, status=422)
    return await _finish(request, pending, enrolled=not factor.confirmed)


async def _accept(request: Request, factor: queries.SecondFactor, secret: str, code: str, recovery: str) -> bool:
    db = get_db(request)
    if recovery:
        for code_id, code_hash in await queries.unused_recovery_codes(db, factor.user_id):
            if second_factor.recovery_matches(code_hash, recovery):
                used = await queries.use_recovery_code(db, code_id)
                if used:
                    await audit.record(db, actor=factor.user_id, actor_label=factor.email,
                                       action="account.recovery_code_used", object_type="user",
                                       object_id=factor.user_id)
                return used
        return False
    step = second_factor.matching_step(secret, code, factor.last_step)
    if step is None or not await queries.accept_step(db, factor.user_id, step):
        return False
    if not factor.confirmed:
        await audit.record(db, actor=factor.user_id, actor_label=factor.email,
                           action="account.second_factor_enrolled", object_type="user", object_id=factor.user_id)
    return True


async def _finish(request: Request, pending: dict[str, Any], enrolled: bool) -> Response:
    """Signed in; after a first enrolment, the recovery codes are shown once."""
    db = get_db(request)
    user = await queries.get_by_id(db, pending["uid"])
    if user is None or not user.is_active or user.auth_version != pending["av"]:
        request.session.clear()
        return see_other("/ingresar")
    next_path = pending.get("next") or "/staff"
    await throttle.record_login(db, user.email, throttle.client_address(request), True)
    request.session.clear()  # a fresh session, now signed in
    request.session.update({"uid": user.id, "av": user.auth_version})
    if not enrolled:
        return see_other(next_path)
    codes = second_factor.new_recovery_codes()
    async with atomic(db):
        await queries.replace_recovery_codes(db, user.id, [second_factor.hash_recovery(c) for c in codes])
    request.session["recovery_codes"] = codes  # sealed server-side; shown once, then dropped
    request.session["after_codes"] = next_path
    return see_other(PAGE + "/codigos")


async def recovery_codes(request: Request) -> Response:
    """GET /ingresar/segundo-factor/codigos: the recovery codes, shown once right after enrolment."""
    codes = request.session.pop("recovery_codes", None)
    next_path = request.session.pop("after_codes", None) or "/staff"
    if not codes or guards.current_user(request) is None:
        return _start_again(request)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next_path": next_path})
