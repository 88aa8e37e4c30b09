"""The demo data: SERMIG's 2022 figures, every state present, a working contact, idempotent."""

from __future__ import annotations

from typing import Any

from portal.compromiso import demo, public_queries, rules


async def test_demo_loads_once_with_the_published_2022_figures(db: Any, client: Any) -> None:
    lines = await demo.load(db)
    assert any(demo.CONTACT_EMAIL in line for line in lines)
    companies = await db.fetch_val("SELECT count(*) FROM compromiso_companies")
    assert 110 <= companies <= 130
    by_year = {f.year: f for f in await public_queries.figures(db)}
    y2022 = by_year[2022]
    assert (y2022.new, y2022.total, y2022.applied, y2022.recognized) == (74, 116, 18, 16)
    open_states = {r["status"] for r in await db.fetch_all(
        "SELECT DISTINCT status FROM compromiso_cycles WHERE year = :y", {"y": rules.open_year()})}
    assert open_states == set(rules.STATES)
    # every recognition has its certificate and scores that the rule agrees with
    rows = await db.fetch_all("SELECT id, status, certificate_code FROM compromiso_cycles "
                              "WHERE status IN ('recognized', 'not_recognized')")
    for row in rows:
        scores = {r["commitment"]: r["score"] for r in await db.fetch_all(
            "SELECT commitment, score FROM compromiso_scores WHERE cycle_id = :c", {"c": row["id"]})}
        assert rules.decide(scores).status == row["status"]
        assert (row["certificate_code"] is not None) == (row["status"] == "recognized")

    before = await db.fetch_val("SELECT count(*) FROM compromiso_cycles")
    await demo.load(db)
    assert await db.fetch_val("SELECT count(*) FROM compromiso_companies") == companies
    assert await db.fetch_val("SELECT count(*) FROM compromiso_cycles") == before

    from portal.demo import DEMO_PASSWORD
    await client.login(demo.CONTACT_EMAIL, DEMO_PASSWORD)
    home = await client.get("/mi-empresa")
    assert home.status_code == 200 and "Reconocida" in home.text
    public = await client.get("/compromiso-migrante?anio=2022")
    assert public.text.count('<tr><th scope="row"><a href="/compromiso-migrante/') >= 16
