"""The acta de escrutinio: one set of facts, shown as HTML and printed as a PDF (fpdf2).

The PDF uses DejaVu Sans from the system when present (Unicode); otherwise the PDF core font
with the text reduced to Latin-1, so the acta prints on any server without bundling a font.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fpdf import FPDF

from portal.db import Database
from portal.elections_web.count import Results
from portal.elections_web.queries import Election
from portal.i18n import fmt_date, gettext as _

_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_LATIN1 = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "·": "-", "→": "->",
           "≥": ">=", "≤": "<=", "✓": "v", "✗": "x"}


async def acta_data(db: Database, e: Election, results: Results, ministro: str, proclaimed_on: date) -> dict[str, Any]:
    """Everything the acta states, from the stored count and the candidacies."""
    rows = await db.fetch_all(
        """SELECT c.id, c.name, c.gender, coalesce(r.name, c.region_code) AS region, p.name AS org
           FROM candidates c JOIN padron_entries p ON p.election_id = c.election_id AND p.org_id = c.org_id
           LEFT JOIN regions r ON r.code = c.region_code WHERE c.election_id = :e""", {"e": e.id})
    people = {str(r["id"]): dict(r._mapping) for r in rows}
    totals = results.header["totals"]["categories"]
    categories = []
    for cat, alloc in results.allocation_es["categories"].items():
        votes = totals.get(cat, {}).get("votes", {})
        elected = [{**people.get(cid, {"name": cid, "org": "", "gender": "", "region": ""}),
                    "votes": votes.get(cid, 0), "position": i} for i, cid in enumerate(alloc["elected"], 1)]
        categories.append({"category": cat, "seats": alloc["seats"], "ballots": totals.get(cat, {}).get("ballots", 0),
                           "blank": totals.get(cat, {}).get("blank", 0), "elected": elected,
                           "vacancies": alloc["vacancies"]})
    return {"election": e, "ministro": ministro, "proclaimed_on": proclaimed_on, "categories": categories,
            "padron_sha256": e.padron_sha256, "padron_size": e.padron_size or {},
            "bulletin_sha256": results.bulletin_sha256, "ballots": results.header["totals"]["ballots"],
            "rejected": len(results.header["totals"].get("rejected", [])), "trail": results.trail_es}


def _font_dir() -> str | None:
    for folder in _FONT_DIRS:
        if (folder / "DejaVuSans.ttf").exists() and (folder / "DejaVuSans-Bold.ttf").exists():
            return str(folder)
    return None


class _Acta(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.folder = _font_dir()
        if self.folder:
            self.add_font("body", "", f"{self.folder}/DejaVuSans.ttf")
            self.add_font("body", "B", f"{self.folder}/DejaVuSans-Bold.ttf")
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, 18)

    def text_ok(self, text: str) -> str:
        if self.folder:
            return text
        for a, b in _LATIN1.items():
            text = text.replace(a, b)
        return text.encode("latin-1", "replace").decode("latin-1")

    def use(self, size: float, bold: bool = False) -> None:
        self.set_font("body" if self.folder else "helvetica", "B" if bold else "", size)

    def para(self, text: str, size: float = 10, bold: bool = False, height: float = 5) -> None:
        self.use(size, bold)
        self.multi_cell(0, height, self.text_ok(text), new_x="LMARGIN", new_y="NEXT")


def acta_pdf(data: dict[str, Any]) -> bytes:
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
