"""The vote's SQL: the context read before a ballot and the vote lock (docs/elections.md, Voting). The
ballot's one-statement write, `cast_sealed_ballot()` (migrations/0110_sealed_ballots.sql), is in
record_queries.py with the other sealed-ballot statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.db import Database, as_dict, to_dataclass

# Ballots take this lock shared (inside cast_sealed_ballot()); closing the vote takes it exclusively
# (workflow.py), so the close waits for the ballots in flight and the ballots that start after it
# see the new phase. An advisory lock, not FOR SHARE on the election row: a row lock would write the
# row (a MultiXact) for every vote.
VOTE_LOCK = 72_402_020  # with the election id: pg_advisory_xact_lock(int4, int4)


@dataclass(frozen=True)
class VoteContext:
    """What the checks of one ballot need: the election's phase and window, the organization's padrón
    category (None: not in the padrón), the chosen candidate's category and status, whether it voted."""

    name: str
    phase: str
    voting_starts_at: datetime | None
    voting_ends_at: datetime | None
    category: str | None
    cand_category: str | None
    cand_status: str | None
    voted: bool
    trustee_keys: str | None  # the trustees' keys in order, comma-separated (the sealer's)


async def vote_context(db: Database, election_id: int, org_id: int, choice: int | None) -> VoteContext | None:
    """The context, read without a lock (None: no such election). During voting the padrón is frozen
    and the candidacies are fixed; only the phase can change, and cast_ballot() checks it again under
    the lock."""
    row = await db.fetch_one(
        """SELECT e.name, e.phase, e.voting_starts_at, e.voting_ends_at, p.category,
                  c.category AS cand_category, c.status AS cand_status,
                  EXISTS (SELECT 1 FROM voters v WHERE v.election_id = e.id AND v.org_id = :o) AS voted,
                  (SELECT string_agg(t.signing_key, ',' ORDER BY t.position) FROM election_trustees t
                    WHERE t.election_id = e.id) AS trustee_keys
           FROM elections e LEFT JOIN padron_entries p ON p.election_id = e.id AND p.org_id = :o
           LEFT JOIN candidates c ON c.election_id = e.id AND c.id = CAST(:c AS bigint)
           WHERE e.id = :e""", {"e": election_id, "o": org_id, "c": choice})
    return to_dataclass(VoteContext, row)


async def lock_out_ballots(db: Database, election_id: int) -> None:
    """Take the vote lock exclusively (inside the closing transaction): wait for the ballots in flight."""
    await db.execute("SELECT pg_advisory_xact_lock(:k, CAST(:e AS int))", {"k": VOTE_LOCK, "e": election_id})


async def has_voted(db: Database, election_id: int, org_id: int) -> bool:
    """Whether the organization's ballot is recorded (after an uncertain failure, for instance)."""
    return bool(await db.fetch_val("SELECT 1 FROM voters WHERE election_id = :e AND org_id = :o",
                                   {"e": election_id, "o": org_id}))


async def find_ballot(db: Database, election_id: int, code: str) -> dict[str, Any] | None:
    """A published ballot by tracking code (only used after the count)."""
    row = await db.fetch_one(
        """SELECT b.tracking_code, b.category, b.candidate_id, c.name AS candidate_name
           FROM ballots b LEFT JOIN candidates c ON c.id = b.candidate_id
           WHERE b.election_id = :e AND b.tracking_code = :code""", {"e": election_id, "code": code})
    return as_dict(row)
