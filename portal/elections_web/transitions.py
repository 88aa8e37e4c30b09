"""Moving an election through its phases: check, do the phase's work, log — in one transaction."""

from __future__ import annotations

from typing import Any

import elections
from portal import mail
from portal.db import Database
from portal.elections_web import acta, count, padron, phases, queries as q, vote
from portal.i18n import gettext as _
from portal.txn import atomic


class Refused(Exception):
    """A transition or action the rules do not allow now, with the reason for the page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def transition(db: Database, election_id: int, target: str, actor: Any) -> dict[str, Any]:
    """Move the election into `target` if every precondition holds; returns the logged detail."""
    async with atomic(db):
        if target == "voting_closed":  # wait for the ballots in flight; later ones will see the close
            await db.execute("SELECT pg_advisory_xact_lock(:k, CAST(:e AS int))", {"k": vote.VOTE_LOCK, "e": election_id})
        e = await q.get_election(db, election_id, lock=True)
        if e is None:
            raise Refused(404, _("La elección no existe."))
        if target not in phases.PHASES:
            raise Refused(422, _("Fase desconocida."))
        if not actor.has_role(*phases.roles_for(target)):
            raise Refused(403, _("Su función no permite este paso; lo realiza el ministro de fe."))
        facts = await q.facts(db, e)
        allowed, reason = phases.can_transition(facts, target)
        if not allowed:
            raise Refused(409, reason)
        detail = await _work(db, e, target, actor)
        if not await q.set_phase(db, e.id, e.phase, target):
            raise Refused(409, _("Otra persona cambió la fase al mismo tiempo. Recargue la página."))
        await q.record_event(db, e, actor, "phase_changed", detail=detail or None, from_phase=e.phase, to_phase=target)
    return detail


async def _work(db: Database, e: q.Election, target: str, actor: Any) -> dict[str, Any]:
    if target == "padron_provisional":
        n = await padron.snapshot(db, e.id, e.padron_cutoff)
        await _notify(db, e, _("Padrón provisorio publicado: %(name)s", name=e.name),
                      _("Su organización figura en el padrón provisorio de la elección «%(name)s». "
                        "Puede revisarlo en /elecciones/%(id)s.", name=e.name, id=e.id))
        return {"padron_entries": n, "cutoff": e.padron_cutoff}
    if target == "padron_final":
        digest, size = await padron.freeze(db, e.id)
        return {"padron_sha256": digest, "padron_size": size}
    if target == "voting_open":
        await _notify(db, e, _("Votación abierta: %(name)s", name=e.name),
                      _("La votación de «%(name)s» está abierta. Cualquier representante de su organización puede "
                        "emitir el voto en /elecciones/%(id)s/votar.", name=e.name, id=e.id))
        return {"voting_starts_at": e.voting_starts_at, "voting_ends_at": e.voting_ends_at}
    if target == "voting_closed":
        await count.scramble_ballots(db, e.id)
        return {"ballots": await db.fetch_val("SELECT count(*) FROM ballots WHERE election_id = :e", {"e": e.id})}
    if target == "tallied":
        return await _tally(db, e, actor)
    if target == "proclaimed":
        return await _proclaim(db, e, actor)
    return {}


async def _notify(db: Database, e: q.Election, subject: str, body: str) -> None:
    rows = await db.fetch_all(
        """SELECT DISTINCT u.email FROM padron_entries p
           JOIN org_representatives r ON r.org_id = p.org_id JOIN users u ON u.id = r.user_id
           WHERE p.election_id = :e AND u.is_active ORDER BY u.email""", {"e": e.id})
    for r in rows:
        await mail.queue(db, r["email"], subject, body)


async def _tally(db: Database, e: q.Election, actor: Any) -> dict[str, Any]:
    cands = await count.count_candidates(db, e.id)
    ballots = await count.count_ballots(db, e.id)
    try:
        bulletin, result, content = count.build(e, cands, ballots)
    except elections.InputError as exc:
        raise Refused(409, _("El escrutinio no se pudo calcular: %(error)s", error=str(exc))) from None
    digest = await count.store_results(db, e, bulletin, result, content, actor.id)
    await _notify(db, e, _("Resultados provisorios: %(name)s", name=e.name),
                  _("Se publicaron los resultados provisorios de «%(name)s» en /elecciones/%(id)s/resultados.",
                    name=e.name, id=e.id))
    return {"ballots": len(ballots), "bulletin_sha256": digest,
            "elected": {cat: c.elected for cat, c in result.categories.items()}}


async def _proclaim(db: Database, e: q.Election, actor: Any) -> dict[str, Any]:
    results = await count.get_results(db, e.id)
    assert results is not None  # checked by the transition's preconditions
    today = await db.fetch_val("SELECT current_date")
    data = await acta.acta_data(db, e, results, actor.name, today)
    from portal.elections_web import acta_pdf  # fpdf2 (0.17 s to import) loads only when an acta is printed

    content = acta_pdf.render(data)
    file_id = await count.store_file(db, content, f"acta-escrutinio-{e.id}.pdf", "application/pdf", actor.id)
    await db.execute(
        """UPDATE elections SET acta_file = CAST(:f AS uuid), proclamation_on = :d WHERE id = :e""", {"f": file_id, "d": today, "e": e.id})
    return {"acta_file": file_id, "ministro": actor.name, "proclaimed_on": today}
