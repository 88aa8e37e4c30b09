"""Sign-up, email verification, login/logout, password reset, language switch."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal import audit, i18n, mail, passwords, tokens
from portal.accounts import queries
from portal.forms import Form
from portal.security import read_form, safe_next
from portal.templating import flash, render
from portal.web import get_db, get_settings, see_other

DOCUMENT_TYPES = ("run", "passport", "other")


def _absolute(request: Request, path: str) -> str:
    return get_settings(request).base_url + path


def _secret(request: Request) -> str:
    return str(get_settings(request).secret_key)


async def signup(request: Request) -> Response:
    """Create an account. `next` (e.g. an invitation to represent an organization) travels in the
    verification link, so the person lands there after verifying and signing in."""
    if request.method == "GET":
        next_path = safe_next(request.query_params.get("next"), "")
        return render(request, "accounts/signup.html", {"values": {"next": next_path}, "errors": {}})
    form = Form(await read_form(request))
    next_path = safe_next(form.data.get("next"), "")
    form.values["next"] = next_path
    name = form.text("name", max_length=200)
    email = form.email("email")
    doc_type = form.choice("document_type", DOCUMENT_TYPES)
    if doc_type == "run":
        doc_number = form.rut("document_number")
    else:
        doc_number = form.text("document_number", max_length=40)
    password = form.password("password", min_length=passwords.MIN_LENGTH)
    confirm = form.data.get("password_confirm")
    if password and confirm != password:
        form.errors.add("password_confirm", i18n.gettext("Las contraseñas no coinciden."))
    db = get_db(request)
    if email and "email" not in form.errors and await queries.email_taken(db, email):
        form.errors.add("email", i18n.gettext("Ya existe una cuenta con este correo. ¿Olvidó su contraseña?"))
    if form.errors:
        return render(request, "accounts/signup.html", {"values": form.values, "errors": form.errors.fields}, status=422)
    async with db.transaction():
        user_id = await queries.create_user(
            db, email=email, name=name, password_hash=passwords.hash_password(password),
            document_type=doc_type or "run", document_number=doc_number or "", locale=i18n.current(),
        )
        await audit.record(db, actor=user_id, actor_label=email, action="account.created",
                           object_type="user", object_id=user_id)
        await _queue_verification(request, user_id, email, name, next_path)
    return see_other("/cuenta/verificar")


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
    await mail.queue(get_db(request), email, i18n.gettext("Active su cuenta en Portal Participa"), body)


async def verify_sent(request: Request) -> Response:
    return render(request, "accounts/verify_sent.html", {})


async def verify_email(request: Request) -> Response:
    try:
        payload = tokens.read(_secret(request), tokens.VERIFY_EMAIL, request.path_params["token"])
    except tokens.TokenError as exc:
        return render(request, "accounts/token_invalid.html", {"expired": exc.expired}, status=400)
    db = get_db(request)
    user = await queries.get_by_id(db, int(payload["u"]))
    if user is None or user.email != payload["e"]:
        return render(request, "accounts/token_invalid.html", {"expired": False}, status=400)
    async with db.transaction():
        await queries.mark_verified(db, user.id)
        await audit.record(db, actor=user.id, actor_label=user.email, action="account.email_verified",
                           object_type="user", object_id=user.id)
    flash(request, i18n.gettext("Su correo quedó verificado. Ya puede ingresar."))
    next_path = safe_next(payload.get("n"), "")
    return see_other("/ingresar" + (f"?next={quote(next_path, safe='/')}" if next_path else ""))


async def login(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"), "")
    if request.method == "GET":
        return render(request, "accounts/login.html", {"values": {"next": next_path}, "errors": {}})
    settings = get_settings(request)
    form = Form(await read_form(request))
    email = form.email("email")
    password = form.password("password", min_length=1)
    next_path = safe_next(form.data.get("next"), "")
    form.values["next"] = next_path
    if form.errors:
        return render(request, "accounts/login.html", {"values": form.values, "errors": form.errors.fields}, status=422)
    db = get_db(request)
    ip = request.client.host if request.client else ""
    if await queries.recent_failures(db, email, settings.login_window_minutes) >= settings.login_max_failures:
        message = i18n.gettext("Demasiados intentos fallidos. Espere %(m)s minutos o restablezca su contraseña.",
                               m=settings.login_window_minutes)
        return render(request, "accounts/login.html", {"values": form.values, "errors": {"email": message}}, status=429)
    user = await queries.get_by_email(db, email)
    ok = passwords.verify_password(user.password_hash if user else passwords.dummy_hash(), password)
    if not user or not ok or not user.is_active:
        await queries.record_attempt(db, email, ip, False)
        message = i18n.gettext("El correo o la contraseña no son correctos.")
        return render(request, "accounts/login.html", {"values": form.values, "errors": {"password": message}}, status=422)
    if user.email_verified_at is None:
        return render(request, "accounts/login.html",
                      {"values": form.values, "errors": {}, "unverified": True}, status=422)
    await queries.record_attempt(db, email, ip, True)
    if passwords.needs_rehash(user.password_hash):
        await db.execute("UPDATE users SET password_hash = :h WHERE id = :id",
                         {"h": passwords.hash_password(password), "id": user.id})
    request.session.clear()  # a fresh session on login: no fixation
    request.session.update({"uid": user.id, "av": user.auth_version})
    return see_other(next_path or "/cuenta")


async def resend_verification(request: Request) -> Response:
    form = Form(await read_form(request))
    email = form.email("email")
    db = get_db(request)
    user = await queries.get_by_email(db, email) if not form.errors else None
    if user and user.email_verified_at is None:
        async with db.transaction():
            await _queue_verification(request, user.id, user.email, user.name)
    return see_other("/cuenta/verificar")


async def logout(request: Request) -> Response:
    request.session.clear()
    flash(request, i18n.gettext("Cerró su sesión."))
    return see_other("/")


async def account_home(request: Request) -> Response:
    from portal.security import require_user

    user = require_user(request)
    if user.home_path != "/cuenta":
        return see_other(user.home_path)
    return render(request, "accounts/home.html", {})


async def reset_request(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "accounts/reset_request.html", {"values": {}, "errors": {}, "sent": False})
    form = Form(await read_form(request))
    email = form.email("email")
    if form.errors:
        return render(request, "accounts/reset_request.html",
                      {"values": form.values, "errors": form.errors.fields, "sent": False}, status=422)
    db = get_db(request)
    user = await queries.get_by_email(db, email)
    if user and user.is_active:
        # the token names the auth version, so it dies with the first successful reset
        token = tokens.make(_secret(request), tokens.RESET_PASSWORD, {"u": user.id, "v": user.auth_version})
        body = i18n.gettext(
            "Hola %(name)s:\n\nPara elegir una nueva contraseña abra este enlace (válido por 1 hora):\n%(link)s\n\n"
            "Si usted no lo pidió, ignore este mensaje: su contraseña no cambia.",
            name=user.name, link=_absolute(request, f"/cuenta/restablecer/{token}"),
        )
        await mail.queue(db, user.email, i18n.gettext("Restablecer su contraseña"), body)
    # the same answer whether or not the account exists
    return render(request, "accounts/reset_request.html", {"values": {}, "errors": {}, "sent": True})


async def reset_confirm(request: Request) -> Response:
    db = get_db(request)
    try:
        payload = tokens.read(_secret(request), tokens.RESET_PASSWORD, request.path_params["token"])
    except tokens.TokenError as exc:
        return render(request, "accounts/token_invalid.html", {"expired": exc.expired}, status=400)
    user = await queries.get_by_id(db, int(payload["u"]))
    if user is None or user.auth_version != payload["v"]:
        return render(request, "accounts/token_invalid.html", {"expired": False}, status=400)
    if request.method == "GET":
        return render(request, "accounts/reset_confirm.html", {"values": {}, "errors": {}})
    form = Form(await read_form(request))
    password = form.password("password", min_length=passwords.MIN_LENGTH)
    if password and form.data.get("password_confirm") != password:
        form.errors.add("password_confirm", i18n.gettext("Las contraseñas no coinciden."))
    if form.errors:
        return render(request, "accounts/reset_confirm.html", {"values": {}, "errors": form.errors.fields}, status=422)
    async with db.transaction():
        await queries.set_password(db, user.id, passwords.hash_password(password))
        await queries.mark_verified(db, user.id)  # the link proved the address
        await audit.record(db, actor=user.id, actor_label=user.email, action="account.password_reset",
                           object_type="user", object_id=user.id)
    request.session.clear()
    flash(request, i18n.gettext("Su contraseña fue cambiada. Ingrese con la nueva."))
    return see_other("/ingresar")


async def set_language(request: Request) -> Response:
    lang = request.path_params["lang"]
    if lang not in i18n.LANGUAGES:
        lang = i18n.DEFAULT
    response = RedirectResponse(safe_next(request.query_params.get("next"), "/"), status_code=303)
    response.set_cookie(i18n.COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                        secure=get_settings(request).https_only)
    return response
