"""Parsing the organization record form and the small forms of the registry."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from collections.abc import Mapping
from urllib.parse import urlsplit

from portal import i18n
from portal.forms import Form
from portal.registry import model
from portal.registry.territory import Territory

_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
ORG_FIELDS = ("rut", "legal_name", "short_name", "legal_form", "category", "region_code", "comuna_code",
              "address", "public_email", "phone", "website", "description", "areas", "founded_on",
              "members", "migrant_share", "legal_rep_name", "legal_rep_run")


def parse_org(data: Mapping[str, Any], territory: Territory, *, locked_category: str | None = None,
              today: date | None = None) -> Form:
    """The record form (domain.md §3). With `locked_category` (a registered organization), the RUT
    and the category are not part of the form: a category change has its own review."""
    today = today or date.today()
    form = Form(data)
    if locked_category is None:
        form.rut("rut")
    form.text("legal_name", max_length=300)
    form.text("short_name", required=False, max_length=120)
    form.choice("legal_form", model.LEGAL_FORMS)
    category = locked_category or form.choice("category", model.CATEGORIES)
    region = form.choice("region_code", [r.code for r in territory.regions])
    comuna = form.choice("comuna_code", territory.comunas.keys())
    if region and comuna and not territory.comuna_in_region(comuna, region):
        form.errors.add("comuna_code", i18n.gettext("La comuna elegida no pertenece a la región elegida."))
    form.text("address", max_length=300)
    form.email("public_email")
    phone = form.text("phone", required=False, max_length=40)
    if phone and "phone" not in form.errors and not _PHONE.match(phone):
        form.errors.add("phone", i18n.gettext("Escriba un teléfono válido, como +56 2 2345 6789."))
    _website(form)
    form.text("description", max_length=4000, min_length=20)
    form.multi_choice("areas", model.AREAS, required=True)
    form.date("founded_on", not_after=today, not_before=date(1800, 1, 1))
    form.integer("members", min_value=1, max_value=10_000_000)
    if category == "A":
        migrant_share(form, "migrant_share")
    else:
        form.values["migrant_share"] = ""  # only category A records it
        form.cleaned["migrant_share"] = None
    form.text("legal_rep_name", max_length=200)
    form.rut("legal_rep_run")
    return form


def migrant_share(form: Form, name: str) -> int | None:
    """Category A: the share of migrant members, a majority."""
    share = form.integer(name, min_value=0, max_value=100)
    if share is not None and share < model.MIGRANT_MAJORITY:
        form.errors.add(name, i18n.gettext(
            "La categoría A es para organizaciones compuestas mayoritariamente por personas migrantes "
            "(al menos %(n)s %%).", n=model.MIGRANT_MAJORITY))
        form.cleaned[name] = None
    return form.cleaned[name]


def _website(form: Form) -> None:
    site = form.text("website", required=False, max_length=300)
    if not site or "website" in form.errors:
        return
    candidate = site if re.match(r"^https?://", site, re.I) else "https://" + site
    try:
        parts = urlsplit(candidate)
        ok = bool(parts.hostname) and "." in (parts.hostname or "") and " " not in candidate
    except ValueError:
        ok = False
    if len(candidate) > 300:  # the stored value, with its scheme, has the column's limit
        form.errors.add("website", i18n.gettext("Use como máximo %(n)s caracteres.", n=300))
    elif not ok:
        form.errors.add("website", i18n.gettext("Escriba una dirección web válida, como https://organizacion.cl."))
    else:
        form.cleaned["website"] = candidate


def record_values(org: Any) -> dict[str, Any]:
    """An organization's stored record as form values (to resume a draft or edit)."""
    values = {name: getattr(org, name, "") for name in ORG_FIELDS}
    values["areas"] = list(org.areas or [])
    for name in ("founded_on",):
        values[name] = values[name].isoformat() if values[name] else ""
    for name in ("members", "migrant_share"):
        values[name] = "" if values[name] is None else str(values[name])
    return values


def parse_observation(data: Mapping[str, Any], name: str = "message") -> Form:
    """A staff message (observation or reason), required."""
    form = Form(data)
    form.text(name, max_length=4000, min_length=5)
    return form
