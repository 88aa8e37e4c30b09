"""The Sello Migrante forms, one function per form: each returns a portal.forms.Form whose `values`
keep what the user typed, `cleaned` the parsed values (uploaded PDFs already checked), `errors` one
message per wrong field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from portal import passwords, uploads
from portal.forms import Form
from portal.i18n import gettext as _
from portal.sello import rules

EARLIEST = date(2015, 1, 1)  # the Sello Migrante began in 2015: no earlier date is plausible


async def _pdf(form: Form, name: str) -> None:
    """Check the PDF in field `name` (required) into form.cleaned[name]."""
    pdf, problem = await uploads.read_pdf(form.data.get(name))
    if problem:
        form.errors.add(name, problem)
    form.cleaned[name] = pdf


async def adhesion_form(data: Mapping[str, Any], today: date) -> Form:
    """The adhesion: mayor, date and council agreement of the carta compromiso, and its PDF (`carta`)."""
    form = Form(data)
    form.text("mayor_name", max_length=200)
    form.date("carta_date", not_after=today, not_before=EARLIEST)
    form.text("council_agreement", max_length=100)
    await _pdf(form, "carta")
    return form


async def work_plan_form(data: Mapping[str, Any]) -> Form:
    """The work plan PDF (`work_plan`)."""
    form = Form(data)
    await _pdf(form, "work_plan")
    return form


def case_form(data: Mapping[str, Any], today: date) -> Form:
    """A Casilla case: a topic from the list and the day it was opened (no personal data by design)."""
    form = Form(data)
    form.choice("topic", rules.CASE_TOPICS)
    form.date("opened_on", not_after=today, not_before=EARLIEST)
    return form


async def evaluation_request_form(data: Any) -> Form:
    """A report and at least one PDF of evidence per area: `cleaned["reports"]` and `cleaned["evidence"]`
    map each area to its report and to its checked PDFs."""
    form = Form(data)
    reports: dict[int, str] = {}
    evidence: dict[int, list[uploads.CheckedFile]] = {}
    for area in rules.AREAS:
        reports[area] = form.text(f"report_{area}", max_length=10000)
        evidence[area] = []
        files = [f for f in data.getlist(f"evidence_{area}") if uploads.is_upload(f)]
        if not files:
            form.errors.add(f"evidence_{area}", _("Adjunte al menos un PDF de evidencia para esta área."))
        for upload in files:
            pdf, problem = await uploads.read_pdf(upload)
            if problem:
                form.errors.add(f"evidence_{area}", f"{upload.filename}: {problem}")
            elif pdf is not None:
                evidence[area].append(pdf)
    form.cleaned.update(reports=reports, evidence=evidence)
    return form


def visit_form(data: Mapping[str, Any], today: date) -> Form:
    """A technical visit recorded by staff."""
    form = Form(data)
    form.date("visited_on", not_after=today, not_before=EARLIEST)
    form.text("staff_names", max_length=300)
    form.text("notes", required=False, max_length=4000)
    return form


def liaison_form(data: Mapping[str, Any]) -> Form:
    """A liaison registered by staff: name and email (whether the account may be one is the view's check)."""
    form = Form(data)
    form.text("liaison_name", max_length=200)
    form.email("liaison_email")
    return form


def invite_form(data: Mapping[str, Any]) -> Form:
    """The email a liaison invitation is sent to."""
    form = Form(data)
    form.email("invite_email")
    return form


def decision_form(data: Mapping[str, Any], today: date) -> Form:
    """An evaluation's decision: a rating per area (a comment unless it fully meets), the resolution
    date, general observations. `cleaned["ratings"]` / `cleaned["comments"]` map each area."""
    form = Form(data)
    ratings: dict[int, str] = {}
    comments: dict[int, str] = {}
    for area in rules.AREAS:
        rating = form.choice(f"rating_{area}", rules.RATINGS)
        comments[area] = form.text(f"comment_{area}", required=rating not in (None, "meets"), max_length=4000)
        if rating:
            ratings[area] = rating
    form.date("resolution_date", not_after=today, not_before=EARLIEST)
    form.text("observations", required=False, max_length=4000)
    form.cleaned.update(ratings=ratings, comments=comments)
    return form


def invitation_form(data: Mapping[str, Any]) -> Form:
    """The invited liaison's new account: name and a password typed twice."""
    form = Form(data)
    form.text("name", max_length=200)
    password = form.password("password", min_length=passwords.MIN_LENGTH)
    if password and form.data.get("password_confirm") != password:
        form.errors.add("password_confirm", _("Las contraseñas no coinciden."))
    return form
