"""The count's SQL: ballots and candidacies read for the tally, the stored results and bulletin, the
public ballot list, and the council's changes during the term (docs/elections.md, Count, Vacancies)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.db import Database, as_dicts

CHUNK = 256 * 1024


async def scramble_ballots(db: Database, election_id: int) -> None:
    """At the close: erase what the storage itself remembers of the casting order.

    Each ballot was inserted in the same transaction as its has-voted row, so both rows carry the
    same transaction id (xmin), and the heap keeps them in casting order. Rewriting the ballots gives
    them all the closing transaction's id, and CLUSTER by the random key rewrites the table in random
    order (dropping the old row versions), so nothing left in `ballots` can be joined to `voters`.
    CLUSTER needs the table's owner: scramble_ballots() (migrations/0051_elections_scramble.sql) runs
    both statements as the owner, for the app role that owns nothing."""
    await db.execute("SELECT scramble_ballots(:e)", {"e": election_id})


async def ballot_count(db: Database, election_id: int) -> int:
    n: int = await db.fetch_val("SELECT count(*) FROM ballots WHERE election_id = :e", {"e": election_id})
    return n


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


async def queue_notices(db: Database, election_id: int, subject: str, body: str) -> int:
    """A phase notice to every active representative of the padrón's organizations, queued in the outbox
    in ONE statement (as portal.mail.queue would, one message per address; the phase change's transaction
    holds them). Returns how many were queued."""
    n: int = await db.fetch_val(
        """WITH queued AS (
               INSERT INTO outbox (to_addr, subject, body)
               SELECT r.email, :s, :b FROM (
                   SELECT DISTINCT u.email FROM padron_entries p
                   JOIN org_representatives rp ON rp.org_id = p.org_id JOIN users u ON u.id = rp.user_id
                   WHERE p.election_id = :e AND u.is_active) r
               ORDER BY r.email RETURNING 1)
           SELECT count(*) FROM queued""", {"e": election_id, "s": subject, "b": body})
    return n


async def ballots_page(db: Database, election_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
    """One page of the public ballot list, in tracking-code order."""
    rows = await db.fetch_all(
        """SELECT tracking_code, category, candidate_id FROM ballots WHERE election_id = :e
           ORDER BY tracking_code LIMIT :n OFFSET :o""", {"e": election_id, "n": limit, "o": offset})
    return as_dicts(rows)


async def insert_results(db: Database, election_id: int, file_id: str, digest: str, header: dict[str, Any],
                         texts: dict[str, Any], actor_id: int | None) -> None:
    """Store the count: the bulletin's file and hash, its header, the allocation and trail in both languages."""
    await db.execute(
        """INSERT INTO election_results (election_id, bulletin_file, bulletin_sha256, header, allocation_es,
                                         allocation_en, trail_es, trail_en, tallied_by)
           VALUES (:e, CAST(:f AS uuid), :h, CAST(:hd AS jsonb), CAST(:es AS jsonb), CAST(:en AS jsonb),
                   :tes, :ten, :u)""",
        {"e": election_id, "f": file_id, "h": digest, "hd": json.dumps(header, ensure_ascii=False),
         "es": json.dumps(texts["allocation_es"], ensure_ascii=False),
         "en": json.dumps(texts["allocation_en"], ensure_ascii=False), "tes": texts["trail_es"],
         "ten": texts["trail_en"], "u": actor_id})


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
    size: int | None = await db.fetch_val("SELECT size FROM stored_files WHERE id = CAST(:id AS uuid)", {"id": file_id})
    return size


async def stream_file(db: Database, file_id: str, size: int) -> AsyncIterator[bytes]:
    """A stored file in chunks read from the database, so a large bulletin never sits in memory whole."""
    for offset in range(0, size, CHUNK):
        yield await db.fetch_val(
            "SELECT substring(content FROM :o FOR :n) FROM stored_files WHERE id = CAST(:id AS uuid)",
            {"o": offset + 1, "n": CHUNK, "id": file_id})


async def people(db: Database, election_id: int) -> dict[str, dict[str, Any]]:
    """Every candidacy's name, gender, region and organization by id (text), for the acta."""
    rows = await db.fetch_all(
        """SELECT c.id, c.name, c.gender, coalesce(r.name, c.region_code) AS region, p.name AS org
           FROM candidates c JOIN padron_entries p ON p.election_id = c.election_id AND p.org_id = c.org_id
           LEFT JOIN regions r ON r.code = c.region_code WHERE c.election_id = :e""", {"e": election_id})
    return {str(r["id"]): dict(r) for r in rows}


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
    return [Change(**dict(r)) for r in rows]


async def record_change(db: Database, election_id: int, leaving_id: int, reason: str, left_on: date,
                        replacement_id: int | None, actor_id: int) -> None:
    await db.execute(
        """INSERT INTO council_changes (election_id, leaving_id, reason, left_on, replacement_id, recorded_by)
           VALUES (:e, :l, :r, :d, :p, :u)""",
        {"e": election_id, "l": leaving_id, "r": reason, "d": left_on, "p": replacement_id, "u": actor_id})


async def council_people(db: Database, election_id: int) -> list[dict[str, Any]]:
    """Every candidacy of the election as the council domain shows it (name, category, organization,
    region) with the emails of its organization's representatives, who act for the councillor
    (docs/council.md, Who acts for a councillor)."""
    rows = await db.fetch_all(
        """SELECT c.id, c.name, c.category, c.gender, c.org_id, p.name AS organization,
                  coalesce(r.name, c.region_code) AS region,
                  coalesce((SELECT array_agg(u.email ORDER BY u.id) FROM org_representatives rp
                            JOIN users u ON u.id = rp.user_id WHERE rp.org_id = c.org_id AND u.is_active),
                           '{}') AS emails
           FROM candidates c JOIN padron_entries p ON p.election_id = c.election_id AND p.org_id = c.org_id
           LEFT JOIN regions r ON r.code = c.region_code WHERE c.election_id = :e ORDER BY c.id""",
        {"e": election_id})
    return [{**dict(r), "emails": list(r["emails"])} for r in rows]
