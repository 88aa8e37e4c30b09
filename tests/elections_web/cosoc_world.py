"""An election open for voting, built straight in the database (shared by the elections_web tests),
with two trustees (a ministro de fe and an observer) whose keys are in and whose private seeds the
tests keep to play their steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cosoc_helpers import org
from factories import create_user
from portal.elections_web import demo, padron, phases, queries as q
from portal.security import CurrentUser


@dataclass
class OpenElection:
    """An election in voting_open: its padrón organizations and admissible candidates per category."""

    id: int
    reps: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)   # category -> (user, org, email)
    candidates: dict[str, list[int]] = field(default_factory=dict)            # category -> candidate ids
    outsider: tuple[int, int, str] | None = None                               # approved after the cut-off
    expired: tuple[int, int, str] | None = None                                # expired at the cut-off
    secret: str = ""                                                           # the app's secret key
    trustees: list[CurrentUser] = field(default_factory=list)
    seeds: list[bytes] = field(default_factory=list)                           # the trustees' private keys


async def trustee_people(db: Any, tag: str) -> list[CurrentUser]:
    """A ministro de fe and an observer (plain account), as CurrentUser."""
    people = []
    for i, roles in enumerate((["ministro_de_fe"], [])):
        email = f"custodio{i + 1}.{tag}@sermig.cl"
        uid = await create_user(db, email, roles=roles, name=f"Custodio {i + 1}")
        people.append(CurrentUser(id=uid, email=email, name=f"Custodio {i + 1}", roles=frozenset(roles)))
    return people


async def seal_for_trustees(db: Any, election_id: int, secret: str, tag: str = "") -> tuple[list[CurrentUser], list[bytes]]:
    """Two trustees named, their keys uploaded, the record opened (before the phase is set to voting_open)."""
    people = await trustee_people(db, tag or str(election_id))
    officer = CurrentUser(id=people[0].id, email="o@x.cl", name="O", roles=frozenset({"election_officer"}))
    seeds = await demo.appoint_trustees(db, election_id, officer, people)
    await demo.open_record(db, election_id, secret)
    return people, seeds


async def build_open_election(db: Any, secret: str, per_category: int = 3, phase: str = "voting_open") -> OpenElection:
    """Padrón of `per_category` organizations in A, B and C; one candidate per category from the first two."""
    reps = {cat: [await org(db, cat, region="13" if i % 2 else "05") for i in range(per_category)] for cat in "ABC"}
    expired = await org(db, "A", vigencia_expires_on=date.today() - timedelta(days=1))
    today = date.today()
    election_id = await q.create_election(db, {
        "name": "Elección abierta", "term_start": today + timedelta(days=30), "term_end": today + timedelta(days=760),
        "seats_a": 2, "seats_b": 2, "seats_c": 1, "territorial_share": "1/2", "gender_share": "3/5",
        "padron_cutoff": today})
    await padron.snapshot(db, election_id, today)
    await padron.freeze(db, election_id)
    outsider = await org(db, "A")  # approved after the padrón was frozen
    cands: dict[str, list[int]] = {}
    for cat, people in reps.items():
        cands[cat] = []
        for i, (_u, org_id, _e) in enumerate(people[:2]):
            entry = await padron.entry(db, election_id, org_id)
            cid = await q.save_candidate(db, election_id, org_id, cat, entry.region_code, {
                "name": f"Candidatura {cat}{i + 1}", "document_type": "passport", "document_number": f"P{cat}{i}",
                "gender": "FM"[i % 2], "bio": "Una reseña suficientemente larga para la candidatura."})
            await db.execute("UPDATE candidates SET status = 'admissible' WHERE id = :c", {"c": cid})
            cands[cat].append(cid)
    await db.execute("UPDATE elections SET lottery_seed = 'semilla', sorteo_fixed_at = now() WHERE id = :e",
                     {"e": election_id})
    people = await trustee_people(db, str(election_id))
    officer = CurrentUser(id=people[0].id, email="o@x.cl", name="O", roles=frozenset({"election_officer"}))
    seeds = await demo.appoint_trustees(db, election_id, officer, people)
    if phases.at_least(phase, "voting_open"):  # the record opens with the vote
        await demo.open_record(db, election_id, secret)
    await db.execute(
        """UPDATE elections SET phase = :p, voting_starts_at = now() - interval '1 hour',
                  voting_ends_at = now() + interval '1 hour' WHERE id = :e""", {"p": phase, "e": election_id})
    return OpenElection(election_id, reps, cands, outsider, expired, secret, people, seeds)


def officer_of(oe: OpenElection) -> CurrentUser:
    """An election officer acting in service calls (the first trustee's account, with the role)."""
    return CurrentUser(id=oe.trustees[0].id, email="o@x.cl", name="O", roles=frozenset({"election_officer"}))


async def close_vote(db: Any, oe: OpenElection) -> None:
    """The window ends; the officer closes the vote (checkpoint, sealed ballots published)."""
    from portal.elections_web import workflow

    await db.execute("""UPDATE elections SET voting_starts_at = now() - interval '2 hours',
                               voting_ends_at = now() - interval '1 minute' WHERE id = :e""", {"e": oe.id})
    await workflow.transition(db, oe.id, "voting_closed", officer_of(oe))


async def count_sealed(db: Any, oe: OpenElection) -> None:
    """Close, every trustee's step (as uploaded), and the count."""
    from portal.elections_web import workflow

    await close_vote(db, oe)
    await demo.play_trustees(db, oe.id, oe.seeds, oe.trustees)
    await workflow.transition(db, oe.id, "tallied", officer_of(oe))
