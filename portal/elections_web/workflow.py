"""Moving an election through its phases (docs/elections.md, Phases): check, do the phase's work,
change the phase and write the audit event (portal.workflow.transition), log — in one transaction.

Other events of an election (created, settings, claims, candidacy decisions, sorteo, vacancies) are
written by `record_event`: the election's own log and the audit log, together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import elections
from portal import audit, clock
from portal.db import Database
from portal.elections_web import acta, count, count_queries, padron, phases, queries as q, \
    record_queries, sealing, vote_queries
from portal.guards import forbidden, found
from portal.i18n import gettext as _
from portal.txn import atomic
from portal.workflow import Conflict, Machine, moves, require, transition as move

# Each phase is entered from the one before it, in order (phases.PHASES).
_STEPS = zip(phases.PHASES, phases.PHASES[1:], strict=False)
PHASE_MACHINE = Machine(table="elections", object_type="election", column="phase", audit_prefix="election",
                        moves=moves(**{after: (before,) for before, after in _STEPS}))
# A trustee: named, then its key is in (before voting opens), then its step is in (after the close).
TRUSTEE_STATES = ("named", "key_in", "step_in")
TRUSTEE_MACHINE = Machine(table="election_trustees", object_type="election_trustee", audit_prefix="election.trustee",
                          moves=moves(key_in=("named",), step_in=("key_in",)))


async def record_event(db: Database, e: q.Election, actor: Any, event: str, *, detail: Any = None,
                       to_phase: str | None = None) -> None:
    """Append an event (not a phase change) to the election log AND the audit log, inside the change's
    transaction."""
    await q.log_event(db, e.id, actor, event, detail=detail, to_phase=to_phase)
    after: dict[str, Any] = {"phase": to_phase} if to_phase else {}
    if detail is not None:
        after["detail"] = detail
    await audit.record(db, actor=actor, action=f"election.{event}", object_type="election", object_id=e.id,
                       before=None, after=after or None)


async def transition(db: Database, election_id: int, target: str, actor: Any, *,
                     secret: str | None = None) -> dict[str, Any]:
    """Move the election into `target` if every precondition holds; returns the logged detail.
    `secret` (the app's secret key) is needed to open the vote: the election's portal key derives from it.

    Refuses with 404 (no such election), 403 (another officer's step) or Conflict (a precondition)."""
    if target not in phases.PHASES:
        raise ValueError(f"unknown phase {target!r}")
    async with atomic(db):
        if target == "voting_closed":  # wait for the ballots in flight; later ones will see the close
            await vote_queries.lock_out_ballots(db, election_id)
        e = found(await q.get_election(db, election_id, lock=True))
        if not actor.has_role(*phases.roles_for(target)):
            raise forbidden(_("Su función no permite este paso; lo realiza el ministro de fe."))
        require(phases.can_transition(await q.facts(db, e), target))
        detail = await _work(db, e, target, actor, secret)
        await move(db, PHASE_MACHINE, e.id, target, actor=actor, expected=(e.phase,), sets={"updated_at": "now()"},
                   action="election.phase_changed", after={"detail": detail} if detail else None,
                   refusal=_("Otra persona cambió la fase al mismo tiempo. Recargue la página."))
        await q.log_event(db, e.id, actor, "phase_changed", detail=detail or None, from_phase=e.phase, to_phase=target)
    return detail


async def _work(db: Database, e: q.Election, target: str, actor: Any, secret: str | None) -> dict[str, Any]:
    """The phase's own work, done in the transition's transaction; returns what the log records."""
    if target == "voting_open":
        if secret is None:
            raise ValueError("opening the vote needs the app's secret key (the election's portal key derives from it)")
        return await _open_voting(db, e, secret)
    work = _WORK.get(target)
    return await work(db, e, actor) if work else {}


async def _publish_padron(db: Database, e: q.Election, actor: Any) -> dict[str, Any]:
    if e.padron_cutoff is None:  # the transition's preconditions ask for it
        raise Conflict(_("Defina la fecha de corte del padrón en el calendario."))
    n = await padron.snapshot(db, e.id, e.padron_cutoff)
    await _notify(db, e, _("Padrón provisorio publicado: %(name)s", name=e.name),
                  _("Su organización figura en el padrón provisorio de la elección «%(name)s». "
                    "Puede revisarlo en /elecciones/%(id)s.", name=e.name, id=e.id))
    return {"padron_entries": n, "cutoff": e.padron_cutoff}


async def _freeze_padron(db: Database, e: q.Election, actor: Any) -> dict[str, Any]:
    digest, size = await padron.freeze(db, e.id)
    return {"padron_sha256": digest, "padron_size": size}


async def _open_voting(db: Database, e: q.Election, secret: str) -> dict[str, Any]:
    trustees = await sealing.open_record(db, e, secret)
    await _notify(db, e, _("Votación abierta: %(name)s", name=e.name),
                  _("La votación de «%(name)s» está abierta. Cualquier representante de su organización puede "
                    "emitir el voto en /elecciones/%(id)s/votar.", name=e.name, id=e.id))
    return {"voting_starts_at": e.voting_starts_at, "voting_ends_at": e.voting_ends_at, "trustees": trustees}


async def _close_voting(db: Database, e: q.Election, actor: Any) -> dict[str, Any]:
    """The vote lock is held: publish the remainder's checkpoint and every sealed ballot."""
    return {"ballots": await sealing.close_record(db, e)}


async def _notify(db: Database, e: q.Election, subject: str, body: str) -> None:
    """The phase notice to every representative of the padrón: one statement, not one per address
    (10,000 round trips cost ~2 s of the count's transaction at 10,000 organizations)."""
    await count_queries.queue_notices(db, e.id, subject, body)


async def _tally(db: Database, e: q.Election, actor: Any) -> dict[str, Any]:
    """Reveal (the last trustee's output), count, allocate; the revealed ballots, the bulletin and the
    allocation are published (results pages, receipt lookup, the record)."""
    cands = await count_queries.count_candidates(db, e.id)
    ballots = await sealing.revealed_ballots(db, e)
    try:
        bulletin, result, content = count.build(e, cands, ballots)
    except elections.InputError as exc:
        raise Conflict(_("El escrutinio no se pudo calcular: %(error)s", error=str(exc))) from None
    digest = await count.store_results(db, e, bulletin, result, content, actor.id)
    await record_queries.insert_revealed(db, e.id, bulletin["ballots"])
    await sealing.append(db, e.id, "tally", bulletin)
    await sealing.append(db, e.id, "allocation", bulletin["allocation"])
    await _notify(db, e, _("Resultados provisorios: %(name)s", name=e.name),
                  _("Se publicaron los resultados provisorios de «%(name)s» en /elecciones/%(id)s/resultados.",
                    name=e.name, id=e.id))
    return {"ballots": len(ballots), "bulletin_sha256": digest,
            "elected": {cat: c.elected for cat, c in result.categories.items()}}


async def _proclaim(db: Database, e: q.Election, actor: Any) -> dict[str, Any]:
    results = await count_queries.get_results(db, e.id)
    if results is None:  # the transition's preconditions ask for it
        raise Conflict(_("Haga el escrutinio primero."))
    today = clock.today()
    data = await acta.acta_data(db, e, results, actor.name, today)
    from portal.elections_web import acta_pdf  # fpdf2 (0.17 s to import) loads only when an acta is printed

    content = acta_pdf.render(data)
    file_id = await count.store_file(db, content, f"acta-escrutinio-{e.id}.pdf", "application/pdf", actor.id)
    await q.set_acta(db, e.id, file_id, today)
    await sealing.append(db, e.id, "proclamation", {"acta_sha256": hashlib.sha256(content).hexdigest(),
                                                    "proclaimed_on": today.isoformat()})
    return {"acta_file": file_id, "ministro": actor.name, "proclaimed_on": today}


# What entering each phase does besides changing it (docs/elections.md, Phases); voting_open: _open_voting.
_WORK: dict[str, Callable[[Database, q.Election, Any], Awaitable[dict[str, Any]]]] = {
    "padron_provisional": _publish_padron, "padron_final": _freeze_padron, "voting_closed": _close_voting,
    "tallied": _tally, "proclaimed": _proclaim,
}
