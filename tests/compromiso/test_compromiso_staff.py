"""The back-office queue: waiting applications by default, GET filters by region, state and year."""

from __future__ import annotations

import json
from typing import Any

from factories import create_user, next_rut
from portal.compromiso import seed


async def test_queue_filters(db: Any, client: Any) -> None:
    pdf = seed.sample_pdf()
    north = await seed.create_company(db, rut=next_rut(), name="Minera Norte", region="02", comuna="02101", pdf=pdf)
    south = await seed.create_company(db, rut=next_rut(), name="Salmones Sur", region="10", comuna="10101", pdf=pdf)
    await seed.create_cycle(db, north, 2025, "applied")
    await seed.create_cycle(db, south, 2025, "in_evaluation")
    await seed.create_cycle(db, south, 2024, "recognized", scores={1: 3, 2: 3, 3: 2, 4: 2, 5: 2})
    await create_user(db, "evaluador@sermig.gob.cl", roles=["compromiso_evaluator"])
    await client.login("evaluador@sermig.gob.cl")

    waiting = await client.get("/staff/compromiso")
    assert "Minera Norte" in waiting.text and "Salmones Sur" in waiting.text and "2 ciclos encontrados" in waiting.text
    by_region = await client.get("/staff/compromiso?region=10")
    assert "Salmones Sur" in by_region.text and "Minera Norte" not in by_region.text
    recognized = await client.get("/staff/compromiso?estado=recognized&anio=2024")
    assert "1 ciclo encontrado" in recognized.text and "Salmones Sur" in recognized.text
    empty = await client.get("/staff/compromiso?estado=recognized&anio=2025")
    assert "No hay ciclos con estos filtros" in empty.text
    junk = await client.get("/staff/compromiso?estado=<script>&anio=dos&region=xx")
    assert junk.status_code == 200 and "2 ciclos encontrados" in junk.text
    rows = await client.get("/staff/compromiso?region=02", headers={"HX-Request": "true"})
    assert "Minera Norte" in rows.text and "<form" not in rows.text


async def test_decisions_are_audited_with_scores(db: Any, client: Any) -> None:
    from portal import audit

    company = await seed.create_company(db, rut=next_rut(), name="Textil Centro", pdf=seed.sample_pdf())
    cycle = await seed.create_cycle(db, company, 2025, "in_evaluation")
    await create_user(db, "ev@sermig.gob.cl", roles=["compromiso_evaluator"])
    await client.login("ev@sermig.gob.cl")
    response = await client.post(f"/staff/compromiso/ciclos/{cycle}/evaluar",
                                 {"score_1": "2", "score_2": "2", "score_3": "2", "score_4": "2", "score_5": "1"})
    assert response.status_code == 303
    [event] = await audit.history(db, "compromiso_cycle", cycle)
    assert event["action"] == "compromiso.decided"
    after = json.loads(event["after"]) if isinstance(event["after"], str) else event["after"]
    assert after["status"] == "not_recognized" and after["total"] == 9 and after["scores"]["5"] == 1
    assert (await audit.verify(db)).ok
