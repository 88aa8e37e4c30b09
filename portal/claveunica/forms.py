"""Forms of the ClaveÚnica pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal import i18n
from portal.forms import Form
from portal.security import safe_next


def start_form(data: Mapping[str, Any]) -> Form:
    """The button: where to go after signing in (a local path only)."""
    form = Form(data)
    form.cleaned["next"] = safe_next(form.text("next", required=False, max_length=500), "")
    return form


def link_form(data: Mapping[str, Any]) -> Form:
    """Linking an account to a RUN: the account's password first."""
    form = Form(data)
    value = data.get("password")
    form.values["password"] = ""
    if not isinstance(value, str) or not value:
        form.errors.add("password", i18n.gettext("Escriba la contraseña de su cuenta."))
    form.cleaned["password"] = value if isinstance(value, str) else ""
    return form
