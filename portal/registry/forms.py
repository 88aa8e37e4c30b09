"""The registry's forms, one function each: parse, validate, keep the user's values (docs/registry.md, Record)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from portal import clock, i18n, uploads
from portal.forms import Form
from portal.registry import model, rules
from portal.registry.queries import Document
from portal.registry.territory import Territory

_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
ORG_FIELDS = ("rut", "legal_name", "short_name", "legal_form", "category", "region_code", "comuna_code",
              "address", "public_email", "phone", "website", "description", "areas", "founded_on",
              "members", "migrant_share", "legal_rep_name", "legal_rep_run")


def record_form(data: Mapping[str, Any], territory: Territory, *, locked_category: str | None = None,
                today: date | None = None) -> Form:
    """The record form (docs/registry.md, Record). With `locked_category` (a registered organization),
    the RUT and the category are not part of the form: a category change has its own review."""
    today = today or clock.today()
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
    values: dict[str, Any] = {name: getattr(org, name, "") for name in ORG_FIELDS}
    values["areas"] = list(org.areas or [])
    if getattr(org, "pending_legal_name", None):  # a name change under review: the form shows the new names
        values["legal_name"], values["short_name"] = org.pending_legal_name, org.pending_short_name or ""
    values["founded_on"] = org.founded_on.isoformat() if org.founded_on else ""
    for name in ("members", "migrant_share"):
        values[name] = "" if values[name] is None else str(values[name])
    return values


def observation_form(data: Mapping[str, Any], name: str = "message") -> Form:
    """A staff message (observation or reason), required."""
    form = Form(data)
    form.text(name, max_length=4000, min_length=5)
    return form


async def _pdf(form: Form) -> int:
    """The uploaded PDF into cleaned['content'] and ['filename'], or an error beside 'file';
    returns the HTTP status for a refusal (413 when too large, else 422)."""
    upload: Any = form.data.get("file")
    form.cleaned["content"] = None
    if not uploads.is_upload(upload):
        form.errors.add("file", i18n.gettext("Elija un archivo PDF."))
        return 422
    content = await upload.read(uploads.MAX_BYTES + 1)
    problem = uploads.pdf_problem(content)
    if problem:
        form.errors.add("file", problem)
        return 413 if len(content) > uploads.MAX_BYTES else 422
    form.cleaned.update(content=content, filename=upload.filename)
    return 422


def _issued_on(form: Form, today: date) -> date | None:
    return form.date("issued_on", not_after=today, not_before=today - timedelta(days=model.VIGENCIA_MAX_AGE_DAYS))


async def document_form(data: Mapping[str, Any], kinds: Iterable[str], today: date) -> tuple[Form, int]:
    """A document upload: its kind, the vigencia's issue date, the PDF; (form, status on error)."""
    form = Form(data)
    kind = form.choice("kind", kinds)
    form.cleaned["issued_on"] = _issued_on(form, today) if kind == "vigencia" else None
    status = await _pdf(form)
    return form, status


async def renewal_form(data: Mapping[str, Any], today: date) -> tuple[Form, int]:
    """A renewal: a new certificado de vigencia and its issue date; (form, status on error)."""
    form = Form(data)
    _issued_on(form, today)
    status = await _pdf(form)
    return form, status


def category_form(data: Mapping[str, Any], current: str, docs: dict[str, Document]) -> Form:
    """A category change: the new category (A with its migrant share), its own documents uploaded."""
    form = Form(data)
    category = form.choice("category", [c for c in model.CATEGORIES if c != current])
    form.cleaned["migrant_share"] = migrant_share(form, "migrant_share") if category == "A" else None
    missing = rules.missing_for_category_change(category, docs) if category and not form.errors else []
    if missing:
        form.errors.add("category", i18n.gettext(
            "Antes cargue en «Documentos»: %(docs)s.",
            docs=", ".join(i18n.gettext(model.DOC_LABELS[k]) for k in missing)))
    return form


def withdrawal_form(data: Mapping[str, Any]) -> Form:
    """Withdrawal: an optional reason and an explicit confirmation."""
    form = Form(data)
    form.text("reason", required=False, max_length=2000)
    if not form.boolean("confirm"):
        form.errors.add("confirm", i18n.gettext("Marque la casilla para confirmar el retiro."))
    return form


def invite_form(data: Mapping[str, Any], representatives: Iterable[str]) -> Form:
    """An invitation to represent the organization: an email not already among its representatives."""
    form = Form(data)
    email = form.email("email")
    if email and "email" not in form.errors and email in [e.lower() for e in representatives]:
        form.errors.add("email", i18n.gettext("Esa persona ya representa a su organización."))
    form.rut("run", required=False)  # bound to a RUN: only that person, through ClaveÚnica, may accept
    return form
