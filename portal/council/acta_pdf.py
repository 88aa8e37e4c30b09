"""A council session's acta printed as a PDF once, when it is approved (imported only then: see
portal/pdfdoc.py). The PDF's SHA-256 is kept with the final acta (docs/council.md, Actas)."""

from __future__ import annotations

from typing import Any

from portal.i18n import fmt_date, fmt_datetime, gettext as _
from portal.pdfdoc import Minutes as _Acta


def render(data: dict[str, Any]) -> bytes:
    """`data`: council, session, kind, attendance [(name, status label)], agreements, body, approved_on."""
    pdf = _Acta()
    pdf.set_creation_date(data["approved_at"])
    pdf.add_page()
    pdf.para(_("Servicio Nacional de Migraciones · Consejo de la Sociedad Civil (COSOC)"), 9)
    pdf.ln(2)
    pdf.para(_("Acta de la sesión %(kind)s del %(when)s", kind=data["kind"], when=fmt_datetime(data["starts_at"])),
             15, bold=True, height=7)
    pdf.para(_("Consejo: %(name)s (periodo %(start)s a %(end)s)", name=data["council"], start=fmt_date(data["term_start"]),
               end=fmt_date(data["term_end"])))
    pdf.para(_("Lugar: %(place)s", place=data["place"]))
    pdf.ln(3)
    pdf.para(_("Asistencia"), 11, bold=True)
    for name, status in data["attendance"]:
        pdf.para(f"{name}: {status}", 9, height=4.5)
    pdf.ln(3)
    pdf.para(_("Acuerdos"), 11, bold=True)
    for a in data["agreements"]:
        outcome = _("adoptado") if a.adopted else _("no adoptado")
        pdf.para(f"{a.number}. {a.text} — " + _("%(f)s a favor, %(a)s en contra, %(x)s abstenciones: %(outcome)s",
                                                 f=a.votes_for, a=a.votes_against, x=a.votes_abstain, outcome=outcome), 9)
    if not data["agreements"]:
        pdf.para(_("Sin acuerdos."), 9)
    pdf.ln(3)
    pdf.para(_("Texto del acta"), 11, bold=True)
    pdf.para(data["body"], 10)
    pdf.ln(4)
    pdf.para(_("Aprobada en la sesión del %(when)s.", when=fmt_datetime(data["approved_in"])), 10, bold=True)
    return bytes(pdf.output())
