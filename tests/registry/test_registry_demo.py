"""The registry's demo data: realistic spread, every state, idempotent, usable credentials."""

from __future__ import annotations

from portal import demo as portal_demo
from portal.registry import demo


async def test_demo_loads_once_with_every_state(db, client) -> None:
    await portal_demo.load_staff(db)
    lines = await demo.load(db)
    assert any("rep@demo.participa.cl" in line for line in lines)
    count = await db.fetch_val("SELECT count(*) FROM organizations")
    assert 55 <= count <= 70
    assert await db.fetch_val("SELECT count(DISTINCT region_code) FROM organizations") == 16
    assert {r[0] for r in await db.fetch_all("SELECT DISTINCT category FROM organizations")} == {"A", "B", "C"}
    states = {r[0] for r in await db.fetch_all("SELECT DISTINCT effective_status FROM organizations_effective")}
    assert states >= {"draft", "submitted", "in_review", "observed", "approved", "expired", "rejected", "withdrawn"}
    assert await db.fetch_val("SELECT count(*) FROM organizations WHERE review_kind <> 'registration'") == 2
    assert await db.fetch_val("SELECT count(*) FROM org_documents") > 150
    assert await db.fetch_val("SELECT count(*) FROM organizations o WHERE NOT EXISTS "
                              "(SELECT 1 FROM org_representatives r WHERE r.org_id = o.id AND r.is_legal)") == 0
    # again: nothing new
    await demo.load(db)
    assert await db.fetch_val("SELECT count(*) FROM organizations") == count
    # the printed representative can sign in and sees an approved organization
    await client.login("rep@demo.participa.cl", portal_demo.DEMO_PASSWORD)
    page = await client.get("/mi-organizacion")
    assert page.status_code == 200 and "Su organización está inscrita" in page.text
    listing = await client.get("/organizaciones", params={"q": "haitiana"})
    assert "Fundación Haitiana de Quilicura" in listing.text
