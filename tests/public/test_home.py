"""The home page says what is happening (issue 16, item 3): live figures and what is open now, each a link."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from factories import create_org

from portal import clock, i18n
from portal import demo as portal_demo
from portal.elections_web import demo as elections_demo


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_home_on_an_empty_portal(db: Any, client: Any, lang: str) -> None:
    client.http.cookies.set("lang", lang)
    page = await client.get("/")
    assert page.status_code == 200
    text = page.text
    assert ("No hay una elección en curso" if lang == "es" else "No election is under way") in text
    assert ("0 organizaciones vigentes" if lang == "es" else "0 organizations in force") in text
    year = clock.today().year
    assert f'href="/compromiso-migrante?anio={year}"' in text
    assert 'href="/sello-migrante#como-adherir"' in text


async def test_home_counts_organizations_in_force_by_category(db: Any, client: Any) -> None:
    await create_org(db, category="A")
    await create_org(db, category="A")
    await create_org(db, category="C")
    await create_org(db, category="B", vigencia_expires_on=clock.today() - timedelta(days=1))  # expired
    await create_org(db, category="B", status="draft")  # not public
    text = (await client.get("/")).text
    assert "3 organizaciones vigentes" in text
    assert 'href="/organizaciones?status=approved&amp;category=A">Categoría A: mayoritariamente migrantes</a>: 2' in text
    assert 'category=B">Categoría B: trabajan con migrantes</a>: 0' in text


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_home_shows_the_election_under_way_and_the_council(db: Any, client: Any, lang: str) -> None:
    await portal_demo.load_staff(db)
    await elections_demo.load(db)
    current = await db.fetch_one("SELECT id, name, voting_ends_at FROM elections WHERE phase = 'voting_open'")
    seats = await db.fetch_val(
        "SELECT seats_a + seats_b + seats_c FROM elections WHERE phase IN ('proclaimed', 'constituted')")
    client.http.cookies.set("lang", lang)
    text = (await client.get("/")).text
    assert f'href="/elecciones/{current["id"]}"' in text
    assert ("Votación abierta" if lang == "es" else "Voting open") in text
    assert ("Cierre de la votación" if lang == "es" else "Voting closes") in text
    closes = current["voting_ends_at"].astimezone(i18n.CHILE_TZ)
    assert f", {closes:%H:%M}</time>" in text  # Chile's time, without seconds
    councillors = "consejeras y consejeros en ejercicio" if lang == "es" else "councillors in office"
    assert councillors in text and 'href="/consejo"' in text
    assert seats > 0


async def test_home_counts_certified_municipalities_and_this_years_recognitions(db: Any, client: Any) -> None:
    from policies.sello import store_pdf

    file_id = await store_pdf(db)
    today = clock.today()
    for code, until in (("13101", today + timedelta(days=100)), ("05101", today - timedelta(days=1))):
        await db.execute(
            """INSERT INTO sello_adhesions (comuna_code, mayor_name, carta_date, council_agreement, carta_file_id,
                                            adhered_on, status, work_plan_file_id, certified_on, first_certified_on,
                                            valid_until)
               VALUES (:c, 'A', :d, '1', CAST(:f AS uuid), :d, 'certified', CAST(:f AS uuid), :d, :d, :v)""",
            {"c": code, "d": date(2024, 1, 10), "f": file_id, "v": until})
    text = (await client.get("/")).text
    assert "1 municipalidad certificada" in text  # the expired one does not count
    assert f"0 organizaciones reconocidas ({today.year})" in text
