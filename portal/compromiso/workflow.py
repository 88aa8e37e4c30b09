"""A cycle's states and moves (docs/compromiso.md, States per cycle), through portal.workflow.transition.

adhered → report_submitted → applied → in_evaluation → recognized | not_recognized. Each move locks
the cycle, checks its state, stamps its time and writes the audit event in one transaction; a cycle
no longer in the expected state is a Conflict. The checks below say beforehand why a move is not
possible now (pages show them; views `require()` them before the move).
"""

from __future__ import annotations

from typing import Any

from portal.compromiso import rules
from portal.compromiso.queries import Cycle
from portal.compromiso.rules import (
    ADHERED, APPLIED, IN_EVALUATION, NOT_RECOGNIZED, RECOGNIZED, REPORT_SUBMITTED, Decision,
)
from portal.db import Database
from portal.i18n import gettext as _
from portal.security import CurrentUser
from portal.workflow import ALLOWED, Check, Machine, Moved, moves, refuse, transition

MACHINE = Machine(
    table="compromiso_cycles", object_type="compromiso_cycle", audit_prefix="compromiso",
    moves=moves(**{REPORT_SUBMITTED: (ADHERED,), APPLIED: (REPORT_SUBMITTED,), IN_EVALUATION: (APPLIED,),
                   RECOGNIZED: (IN_EVALUATION,), NOT_RECOGNIZED: (IN_EVALUATION,)}),
)


# ----- checks (docs/compromiso.md, Annual report, Application, Evaluation) -----

def _report_closed() -> str:
    return _("Este informe ya fue enviado o corresponde a un año cerrado, y no se puede modificar.")


def _already_applied(cycle: Cycle) -> str:
    return _("Su organización ya postuló al reconocimiento %(year)s.", year=cycle.year)


def _not_applied() -> str:
    return _("Solo se puede iniciar la evaluación de una postulación recibida.")


def _not_in_evaluation() -> str:
    return _("Esta postulación no está en evaluación; no se puede decidir ahora.")


def report_editable(cycle: Cycle) -> Check:
    """The annual report (and its evidence) can be changed while the open year's cycle is adhered."""
    if cycle.status != ADHERED or cycle.year != rules.open_year():
        return refuse(_report_closed())
    return ALLOWED


def evidence_removable(cycle: Cycle) -> Check:
    """Evidence can be removed until the report is submitted."""
    if cycle.status != ADHERED:
        return refuse(_("El informe ya fue enviado: sus medios de verificación no se pueden quitar."))
    return ALLOWED


def can_apply(cycle: Cycle) -> Check:
    """Application to the open year's recognition, once that year's report is submitted."""
    if cycle.year != rules.open_year():
        return refuse(_("Solo se puede postular al reconocimiento del año en curso (%(year)s).",
                        year=rules.open_year()))
    if cycle.status == ADHERED:
        return refuse(_("Para postular al reconocimiento %(year)s primero envíe el informe anual de ese año.",
                        year=cycle.year))
    if cycle.status != REPORT_SUBMITTED:
        return refuse(_already_applied(cycle))
    return ALLOWED


def can_start(cycle: Cycle) -> Check:
    if cycle.status != APPLIED:
        return refuse(_not_applied())
    return ALLOWED


def can_decide(cycle: Cycle) -> Check:
    if cycle.status != IN_EVALUATION:
        return refuse(_not_in_evaluation())
    return ALLOWED


# ----- moves -----

async def submit_report(db: Database, cycle: Cycle, actor: Any, *, evidence_added: int) -> Moved:
    """adhered → report_submitted."""
    return await transition(db, MACHINE, cycle.id, REPORT_SUBMITTED, actor=actor,
                            sets={"report_submitted_at": "now()"},
                            after={"year": cycle.year, "evidence_added": evidence_added},
                            refusal=_report_closed())


async def apply(db: Database, cycle: Cycle, actor: Any) -> Moved:
    """report_submitted → applied."""
    return await transition(db, MACHINE, cycle.id, APPLIED, actor=actor, sets={"applied_at": "now()"},
                            after={"year": cycle.year},
                            refusal=_already_applied(cycle))


async def start_evaluation(db: Database, cycle: Cycle, actor: CurrentUser) -> Moved:
    """applied → in_evaluation: the evaluator takes the application."""
    return await transition(db, MACHINE, cycle.id, IN_EVALUATION, actor=actor,
                            action="compromiso.evaluation_started",
                            sets={"evaluation_started_at": "now()", "evaluator_id": ":evaluator"},
                            params={"evaluator": actor.id}, refusal=_not_applied())


async def decide(db: Database, cycle: Cycle, actor: CurrentUser, result: Decision, scores: dict[int, tuple[int, str]],
                 certificate_code: str | None) -> Moved:
    """in_evaluation → recognized | not_recognized, with the total and the certificate (if any)."""
    return await transition(
        db, MACHINE, cycle.id, result.status, actor=actor, action="compromiso.decided",
        sets={"decided_at": "now()", "total_score": ":total", "evaluator_id": ":evaluator",
              "certificate_code": ":certificate"},
        params={"total": result.total, "evaluator": actor.id, "certificate": certificate_code},
        after={"total": result.total, "certificate": certificate_code,
               "scores": {str(n): s for n, (s, _c) in scores.items()}},
        refusal=_not_in_evaluation())
