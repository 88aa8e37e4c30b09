"""Parsing the Compromiso forms: adhesion, staff company creation, annual report, evaluation."""

from __future__ import annotations

from typing import Any

from portal import i18n
from portal.compromiso import rules
from portal.forms import Form

MAX_STAFF = 1_000_000


def company_fields(form: Form) -> dict[str, Any]:
    """Name, type, size, sector and territory (the region/comuna match is checked by the view)."""
    return {
        "name": form.text("name", max_length=300),
        "kind": form.choice("kind", rules.KINDS),
        "size": form.choice("size", rules.SIZES),
        "sector": form.choice("sector", rules.SECTORS),
        "region_code": form.text("region_code", max_length=2),
        "comuna_code": form.text("comuna_code", max_length=5),
    }


def adhesion_fields(form: Form) -> dict[str, Any]:
    """Everything the adhesion asks for except the RUT and the carta file."""
    fields = company_fields(form)
    for name in rules.STAFF_FIELDS:
        fields[name] = form.integer(name, min_value=0, max_value=MAX_STAFF)
    fields["contact_name"] = form.text("contact_name", max_length=200)
    fields["contact_email"] = form.email("contact_email")
    fields["contact_phone"] = form.text("contact_phone", required=False, max_length=40)
    accepted = form.multi_choice("accept", [str(n) for n in rules.COMMITMENTS])
    if len(set(accepted)) != len(rules.COMMITMENTS) and "accept" not in form.errors:
        form.errors.add("accept", i18n.gettext("Para adherir debe aceptar los cinco compromisos."))
    return fields


def report_fields(form: Form, submitting: bool) -> dict[int, tuple[str, str]]:
    """Actions and indicators per commitment; all ten are required only when submitting."""
    items = {}
    for n in rules.COMMITMENTS:
        actions = form.text(f"actions_{n}", required=submitting, max_length=4000)
        indicators = form.text(f"indicators_{n}", required=submitting, max_length=2000)
        items[n] = (actions, indicators)
    return items


def score_fields(form: Form) -> dict[int, tuple[int, str]]:
    """A score 0–3 and a comment per commitment (empty dict entries when invalid)."""
    values = {}
    for n in rules.COMMITMENTS:
        score = form.integer(f"score_{n}", min_value=rules.MIN_SCORE, max_value=rules.MAX_SCORE)
        comment = form.text(f"comment_{n}", required=False, max_length=2000)
        if score is not None:
            values[n] = (score, comment)
    return values
