"""The third consecutive unexcused absence proposes the vacancy; confirming it (with reason, audited)
gives the seat to the next candidacy in the allocation's order and tells its organization; without
anyone to replace, the seat stays vacant and the quorum counts the members in office (10 of 18)."""

from __future__ import annotations

from typing import Any

import elections
from council_helpers import convened, held, mark, must
from council_world import CouncilWorld, build, secretary
from portal.elections_web import count, count_queries
from portal.elections_web.api import current_council


async def test_third_absence_proposes_and_confirming_replaces(world: CouncilWorld, db: Any, client: Any,
                                                              make_client: Any) -> None:
    await client.login(await secretary(db))
    m = world.members
    missing = m[3]  # category A
    present = set(m) - {missing}
    await held(client, m, present, days=3)
    await held(client, m, present, days=4)
    assert await db.fetch_val("SELECT count(*) FROM council_vacancy_proposals") == 0
    page = await client.get("/consejo")
    assert "2 inasistencias seguidas sin excusa" in page.text
    await held(client, m, present, days=5)
    proposal = await db.fetch_one("SELECT id, member_id, status FROM council_vacancy_proposals")
    assert proposal is not None and proposal["member_id"] == missing and proposal["status"] == "proposed"
    url = f"/staff/consejo/vacantes/{proposal['id']}/confirmar"
    empty = await client.post(url, {"reason": ""})
    assert empty.status_code == 422
    results = await count_queries.get_results(db, world.election_id)
    assert results is not None
    category = count.result_from_header(results.header).categories["A"]
    want = elections.replacement_order(category, str(missing))[0]
    await must(client, url, {"reason": "Tres inasistencias consecutivas sin excusa (sesiones 1 a 3)."})
    council = await current_council(db)
    assert council is not None and missing not in [x.id for x in council.members]
    assert int(want) in [x.id for x in council.members] and len(council.members) == 20
    assert await db.fetch_val("SELECT replacement_id FROM council_changes") == int(want)
    assert await db.fetch_val("SELECT replacement_id FROM council_vacancy_proposals") == int(want)
    welcome = await db.fetch_val("SELECT to_addr FROM outbox WHERE subject LIKE 'Se incorpora%'")
    assert welcome == world.emails[int(want)]
    audited = await db.fetch_val("SELECT count(*) FROM audit_log WHERE action IN ('council.vacancy.confirmed', "
                                 "'election.vacancy_recorded')")
    assert audited == 2
    again = await client.post(url, {"reason": "Otra vez la misma propuesta."})
    assert again.status_code == 409
    incoming = make_client()
    await incoming.login(world.emails[int(want)])
    assert (await incoming.get("/mi-consejo")).status_code == 200
    gone = make_client()
    await gone.login(world.emails[missing])
    assert (await gone.get("/mi-consejo")).status_code == 403


async def test_an_excused_absence_breaks_the_run_and_dismissal_is_recorded(world: CouncilWorld, db: Any,
                                                                           client: Any) -> None:
    await client.login(await secretary(db))
    m = world.members
    x = m[0]
    await held(client, m, set(m) - {x}, days=3)
    await held(client, m, set(m) - {x}, excused=frozenset({x}), days=4)
    await held(client, m, set(m) - {x}, days=5)
    assert await db.fetch_val("SELECT count(*) FROM council_vacancy_proposals") == 0
    await held(client, m, set(m) - {x}, days=6)
    pid = await db.fetch_val("SELECT id FROM council_vacancy_proposals")
    assert pid is None
    await held(client, m, set(m) - {x}, days=7)
    pid = await db.fetch_val("SELECT id FROM council_vacancy_proposals")
    assert pid is not None
    await must(client, f"/staff/consejo/vacantes/{pid}/descartar", {"reason": "Licencia médica presentada tarde."})
    assert await db.fetch_val("SELECT status FROM council_vacancy_proposals") == "dismissed"
    council = await current_council(db)
    assert council is not None and x in [c.id for c in council.members]


async def test_quorum_counts_the_members_in_office(db: Any, client: Any) -> None:
    world = await build(db, extra=0)  # nobody to replace: vacancies stay unfilled
    await client.login(await secretary(db))
    from portal.elections_web.api import confirm_vacancy
    from portal.security import CurrentUser
    from portal.txn import atomic
    from portal import clock

    actor = CurrentUser(id=await db.fetch_val("SELECT id FROM users WHERE email = 'secretaria@consejo.cl'"),
                        email="secretaria@consejo.cl", name="Secretaría", roles=frozenset({"council_secretary"}))
    for leaving in world.members[:2]:
        async with atomic(db):
            assert await confirm_vacancy(db, world.election_id, leaving, actor, "Renuncia.", clock.today()) is None
    council = await current_council(db)
    assert council is not None and len(council.members) == 18
    sid = await convened(client)
    await must(client, f"/staff/consejo/sesiones/{sid}/abrir")
    await mark(client, sid, {x: "present" for x in world.members[2:12]})  # 10 of 18
    page = await client.get(f"/staff/consejo/sesiones/{sid}")
    assert "Hay quórum." in page.text and "10 presentes de 18" in page.text
    await must(client, f"/staff/consejo/sesiones/{sid}/acuerdos", {"text": "Acuerdo con 18 en ejercicio.",
                                                                  "votes_for": "6", "votes_against": "4",
                                                                  "votes_abstain": "0"})
