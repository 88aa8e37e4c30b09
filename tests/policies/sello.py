"""Access rules for Sello Migrante: public pages, the liaison area, the staff back-office."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from policies import Rule, World, only, public
from portal import clock

LIAISONS = ("liaison", "liaison_other")
COMUNA = "05101"        # Valparaíso: world's "liaison", adhered
COMUNA_OTHER = "13101"  # Santiago: world's "liaison_other", not adhered


def tiny_pdf(text: str = "Documento de prueba") -> bytes:
    """A real one-page PDF (pypdf opens it)."""
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(0, 10, text)
    return bytes(doc.output())


async def store_pdf(db: Any, name: str = "carta.pdf", content: bytes | None = None) -> str:
    content = content or tiny_pdf()
    return str(await db.fetch_val(
        """INSERT INTO stored_files (sha256, size, filename, content) VALUES (:s, :n, :f, :c) RETURNING id""",
        {"s": hashlib.sha256(content).hexdigest(), "n": len(content), "f": name, "c": content}))


async def extend_world(db: Any, world: World) -> None:
    await db.execute("INSERT INTO sello_liaisons (user_id, comuna_code) VALUES (:u, :c)",
                     {"u": world.ids["user:liaison"], "c": COMUNA})
    await db.execute("INSERT INTO sello_liaisons (user_id, comuna_code) VALUES (:u, :c)",
                     {"u": world.ids["user:liaison_other"], "c": COMUNA_OTHER})
    file_id = await store_pdf(db)
    await db.execute(
        """INSERT INTO sello_adhesions (comuna_code, mayor_name, carta_date, council_agreement, carta_file_id)
           VALUES (:c, 'Alcaldesa de Prueba', :d, 'Acuerdo 1/2026', CAST(:f AS uuid))""",
        {"c": COMUNA, "d": clock.today() - timedelta(days=30), "f": file_id})
    world.ids["comuna"] = COMUNA
    world.ids["comuna_other"] = COMUNA_OTHER
    world.ids["sello_file"] = file_id
    world.ids["sello_case"] = await db.fetch_val(
        "INSERT INTO sello_cases (comuna_code, topic, opened_on) VALUES (:c, 'health', :d) RETURNING id",
        {"c": COMUNA, "d": clock.today()})


def _comuna(w: World) -> dict[str, Any]:
    return {"comuna": w.ids["comuna"]}


def _staff(**kw: Any) -> Rule:
    return only("sello_evaluator", params=_comuna, **kw)


POLICY = {
    ("GET", "/sello-migrante"): public(),
    ("GET", "/sello-migrante/municipalidades.csv"): public(),
    ("GET", "/sello-migrante/municipalidades.json"): public(),
    ("GET", "/sello-migrante/invitacion/{token}"): public(params=lambda w: {"token": "not-a-token"}),
    ("GET", "/sello-migrante/{code}"): public(params=lambda w: {"code": COMUNA}),
    ("POST", "/sello-migrante/invitacion/{token}"): public(params=lambda w: {"token": "not-a-token"}),
    # a file one may not read answers 404, as a missing one does
    ("GET", "/sello/archivos/{file_id}"): only("liaison", "sello_evaluator", denied=404,
                                               params=lambda w: {"file_id": w.ids["sello_file"]}),
    ("GET", "/mi-municipalidad"): only(*LIAISONS),
    ("POST", "/mi-municipalidad/adhesion"): only(*LIAISONS),
    ("POST", "/mi-municipalidad/plan"): only(*LIAISONS),
    ("POST", "/mi-municipalidad/casos"): only(*LIAISONS),
    ("POST", "/mi-municipalidad/casos/{case_id}/cerrar"): only("liaison", params=lambda w: {"case_id": w.ids["sello_case"]}),
    ("GET", "/mi-municipalidad/evaluacion"): only(*LIAISONS),
    ("POST", "/mi-municipalidad/evaluacion"): only(*LIAISONS),
    ("GET", "/staff/sello"): only("sello_evaluator"),
    ("GET", "/staff/sello/{comuna}"): _staff(),
    ("POST", "/staff/sello/{comuna}/visitas"): _staff(),
    ("POST", "/staff/sello/{comuna}/enlaces"): _staff(),
    ("POST", "/staff/sello/{comuna}/invitaciones"): _staff(),
    ("POST", "/staff/sello/{comuna}/evaluacion/iniciar"): _staff(),
    ("POST", "/staff/sello/{comuna}/evaluacion"): _staff(),
}
