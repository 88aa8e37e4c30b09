"""Public pages: featured institutions per year, figures (chart + table), track records, open data —
and no personal data of contacts anywhere."""

from __future__ import annotations

import csv
import io
from typing import Any

from factories import create_user, next_rut
from portal.compromiso import seed


async def _world(db: Any) -> dict[str, int]:
    contact = await create_user(db, "secreta@empresa.cl", name="Persona Secreta")
    pdf = seed.sample_pdf()
    ids = {
        "star": await seed.create_company(db, rut=next_rut(), name="Viña Estrella SpA", contact_user_id=contact,
                                          adhered_on=seed.date(2022, 4, 1), region="07", comuna="07101", pdf=pdf),
        "plain": await seed.create_company(db, rut=next_rut(), name="Gremio Sencillo A.G.", kind="gremio",
                                           adhered_on=seed.date(2023, 2, 1), pdf=pdf),
        "pending": await seed.create_company(db, rut=next_rut(), name="Invitada Sin Carta", adhered_on=None),
    }
    await seed.create_cycle(db, ids["star"], 2022, "recognized", scores={1: 2, 2: 2, 3: 2, 4: 2, 5: 2},
                            certificate_code=None)
    await seed.create_cycle(db, ids["star"], 2023, "not_recognized", scores={1: 3, 2: 3, 3: 3, 4: 3, 5: 0})
    await seed.create_cycle(db, ids["plain"], 2023, "report_submitted")
    return ids


async def test_index_shows_featured_and_figures(db: Any, client: Any) -> None:
    ids = await _world(db)
    page = await client.get("/compromiso-migrante")
    assert page.status_code == 200
    assert "Instituciones destacadas" in page.text and "Viña Estrella SpA" in page.text
    assert "<svg" in page.text and "<caption>" in page.text and 'style="' not in page.text
    # 2022: 1 new, 1 total, 1 applied, 1 recognized; 2023: 1 new, 2 total, 1 applied, 0 recognized
    assert '<tr><th scope="row">2022</th><td>1</td><td>1</td><td>1</td><td>1</td></tr>' in page.text
    assert '<tr><th scope="row">2023</th><td>1</td><td>2</td><td>1</td><td>0</td></tr>' in page.text
    assert "Invitada Sin Carta" not in page.text
    fragment = await client.get("/compromiso-migrante?anio=2022", headers={"HX-Request": "true"})
    assert "Viña Estrella SpA" in fragment.text and "<html" not in fragment.text
    assert (await client.get("/compromiso-migrante?anio=abc")).status_code == 200
    record = await client.get(f"/compromiso-migrante/{ids['star']}")
    assert "Reconocida 2022" in record.text and "Persona Secreta" not in record.text
    assert "secreta@empresa.cl" not in record.text and "contacto@" not in record.text
    assert (await client.get(f"/compromiso-migrante/{ids['pending']}")).status_code == 404
    assert (await client.get("/compromiso-migrante/abc")).status_code == 404


async def test_directory_filters_without_js(db: Any, client: Any) -> None:
    await _world(db)
    everyone = await client.get("/compromiso-migrante/organizaciones")
    assert "Viña Estrella SpA" in everyone.text and "Gremio Sencillo A.G." in everyone.text
    guilds = await client.get("/compromiso-migrante/organizaciones?tipo=gremio")
    assert "Gremio Sencillo A.G." in guilds.text and "Viña Estrella SpA" not in guilds.text
    maule = await client.get("/compromiso-migrante/organizaciones?region=07&tipo=nada")
    assert "Viña Estrella SpA" in maule.text and "Gremio Sencillo A.G." not in maule.text


async def test_open_data_has_no_personal_data(db: Any, client: Any) -> None:
    ids = await _world(db)
    response = await client.get("/compromiso-migrante/organizaciones.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["name"] for r in rows} == {"Viña Estrella SpA", "Gremio Sencillo A.G."}
    star = next(r for r in rows if r["id"] == str(ids["star"]))
    assert (star["years_reported"], star["years_applied"], star["years_recognized"]) == ("2022 2023", "2022 2023", "2022")
    data = (await client.get("/compromiso-migrante/organizaciones.json")).json()
    assert data["count"] == 2
    assert {o["id"] for o in data["organizations"]} == {ids["star"], ids["plain"]}
    for body in (response.text, str(data)):
        assert "secreta" not in body.lower() and "contact" not in body.lower() and "national_" not in body


async def test_pages_in_english(db: Any, client: Any) -> None:
    await _world(db)
    await client.get("/idioma/en")
    page = await client.get("/compromiso-migrante")
    assert "Featured institutions" in page.text and "The five commitments" in page.text


async def test_a_revoked_recognition_is_no_longer_shown(db: Any, client: Any, make_client: Any) -> None:
    from portal.certificates import service

    ids = await _world(db)
    code = await service.issue(db, kind="compromiso", subject_type="company", subject_id=ids["plain"],
                               subject_name="Gremio Sencillo A.G.", title="Reconocida 2024",
                               valid_from=seed.date(2024, 12, 1), valid_until=seed.date(2025, 12, 31), actor=None)
    await seed.create_cycle(db, ids["plain"], 2024, "recognized", scores={1: 2, 2: 2, 3: 2, 4: 2, 5: 2},
                            certificate_code=code)
    assert "Gremio Sencillo A.G." in (await client.get("/compromiso-migrante?anio=2024")).text
    await create_user(db, "compromiso@sermig.cl", roles=["compromiso_evaluator"])
    evaluator = make_client()
    await evaluator.login("compromiso@sermig.cl")
    confirm = await evaluator.get(f"/staff/certificados/{code}/revocar")
    assert "dejará de figurar entre las reconocidas" in confirm.text
    revoked = await evaluator.post(f"/staff/certificados/{code}/revocar", {"reason": "Información falsa en el reporte"})
    assert revoked.status_code == 303
    index = await client.get("/compromiso-migrante")
    assert '<tr><th scope="row">2024</th><td>0</td><td>2</td><td>1</td><td>0</td></tr>' in index.text
    assert "Gremio Sencillo A.G." not in (await client.get("/compromiso-migrante?anio=2024")).text
    assert "Reconocida 2024" not in (await client.get(f"/compromiso-migrante/{ids['plain']}")).text
    rows = list(csv.DictReader(io.StringIO((await client.get("/compromiso-migrante/organizaciones.csv")).text)))
    plain = next(r for r in rows if r["id"] == str(ids["plain"]))
    assert (plain["years_applied"], plain["years_recognized"]) == ("2024", "")
    # the other recognitions are untouched
    assert "Reconocida 2022" in (await client.get(f"/compromiso-migrante/{ids['star']}")).text
