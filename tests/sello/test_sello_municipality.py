"""One public page per municipality (/sello-migrante/{CUT}), the region map, how to join (issue 16, item 7)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from policies.sello import store_pdf

from portal import clock
from portal.certificates import service as certificates


async def _certified(db: Any, code: str) -> str:
    """An adhered municipality certified 30 days ago, with its certificate."""
    file_id = await store_pdf(db)
    today = clock.today()
    resolution, until = today - timedelta(days=30), today + timedelta(days=700)
    cert = await certificates.issue(db, kind="sello", subject_type="municipality", subject_id=code,
                                    subject_name="Municipalidad de Santiago", title="Sello Migrante 2026–2028",
                                    valid_from=resolution, valid_until=until, actor=None)
    await db.execute(
        """INSERT INTO sello_adhesions (comuna_code, mayor_name, carta_date, council_agreement, carta_file_id,
                                        adhered_on, status, work_plan_file_id, work_plan_on, certified_on,
                                        first_certified_on, valid_until, certificate_code)
           VALUES (:c, 'Alcalde', :d, '1/2024', CAST(:f AS uuid), :d, 'certified', CAST(:f AS uuid), :d, :r, :r, :v, :k)""",
        {"c": code, "d": date(2024, 5, 1), "f": file_id, "r": resolution, "v": until, "k": cert})
    await db.execute("INSERT INTO sello_cases (comuna_code, topic, opened_on) VALUES (:c, 'health', '2025-03-01')",
                     {"c": code})
    await db.execute("""INSERT INTO sello_visits (comuna_code, visited_on, staff_names, notes)
                        VALUES (:c, '2025-04-02', 'Equipo', 'Visita')""", {"c": code})
    return cert


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_municipality_page_state_dates_certificates_figures(db: Any, client: Any, lang: str) -> None:
    cert = await _certified(db, "13101")
    client.http.cookies.set("lang", lang)
    page = await client.get("/sello-migrante/13101")
    assert page.status_code == 200
    assert "Municipalidad de Santiago" in page.text
    assert f'href="/certificados/{cert}"' in page.text
    assert ("Certificada" if lang == "es" else "Certified") in page.text
    assert ("Visitas técnicas" if lang == "es" else "Technical visits") in page.text
    assert "<td>1</td>" in page.text  # the 2025 case and visit
    listing = await client.get("/sello-migrante")
    assert 'href="/sello-migrante/13101"' in listing.text


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_municipality_not_adhered_says_how_to_join(db: Any, client: Any, lang: str) -> None:
    client.http.cookies.set("lang", lang)
    page = await client.get("/sello-migrante/05101")
    assert page.status_code == 200
    assert ("aún no ha adherido" if lang == "es" else "has not joined") in page.text
    assert 'id="como-adherir"' in page.text and 'href="/contacto"' in page.text


async def test_unknown_or_malformed_cut_is_404(db: Any, client: Any) -> None:
    assert (await client.get("/sello-migrante/99999")).status_code == 404
    assert (await client.get("/sello-migrante/abc")).status_code == 404
    assert (await client.get("/sello-migrante/131011")).status_code == 404


async def test_region_map_has_a_link_per_region_and_the_same_figures_as_a_table(db: Any, client: Any) -> None:
    await _certified(db, "13101")
    page = await client.get("/sello-migrante")
    text = page.text
    regions = await db.fetch_val("SELECT count(*) FROM regions")
    svg = text[text.index('<svg class="sello-chart__svg" viewBox="0 0 320'):]
    svg = svg[:svg.index("</svg>")]
    assert svg.count("<a href=") == regions
    assert 'aria-label="Metropolitana de Santiago: Adheridas 1, Certificadas 1"' in svg or "Adheridas 1, Certificadas 1" in svg
    assert "<caption id=\"mapa-sello-table\">Municipalidades adheridas por región</caption>" in text
    assert 'href="/sello-migrante?region=13#municipalidades"' in text
    assert "style=" not in text
    assert 'id="como-adherir"' in text
