"""A cycle's moves go through portal.workflow.transition: a move from a state the cycle has already
left (two tabs, two evaluators) is a Conflict that stores nothing, and each move writes its audit event."""

from __future__ import annotations

from typing import Any

import pytest

from compromiso_helpers import counts
from factories import create_user, next_rut
from portal import audit
from portal.compromiso import queries, rules, seed, workflow
from portal.security import CurrentUser
from portal.workflow import Conflict


async def _cycle(db: Any, status: str) -> queries.Cycle:
    company = await seed.create_company(db, rut=next_rut(), name="Empresa de Prueba SpA")
    cycle = await queries.get_cycle(db, await seed.create_cycle(db, company, rules.open_year(), status))
    assert cycle is not None
    return cycle


async def test_a_stale_move_is_a_conflict_and_stores_nothing(db: Any) -> None:
    contact = await create_user(db, "contacto@prueba.cl")
    cycle = await _cycle(db, "report_submitted")
    await workflow.apply(db, cycle, contact)  # the first tab applies
    before = await counts(db)
    with pytest.raises(Conflict) as refused:
        await workflow.apply(db, cycle, contact)  # the second tab still shows report_submitted
    assert "ya postuló" in refused.value.reason
    assert await counts(db) == before
    assert [e["action"] for e in await audit.history(db, "compromiso_cycle", cycle.id)] == ["compromiso.applied"]


async def _evaluator(db: Any, email: str) -> CurrentUser:
    user_id = await create_user(db, email, roles=["compromiso_evaluator"])
    return CurrentUser(id=user_id, email=email, name="Evaluación", roles=frozenset({"compromiso_evaluator"}))


async def test_two_evaluators_start_and_decide_once(db: Any) -> None:
    first = await _evaluator(db, "uno@sermig.gob.cl")
    second = await _evaluator(db, "dos@sermig.gob.cl")
    cycle = await _cycle(db, "applied")
    await workflow.start_evaluation(db, cycle, first)
    with pytest.raises(Conflict):
        await workflow.start_evaluation(db, cycle, second)
    row = await db.fetch_one("SELECT status, evaluator_id, evaluation_started_at FROM compromiso_cycles WHERE id = :i",
                             {"i": cycle.id})
    assert (row["status"], row["evaluator_id"]) == ("in_evaluation", first.id) and row["evaluation_started_at"]
    result = rules.decide((2, 2, 2, 2, 2))
    scores = {n: (2, "") for n in rules.COMMITMENTS}
    await workflow.decide(db, cycle, second, result, scores, None)
    with pytest.raises(Conflict):
        await workflow.decide(db, cycle, first, rules.decide((0, 0, 0, 0, 0)), scores, None)
    row = await db.fetch_one("SELECT status, total_score FROM compromiso_cycles WHERE id = :i", {"i": cycle.id})
    assert (row["status"], row["total_score"]) == ("recognized", 10)
    actions = [e["action"] for e in await audit.history(db, "compromiso_cycle", cycle.id)]
    assert actions == ["compromiso.evaluation_started", "compromiso.decided"]


def test_the_machine_allows_only_the_documented_moves() -> None:
    """docs/compromiso.md, States per cycle."""
    assert {target: sorted(sources) for target, sources in workflow.MACHINE.moves.items()} == {
        "report_submitted": ["adhered"], "applied": ["report_submitted"], "in_evaluation": ["applied"],
        "recognized": ["in_evaluation"], "not_recognized": ["in_evaluation"]}
