"""The Sello demo data: every state present, figures per year, a working liaison, idempotent."""

from __future__ import annotations

import re
from typing import Any

from portal import clock
from portal.sello import demo, queries, rules


async def test_demo_loads_every_state_once(db: Any, client: Any) -> None:
    lines = await demo.load(db)
    assert demo.LIAISON_EMAIL in "\n".join(lines)
    adhesions = await queries.all_adhesions(db)
    assert len(adhesions) == demo.TOTAL
    today = clock.today()
    shown = {a.state(today) for a in adhesions}
    assert shown == {"adhered", "implementing", "evaluation_requested", "in_evaluation", "certified", "revalidation", "expired"}
    assert len({a.region_code for a in adhesions}) >= 12
    figures = {f["year"]: f for f in await queries.yearly_figures(db)}
    assert figures[2022]["adhesions"] == 43 and figures[2022]["cases"] == 12482 and figures[2022]["visits"] == 48
    assert all(figures[y]["cases"] > 0 for y in range(2020, 2027))
    certified = [a for a in adhesions if a.certificate_code]
    assert certified and await db.fetch_val("SELECT count(*) FROM certificates WHERE kind = 'sello'") == len(certified)
    counts = [await db.fetch_val(f"SELECT count(*) FROM {t}") for t in ("sello_adhesions", "sello_cases", "certificates")]
    assert await demo.load(db) == lines  # idempotent
    assert counts == [await db.fetch_val(f"SELECT count(*) FROM {t}") for t in ("sello_adhesions", "sello_cases", "certificates")]
    from portal.demo import DEMO_PASSWORD

    await client.login(demo.LIAISON_EMAIL, DEMO_PASSWORD)
    page = await client.get("/mi-municipalidad")
    assert page.status_code == 200 and "Municipalidad de Valparaíso" in page.text and "Solicitar evaluación" in page.text
    public = await client.get("/sello-migrante")
    assert public.status_code == 200 and "12.482" in public.text


async def test_stored_statuses_are_the_sql_check(db: Any) -> None:
    """rules.STATUSES and the CHECK on sello_adhesions.status name the same states."""
    check = await db.fetch_val(
        """SELECT pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = 'sello_adhesions'::regclass AND pg_get_constraintdef(oid) LIKE '%status = ANY%'""")
    assert set(re.findall(r"'(\w+)'::text", check)) == set(rules.STATUSES)
