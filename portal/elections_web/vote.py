"""Casting a ballot: one per padrón organization, sealed for the trustees, refused twice by the
database itself (docs/elections.md, Voting; docs/ballot-secrecy.md).

A vote is two round trips on one pool connection. The first reads the context without locking: phase
and window, the organization's padrón category, the chosen candidate, whether it already voted, the
trustees' keys. Then the ballot is sealed in memory (`elections.seal`: one layer per trustee; the
tracking code is the hash of the plaintext). The second round trip is `cast_sealed_ballot()`
(migrations/0110_sealed_ballots.sql): the shared vote lock, the phase re-read under it, the has-voted
row (voters), the sealed ballot and the receipt email, in one statement. The second ballot of an
organization is refused by the PRIMARY KEY of voters (a unique violation), never by a
check-then-insert, so two representatives submitting at the same instant get one ballot; a refused
statement stores nothing (the sealed ballot is inserted after the has-voted row, in the same statement).

The tracking code leaves this module only in the `Receipt` the view renders once: it is never stored
(not in the ballot's transaction, the session, the outbox or a log). The receipt email says the vote
was recorded, without the code. Every `CHECKPOINT_EVERY` ballots a checkpoint is published
(sealing.maybe_checkpoint), after the vote's statement.

Refusals: a missing or draft election is a 404, an organization outside the padrón a 403, a candidate
it may not vote for an `InvalidChoice` (the form's 422), and every refusal of the moment (not open,
closed, already voted) a `Conflict` (409).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from portal import clock
from portal.db import Database
from portal.elections_web import phases, record_queries, sealing, vote_queries
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
    """What the voter keeps: the tracking code (shown once, never stored) and the sealed ballot's
    fingerprint (public: it names a ciphertext)."""

    election_id: int
    election_name: str
    tracking_code: str
    category: str
    voted_on: date
    fingerprint: str


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


def _receipt_mail(email: str | None, election_name: str) -> dict[str, Any]:
    """The emailed receipt's fields for cast_sealed_ballot() (all None: no email). It carries no
    tracking code: the code would link the organization to its ballot once the bulletin is public."""
    if not email:
        return {"to": None, "subject": None, "mbody": None}
    body = _("El voto de su organización quedó registrado en la elección «%(name)s».\n\nPor el secreto del "
             "voto, el código de seguimiento no se envía por correo ni se guarda en el portal: use el que se "
             "mostró en su comprobante (puede descargarlo o imprimirlo desde esa página).", name=election_name)
    return {"to": email, "subject": _("Voto registrado: %(name)s", name=election_name), "mbody": body}


async def cast_vote(db: Database, election_id: int, org_id: int, choice: int | None, *, secret: str,
                    email: str | None = None, voter_id: int | None = None) -> Receipt:
    """Seal and record the organization's ballot for `choice` (None: blank), or refuse it (see the module).
    `secret`: the app's secret key, from which the election's portal signing key is derived. `voter_id`:
    the person who cast it, recorded in the organization's history in the same statement (the day only,
    never anything of the ballot; docs/claveunica.md)."""
    failure: BaseException | None = None
    async with checkout(db):  # one pool connection for both statements
        ctx, category = _check(await vote_queries.vote_context(db, election_id, org_id, choice), choice)
        sealer = await sealing.sealer(db, election_id, secret, ctx.trustee_keys or "")
        sealed = sealer.seal(category, None if choice is None else str(choice))
        try:
            pending = await record_queries.record_sealed(db, VOTE_LOCK, election_id, org_id, sealed.fingerprint,
                                                         sealed.item, _receipt_mail(email, ctx.name),
                                                         voter_id, clock.today())
        except asyncpg.exceptions.UniqueViolationError:
            raise Conflict(already_voted()) from None
        except DB_FAILURES as exc:
            pending, failure = None, exc
    if failure is not None:
        # The connection broke during the statement: the outcome is unknown. If the sealed ballot is there
        # (asked on a fresh connection, by its fingerprint), the vote was recorded and the voter gets the
        # receipt; otherwise the error propagates (error page).
        if not await _committed(db, sealed.fingerprint):
            raise failure
        pending = 0
    if pending is None:
        raise Conflict(_("La votación ya se cerró."))
    await sealing.maybe_checkpoint(db, election_id, pending)
    return Receipt(election_id, ctx.name, sealed.code, category, clock.today(), sealed.fingerprint)


async def _committed(db: Database, fingerprint: str) -> bool:
    """Whether the sealed ballot is stored (False when the database is still away)."""
    try:
        return await record_queries.sealed_stored(db, fingerprint)
    except DB_FAILURES:
        return False
