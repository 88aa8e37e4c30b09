"""The demo loader: idempotent, a proclaimed election with a council, and one open for voting."""

from __future__ import annotations

from typing import Any

from portal import demo as portal_demo
from portal.elections_web import demo


async def test_demo_loads_once_and_can_be_tried(db: Any, make_client: Any, secret: str) -> None:
    await portal_demo.load_staff(db)
    lines = await demo.load(db, secret)
    assert any("voting open now" in line for line in lines)
    assert await db.fetch_val("SELECT count(*) FROM elections") == 2
    again = await demo.load(db, secret)
    assert "already loaded" in again[0] and await db.fetch_val("SELECT count(*) FROM elections") == 2
    past, current = [r["id"] for r in await db.fetch_all("SELECT id FROM elections ORDER BY id")]
    assert await db.fetch_val("SELECT phase FROM elections WHERE id = :e", {"e": past}) == "constituted"
    anon = make_client()
    council = await anon.get("/consejo")
    assert council.status_code == 200 and "Categoría A" in council.text
    assert (await anon.get(f"/elecciones/{past}/acta.pdf")).content.startswith(b"%PDF")
    # the printed representative has not voted in the open election and can
    email = "elecciones.a1@demo.participa.cl"
    assert any(email in line for line in lines)
    client = make_client()
    await client.login(email, portal_demo.DEMO_PASSWORD)
    page = await client.get(f"/elecciones/{current}/votar")
    assert page.status_code == 200 and "Continuar" in page.text
    cast = await client.post(f"/elecciones/{current}/votar", {"step": "cast", "choice": "blank"})
    assert cast.status_code == 200 and "tracking-code" in cast.text
