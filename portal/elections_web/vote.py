"""Casting a ballot: one per padrón organization, secret, refused twice by the database itself
(docs/elections.md, Voting).

A vote is two round trips on one pool connection. The first reads the context without locking: phase
and window, the organization's padrón category, the chosen candidate, whether it already voted. The
second is `cast_ballot()` (migrations/0022_cast_ballot.sql). That one statement inserts the has-voted
row (voters), the ballot (ballots) and the emailed receipt together. The second ballot of an
organization is refused by the PRIMARY KEY of voters (a unique violation), never by a
check-then-insert, so two representatives submitting at the same instant get one ballot. The ballot
row carries no voter, no timestamp and a random key; its tracking code follows the `elections`
format, so the offline verifier recomputes it.

Refusals: a missing or draft election is a 404, an organization outside the padrón a 403, a candidate
it may not vote for an `InvalidChoice` (the form's 422), and every refusal of the moment (not open,
closed, already voted) a `Conflict` (409).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

import elections
from portal import clock
from portal.db import Database
from portal.elections_web import phases, vote_queries
from portal.elections_web.vote_queries import VOTE_LOCK, VoteContext, find_ballot, has_voted
from portal.guards import forbidden, not_found
from portal.i18n import gettext as _
from portal.txn import DB_FAILURES, checkout
from portal.workflow import Conflict

__all__ = ["VOTE_LOCK", "InvalidChoice", "Receipt", "already_voted", "cast_vote", "find_ballot", "has_voted"]


class InvalidChoice(ValueError):
    """The ballot names a candidate this organization may not vote for: a form error (422)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Receipt:
    """What the voter keeps: the tracking code (and what the ballot said, for their eyes only)."""

    election_id: int
    tracking_code: str
    category: str
    voted_on: date


def already_voted() -> str:
    """The refusal of a second ballot (a second click, a second representative)."""
    return _("Su organización ya votó en esta elección. Cada organización emite un solo voto; el segundo "
             "intento no se registró.")


def _check(ctx: VoteContext | None, choice: int | None) -> tuple[VoteContext, str]:
    """The context and the organization's padrón category if it may cast this ballot now; otherwise the
    refusal."""
    if ctx is None or ctx.phase == "draft":
        raise not_found()
    allowed, reason = phases.can_vote(ctx, clock.now())
    if not allowed:
        raise Conflict(reason)
    if ctx.category is None:
        raise forbidden(_("Su organización no está en el padrón de esta elección, así que no puede votar."))
    if choice is not None and ctx.cand_status != "admissible":
        raise InvalidChoice(_("Elija una candidatura admisible de la lista, o vote en blanco."))
    if choice is not None and ctx.cand_category != ctx.category:
        raise InvalidChoice(_("Solo puede votar por una candidatura de la categoría de su organización (%(cat)s).",
                              cat=ctx.category))
    if ctx.voted:
        raise Conflict(already_voted())  # the common refusal (a second click): no write attempted
    return ctx, ctx.category


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


async def cast_vote(db: Database, election_id: int, org_id: int, choice: int | None, *,
                    email: str | None = None, deliverable: bool = False) -> Receipt:
    """Record the organization's ballot for `choice` (None: blank), or refuse it (see the module)."""
    failure: BaseException | None = None
    async with checkout(db):  # one pool connection for both statements
        ctx, category = _check(await vote_queries.vote_context(db, election_id, org_id, choice), choice)
        ballot = elections.make_ballot(str(election_id), category, None if choice is None else str(choice))
        try:
            voted_on = await vote_queries.record_ballot(db, election_id, org_id, ballot,
                                                        _receipt_mail(email, ctx.name, ballot["code"], deliverable))
        except asyncpg.exceptions.UniqueViolationError:
            raise Conflict(already_voted()) from None
        except DB_FAILURES as exc:
            voted_on, failure = None, exc
    if failure is not None:
        # The connection broke during the statement: the outcome is unknown. If the ballot is there (asked
        # on a fresh connection), the vote was recorded and the voter gets the receipt; otherwise the error
        # propagates (error page).
        if not await _committed(db, ballot["code"]):
            raise failure
        voted_on = clock.today()
    if voted_on is None:
        raise Conflict(_("La votación ya se cerró."))
    return Receipt(election_id, ballot["code"], category, voted_on)


async def _committed(db: Database, code: str) -> bool:
    """Whether a ballot with this tracking code is stored (False when the database is still away)."""
    try:
        return await vote_queries.ballot_stored(db, code)
    except DB_FAILURES:
        return False
