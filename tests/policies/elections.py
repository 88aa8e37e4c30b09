"""Access rules for the COSOC election routes (public pages, representatives, staff back-office)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from policies import Rule, World, only, public

WALK_SECRET = "walk-secret"  # the walk casts no ballot over HTTP, so any app secret will do

OFFICER = ("election_officer",)
STAFF = ("election_officer", "ministro_de_fe")


def _open(w: World) -> dict[str, Any]:
    return {"id": w.ids["election:open"]}


def _done(w: World) -> dict[str, Any]:
    return {"id": w.ids["election:done"]}


def _trustee(w: World) -> dict[str, Any]:
    return {"id": w.ids["election:open"], "pos": 1}


def reps(**kw: Any) -> Rule:
    return Rule(frozenset({"rep", "rep_other"}), **kw)


POLICY = {
    ("GET", "/elecciones"): public(),
    ("GET", "/elecciones/{id}"): public(params=_open),
    ("GET", "/elecciones/{id}/participacion"): public(params=_open),
    # the live stream of an election past voting answers 204 at once (an open one streams for minutes)
    ("GET", "/elecciones/{id}/participacion/en-vivo"): public(params=_done),
    ("GET", "/elecciones/{id}/padron"): public(params=_open),
    ("GET", "/elecciones/{id}/padron.txt"): public(params=_open),
    ("GET", "/elecciones/{id}/resultados"): public(params=_done),
    ("GET", "/elecciones/{id}/boletin.json"): public(params=_done),
    ("GET", "/elecciones/{id}/recibo"): public(params=_done),
    ("GET", "/elecciones/{id}/acta"): public(params=_done),
    ("GET", "/elecciones/{id}/acta.pdf"): public(params=_done),
    ("GET", "/elecciones/{id}/candidaturas/{cand_id}/foto"): public(  # 404 for everyone: no photo in the walk
        params=lambda w: {"id": w.ids["election:open"], "cand_id": w.ids["candidate:open"]}),
    ("GET", "/elecciones/{id}/candidatura"): reps(params=_open),
    ("POST", "/elecciones/{id}/candidatura"): reps(params=_open),  # 409: the candidacy phase is over
    ("GET", "/elecciones/{id}/votar"): reps(params=_open),
    ("POST", "/elecciones/{id}/votar"): reps(params=_open, data=lambda w: {"step": "confirm", "choice": "blank"}),
    ("GET", "/elecciones/{id}/comprobante"): reps(params=_open),
    ("POST", "/elecciones/{id}/comprobante.txt"): public(params=_open, data=lambda w: {"code": "ab" * 32}),
    ("POST", "/elecciones/{id}/comprobante/imprimir"): public(params=_open, data=lambda w: {"code": "ab" * 32}),
    ("GET", "/elecciones/{id}/registro.json"): public(params=_done),
    ("GET", "/elecciones/{id}/custodios"): public(params=_done),
    ("GET", "/elecciones/{id}/custodios/{pos}/lote.json"): public(params=_trustee),  # 404: no step awaited
    # a trustee's own page: its account only (anyone else: 404, existence is not revealed)
    ("GET", "/elecciones/{id}/custodios/{pos}"): Rule(frozenset({"ministro_de_fe"}), params=_trustee, denied=404),
    ("POST", "/elecciones/{id}/custodios/{pos}"): Rule(  # 409: voting opened, keys are frozen
        frozenset({"ministro_de_fe"}), params=_trustee, denied=404, data=lambda w: {"kind": "key", "json": "{}"}),
    ("POST", "/staff/elecciones/{id}/custodios"): only(*OFFICER, params=_open,  # 409: voting opened
                                                        data=lambda w: {"email": "user@walk.cl"}),
    ("GET", "/staff/elecciones"): only(*STAFF),
    ("POST", "/staff/elecciones"): only(*OFFICER),  # 422: empty form
    ("GET", "/staff/elecciones/{id}"): only(*STAFF, params=_open),
    ("POST", "/staff/elecciones/{id}"): only(*OFFICER, params=_open),
    ("POST", "/staff/elecciones/{id}/fase"): only(*OFFICER, params=_open, data=lambda w: {"to": "voting_closed"}),
    ("GET", "/staff/elecciones/{id}/padron"): only(*STAFF, params=_open),
    ("POST", "/staff/elecciones/{id}/padron/reclamos"): only(*OFFICER, params=_open),
    ("POST", "/staff/elecciones/{id}/padron/certificar"): only("ministro_de_fe", params=_open),
    ("POST", "/staff/elecciones/{id}/reclamos"): only(*OFFICER, params=_done),
    ("POST", "/staff/elecciones/{id}/reclamos/{claim_id}"): only(
        *OFFICER, params=lambda w: {"id": w.ids["election:done"], "claim_id": w.ids["claim"]}),
    ("GET", "/staff/elecciones/{id}/candidaturas"): only(*STAFF, params=_open),
    ("POST", "/staff/elecciones/{id}/candidaturas/{cand_id}"): only(
        *OFFICER, params=lambda w: {"id": w.ids["election:open"], "cand_id": w.ids["candidate:open"]}),
    ("GET", "/staff/elecciones/{id}/sorteo"): only(*STAFF, params=_open),
    ("POST", "/staff/elecciones/{id}/sorteo"): only("ministro_de_fe", params=_open),
    ("POST", "/staff/elecciones/{id}/escrutinio"): only(*OFFICER, params=_open),
    ("POST", "/staff/elecciones/{id}/proclamar"): only("ministro_de_fe", params=_open),
    ("POST", "/staff/elecciones/{id}/vacantes"): only(*OFFICER, params=_done),
}


def _person(world: World, role: str) -> Any:
    from portal.security import CurrentUser

    roles = frozenset({role}) if role != "user" else frozenset()
    return CurrentUser(id=world.ids[f"user:{role}"], email=world.emails[role], name=role, roles=roles)


def _trustees(world: World) -> list[Any]:
    """The walk's ministro de fe (trustee 1) and its plain user (trustee 2)."""
    return [_person(world, "ministro_de_fe"), _person(world, "user")]


async def _election(db: Any, world: World, name: str) -> tuple[int, dict[str, int]]:
    """An election whose padrón holds the walk's organizations, one admissible candidate each, with
    two trustees (keys in) and its public record opened."""
    from portal.elections_web import demo, padron, queries as q

    today = date.today()
    eid = await q.create_election(db, {"name": name, "term_start": today, "term_end": today + timedelta(days=730),
                                       "seats_a": 1, "seats_b": 1, "seats_c": 0, "padron_cutoff": today,
                                       "results_claims_until": today - timedelta(days=1)})
    await padron.snapshot(db, eid, today)
    await padron.freeze(db, eid)
    cands = {}
    for key in ("org", "org_other"):
        entry = await padron.entry(db, eid, world.ids[key])
        cands[key] = await q.save_candidate(db, eid, world.ids[key], entry.category, entry.region_code, {
            "name": f"Candidatura {key}", "document_type": "passport", "document_number": "X1", "gender": "F",
            "bio": "Reseña de la candidatura para el recorrido."})
    await db.execute("UPDATE candidates SET status = 'admissible' WHERE election_id = :e", {"e": eid})
    await db.execute("UPDATE elections SET lottery_seed = 'walk', sorteo_fixed_at = now() WHERE id = :e", {"e": eid})
    seeds = await demo.appoint_trustees(db, eid, _person(world, "election_officer"), _trustees(world))
    world.ids[f"seeds:{eid}"] = seeds
    await demo.open_record(db, eid, WALK_SECRET)
    await db.execute(
        """UPDATE elections SET phase = 'voting_open',
                  voting_starts_at = now() - interval '1 hour', voting_ends_at = now() + interval '1 hour'
           WHERE id = :e""", {"e": eid})
    return eid, cands


async def extend_world(db: Any, world: World) -> None:
    """A proclaimed election (results, bulletin, acta, a claim) and one open for voting."""
    from portal.elections_web import demo, padron_queries, vote, workflow
    from portal.security import CurrentUser

    admin = CurrentUser(id=world.ids["user:admin"], email="admin@walk.cl", name="Admin", roles=frozenset({"admin"}))
    done, cands = await _election(db, world, "Elección proclamada")
    await vote.cast_vote(db, done, world.ids["org"], cands["org"], secret=WALK_SECRET)
    await db.execute("""UPDATE elections SET voting_starts_at = now() - interval '2 hours',
                               voting_ends_at = now() - interval '1 hour' WHERE id = :e""", {"e": done})
    await workflow.transition(db, done, "voting_closed", admin)
    await demo.play_trustees(db, done, world.ids[f"seeds:{done}"], _trustees(world))
    await workflow.transition(db, done, "tallied", admin)
    await workflow.transition(db, done, "proclaimed", admin)
    world.ids["election:done"] = done
    world.ids["claim"] = await padron_queries.add_claim(db, done, "results", org_id=None, action="none", claimant="Walk",
                                                body="Reclamo.", actor_id=admin.id)
    world.ids["election:open"], open_cands = await _election(db, world, "Elección abierta")
    world.ids["candidate:open"] = open_cands["org"]
