"""The Compromiso forms, one function each: adhesion, staff company creation, invitation, annual
report, evaluation. Each returns a portal.forms.Form whose `cleaned` holds the parsed values and
whose `errors` hold one message per wrong field. Checks that need the database (the territory, a
RUT already adhered) are added by the view.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal import i18n, uploads
from portal.compromiso import rules
from portal.forms import Form

MAX_STAFF = 1_000_000
COMPANY_FIELDS = ("name", "kind", "size", "sector", "region_code", "comuna_code")
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")


def _company(form: Form) -> None:
    """Name, type, size, sector and territory (the region/comuna match is checked by the view)."""
    form.text("name", max_length=300)
    form.choice("kind", rules.KINDS)
    form.choice("size", rules.SIZES)
    form.choice("sector", rules.SECTORS)
    form.text("region_code", max_length=2)
    form.text("comuna_code", max_length=5)


def company_values(form: Form) -> dict[str, Any]:
    """The company's columns as the form cleaned them (for queries.insert_company / complete_adhesion)."""
    names = COMPANY_FIELDS + rules.STAFF_FIELDS + CONTACT_FIELDS
    return {name: form.cleaned[name] for name in names if name in form.cleaned}


async def adhesion_form(data: Mapping[str, Any], *, ask_rut: bool) -> Form:
    """The adhesion: RUT (unless SERMIG registered it already), company, staff totals, contact, the five
    commitments accepted and the signed carta (cleaned["carta"], a CheckedFile)."""
    form = Form(data)
    if ask_rut:
        form.rut("rut")
    _company(form)
    for name in rules.STAFF_FIELDS:
        form.integer(name, min_value=0, max_value=MAX_STAFF)
    form.text("contact_name", max_length=200)
    form.email("contact_email")
    form.text("contact_phone", required=False, max_length=40)
    accepted = form.multi_choice("accept", [str(n) for n in rules.COMMITMENTS])
    if len(set(accepted)) != len(rules.COMMITMENTS) and "accept" not in form.errors:
        form.errors.add("accept", i18n.gettext("Para adherir debe aceptar los cinco compromisos."))
    upload, problem = await uploads.read_pdf(data.get("carta"))
    if problem:
        form.errors.add("carta", problem)
    form.cleaned["carta"] = upload
    return form


def company_form(data: Mapping[str, Any]) -> Form:
    """A company created by staff: RUT, company, and the email of the contact to invite."""
    form = Form(data)
    form.rut("rut")
    _company(form)
    form.email("invite_email")
    return form


def invite_form(data: Mapping[str, Any]) -> Form:
    """Another contact invited by staff."""
    form = Form(data)
    form.email("invite_email")
    return form


async def report_form(data: Mapping[str, Any]) -> Form:
    """The annual report: actions and indicators per commitment (all ten required only when
    submitting, cleaned["submitting"]), and new evidence PDFs per commitment (cleaned["evidence"])."""
    form = Form(data)
    submitting = data.get("action") == "submit"
    form.cleaned["submitting"] = submitting
    items = {}
    for n in rules.COMMITMENTS:
        actions = form.text(f"actions_{n}", required=submitting, max_length=4000)
        indicators = form.text(f"indicators_{n}", required=submitting, max_length=2000)
        items[n] = (actions, indicators)
    form.cleaned["items"] = items
    form.cleaned["evidence"] = await _evidence(form)
    return form


async def _evidence(form: Form) -> dict[int, list[uploads.CheckedFile]]:
    """New evidence files per commitment; a message beside the field for any that is not a PDF."""
    found: dict[int, list[uploads.CheckedFile]] = {}
    for n in rules.COMMITMENTS:
        raw = form.data.getlist(f"evidence_{n}") if hasattr(form.data, "getlist") else []
        for value in raw:
            if not uploads.is_upload(value):
                continue
            upload, problem = await uploads.read_pdf(value)
            if problem:
                form.errors.add(f"evidence_{n}", problem)
            elif upload:
                found.setdefault(n, []).append(upload)
    return found


def score_form(data: Mapping[str, Any]) -> Form:
    """A score 0–3 and a comment per commitment (cleaned["scores"]: {n: (score, comment)})."""
    form = Form(data)
    values = {}
    for n in rules.COMMITMENTS:
        score = form.integer(f"score_{n}", min_value=rules.MIN_SCORE, max_value=rules.MAX_SCORE)
        comment = form.text(f"comment_{n}", required=False, max_length=2000)
        if score is not None:
            values[n] = (score, comment)
    form.cleaned["scores"] = values
    return form
