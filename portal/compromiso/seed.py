"""Inserting companies and cycles in any state directly: used by the demo data and by tests."""

from __future__ import annotations

from datetime import date, datetime, time, UTC
from typing import Any

from portal import uploads
from portal.compromiso import queries, rules
from portal.db import Database


def sample_pdf(title: str = "Documento de prueba") -> bytes:
    """A small valid one-page PDF."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.multi_cell(0, 8, title.encode("latin-1", "replace").decode("latin-1"))
    return bytes(pdf.output())


async def create_company(db: Database, *, rut: str, name: str, contact_user_id: int | None = None,
                         adhered_on: date | None = date(2024, 3, 1), kind: str = "empresa", size: str = "mediana",
                         sector: str = "comercio", region: str = "13", comuna: str = "13101",
                         staff: tuple[int, ...] = (20, 18, 0, 4, 6, 0), pdf: bytes | None = None) -> int:
    """A company (adhered with a carta when `adhered_on` is set), optionally with a contact."""
    carta = None
    if adhered_on is not None:
        carta = await uploads.store(db, uploads.CheckedFile("carta-compromiso.pdf", pdf or sample_pdf("Carta")),
                                  contact_user_id)
    fields: dict[str, Any] = {"name": name, "kind": kind, "size": size, "sector": sector, "region_code": region,
                              "comuna_code": comuna, "contact_name": "Contacto " + name[:60],
                              "contact_email": f"contacto@{rut.split('-')[0]}.cl", "contact_phone": "+56 2 2345 6789"}
    fields.update(zip(rules.STAFF_FIELDS, staff, strict=False))
    company_id = await queries.insert_company(db, rut, fields, contact_user_id, carta, adhered_on)
    if contact_user_id is not None:
        await queries.add_contact(db, company_id, contact_user_id)
    return company_id


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


async def create_cycle(db: Database, company_id: int, year: int, status: str = "adhered", *,
                       scores: dict[int, int] | None = None, evidence_pdf: bytes | None = None,
                       certificate_code: str | None = None) -> int:
    """A cycle in `status`, with a filled report when reported and scores when decided."""
    cycle_id, _created = await queries.ensure_cycle(db, company_id, year)
    reached = rules.STATES.index(status)
    stamps = {
        "report_submitted_at": _at(date(year, 6, 15)) if reached >= 1 else None,
        "applied_at": _at(date(year, 8, 20)) if reached >= 2 else None,
        "evaluation_started_at": _at(date(year, 9, 10)) if reached >= 3 else None,
        "decided_at": _at(date(year, 11, 5)) if reached >= 4 else None,
    }
    total = sum(scores.values()) if scores else None
    await db.execute(
        """UPDATE compromiso_cycles SET status = :status, report_submitted_at = :report_submitted_at,
                  applied_at = :applied_at, evaluation_started_at = :evaluation_started_at,
                  decided_at = :decided_at, total_score = :total, certificate_code = :code
           WHERE id = :id""",
        {"status": status, **stamps, "total": total, "code": certificate_code, "id": cycle_id},
    )
    if reached >= 1:
        await queries.save_report_items(db, cycle_id, {
            n: (f"Acciones {year} sobre {rules.SHORT_COMMITMENTS[n].lower()}.", f"Indicador {n}: {10 * n} personas.")
            for n in rules.COMMITMENTS})
        if evidence_pdf is not None:
            file_id = await uploads.store(db, uploads.CheckedFile(f"evidencia-{year}.pdf", evidence_pdf), None)
            await queries.add_evidence(db, cycle_id, 1, file_id)
    if scores:
        await queries.save_scores(db, cycle_id, {n: (s, "") for n, s in scores.items()})
    return cycle_id
