"""The public Sello Migrante page: by region north to south, filters, chart without inline styles, CSV/JSON."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from policies.sello import store_pdf

from portal import clock


async def _adhesion(db: Any, code: str, **fields: Any) -> None:
    file_id = await store_pdf(db)
    await db.execute(
        """INSERT INTO sello_adhesions (comuna_code, mayor_name, carta_date, council_agreement, carta_file_id, adhered_on)
           VALUES (:c, 'Alcalde', :d, '1/2024', CAST(:f AS uuid), :d)""", {"c": code, "d": date(2024, 5, 1), "f": file_id})
    if fields:
        sets = ", ".join(f"{k} = :{k}" for k in fields)
        await db.execute(f"UPDATE sello_adhesions SET {sets} WHERE comuna_code = :c", {"c": code, **fields})


async def test_public_list_by_region_with_states_and_exports(db: Any, client: Any) -> None:
    today = clock.today()
    await _adhesion(db, "12101")  # Punta Arenas (south)
    await _adhesion(db, "15101", status="implementing",
                    work_plan_file_id=await db.fetch_val("SELECT carta_file_id FROM sello_adhesions"))
    await _adhesion(db, "13101")  # Santiago
    plan = await db.fetch_val("SELECT carta_file_id FROM sello_adhesions LIMIT 1")
    await db.execute("""UPDATE sello_adhesions SET status = 'certified', work_plan_file_id = :p, certified_on = :r,
                        first_certified_on = :r, valid_until = :v WHERE comuna_code = '13101'""",
                     {"p": plan, "r": today - timedelta(days=30), "v": today + timedelta(days=700)})
    await db.execute("INSERT INTO sello_cases (comuna_code, topic, opened_on) VALUES ('13101', 'health', '2025-03-01')")
    page = await client.get("/sello-migrante")
    assert page.status_code == 200
    text = page.text
    # north → south: Arica (15) before Santiago (13) before Magallanes (12)
    assert text.index("Municipalidad de Arica") < text.index("Municipalidad de Santiago") \
        < text.index("Municipalidad de Punta Arenas")
    assert "En implementación" in text and "Certificada" in text and "Adherida" in text
    assert "style=" not in text and "<script>" not in text  # CSP: no inline styles or scripts
    assert "<svg" in text and "<caption>Sello Migrante: cifras por año</caption>" in text
    filtered = await client.get("/sello-migrante?region=13&estado=certified")
    assert "Municipalidad de Santiago" in filtered.text and "Municipalidad de Arica" not in filtered.text
    partial = await client.get("/sello-migrante?region=15", headers={"HX-Request": "true"})
    assert "<html" not in partial.text and "Municipalidad de Arica" in partial.text
    garbage = await client.get("/sello-migrante?region=xx&estado=<b>")
    assert garbage.status_code == 200 and "Municipalidad de Arica" in garbage.text

    csv_response = await client.get("/sello-migrante/municipalidades.csv")
    assert csv_response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.text)))
    assert [r["comuna_code"] for r in rows] == ["15101", "13101", "12101"]
    assert rows[1]["state"] == "certified" and rows[1]["valid_until"] == (today + timedelta(days=700)).isoformat()
    data = (await client.get("/sello-migrante/municipalidades.json?estado=implementing")).json()
    assert data["count"] == 1 and data["municipalities"][0]["municipality"] == "Municipalidad de Arica"


async def test_public_page_in_english(db: Any, client: Any) -> None:
    await _adhesion(db, "05101")
    page = await client.get("/sello-migrante", headers={"Accept-Language": "en"})
    assert "Municipalities by region" in page.text and "Adhered" in page.text


async def test_upload_fields_accept_pdf(sello: Any) -> None:
    """The file inputs tell the browser to offer PDFs (the attribute is markup, not escaped text)."""
    page = await sello.liaison.get("/mi-municipalidad")
    assert 'accept="application/pdf,.pdf"' in page.text and "&#34;" not in page.text
