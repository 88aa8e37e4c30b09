"""The sealed vote's SQL: trustees and their keys, sealed ballots and their checkpoint batches, the
append-only public record (docs/ballot-secrecy.md; migrations/0110_sealed_ballots.sql)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.db import Database, to_dataclass, to_dataclasses

# Appending to an election's record takes this lock (with the election id), so two appends never
# compute the same height; the PRIMARY KEY (election_id, height) is the backstop.
RECORD_LOCK = 72_402_115


@dataclass
class Trustee:
    """A trustee of an election: who, in which position, and how far their part of the ceremony is."""

    id: int
    election_id: int
    position: int
    user_id: int
    name: str
    email: str
    status: str
    challenge: str
    signing_key: str | None
    key_proof: str | None


_TRUSTEE = """SELECT t.id, t.election_id, t.position, t.user_id, u.name, u.email, t.status, t.challenge,
                     t.signing_key, t.key_proof
              FROM election_trustees t JOIN users u ON u.id = t.user_id"""


async def trustees(db: Database, election_id: int) -> list[Trustee]:
    """The election's trustees in peeling order."""
    rows = await db.fetch_all(f"{_TRUSTEE} WHERE t.election_id = :e ORDER BY t.position", {"e": election_id})
    return to_dataclasses(Trustee, rows)


async def trustee(db: Database, election_id: int, position: int) -> Trustee | None:
    row = await db.fetch_one(f"{_TRUSTEE} WHERE t.election_id = :e AND t.position = :p",
                             {"e": election_id, "p": position})
    return to_dataclass(Trustee, row)


async def user_by_email(db: Database, email: str) -> dict[str, Any] | None:
    """An active account by email (trustees are portal accounts)."""
    row = await db.fetch_one("SELECT id, name, email FROM users WHERE lower(email) = lower(:m)", {"m": email})
    return dict(row) if row is not None else None


async def add_trustee(db: Database, election_id: int, user_id: int, challenge: str) -> int:
    """Name a trustee at the next position; returns the position."""
    position: int = await db.fetch_val(
        """INSERT INTO election_trustees (election_id, position, user_id, challenge)
           SELECT :e, coalesce(max(position), 0) + 1, :u, :c FROM election_trustees WHERE election_id = :e
           RETURNING position""", {"e": election_id, "u": user_id, "c": challenge})
    return position


async def signing_keys(db: Database, election_id: int) -> str:
    """The trustees' uploaded keys in order, comma-separated (what the sealer is built from)."""
    keys: str | None = await db.fetch_val(
        "SELECT string_agg(signing_key, ',' ORDER BY position) FROM election_trustees WHERE election_id = :e",
        {"e": election_id})
    return keys or ""


# ----- sealed ballots -----

async def record_sealed(db: Database, lock_key: int, election_id: int, org_id: int, fingerprint: str,
                        item: tuple[bytes, bytes], mail: dict[str, Any], voter_id: int | None, today: date) -> int | None:
    """The has-voted row, the sealed ballot and the receipt email in one statement (cast_sealed_ballot()),
    and, when the ballot is in, the "voted" act of the organization's history (who voted for it, the day
    only: the table of portal/claveunica/queries.py record_act()), so a vote is one write and one commit.
    Returns the number of ballots awaiting a checkpoint; None: voting closed meanwhile."""
    pending: int | None = await db.fetch_val(
        """WITH cast_ballot AS (
             SELECT cast_sealed_ballot(:k, :e, :o, :id, :fp, :body, :sig, :to, :subject, :mbody) AS pending),
           act AS (
             INSERT INTO organization_acts (org_id, election_id, action, user_id, acted_on)
             SELECT :o, :e, 'voted', :u, :d FROM cast_ballot
              WHERE pending IS NOT NULL AND CAST(:u AS bigint) IS NOT NULL
             ON CONFLICT (org_id, election_id, action) DO UPDATE SET user_id = EXCLUDED.user_id,
                                                                     acted_on = EXCLUDED.acted_on)
           SELECT pending FROM cast_ballot""",
        {"k": lock_key, "e": election_id, "o": org_id, "id": uuid.uuid4(), "fp": fingerprint, "body": item[0],
         "sig": item[1], **mail, "u": voter_id, "d": today})
    return pending


async def sealed_stored(db: Database, fingerprint: str) -> bool:
    """Whether a sealed ballot with this fingerprint is stored (after an uncertain failure)."""
    return bool(await db.fetch_val("SELECT 1 FROM sealed_ballots WHERE fingerprint = :f", {"f": fingerprint}))


async def pending_fingerprints(db: Database, election_id: int) -> list[str]:
    """Fingerprints of the sealed ballots not yet in a checkpoint, sorted."""
    rows = await db.fetch_all(
        "SELECT fingerprint FROM sealed_ballots WHERE election_id = :e AND batch IS NULL ORDER BY fingerprint",
        {"e": election_id})
    return [r["fingerprint"] for r in rows]


async def assign_batch(db: Database, election_id: int, batch: int, fingerprints: list[str]) -> int:
    """Mark these ballots as published in checkpoint `batch`; returns how many."""
    rows = await db.fetch_all(
        """UPDATE sealed_ballots SET batch = :b WHERE election_id = :e AND batch IS NULL
           AND fingerprint = ANY(:f) RETURNING 1""", {"b": batch, "e": election_id, "f": fingerprints})
    return len(rows)


async def sealed_items(db: Database, election_id: int) -> list[tuple[bytes, bytes]]:
    """Every sealed ballot, grouped by checkpoint batch, each group sorted by fingerprint."""
    rows = await db.fetch_all(
        """SELECT body, signature FROM sealed_ballots WHERE election_id = :e
           ORDER BY batch, fingerprint""", {"e": election_id})
    return [(bytes(r["body"]), bytes(r["signature"])) for r in rows]


async def sealed_count(db: Database, election_id: int) -> int:
    n: int = await db.fetch_val("SELECT count(*) FROM sealed_ballots WHERE election_id = :e", {"e": election_id})
    return n


async def scramble_sealed(db: Database, election_id: int) -> None:
    """At the close: the sealed ballots rewritten in random order by their owner
    (scramble_sealed_ballots(), migrations/0110_sealed_ballots.sql)."""
    await db.execute("SELECT scramble_sealed_ballots(:e)", {"e": election_id})


async def insert_revealed(db: Database, election_id: int, ballots: list[dict[str, Any]]) -> None:
    """The revealed ballots (the bulletin's, public) for the results pages and the receipt lookup."""
    if not ballots:
        return
    await db.execute(
        """INSERT INTO ballots (id, election_id, category, candidate_id, nonce, tracking_code)
           SELECT gen_random_uuid(), :e, b.category, b.candidate, b.nonce, b.code
           FROM unnest(CAST(:cat AS text[]), CAST(:cand AS bigint[]), CAST(:nonce AS text[]), CAST(:code AS text[]))
                AS b(category, candidate, nonce, code)""",
        {"e": election_id, "cat": [b["category"] for b in ballots],
         "cand": [None if b["choice"] is None else int(b["choice"]) for b in ballots],
         "nonce": [b["nonce"] for b in ballots], "code": [b["code"] for b in ballots]})


# ----- the public record -----

async def lock_record(db: Database, election_id: int) -> None:
    """Serialize appends to one election's record (inside the appending transaction)."""
    await db.execute("SELECT pg_advisory_xact_lock(:k, CAST(:e AS int))", {"k": RECORD_LOCK, "e": election_id})


async def head(db: Database, election_id: int) -> str | None:
    """The last event, as published (None: no record yet)."""
    event: str | None = await db.fetch_val(
        "SELECT event FROM election_record WHERE election_id = :e ORDER BY height DESC LIMIT 1", {"e": election_id})
    return event


async def head_link(db: Database, election_id: int) -> tuple[int, str] | None:
    """The last event's height and hash (None: no record yet): what the next event chains to, without
    reading (and parsing) the last event, which may be a batch of every ballot."""
    row = await db.fetch_one(
        "SELECT height, hash FROM election_record WHERE election_id = :e ORDER BY height DESC LIMIT 1",
        {"e": election_id})
    return (row["height"], row["hash"]) if row is not None else None


async def append(db: Database, election_id: int, height: int, type_: str, hash_: str, event: str) -> None:
    await db.execute(
        "INSERT INTO election_record (election_id, height, type, hash, event) VALUES (:e, :h, :t, :x, :ev)",
        {"e": election_id, "h": height, "t": type_, "x": hash_, "ev": event})


async def events_of_type(db: Database, election_id: int, *types: str) -> list[str]:
    """The published events of these types, in order."""
    rows = await db.fetch_all(
        "SELECT event FROM election_record WHERE election_id = :e AND type = ANY(:t) ORDER BY height",
        {"e": election_id, "t": list(types)})
    return [r["event"] for r in rows]


async def last_of_types(db: Database, election_id: int, *types: str) -> tuple[int | None, str | None, int]:
    """The height and hash of the last published event of these types (None, None: none) and how many
    there are: the mix's state without reading any batch (event_at reads the one needed)."""
    row = await db.fetch_one(
        """SELECT l.height, l.hash, (SELECT count(*) FROM election_record WHERE election_id = :e AND type = ANY(:t)) AS n
           FROM (SELECT 1) one LEFT JOIN LATERAL (
               SELECT height, hash FROM election_record WHERE election_id = :e AND type = ANY(:t)
               ORDER BY height DESC LIMIT 1) l ON true""",
        {"e": election_id, "t": list(types)})
    return (row["height"], row["hash"], row["n"]) if row is not None else (None, None, 0)


async def event_at(db: Database, election_id: int, height: int) -> str | None:
    """The event at `height`, as published."""
    event: str | None = await db.fetch_val(
        "SELECT event FROM election_record WHERE election_id = :e AND height = :h", {"e": election_id, "h": height})
    return event


async def record_types(db: Database, election_id: int) -> list[str]:
    """The types of the record's events, in order (the ceremony's progress)."""
    rows = await db.fetch_all("SELECT type FROM election_record WHERE election_id = :e ORDER BY height",
                              {"e": election_id})
    return [r["type"] for r in rows]


async def stream_events(db: Database, election_id: int, chunk: int = 50) -> AsyncIterator[str]:
    """Every event as published, in order, read a few at a time."""
    height = 0
    while True:
        rows = await db.fetch_all(
            """SELECT height, event FROM election_record WHERE election_id = :e AND height >= :h
               ORDER BY height LIMIT :n""", {"e": election_id, "h": height, "n": chunk})
        for r in rows:
            yield r["event"]
        if len(rows) < chunk:
            return
        height = rows[-1]["height"] + 1
