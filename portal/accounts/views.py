"""Sign-up, email verification, login/logout, password reset, language switch."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal import audit, guards, i18n, mail, passwords, tokens
from portal.accounts import forms, queries, throttle, views_second_factor
from portal.claveunica import api as claveunica
from portal.forms import Form
from portal.security import read_form, safe_next
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, get_settings, see_other

def _absolute(request: Request, path: str) -> str:
    return get_settings(request).base_url + path


def _secret(request: Request) -> str:
    return str(get_settings(request).secret_key)


RUN_TAKEN = i18n.N_("Ya hay una cuenta con este RUN. Ingrese con ella (o con ClaveÚnica) o recupere su contraseña.")


def _page(request: Request, template: str, form: Form, status: int = 422, **extra: Any) -> Response:
    return render(request, template, {"values": form.values, "errors": form.errors.fields, **extra}, status=status)


async def signup(request: Request) -> Response:
    """Create an account. `next` (e.g. an invitation to represent an organization) travels in the
    verification link, so the person lands there after verifying and signing in.

    The answer does not say whether the email has an account (docs/security.md, Uniform answers):
    for a known email nothing is created, the owner is told by mail that someone tried, and the page
    is the same "check your email" as for a new account."""
    if request.method != "POST":  # GET and HEAD
        next_path = safe_next(request.query_params.get("next"), "")
        return render(request, "accounts/signup.html", {"values": {"next": next_path}, "errors": {}})
    form = forms.signup_form(await read_form(request))
    if form.errors:
        return _page(request, "accounts/signup.html", form)
    db = get_db(request)
    c = form.cleaned
    email = c["email"]
    wait, may_send = await throttle.check_mail_request(db, "signup", email, throttle.client_address(request))
    if wait:
        return _too_many(request, "accounts/signup.html", form, wait)
    password_hash = passwords.hash_password(c["password"])  # paid for a known email too: same timing
    existing = await queries.get_by_email(db, email)
    if existing is None and c["document_type"] == "run" and await queries.run_taken(db, c["document_number"]):
        form.errors.add("document_number", i18n.gettext(RUN_TAKEN))  # one account per RUN
        return _page(request, "accounts/signup.html", form)
    async with atomic(db):
        if existing is not None:
            if may_send:
                await _queue_signup_attempt(request, existing.email, existing.name)
            return see_other("/cuenta/verificar")
        user_id = await queries.create_user(
            db, email=email, name=c["name"], password_hash=password_hash,
            document_type=c["document_type"] or "run", document_number=c["document_number"] or "",
            locale=i18n.current(),
        )
        await audit.record(db, actor=user_id, actor_label=email, action="account.created",
                           object_type="user", object_id=user_id)
        if may_send:
            await _queue_verification(request, user_id, email, c["name"], c["next"])
    return see_other("/cuenta/verificar")


async def _queue_signup_attempt(request: Request, email: str, name: str) -> None:
    body = i18n.gettext(
        "Hola %(name)s:\n\nAlguien intentó crear una cuenta en Portal Participa con este correo, que ya tiene "
        "una cuenta. No se creó nada.\n\nSi fue usted y olvidó su contraseña, puede elegir una nueva en:\n"
        "%(link)s\n\nSi no fue usted, ignore este mensaje.\n\nServicio Nacional de Migraciones",
        name=name, link=_absolute(request, "/cuenta/recuperar"),
    )
    await mail.queue(get_db(request), email, i18n.gettext("Intento de crear una cuenta con su correo"), body,
                     per_hour=throttle.MAIL_PER_RECIPIENT_HOUR)


def _too_many(request: Request, template: str, form: Form, wait: int) -> Response:
    """429 with the form again, the user's values, and when to try again."""
    form.errors.add("email", i18n.gettext(
        "Demasiados intentos desde su conexión. Espere %(s)s segundos e intente de nuevo.", s=wait))
    response = _page(request, template, form, status=429)
    response.headers["Retry-After"] = str(wait)
    return response


async def _queue_verification(request: Request, user_id: int, email: str, name: str, next_path: str = "") -> None:
    payload: dict[str, Any] = {"u": user_id, "e": email}
    if next_path:
        payload["n"] = next_path
    token = tokens.make(_secret(request), tokens.VERIFY_EMAIL, payload)
    body = i18n.gettext(
        "Hola %(name)s:\n\nPara activar su cuenta en Portal Participa, abra este enlace (válido por 7 días):\n%(link)s\n\n"
        "Si usted no creó esta cuenta, ignore este mensaje.\n\nServicio Nacional de Migraciones",
        name=name, link=_absolute(request, f"/cuenta/verificar/{token}"),
    )
    await mail.queue(get_db(request), email, i18n.gettext("Active su cuenta en Portal Participa"), body,
                     per_hour=throttle.MAIL_PER_RECIPIENT_HOUR)


async def verify_sent(request: Request) -> Response:
    """"We sent you a link": the page after sign-up."""
    return render(request, "accounts/verify_sent.html", {})


async def verify_email(request: Request) -> Response:
    """The link in the verification email: the address is confirmed, then sign in."""
    try:
        payload = tokens.read(_secret(request), tokens.VERIFY_EMAIL, request.path_params["token"])
    except tokens.TokenError as exc:
        return render(request, "accounts/token_invalid.html", {"expired": exc.expired}, status=400)
    db = get_db(request)
    user = await queries.get_by_id(db, int(payload["u"]))
    if user is None or user.email != payload["e"]:
        return render(request, "accounts/token_invalid.html", {"expired": False}, status=400)
    async with atomic(db):
        await queries.mark_verified(db, user.id)
        await audit.record(db, actor=user.id, actor_label=user.email, action="account.email_verified",
                           object_type="user", object_id=user.id)
    flash(request, i18n.gettext("Su correo quedó verificado. Ya puede ingresar."))
    next_path = safe_next(payload.get("n"), "")
    return see_other("/ingresar" + (f"?next={quote(next_path, safe='/')}" if next_path else ""))


async def login(request: Request) -> Response:
    """Sign in with email and password, throttled per account and per address (accounts/throttle.py);
    staff go on to their second factor; a fresh session on success."""
    if request.method != "POST":  # GET and HEAD
        next_path = safe_next(request.query_params.get("next"), "")
        return render(request, "accounts/login.html", {"values": {"next": next_path}, "errors": {}})
    form = forms.login_form(await read_form(request))
    if form.errors:
        return _page(request, "accounts/login.html", form)
    db = get_db(request)
    email, password = form.cleaned["email"], form.cleaned["password"]
    ip = throttle.client_address(request)
    verdict = await throttle.check_login(db, email, ip, get_settings(request).login_max_failures)
    if verdict.wait:
        return _too_many(request, "accounts/login.html", form, verdict.wait)
    user = await queries.get_by_email(db, email)
    ok = passwords.verify_password(user.password_hash if user else passwords.dummy_hash(), password)
    if not user or not ok or not user.is_active:
        await throttle.record_login(db, email, ip, False)
        form.errors.add("password", i18n.gettext("El correo o la contraseña no son correctos."))
        return _page(request, "accounts/login.html", form)
    if user.email_verified_at is None:
        return render(request, "accounts/login.html", {"values": form.values, "errors": {}, "unverified": True},
                      status=422)
    if passwords.needs_rehash(user.password_hash):
        await queries.rehash_password(db, user.id, passwords.hash_password(password))
    return await _sign_in(request, user, form.cleaned["next"])


async def _sign_in(request: Request, user: queries.UserRow, next_path: str) -> Response:
    """The password was right: staff go on to their second factor (the success that clears the
    throttle counts only once it passes), everyone else is signed in."""
    db = get_db(request)
    if await queries.has_staff_role(db, user.id):
        return views_second_factor.begin(request, user.id, user.auth_version, next_path)
    await throttle.record_login(db, user.email, throttle.client_address(request), True)
    request.session.clear()  # a fresh session on login: no fixation
    request.session.update({"uid": user.id, "av": user.auth_version})
    return see_other(next_path or "/cuenta")


async def resend_verification(request: Request) -> Response:
    """A new verification link, for an account not yet verified (the same answer either way;
    throttled like sign-up)."""
    form = forms.email_form(await read_form(request))
    if form.errors:
        return see_other("/cuenta/verificar")
    db = get_db(request)
    _wait, may_send = await throttle.check_mail_request(db, "verify", form.cleaned["email"],
                                                       throttle.client_address(request))
    user = await queries.get_by_email(db, form.cleaned["email"]) if may_send else None
    if user and user.email_verified_at is None:
        async with atomic(db):
            await _queue_verification(request, user.id, user.email, user.name)
    return see_other("/cuenta/verificar")


async def logout(request: Request) -> Response:
    """End the session (and ClaveÚnica's too, through its logout URL, when the person came that way)."""
    leave_to = claveunica.logout_url(request)
    request.session.clear()
    flash(request, i18n.gettext("Cerró su sesión."))
    return see_other(leave_to or "/")


async def account_home(request: Request) -> Response:
    """/cuenta: a person's home (staff, representatives and liaisons go to their own)."""
    user = guards.signed_in(request)
    if user.home_path != "/cuenta":
        return see_other(user.home_path)
    return render(request, "accounts/home.html", {})


async def reset_request(request: Request) -> Response:
    """Ask for a password reset link; the same answer whether or not the account exists (throttled
    per address and per email; mail to one address capped per hour)."""
    if request.method != "POST":  # GET and HEAD
        return render(request, "accounts/reset_request.html", {"values": {}, "errors": {}})
    form = forms.email_form(await read_form(request))
    if form.errors:
        return _page(request, "accounts/reset_request.html", form)
    db = get_db(request)
    wait, may_send = await throttle.check_mail_request(db, "reset", form.cleaned["email"],
                                                       throttle.client_address(request))
    if wait:
        return _too_many(request, "accounts/reset_request.html", form, wait)
    user = await queries.get_by_email(db, form.cleaned["email"]) if may_send else None
    if user and user.is_active:
        await _queue_reset(request, user)
    flash(request, i18n.gettext("Si existe una cuenta con ese correo, le enviamos un enlace para elegir una nueva "
                                "contraseña. Vence en una hora."))
    return see_other("/cuenta/recuperar")


async def _queue_reset(request: Request, user: queries.UserRow) -> None:
    # the token names the auth version, so it dies with the first successful reset
    token = tokens.make(_secret(request), tokens.RESET_PASSWORD, {"u": user.id, "v": user.auth_version})
    body = i18n.gettext(
        "Hola %(name)s:\n\nPara elegir una nueva contraseña abra este enlace (válido por 1 hora):\n%(link)s\n\n"
        "Si usted no lo pidió, ignore este mensaje: su contraseña no cambia.",
        name=user.name, link=_absolute(request, f"/cuenta/restablecer/{token}"),
    )
    await mail.queue(get_db(request), user.email, i18n.gettext("Restablecer su contraseña"), body,
                     per_hour=throttle.MAIL_PER_RECIPIENT_HOUR)


async def reset_confirm(request: Request) -> Response:
    """The link in the reset email: choose a new password; every session of the account ends."""
    db = get_db(request)
    try:
        payload = tokens.read(_secret(request), tokens.RESET_PASSWORD, request.path_params["token"])
    except tokens.TokenError as exc:
        return render(request, "accounts/token_invalid.html", {"expired": exc.expired}, status=400)
    user = await queries.get_by_id(db, int(payload["u"]))
    if user is None or user.auth_version != payload["v"]:
        return render(request, "accounts/token_invalid.html", {"expired": False}, status=400)
    if request.method != "POST":  # GET and HEAD
        return render(request, "accounts/reset_confirm.html", {"values": {}, "errors": {}})
    form = forms.new_password_form(await read_form(request))
    if form.errors:
        return _page(request, "accounts/reset_confirm.html", form)
    async with atomic(db):
        await queries.set_password(db, user.id, passwords.hash_password(form.cleaned["password"]))
        await queries.mark_verified(db, user.id)  # the link proved the address
        await audit.record(db, actor=user.id, actor_label=user.email, action="account.password_reset",
                           object_type="user", object_id=user.id)
        await throttle.cleared_by_reset(db, user.email, throttle.client_address(request))
    request.session.clear()
    flash(request, i18n.gettext("Su contraseña fue cambiada. Ingrese con la nueva."))
    return see_other("/ingresar")


async def set_language(request: Request) -> Response:
    """Switch the language (a cookie) and go back where the person was."""
    lang = request.path_params["lang"]
    if lang not in i18n.LANGUAGES:
        lang = i18n.DEFAULT
    response = RedirectResponse(safe_next(request.query_params.get("next"), "/"), status_code=303)
    response.set_cookie(i18n.COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                        secure=get_settings(request).https_only)
    return response
