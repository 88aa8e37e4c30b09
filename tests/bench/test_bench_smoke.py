"""Smoke tests of the registry benchmark's parts: the generator's rows and the minimal app's page."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

import httpx

import gen_orgs
import minimal_app
from portal import rut
from portal.registry import model

_LINK = re.compile(r'href="/organizaciones/(\d+)"')


async def _comunas(db: Any) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for row in await db.fetch_all("SELECT code, name, region_code FROM comunas ORDER BY code"):
        out.setdefault(row["region_code"], []).append((row["code"], row["name"]))
    return out


async def test_generator_rows_are_valid_and_deterministic(db: Any) -> None:
    comunas = await _comunas(db)
    region_of = {code: region for region, items in comunas.items() for code, _ in items}
    rows = [dict(zip(gen_orgs.COLUMNS, r, strict=True)) for r in gen_orgs.generate(2000, 7, comunas, date(2025, 6, 1))]
    assert rows == [dict(zip(gen_orgs.COLUMNS, r, strict=True)) for r in gen_orgs.generate(2000, 7, comunas, date(2025, 6, 1))]
    assert len({r["rut"] for r in rows}) == 2000
    assert all(rut.normalize(r["rut"]) == r["rut"] for r in rows)
    assert all(region_of[r["comuna_code"]] == r["region_code"] for r in rows)
    assert {r["legal_form"] for r in rows} <= set(model.LEGAL_FORMS)
    assert all(r["areas"] and set(r["areas"]) <= set(model.AREAS) for r in rows)
    assert all(r["status"] in model.STATUSES for r in rows)
    regions = Counter(r["region_code"] for r in rows)
    assert regions.most_common(1)[0][0] == "13" and regions["13"] > 0.4 * len(rows)  # RM heavy
    assert set(Counter(r["category"] for r in rows)) == {"A", "B", "C"}
    approved = [r for r in rows if r["status"] == "approved"]
    expired = [r for r in approved if r["vigencia_expires_on"] < date(2025, 6, 1)]
    assert len(approved) > 0.7 * len(rows) and 0 < len(expired) < 0.2 * len(rows)
    assert any(r["status"] == "withdrawn" and r["withdrawn_at"] for r in rows)
    assert any(ch in r["description"] for r in rows[:50] for ch in "áéíóúñ")


async def test_minimal_app_serves_the_portals_first_page(db: Any, client: Any, database_url: str) -> None:
    await gen_orgs.insert(database_url, 150, 11, rebuild_indexes=False)
    app = minimal_app.create_app(database_url)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
            page = await http.get("/organizaciones")
            found = await http.get("/organizaciones", params={"q": "fundación"})
    ids = [int(x) for x in _LINK.findall(page.text)]
    assert page.status_code == 200 and len(ids) == 50 == len(set(ids))
    found_ids = [int(x) for x in _LINK.findall(found.text)]
    assert found.status_code == 200 and 0 < len(found_ids) < 50
    # the yardstick must keep the portal's WHERE and ORDER BY: the same rows, in the same order
    portal_page = await client.get("/organizaciones")
    portal_found = await client.get("/organizaciones", params={"q": "fundación"})
    assert portal_page.status_code == 200 and portal_found.status_code == 200
    assert [int(x) for x in _LINK.findall(portal_page.text)] == ids
    assert [int(x) for x in _LINK.findall(portal_found.text)] == found_ids
