"""A proclaimed council for the council tests, built through the elections domain's own functions
(padrón, candidacies, the pure count) without casting sealed ballots: the tally is made from ballots
written here, which is all `elections.make_bulletin` needs."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from factories import create_org, create_user

from portal import clock
from portal.elections_web import count, padron, queries as q

SEATS = {"A": 10, "B": 6, "C": 4}
REGIONS = ["05", "13", "08", "02"]


@dataclass
class CouncilWorld:
    election_id: int
    members: list[int]  # elected candidacies, by category in allocation order
    extras: dict[str, list[int]]  # not elected, per category
    emails: dict[int, str]  # candidacy → its organization's representative
    orgs: dict[int, int]  # candidacy → organization
    secretary: str = "secretaria@consejo.cl"
    ids: dict[str, Any] = field(default_factory=dict)


async def build(db: Any, seats: dict[str, int] | None = None, extra: int = 2) -> CouncilWorld:
    seats = seats or SEATS
    today = clock.today()
    counts = {cat: n + extra for cat, n in seats.items()}
    owners: dict[int, tuple[int, str]] = {}
    n = 0
    for cat, k in counts.items():
        for i in range(k):
            n += 1
            email = f"rep{n}@consejo.cl"
            user = await create_user(db, email)
            org = await create_org(db, owner=user, category=cat, region=REGIONS[i % len(REGIONS)],
                                   comuna={"05": "05101", "13": "13101", "08": "08101", "02": "02101"}[REGIONS[i % 4]])
            owners[org] = (user, email)
    eid = await q.create_election(db, {"name": "Elección del consejo", "term_start": today - timedelta(days=30),
                                       "term_end": today + timedelta(days=700), "padron_cutoff": today,
                                       **{f"seats_{c.lower()}": v for c, v in seats.items()}})
    await padron.snapshot(db, eid, today)
    await padron.freeze(db, eid)
    cands: dict[int, int] = {}
    for i, (org, _owner) in enumerate(owners.items()):
        entry = await padron.entry(db, eid, org)
        cands[org] = await q.save_candidate(db, eid, org, entry.category, entry.region_code, {
            "name": f"Persona {i + 1:02d}", "document_type": "passport", "document_number": f"P{i}",
            "gender": "FM"[i % 2], "bio": "Reseña de la candidatura del consejo."})
    await db.execute("UPDATE candidates SET status = 'admissible' WHERE election_id = :e", {"e": eid})
    await db.execute("UPDATE elections SET lottery_seed = 'consejo', sorteo_fixed_at = now() WHERE id = :e", {"e": eid})
    return await _count(db, eid, cands, owners)


async def _count(db: Any, eid: int, cands: dict[int, int], owners: dict[int, tuple[int, str]]) -> CouncilWorld:
    from portal.elections_web import count_queries

    e = await q.get_election(db, eid)
    assert e is not None
    people = await count_queries.count_candidates(db, eid)
    ballots = []
    for rank, c in enumerate(people):  # decreasing votes in candidacy order
        ballots += [{"nonce": secrets.token_hex(16), "category": c["category"], "choice": c["id"]}
                    for _ in range(40 - rank)]
    bulletin, result, content = count.build(e, people, ballots)
    await count.store_results(db, e, bulletin, result, content, None)
    await db.execute("UPDATE elections SET phase = 'proclaimed', proclamation_on = :d WHERE id = :e",
                     {"d": clock.today(), "e": eid})
    elected = {cat: [int(x) for x in c.elected] for cat, c in result.categories.items()}
    members = [m for cat in sorted(elected) for m in elected[cat]]
    by_cand = {cid: org for org, cid in cands.items()}
    extras = {cat: [int(c["id"]) for c in people if c["category"] == cat and int(c["id"]) not in members]
              for cat in elected}
    return CouncilWorld(eid, members, extras, {cid: owners[org][1] for cid, org in by_cand.items()}, by_cand)


async def secretary(db: Any, email: str = "secretaria@consejo.cl") -> str:
    await create_user(db, email, roles=["council_secretary"])
    return email
