"""Casting a ballot: one per padrón organization, secret, refused twice by the database itself.

A vote is two round trips. The first reads the context without locking: phase and window, the
organization's padrón category, the chosen candidate, whether it already voted. The second is
`cast_ballot()` (migrations/0022_cast_ballot.sql). That one statement inserts the has-voted row
(voters), the ballot (ballots) and the emailed receipt together. The second ballot of an organization
is refused by the PRIMARY KEY of voters (a unique violation), never by a check-then-insert, so two
representatives submitting at the same instant get one ballot. The ballot row carries no voter, no
timestamp and a random key; its tracking code follows the `elections` format, so the offline
verifier recomputes it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

import elections
from portal.db import Database
from portal.elections_web import phases
from portal.i18n import gettext as _
from portal.txn import DB_FAILURES, checkout


class VoteRefused(Exception):
    """A ballot the rules do not accept, with the HTTP status and a message for the voter."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class AlreadyVoted(VoteRefused):
    """The organization already has a ballot in this election."""

    def __init__(self, election_name: str) -> None:
        super().__init__(409, _("Su organización ya votó en esta elección. Cada organización emite un solo "
                                "voto; el segundo intento no se registró."))
        self.election_name = election_name  # for the refusal page, without reading the election again


@dataclass(frozen=True)
class Receipt:
    """What the voter keeps: the tracking code (and what the ballot said, for their eyes only)."""

    election_id: int
    tracking_code: str
    category: str
    voted_on: date


# Ballots take this lock shared (inside cast_ballot()); closing the vote takes it exclusively
# (transitions.py), so the close waits for the ballots in flight and the ballots that start after it
# see the new phase. An advisory lock, not FOR SHARE on the election row: a row lock would write the
# row (a MultiXact) for every vote.
VOTE_LOCK = 72_402_020  # with the election id: pg_advisory_xact_lock(int4, int4)


async def _context(db: Database, election_id: int, org_id: int, choice: int | None) -> Any:
    """What the checks need, read without a lock. During voting the padrón is frozen and the
    candidacies are fixed; only the phase can change, and cast_ballot() checks it again under the lock."""
    return await db.fetch_one(
        """SELECT e.name, e.phase, e.voting_starts_at, e.voting_ends_at, now() AS now, p.category,
                  c.category AS cand_category, c.status AS cand_status,
                  EXISTS (SELECT 1 FROM voters v WHERE v.election_id = e.id AND v.org_id = :o) AS voted
           FROM elections e LEFT JOIN padron_entries p ON p.election_id = e.id AND p.org_id = :o
           LEFT JOIN candidates c ON c.election_id = e.id AND c.id = CAST(:c AS bigint)
           WHERE e.id = :e""", {"e": election_id, "o": org_id, "c": choice})


def _check(ctx: Any, choice: int | None) -> str:
    """The organization's padrón category if it may cast this ballot now; otherwise VoteRefused."""
    if ctx is None or ctx["phase"] == "draft":
        raise VoteRefused(404, _("La elección no existe."))
    allowed, reason = phases.can_vote(_Window(ctx), ctx["now"])
    if not allowed:
        raise VoteRefused(409, reason)
    category = ctx["category"]
    if category is None:
        raise VoteRefused(403, _("Su organización no está en el padrón de esta elección, así que no puede votar."))
    if choice is not None and ctx["cand_status"] != "admissible":
        raise VoteRefused(422, _("Elija una candidatura admisible de la lista, o vote en blanco."))
    if choice is not None and ctx["cand_category"] != category:
        raise VoteRefused(422, _("Solo puede votar por una candidatura de la categoría de su organización (%(cat)s).",
                                 cat=category))
    if ctx["voted"]:
        raise AlreadyVoted(ctx["name"])  # the common refusal (a second click): no write attempted
    return category


def _receipt_mail(email: str | None, election_name: str, code: str, deliverable: bool) -> dict[str, Any]:
    """The emailed receipt's fields for cast_ballot() (all None: no email). The tracking code links the
    organization to its ballot, so it never rests in the database: with a mail server it leaves in the
    message and is scrubbed from the outbox once sent; without one (messages stay in the outbox) only
    the redacted text is stored."""
    if not email:
        return {"to": None, "subject": None, "body": None, "redacted": None}
    redacted = _("El voto de su organización quedó registrado.\n\nPor el secreto del voto, el código de seguimiento "
                 "no se guarda en el portal: use el que se mostró en su comprobante.")
    body = _("El voto de su organización quedó registrado.\n\nCódigo de seguimiento:\n%(code)s\n\n"
             "Después del escrutinio puede buscar este código en la lista pública de votos.", code=code)
    return {"to": email, "subject": _("Voto registrado: %(name)s", name=election_name),
            "body": body if deliverable else redacted, "redacted": redacted if deliverable else None}


async def record_ballot(db: Database, election_id: int, org_id: int, ballot: dict[str, Any],
                        mail: dict[str, Any]) -> date | None:
    """The has-voted row, the ballot (random key; choice NULL: blank) and the receipt email, in one
    statement. None: voting closed meanwhile."""
    return await db.fetch_val(
        """SELECT cast_ballot(:k, :e, :o, :id, :cat, :cand, :nonce, :code, :to, :subject, :body, :redacted)""",
        {"k": VOTE_LOCK, "e": election_id, "o": org_id, "id": uuid.uuid4(), "cat": ballot["category"],
         "cand": None if ballot["choice"] is None else int(ballot["choice"]), "nonce": ballot["nonce"],
         "code": ballot["code"], **mail})


async def cast_vote(db: Database, election_id: int, org_id: int, choice: int | None, *,
                    email: str | None = None, deliverable: bool = False) -> Receipt:
    """Record the organization's ballot for `choice` (None: blank) or raise VoteRefused."""
    failure: BaseException | None = None
    async with checkout(db):  # one pool connection for both statements
        ctx = await _context(db, election_id, org_id, choice)
        category = _check(ctx, choice)
        ballot = elections.make_ballot(str(election_id), category, None if choice is None else str(choice))
        try:
            voted_on = await record_ballot(db, election_id, org_id, ballot,
                                           _receipt_mail(email, ctx["name"], ballot["code"], deliverable))
        except asyncpg.exceptions.UniqueViolationError:
            raise AlreadyVoted(ctx["name"]) from None
        except DB_FAILURES as exc:
            voted_on, failure = None, exc
    if failure is not None:
        # The connection broke during the statement: the outcome is unknown. If the ballot is there (asked
        # on a fresh connection), the vote was recorded and the voter gets the receipt; otherwise the error
        # propagates (error page).
        if not await _committed(db, ballot["code"]):
            raise failure
        voted_on = await db.fetch_val("SELECT current_date")
    if voted_on is None:
        raise VoteRefused(409, _("La votación ya se cerró."))
    return Receipt(election_id, ballot["code"], category, voted_on)


async def _committed(db: Database, code: str) -> bool:
    """Whether a ballot with this tracking code is stored (False when the database is still away)."""
    try:
        return bool(await db.fetch_val("SELECT 1 FROM ballots WHERE tracking_code = :c", {"c": code}))
    except DB_FAILURES:
        return False


class _Window:
    """The few election fields `phases.can_vote` reads, from the vote's own locked row."""

    def __init__(self, row: Any) -> None:
        self.phase = row["phase"]
        self.voting_starts_at = row["voting_starts_at"]
        self.voting_ends_at = row["voting_ends_at"]


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
    return None if row is None else dict(row._mapping)
