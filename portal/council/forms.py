"""The council's forms: one function per form, each returning a portal.forms.Form (cleaned values and
one message per wrong field; a failed form is answered 422 with the user's values)."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Any
from collections.abc import Iterable, Mapping

from portal import clock
from portal.council import rules
from portal.forms import Form
from portal.i18n import gettext as _

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_URL = re.compile(r"^https://[^\s<>\"']+$")
TITLE_MAX, TEXT_MAX, ACTA_MAX, COMMENT_MAX, REASON_MAX = 300, 4000, 60000, 4000, 1000


def session_form(data: Mapping[str, Any]) -> Form:
    """A new session: kind, date and time in Chile, duration, place or online link (at least one)."""
    form = Form(data)
    form.choice("kind", rules.KINDS)
    day = form.date("day", not_before=clock.today())
    hour = _clock_time(form, "hour")
    form.integer("minutes", min_value=15, max_value=720)
    place = form.text("place", required=False, max_length=300)
    url = form.text("online_url", required=False, max_length=500)
    if url and not _URL.match(url):
        form.errors.add("online_url", _("Escriba un enlace que empiece con https://."))
    if not place and not url:
        form.errors.add("place", _("Indique el lugar o el enlace de la reunión en línea."))
    form.cleaned["starts_at"] = clock.at_chile(day, hour.hour, hour.minute) if day and hour else None
    return form


def _clock_time(form: Form, name: str) -> time | None:
    raw = form.text(name, max_length=5)
    match = _TIME.match(raw)
    if raw and not match:
        form.errors.add(name, _("Escriba la hora como HH:MM, por ejemplo 18:30."))
    value = time(int(match.group(1)), int(match.group(2))) if match else None
    form.cleaned[name] = value
    return value


def item_form(data: Mapping[str, Any]) -> Form:
    """An agenda item's title (its PDF is read by portal.uploads.read_pdf)."""
    form = Form(data)
    form.text("title", max_length=TITLE_MAX)
    return form


def attendance_form(data: Mapping[str, Any], member_ids: Iterable[int]) -> Form:
    """One status per member (`att-<id>`); members left unmarked keep their status."""
    form = Form(data)
    marks: dict[int, str] = {}
    for member_id in member_ids:
        status = form.choice(f"att-{member_id}", rules.ATTENDANCE, required=False)
        if status:
            marks[member_id] = status
    form.cleaned["marks"] = marks
    return form


def votes(form: Form, prefix: str = "votes") -> tuple[int, int, int]:
    """For, against and abstaining (`<prefix>_for`, `_against`, `_abstain`: each form on a page its own ids)."""
    cast = [form.integer(f"{prefix}_{name}", min_value=0, max_value=1000) for name in ("for", "against", "abstain")]
    return (cast[0] or 0, cast[1] or 0, cast[2] or 0)


def agreement_form(data: Mapping[str, Any]) -> Form:
    form = Form(data)
    form.text("text", max_length=TEXT_MAX)
    form.cleaned["votes"] = votes(form)
    return form


def presidency_form(data: Mapping[str, Any], member_ids: Iterable[int]) -> Form:
    form = Form(data)
    ids = [str(m) for m in member_ids]
    president = form.choice("president_id", ids)
    vice = form.choice("vice_president_id", ids)
    form.integer("president_votes", min_value=0, max_value=1000)
    form.integer("vice_votes", min_value=0, max_value=1000)
    if president and president == vice:
        form.errors.add("vice_president_id", _("La vicepresidencia recae en otra persona."))
    return form


def acta_form(data: Mapping[str, Any]) -> Form:
    form = Form(data)
    form.text("body", max_length=ACTA_MAX, min_length=20)
    return form


def circulate_form(data: Mapping[str, Any]) -> Form:
    form = Form(data)
    form.date("comments_until", not_before=clock.today())
    return form


def approve_form(data: Mapping[str, Any], acta_ids: Iterable[int]) -> Form:
    form = Form(data)
    form.choice("acta_id", [str(a) for a in acta_ids])
    form.cleaned["votes"] = votes(form, "approve")
    return form


def comment_form(data: Mapping[str, Any]) -> Form:
    form = Form(data)
    form.choice("kind", rules.COMMENT_KINDS)
    form.text("body", max_length=COMMENT_MAX, min_length=5)
    return form


def reason_form(data: Mapping[str, Any]) -> Form:
    form = Form(data)
    form.text("reason", max_length=REASON_MAX, min_length=5)
    return form


def rules_form(data: Mapping[str, Any]) -> Form:
    """The council's settings; each out of its range gets its own message (ranges: rules.QUORUM_PERCENT,
    ABSENCE_LIMIT, COMMENT_DAYS, the same as the SQL CHECKs)."""
    form = Form(data)
    limits = {"quorum_percent": (rules.QUORUM_PERCENT, _("El porcentaje del quórum va de %(lo)s a %(hi)s.")),
              "absence_limit": (rules.ABSENCE_LIMIT, _("Las inasistencias van de %(lo)s a %(hi)s.")),
              "comment_days": (rules.COMMENT_DAYS, _("El plazo para observar va de %(lo)s a %(hi)s días."))}
    for name, ((lo, hi), message) in limits.items():
        value = form.integer(name)
        if value is not None and not lo <= value <= hi:
            form.errors.add(name, message % {"lo": lo, "hi": hi})
    if not form.errors:
        form.cleaned["rules"] = rules.CouncilRules(**{name: form.cleaned[name] for name in limits})
    return form


def default_comments_until(settings: rules.CouncilRules = rules.DEFAULT_RULES) -> date:
    """The date proposed when circulating an acta: today plus the council's days to comment."""
    return clock.today() + timedelta(days=settings.comment_days)
