"""The count and what follows it: fetch → `elections` (tally, allocation, bulletin) → store.

Also the council during the term: vacancies filled in the allocation's order with
`elections.replacement_order`, and the stored files (bulletin JSON, acta PDF).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any
from collections.abc import AsyncIterator

import elections
from portal import uploads
from portal.db import Database
from portal.elections_web.queries import Election

CHUNK = 256 * 1024


async def scramble_ballots(db: Database, election_id: int) -> None:
    """At the close: erase what the storage itself remembers of the casting order.

    Each ballot was inserted in the same transaction as its has-voted row, so both rows carry the
    same transaction id (xmin), and the heap keeps them in casting order. Rewriting the ballots gives
    them all the closing transaction's id, and CLUSTER by the random key rewrites the table in random
    order (dropping the old row versions), so nothing left in `ballots` can be joined to `voters`."""
    await db.execute("UPDATE ballots SET nonce = nonce WHERE election_id = :e", {"e": election_id})
    await db.execute("CLUSTER ballots USING ballots_pkey")


async def count_candidates(db: Database, election_id: int) -> list[dict[str, Any]]:
    """Admissible candidacies in the `elections` candidate shape (ids as text)."""
    rows = await db.fetch_all(
        """SELECT id, category, gender, region_code, name FROM candidates
           WHERE election_id = :e AND status = 'admissible' ORDER BY category, id""", {"e": election_id})
    return [{"id": str(r["id"]), "category": r["category"], "gender": r["gender"], "region": r["region_code"],
             "name": r["name"]} for r in rows]


async def count_ballots(db: Database, election_id: int) -> list[dict[str, Any]]:
    """Every ballot as `{"nonce", "category", "choice"}` (no order is implied: the bulletin sorts them)."""
    rows = await db.fetch_all(
        "SELECT nonce, category, candidate_id FROM ballots WHERE election_id = :e", {"e": election_id})
    return [{"nonce": r["nonce"], "category": r["category"],
             "choice": None if r["candidate_id"] is None else str(r["candidate_id"])} for r in rows]


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
    await db.execute(
        """INSERT INTO election_results (election_id, bulletin_file, bulletin_sha256, header, allocation_es,
                                         allocation_en, trail_es, trail_en, tallied_by)
           VALUES (:e, CAST(:f AS uuid), :h, CAST(:hd AS jsonb), CAST(:es AS jsonb), CAST(:en AS jsonb),
                   :tes, :ten, :u)""",
        {"e": e.id, "f": file_id, "h": digest, "hd": json.dumps(header, ensure_ascii=False),
         "es": json.dumps(result.to_dict("es", names), ensure_ascii=False),
         "en": json.dumps(result.to_dict("en", names), ensure_ascii=False), "tes": result.to_text("es"),
         "ten": result.to_text("en"), "u": actor_id})
    return digest


@dataclass
class Results:
    """What the results pages show, read back from the stored count."""

    header: dict[str, Any]
    allocation_es: dict[str, Any]
    allocation_en: dict[str, Any] | None
    trail_es: str
    trail_en: str
    bulletin_sha256: str
    bulletin_file: str
    tallied_at: Any

    def allocation(self, lang: str) -> dict[str, Any]:
        if lang == "es":
            return self.allocation_es
        return self.allocation_en or self.header["allocation"]

    def trail(self, lang: str) -> str:
        return self.trail_es if lang == "es" else self.trail_en


async def get_results(db: Database, election_id: int) -> Results | None:
    row = await db.fetch_one(
        """SELECT header::text AS header, allocation_es::text AS allocation_es,
                  allocation_en::text AS allocation_en, trail_es, trail_en,
                  bulletin_sha256, bulletin_file::text AS bulletin_file, tallied_at
           FROM election_results WHERE election_id = :e""", {"e": election_id})
    if row is None:
        return None
    return Results(json.loads(row["header"]), json.loads(row["allocation_es"]),
                   json.loads(row["allocation_en"]) if row["allocation_en"] else None, row["trail_es"], row["trail_en"],
                   row["bulletin_sha256"], row["bulletin_file"], row["tallied_at"])


async def file_size(db: Database, file_id: str) -> int | None:
    return await db.fetch_val("SELECT size FROM stored_files WHERE id = CAST(:id AS uuid)", {"id": file_id})


async def stream_file(db: Database, file_id: str, size: int) -> AsyncIterator[bytes]:
    """A stored file in chunks read from the database, so a large bulletin never sits in memory whole."""
    for offset in range(0, size, CHUNK):
        yield await db.fetch_val(
            "SELECT substring(content FROM :o FOR :n) FROM stored_files WHERE id = CAST(:id AS uuid)",
            {"o": offset + 1, "n": CHUNK, "id": file_id})


# ----- the council during the term -----

@dataclass
class Change:
    leaving_id: int
    leaving_name: str
    reason: str
    left_on: date
    replacement_id: int | None
    replacement_name: str | None


async def changes(db: Database, election_id: int) -> list[Change]:
    rows = await db.fetch_all(
        """SELECT ch.leaving_id, l.name AS leaving_name, ch.reason, ch.left_on, ch.replacement_id,
                  r.name AS replacement_name
           FROM council_changes ch JOIN candidates l ON l.id = ch.leaving_id
           LEFT JOIN candidates r ON r.id = ch.replacement_id
           WHERE ch.election_id = :e ORDER BY ch.id""", {"e": election_id})
    return [Change(**dict(r._mapping)) for r in rows]


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


async def record_change(db: Database, election_id: int, leaving_id: int, reason: str, left_on: date,
                        replacement_id: int | None, actor_id: int) -> None:
    await db.execute(
        """INSERT INTO council_changes (election_id, leaving_id, reason, left_on, replacement_id, recorded_by)
           VALUES (:e, :l, :r, :d, :p, :u)""",
        {"e": election_id, "l": leaving_id, "r": reason, "d": left_on, "p": replacement_id, "u": actor_id})
