"""An election open for voting, built straight in the database (as tests/elections_web/cosoc_world.py does):
two trustees (a ministro de fe and an observer) with their keys in and the public record opened before the
vote opens (docs/ballot-secrecy.md, In the portal); the tests keep the trustees' seeds to play their steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from factories import create_rep, create_user
from portal.elections_web import demo, padron, queries as q
from portal.security import CurrentUser

COMUNA = {"13": "13101", "05": "05101"}


@dataclass
class OpenElection:
    """An election in voting_open: padrón representatives and admissible candidates per category."""

    id: int
    name: str
    reps: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)  # category -> (user, org, email)
    candidates: dict[str, list[int]] = field(default_factory=dict)           # category -> candidate ids
    trustees: list[CurrentUser] = field(default_factory=list)                # the ministro de fe, an observer
    seeds: list[bytes] = field(default_factory=list)                         # the trustees' private keys


async def appoint_trustees(db: Any, election_id: int) -> tuple[list[CurrentUser], list[bytes]]:
    """A ministro de fe and an observer (plain account) named trustees, their keys uploaded."""
    people = []
    for i, roles in enumerate((["ministro_de_fe"], [])):
        email = f"custodio{i + 1}.{election_id}@sermig.cl"
        uid = await create_user(db, email, roles=roles, name=f"Custodio {i + 1}")
        people.append(CurrentUser(id=uid, email=email, name=f"Custodio {i + 1}", roles=frozenset(roles)))
    officer = CurrentUser(id=people[0].id, email="o@x.cl", name="O", roles=frozenset({"election_officer"}))
    return people, await demo.appoint_trustees(db, election_id, officer, people)


async def build_open_election(db: Any, secret: str, per_category: int = 3,
                              name: str = "Elección COSOC 2026") -> OpenElection:
    """`per_category` organizations in A, B and C on the padrón; two admissible candidates in each category.
    `secret`: the app's secret key (the server's), from which the portal's sealing key derives."""
    reps = {cat: [await create_rep(db, category=cat, region=region, comuna=COMUNA[region])
                  for region in (["05", "13"] * per_category)[:per_category]] for cat in "ABC"}
    today = date.today()
    election_id = await q.create_election(db, {
        "name": name, "term_start": today + timedelta(days=30), "term_end": today + timedelta(days=760),
        "seats_a": 2, "seats_b": 2, "seats_c": 1, "territorial_share": "1/2", "gender_share": "3/5",
        "padron_cutoff": today})
    await padron.snapshot(db, election_id, today)
    await padron.freeze(db, election_id)
    people = {"A": ["Yolanda Mamani", "Jean-Pierre Louis"], "B": ["Carmen Rojas", "Luis Fernández"],
              "C": ["Ana María Soto", "Pedro Ávila"]}
    candidates: dict[str, list[int]] = {}
    for cat, members in reps.items():
        candidates[cat] = []
        for i, (_user, org_id, _email) in enumerate(members[:2]):
            entry = await padron.entry(db, election_id, org_id)
            cid = await q.save_candidate(db, election_id, org_id, cat, entry.region_code, {
                "name": people[cat][i], "document_type": "passport", "document_number": f"P{cat}{i}00{election_id}",
                "gender": "FM"[i % 2], "bio": "Dirigente con años de trabajo junto a las comunidades migrantes."})
            await db.execute("UPDATE candidates SET status = 'admissible' WHERE id = :c", {"c": cid})
            candidates[cat].append(cid)
    await db.execute("UPDATE elections SET lottery_seed = 'semilla-publica', sorteo_fixed_at = now() WHERE id = :e",
                     {"e": election_id})
    trustees, seeds = await appoint_trustees(db, election_id)
    await demo.open_record(db, election_id, secret)  # the record opens with the vote
    await db.execute(
        """UPDATE elections SET phase = 'voting_open',
                  voting_starts_at = now() - interval '1 hour', voting_ends_at = now() + interval '1 hour'
           WHERE id = :e""", {"e": election_id})
    return OpenElection(election_id, name, reps, candidates, trustees, seeds)


async def play_trustees(db: Any, election: OpenElection) -> None:
    """After the close: each trustee's step, uploaded as the trustee would (the count needs them all)."""
    await demo.play_trustees(db, election.id, election.seeds, election.trustees)


async def end_voting_window(db: Any, election_id: int) -> None:
    """Time travel: the voting window ended a minute ago."""
    await db.execute("""UPDATE elections SET voting_starts_at = now() - interval '2 hours',
                               voting_ends_at = now() - interval '1 minute' WHERE id = :e""", {"e": election_id})


async def end_results_claims(db: Any, election_id: int) -> None:
    """Time travel: the claims period on the results ended yesterday."""
    await db.execute("UPDATE elections SET results_claims_until = current_date - 1 WHERE id = :e", {"e": election_id})
