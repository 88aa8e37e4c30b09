"""The acta de escrutinio printed as a PDF, once, at the proclamation (imported only then: see
portal/pdfdoc.py)."""

from __future__ import annotations

from typing import Any

from portal.i18n import fmt_date, gettext as _
from portal.pdfdoc import Minutes as _Acta


def render(data: dict[str, Any]) -> bytes:
    """The acta as a PDF document."""
    e = data["election"]
    pdf = _Acta()
    pdf.add_page()
    pdf.para(_("Servicio Nacional de Migraciones · Consejo de la Sociedad Civil (COSOC)"), 9)
    pdf.ln(2)
    pdf.para(_("Acta de escrutinio y proclamación"), 16, bold=True, height=8)
    pdf.para(e.name, 12, bold=True, height=6)
    pdf.para(_("Periodo del consejo: %(start)s a %(end)s", start=fmt_date(e.term_start), end=fmt_date(e.term_end)))
    pdf.para(_("Fecha de proclamación: %(d)s", d=fmt_date(data["proclaimed_on"])))
    pdf.ln(3)
    pdf.para(_("Padrón definitivo (SHA-256): %(h)s", h=data["padron_sha256"]), 8)
    pdf.para(_("Boletín público de votos (SHA-256): %(h)s", h=data["bulletin_sha256"]), 8)
    pdf.para(_("Votos emitidos: %(n)s; rechazados: %(r)s", n=data["ballots"], r=data["rejected"]))
    for cat in data["categories"]:
        pdf.ln(3)
        pdf.para(_("Categoría %(cat)s: %(seats)s cupos, %(ballots)s votos (%(blank)s en blanco)",
                   cat=cat["category"], seats=cat["seats"], ballots=cat["ballots"], blank=cat["blank"]), 11, bold=True)
        for m in cat["elected"]:
            pdf.para(f"{m['position']}. {m['name']} — {m['org']} ({m['gender']}, {m['region']}): "
                     + _("%(n)s votos", n=m["votes"]))
        if cat["vacancies"]:
            pdf.para(_("Cupos vacantes: %(n)s", n=cat["vacancies"]))
    pdf.ln(3)
    pdf.para(_("Fundamentos de la asignación (reglas de cuota y sorteo)"), 11, bold=True)
    pdf.para(data["trail"], 7.5, height=3.6)
    pdf.ln(6)
    pdf.para(_("Ministro/a de fe: %(name)s", name=data["ministro"]), 10, bold=True)
    pdf.para(_("Los resultados pueden verificarse sin conexión con: python -m elections verify boletin.json"), 8)
    return bytes(pdf.output())
