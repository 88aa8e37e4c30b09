"""The account forms, one function each: parse, validate, keep the user's values (never a password)."""

from __future__ import annotations

from typing import Any
from collections.abc import Mapping

from portal import i18n, passwords
from portal.accounts import second_factor
from portal.forms import Form
from portal.security import safe_next

DOCUMENT_TYPES = ("run", "passport", "other")


def _next(form: Form) -> str:
    """Where to go afterwards (a local path only), kept in the form's values."""
    next_path = safe_next(form.data.get("next"), "")
    form.values["next"] = next_path
    form.cleaned["next"] = next_path
    return next_path


def _new_password(form: Form) -> str:
    password = form.password("password", min_length=passwords.MIN_LENGTH)
    if password and form.data.get("password_confirm") != password:
        form.errors.add("password_confirm", i18n.gettext("Las contraseñas no coinciden."))
    return password


def signup_form(data: Mapping[str, Any]) -> Form:
    """A new account: name, email, identity document, password twice, and where to go after verifying."""
    form = Form(data)
    _next(form)
    form.text("name", max_length=200)
    form.email("email")
    doc_type = form.choice("document_type", DOCUMENT_TYPES)
    if doc_type == "run":
        form.rut("document_number")
    else:
        form.text("document_number", max_length=40)
    _new_password(form)
    return form


def login_form(data: Mapping[str, Any]) -> Form:
    """Email and password, and where to go after signing in."""
    form = Form(data)
    form.email("email")
    form.password("password", min_length=1)
    _next(form)
    return form


def email_form(data: Mapping[str, Any]) -> Form:
    """Just an email (a new verification link, a password reset link)."""
    form = Form(data)
    form.email("email")
    return form


def new_password_form(data: Mapping[str, Any]) -> Form:
    """A new password, twice."""
    form = Form(data)
    _new_password(form)
    return form


def staff_account_form(data: Mapping[str, Any], roles: tuple[str, ...]) -> Form:
    """A new staff account (admin): name, email and at least one role."""
    form = Form(data)
    form.text("name")
    form.email("email")
    form.multi_choice("roles", roles, required=True)
    return form


def second_factor_form(data: Mapping[str, Any], recovery_allowed: bool) -> Form:
    """A 6-digit code from the authenticator app, or (once enrolled) a one-time recovery code."""
    form = Form(data)
    recovery = form.text("recovery", required=False, max_length=40) if recovery_allowed else ""
    form.cleaned["recovery"] = second_factor.normalize_recovery(recovery) if recovery else ""
    if recovery and not form.cleaned["recovery"]:
        form.errors.add("recovery", i18n.gettext("Un código de recuperación tiene 10 letras y números."))
    code = form.text("code", required=not recovery, max_length=20)
    digits = "".join(code.split())
    if code and not (digits.isdigit() and len(digits) == 6):
        form.errors.add("code", i18n.gettext("Escriba los 6 dígitos que muestra su aplicación."))
    form.cleaned["code"] = digits
    return form
