"""Every form of the elections domain, one function each: it parses the submitted data into a Form
(cleaned values, and one message per wrong field)."""

from __future__ import annotations

import re
from datetime import date, datetime
from fractions import Fraction
from typing import Any
from collections.abc import Mapping

import elections
from portal import rut
from portal.elections_web import phases
from portal.forms import Form
from portal.i18n import CHILE_TZ, N_, fmt_date, gettext as _

DATE_FIELDS = ("call_on", "padron_cutoff", "padron_claims_until", "candidacies_from", "candidacies_until",
               "results_claims_until", "proclamation_on")
DATETIME_FIELDS = ("voting_starts_at", "voting_ends_at")
DEFAULTS = {"seats_a": "10", "seats_b": "6", "seats_c": "4", "territorial_share": "0.5", "gender_share": "0.6"}
# The phases' dates in the order the phases run (docs/elections.md, Phases): each may not come before the
# one above it; the proclamation comes after the results claims close.
CALENDAR = (("call_on", N_("convocatoria")), ("padron_cutoff", N_("corte del padrón")),
            ("padron_claims_until", N_("fin de los reclamos al padrón")),
            ("candidacies_from", N_("inicio de las candidaturas")),
            ("candidacies_until", N_("fin de las candidaturas")),
            ("voting_starts_at", N_("apertura de la votación")), ("voting_ends_at", N_("cierre de la votación")),
            ("results_claims_until", N_("fin de los reclamos a los resultados")),
            ("proclamation_on", N_("proclamación")))
GENDERS = ("F", "M", "X")
DOC_TYPES = ("run", "passport")


def _share(form: Form, name: str) -> str | None:
    raw = form.text(name, max_length=20)
    if not raw or name in form.errors:
        return None
    try:
        value = Fraction(raw.replace(",", "."))
        elections.Rules.from_dict({name: value})
    except (ValueError, ZeroDivisionError, elections.InputError):
        form.errors.add(name, _("Escriba una proporción entre 0 y 1, como 0.5 o 3/5."))
        return None
    return str(value)


def _datetime(form: Form, name: str) -> datetime | None:
    raw = form.text(name, required=False, max_length=30)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        form.errors.add(name, _("Escriba fecha y hora válidas (AAAA-MM-DD HH:MM)."))
        return None
    # The form speaks Chilean time; the database keeps instants.
    return value.replace(tzinfo=CHILE_TZ) if value.tzinfo is None else value


def settings_form(data: Mapping[str, Any], *, rules_locked: bool = False) -> Form:
    """The election's name, term, seats, quota rules and calendar."""
    form = Form(data)
    form.text("name", max_length=200)
    start = form.date("term_start")
    end = form.date("term_end")
    if start and end and end <= start:
        form.errors.add("term_end", _("El término del periodo debe ser posterior a su inicio."))
    if not rules_locked:
        for cat in ("a", "b", "c"):
            form.integer(f"seats_{cat}", min_value=0, max_value=50)
        form.cleaned["territorial_share"] = _share(form, "territorial_share")
        form.cleaned["gender_share"] = _share(form, "gender_share")
    for name in DATE_FIELDS:
        form.date(name, required=False)
    for name in DATETIME_FIELDS:
        form.cleaned[name] = _datetime(form, name)
    vs, ve = form.cleaned.get("voting_starts_at"), form.cleaned.get("voting_ends_at")
    if vs and ve and ve <= vs:
        form.errors.add("voting_ends_at", _("El cierre de la votación debe ser posterior a su apertura."))
    _calendar_in_order(form)
    if rules_locked:
        for key in ("seats_a", "seats_b", "seats_c", "territorial_share", "gender_share"):
            form.cleaned.pop(key, None)
    return form


def _calendar_in_order(form: Form) -> None:
    """Each phase date no earlier than the one before it (the nearest one given), the message beside the
    later field; datetimes compare by their day in Chile."""
    before: tuple[str, date] | None = None
    for name, label in CALENDAR:
        value = form.cleaned.get(name)
        if value is None or name in form.errors:
            continue
        day = value.astimezone(CHILE_TZ).date() if isinstance(value, datetime) else value
        if before is not None:
            what, earlier = before
            if name == "proclamation_on" and day <= earlier:
                form.errors.add(name, _("Esta fecha debe ser posterior a la fecha de %(what)s (%(date)s).",
                                        what=_(what), date=fmt_date(earlier)))
            elif day < earlier:
                form.errors.add(name, _("Esta fecha no puede ser anterior a la fecha de %(what)s (%(date)s).",
                                        what=_(what), date=fmt_date(earlier)))
        before = (label, day)


def settings_values(e: Any) -> dict[str, str]:
    """An election's settings as the form shows them (Chilean local time, decimal shares)."""
    values: dict[str, str] = {"name": e.name, "term_start": e.term_start.isoformat(), "term_end": e.term_end.isoformat(),
                              "seats_a": str(e.seats_a), "seats_b": str(e.seats_b), "seats_c": str(e.seats_c),
                              "territorial_share": _decimal(e.territorial_share),
                              "gender_share": _decimal(e.gender_share)}
    for name in DATE_FIELDS:
        value = getattr(e, name)
        values[name] = value.isoformat() if value else ""
    for name in DATETIME_FIELDS:
        value = getattr(e, name)
        values[name] = value.astimezone(CHILE_TZ).strftime("%Y-%m-%dT%H:%M") if value else ""
    return values


def _decimal(fraction: str) -> str:
    value = Fraction(fraction)
    return f"{float(value):g}"


def candidacy_form(data: Mapping[str, Any]) -> Form:
    """The nominated person: name, RUN or passport, gender, short bio, acceptance."""
    form = Form(data)
    form.text("name", max_length=200)
    doc_type = form.choice("document_type", DOC_TYPES)
    number = form.text("document_number", max_length=40)
    if doc_type == "run" and number:
        normalized = rut.normalize(number)
        if normalized is None:
            form.errors.add("document_number", _("El RUN no es válido: revise el número y el dígito verificador."))
        form.cleaned["document_number"] = normalized
    form.choice("gender", GENDERS)
    form.text("bio", max_length=1000, min_length=20)
    if not form.boolean("accepted"):
        form.errors.add("accepted", _("La persona nominada debe aceptar la candidatura."))
    return form


_IDS = re.compile(r"[\s,;]+")


def sorteo_form(data: Mapping[str, Any]) -> Form:
    """Either the drawn order (candidate numbers) or the announced seed, not both."""
    form = Form(data)
    seed = form.text("seed", required=False, max_length=200)
    raw = form.text("order", required=False, max_length=20000)
    order = [x for x in _IDS.split(raw) if x] if raw else []
    if bool(seed) == bool(order):
        form.errors.add("seed", _("Escriba la semilla anunciada o el orden sorteado (solo uno de los dos)."))
    bad = [x for x in order if not x.isdigit()]
    if bad:
        form.errors.add("order", _("El orden debe ser una lista de números de candidatura separados por comas."))
    elif len(set(order)) != len(order):
        form.errors.add("order", _("El orden repite una candidatura."))
    form.cleaned["order"] = [str(int(x)) for x in order] if order and not bad else None
    form.cleaned["seed"] = seed or None
    return form


def phase_form(data: Mapping[str, Any]) -> Form:
    """The phase an officer moves the election into (`to`)."""
    form = Form(data)
    form.choice("to", phases.PHASES)
    return form


def padron_claim_form(data: Mapping[str, Any]) -> Form:
    """A claim against the provisional padrón: the organization (RUT), add or remove, who and why."""
    form = Form(data)
    form.rut("org_rut")
    form.choice("action", ("add", "remove"))
    form.text("claimant", max_length=300)
    form.text("body", max_length=4000)
    return form


def results_claim_form(data: Mapping[str, Any]) -> Form:
    """A claim against the provisional results: who claims and what."""
    form = Form(data)
    form.text("claimant", max_length=300)
    form.text("body", max_length=4000)
    return form


def resolution_form(data: Mapping[str, Any]) -> Form:
    """A claim's resolution: accepted or rejected, with its grounds."""
    form = Form(data)
    form.choice("decision", ("accepted", "rejected"))
    form.text("resolution", max_length=4000)
    return form


def review_form(data: Mapping[str, Any]) -> Form:
    """A candidacy's review: admissible, or inadmissible with the reason."""
    form = Form(data)
    status = form.choice("status", ("admissible", "inadmissible"))
    form.cleaned["reason"] = form.text("reason", required=status == "inadmissible", max_length=1000) or None
    return form


def vacancy_form(data: Mapping[str, Any]) -> Form:
    """A councillor leaving: who (candidate id), when and why."""
    form = Form(data)
    form.integer("leaving_id", min_value=1)
    form.text("reason", max_length=1000)
    form.date("left_on")
    return form


def ballot_form(data: Mapping[str, Any]) -> Form:
    """The ballot's step (`confirm` or `cast`) and choice: a candidate id, or `blank` (cleaned: None)."""
    form = Form(data)
    form.cleaned["step"] = form.text("step", required=False, max_length=20)
    raw = form.text("choice", required=False, max_length=20)
    if raw == "blank":
        form.cleaned["choice"] = None
    elif raw.isdigit() and 0 < int(raw) < 2**62:
        form.cleaned["choice"] = int(raw)
    else:
        form.cleaned["choice"] = None
        form.errors.add("choice", _("Elija una candidatura de la lista, o vote en blanco."))
    return form


def trustee_form(data: Mapping[str, Any]) -> Form:
    """The account (email) the officer names as the next trustee."""
    form = Form(data)
    form.email("email")
    return form


def upload_form(data: Mapping[str, Any]) -> Form:
    """A trustee's upload: `kind` (key or step), the JSON file, or its text pasted (`json`)."""
    form = Form(data)
    form.cleaned["kind"] = "step" if data.get("kind") == "step" else "key"
    form.cleaned["file"] = data.get("file")
    raw = data.get("json")
    form.cleaned["json"] = raw if isinstance(raw, str) else ""
    return form


CODE_SEPARATORS = re.compile(r"[\s\-_.]+")


def tracking_code(raw: str) -> str:
    """A tracking code as typed or scanned: the SHA-256 hex the bulletin lists, also in its printed
    form (groups of 4 separated by spaces or dashes, any case). Not validated here."""
    return CODE_SEPARATORS.sub("", raw or "").lower()


def grouped(code: str, size: int = 4) -> list[str]:
    """The code in groups of `size` characters, as printed on the receipt."""
    return [code[i:i + size] for i in range(0, len(code), size)]
