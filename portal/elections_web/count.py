"""The count and what follows it: fetch → `elections` (tally, allocation, bulletin) → store
(docs/elections.md, Count; the SQL is in count_queries.py).

Also the council during the term: vacancies filled in the allocation's order with
`elections.replacement_order`, and the stored files (bulletin JSON, acta PDF).
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

import elections
from portal import uploads
from portal.db import Database
from portal.elections_web import count_queries
from portal.elections_web.count_queries import Change, Results
from portal.elections_web.queries import Election


def lottery(e: Election) -> dict[str, Any]:
    """The sorteo as `elections` takes it: exactly one of an order or a seed."""
    if e.lottery_seed is not None:
        return {"lottery_seed": e.lottery_seed}
    return {"lottery_order": [str(x) for x in (e.lottery_order or [])]}


def build(e: Election, candidates: list[dict[str, Any]], ballots: list[dict[str, Any]]
          ) -> tuple[dict[str, Any], elections.Result, bytes]:
    """The bulletin (as a dict and as the exact bytes published) and the allocation with its trail."""
    bulletin = elections.make_bulletin(
        election_id=e.bulletin_id, padron_sha256=e.padron_sha256 or "0" * 64, seats=e.seats,
        candidates=candidates, ballots=ballots, rules=e.rules, padron_size=e.padron_size, **lottery(e))
    buffer = io.StringIO()
    elections.write_bulletin(bulletin, buffer)
    return bulletin, result_from_header(bulletin), buffer.getvalue().encode("utf-8")


def result_from_header(header: dict[str, Any]) -> elections.Result:
    """Recompute the allocation from a bulletin's header (its totals, candidates and sorteo)."""
    votes = {cid: n for cat in header["totals"]["categories"].values() for cid, n in cat["votes"].items()}
    cands = [{**c, "votes": votes.get(c["id"], 0)} for c in header["candidates"]]
    return elections.allocate(header["seats"], cands, header.get("lottery_order"), header.get("lottery_seed"),
                              header["rules"])


async def store_file(db: Database, content: bytes, filename: str, content_type: str, actor_id: int | None) -> str:
    """Keep a generated document in stored_files; returns its id."""
    return await uploads.store(db, uploads.CheckedFile(filename, content), actor_id, content_type)


async def store_results(db: Database, e: Election, bulletin: dict[str, Any], result: elections.Result,
                        content: bytes, actor_id: int | None) -> str:
    """Store the bulletin file and the results; returns the bulletin's SHA-256."""
    file_id = await store_file(db, content, f"boletin-eleccion-{e.id}.json", "application/json", actor_id)
    digest = hashlib.sha256(content).hexdigest()
    header = {k: v for k, v in bulletin.items() if k != "ballots"}
    # the pages explain the count with names; the bulletin's header keeps the canonical texts
    names = {c["id"]: c.get("name") or c["id"] for c in header["candidates"]}
    texts = {"allocation_es": result.to_dict("es", names), "allocation_en": result.to_dict("en", names),
             "trail_es": result.to_text("es"), "trail_en": result.to_text("en")}
    await count_queries.insert_results(db, e.id, file_id, digest, header, texts, actor_id)
    return digest


# ----- the council during the term -----

def members(results: Results, history: list[Change]) -> dict[str, list[str]]:
    """Current members per category: the elected, with each recorded change applied in order."""
    current = {cat: list(c["elected"]) for cat, c in results.header["allocation"]["categories"].items()}
    for ch in history:
        for ids in current.values():
            if str(ch.leaving_id) in ids:
                ids.remove(str(ch.leaving_id))
                if ch.replacement_id is not None:
                    ids.append(str(ch.replacement_id))
    return current


def replacement(results: Results, history: list[Change], category: str, leaving: str) -> str | None:
    """Who takes the seat `leaving` vacates: the first in `elections.replacement_order` (None: vacant)."""
    cat = result_from_header(results.header).categories[category]
    gone = [str(ch.leaving_id) for ch in history]
    order = elections.replacement_order(cat, leaving, members=members(results, history)[category], unavailable=gone)
    return order[0] if order else None
