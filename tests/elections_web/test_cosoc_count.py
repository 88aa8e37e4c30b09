"""The count as the portal runs it (fetch → elections → store), with the arithmetic in each docstring."""

from __future__ import annotations

from typing import Any

import elections
from cosoc_world import OpenElection, build_open_election, close_vote
from cosoc_helpers import signed_in, staff
from portal.elections_web import count, count_queries, demo, queries as q, sealing, vote


async def _cast_all(db: Any, oe: OpenElection, plan: dict[str, list[int | None]]) -> None:
    for cat, choices in plan.items():
        for (_u, org_id, _e), choice in zip(oe.reps[cat], choices, strict=False):
            await vote.cast_vote(db, oe.id, org_id, choice, secret=oe.secret)


async def _count(db: Any, oe: OpenElection) -> tuple[dict[str, Any], elections.Result]:
    """Close, the trustees' steps, the reveal, then the count's arithmetic."""
    await close_vote(db, oe)
    await demo.play_trustees(db, oe.id, oe.seeds, oe.trustees)
    e = await q.get_election(db, oe.id)
    bulletin, result, _content = count.build(e, await count_queries.count_candidates(db, oe.id),
                                             await sealing.revealed_ballots(db, e))
    return bulletin, result


async def test_votes_blank_and_per_category_totals(db: Any, secret: str) -> None:
    """Seats A 2, B 2, C 1; three padrón organizations per category.
    A: A1 ← 2 votes, A2 ← 0, blank 1 → 3 ballots; B: B1 ← 1, B2 ← 1, blank 1 → 3;
    C: C1 ← 1, 2 organizations abstain → 1 ballot. Total 3 + 3 + 1 = 7 ballots."""
    oe = await build_open_election(db, secret)
    a1, _a2 = oe.candidates["A"]
    b1, b2 = oe.candidates["B"]
    c1, _c2 = oe.candidates["C"]
    await _cast_all(db, oe, {"A": [a1, a1, None], "B": [b1, b2, None], "C": [c1]})
    bulletin, result = await _count(db, oe)
    totals = bulletin["totals"]
    assert totals["ballots"] == 7
    assert totals["categories"]["A"] == {"votes": {str(a1): 2, str(_a2): 0}, "blank": 1, "ballots": 3}
    assert totals["categories"]["B"]["votes"] == {str(b1): 1, str(b2): 1} and totals["categories"]["B"]["blank"] == 1
    assert totals["categories"]["C"]["ballots"] == 1
    assert result.categories["C"].elected == [str(c1)]
    assert totals["rejected"] == []


async def test_a_tie_is_decided_by_the_seed_sorteo(db: Any, secret: str) -> None:
    """Category C has 1 seat and two candidates from region 05, C1 (F) and C2 (M), each with 1 vote
    (minimum ⌈1/2⌉ = 1 outside RM: both qualify; cap max(⌊0.6⌋, ⌈1/2⌉) = 1). The committees
    {C1} and {C2} are equal on votes (1 = 1), so the lottery order decides: candidates sorted by
    SHA-256("<seed>|C|<id>") ascending; the first one wins and the trail says the sorteo was decisive."""
    oe = await build_open_election(db, secret)
    c1, c2 = oe.candidates["C"]
    await db.execute("UPDATE candidates SET region_code = '05' WHERE id IN (:a, :b)", {"a": c1, "b": c2})
    await _cast_all(db, oe, {"C": [c1, c2]})
    _bulletin, result = await _count(db, oe)
    first = elections.order_from_seed("semilla", "C", [str(c1), str(c2)])[0]
    cat = result.categories["C"]
    assert cat.elected == [first] and cat.lottery_decisive
    assert "Sorteo: decisivo" in cat.to_text("es") and "Sorteo: decisive" in cat.to_text("en")


async def test_gender_cap_substitution_in_the_stored_trail(db: Any, secret: str, make_client: Any) -> None:
    """Category B, 2 seats: cap max(⌊0.6·2⌋, ⌈2/2⌉) = max(1, 1) = 1 per gender; minimum ⌈2/2⌉ = 1 outside RM.
    Candidates B1 (F) and B2 (M) from the fixture plus B3 (F, region 05) added here. Votes: B1 2, B3 1,
    B2 0. The top two, B1 and B3, are both F, over the cap of 1, so the least-voted of them, B3, gives
    way to the best M, B2: elected {B1, B2} with votes (2, 0); substitution B3 → B2."""
    oe = await build_open_election(db, secret, per_category=4)
    b1, b2 = oe.candidates["B"]
    _u, org3, _e = oe.reps["B"][2]
    b3 = await q.save_candidate(db, oe.id, org3, "B", "05", {"name": "Candidatura B3", "document_type": "passport",
                                                             "document_number": "P3", "gender": "F",
                                                             "bio": "Reseña suficientemente larga."})
    await db.execute("UPDATE candidates SET status = 'admissible' WHERE id = :c", {"c": b3})
    await db.execute("UPDATE candidates SET region_code = '05' WHERE id IN (:a, :b)", {"a": b1, "b": b2})
    await _cast_all(db, oe, {"B": [b1, b1, b3]})
    await close_vote(db, oe)
    await demo.play_trustees(db, oe.id, oe.seeds, oe.trustees)
    officer = await staff(make_client, db, "election_officer")
    assert (await officer.post(f"/staff/elecciones/{oe.id}/escrutinio")).status_code == 303
    stored = await count_queries.get_results(db, oe.id)
    alloc = stored.header["allocation"]["categories"]["B"]
    assert sorted(alloc["elected"]) == sorted([str(b1), str(b2)])
    assert alloc["substitutions"] == [{"out": str(b3), "in": str(b2)}]
    assert "Sustituciones (sale -> entra)" in stored.trail_es and "Substitutions (outgoing -> incoming)" in stored.trail_en
    page = await officer.get(f"/elecciones/{oe.id}/resultados")
    assert "Candidatura B3 (1 voto, femenino, Región de Valparaíso) cedió su cupo a Candidatura B2 (0 votos" in page.text
    english = await officer.get(f"/elecciones/{oe.id}/resultados", headers={"Accept-Language": "en"})
    assert "Substitutions (outgoing -&gt; incoming)" in english.text


async def test_turnout_is_public_during_voting_and_results_are_not(db: Any, open_election: OpenElection,
                                                                   make_client: Any) -> None:
    """3 organizations per category; 2 of category A vote → A 2/3 (66.7 %), total 2/9."""
    a1 = open_election.candidates["A"][0]
    for _u, org_id, _e in open_election.reps["A"][:2]:
        await vote.cast_vote(db, open_election.id, org_id, a1, secret=open_election.secret)
    anon = make_client()
    page = await anon.get(f"/elecciones/{open_election.id}")
    assert f'sse-connect="/elecciones/{open_election.id}/participacion/en-vivo"' in page.text  # test_live_turnout.py
    assert "2 de 9 organizaciones" in page.text
    partial = await anon.get(f"/elecciones/{open_election.id}/participacion", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith("<section") and "<html" not in partial.text
    assert "66,7" in partial.text
    full = await anon.get(f"/elecciones/{open_election.id}/participacion")
    assert "<html" in full.text and "2 de 9 organizaciones" in full.text
    # WCAG 2.2.2: a plain link pauses the automatic refresh, and another resumes it
    assert f'href="/elecciones/{open_election.id}?pausa=1"' in page.text
    paused = await anon.get(f"/elecciones/{open_election.id}?pausa=1")
    assert "sse-connect" not in paused.text and "Reanudar la actualización automática" in paused.text
    assert f'href="/elecciones/{open_election.id}?pausa=1"' in partial.text
    results = await anon.get(f"/elecciones/{open_election.id}/resultados")
    assert "no hay resultados parciales" in results.text and "Candidatura A1 (2" not in results.text
    assert (await anon.get(f"/elecciones/{open_election.id}/boletin.json")).status_code == 404
    lookup = await anon.get(f"/elecciones/{open_election.id}/recibo", params={"codigo": "0" * 64})
    assert "después del escrutinio" in lookup.text


async def test_can_i_vote_for_a_representative(db: Any, open_election: OpenElection, make_client: Any) -> None:
    client = await signed_in(make_client, open_election.reps["B"][1][2])
    page = await client.get(f"/elecciones/{open_election.id}")
    assert "¿Puedo votar?" in page.text and "en la categoría B" in page.text and "Votar ahora" in page.text
