"""An election open for voting, built straight in the database (shared by the elections_web tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cosoc_helpers import org
from portal.elections_web import padron, queries as q


@dataclass
class OpenElection:
    """An election in voting_open: its padrón organizations and admissible candidates per category."""

    id: int
    reps: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)   # category -> (user, org, email)
    candidates: dict[str, list[int]] = field(default_factory=dict)            # category -> candidate ids
    outsider: tuple[int, int, str] | None = None                               # approved after the cut-off
    expired: tuple[int, int, str] | None = None                                # expired at the cut-off


async def build_open_election(db: Any, per_category: int = 3, phase: str = "voting_open") -> OpenElection:
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
    await db.execute(
        """UPDATE elections SET phase = :p, lottery_seed = 'semilla', sorteo_fixed_at = now(),
                  voting_starts_at = now() - interval '1 hour', voting_ends_at = now() + interval '1 hour'
           WHERE id = :e""", {"p": phase, "e": election_id})
    return OpenElection(election_id, reps, cands, outsider, expired)
