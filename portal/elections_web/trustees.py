"""The trustees' part of the ceremony (docs/ballot-secrecy.md; docs/elections.md, Verifiability):
naming them, their keys before voting opens, their steps after the close.

A trustee is a portal account (the ministro de fe, and at least one more person: a staff member or
anyone with an account, e.g. an observer the COSOC appoints). Each state change goes through
`portal.workflow.transition` on `TRUSTEE_MACHINE` (named → key_in → step_in); every refusal is a
`Conflict` with the reason, including the reasons `elections.seal` gives for a bad key or step.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import asyncpg

from elections import seal
from portal.db import Database
from portal.elections_web import phases, queries as q, record_queries as rq, sealing
from portal.elections_web.record_queries import Trustee
from portal.elections_web.workflow import TRUSTEE_MACHINE, record_event
from portal.guards import found
from portal.i18n import gettext as _
from portal.txn import atomic
from portal.workflow import Conflict, require, transition

MAX_TRUSTEES = 9


async def name_trustee(db: Database, election_id: int, actor: Any, email: str) -> int:
    """Name the account with `email` as the next trustee (before voting opens); returns its position."""
    user = await rq.user_by_email(db, email)
    if user is None:
        raise Conflict(_("No hay una cuenta con el correo %(email)s: la persona debe crear su cuenta primero.",
                         email=email))
    async with atomic(db):
        e = found(await q.get_election(db, election_id, lock=True))
        require(phases.can_name_trustee(e))
        if len(await rq.trustees(db, e.id)) >= MAX_TRUSTEES:
            raise Conflict(_("Una elección tiene como máximo %(n)s custodios.", n=MAX_TRUSTEES))
        try:
            async with atomic(db):
                position = await rq.add_trustee(db, e.id, user["id"], secrets.token_urlsafe(24))
        except asyncpg.exceptions.UniqueViolationError:
            raise Conflict(_("Esa persona ya es custodio de esta elección.")) from None
        await record_event(db, e, actor, "trustee_named", detail={"position": position, "user": user["id"]})
    return position


def parse_json(text: str, what: str) -> Any:
    """The uploaded JSON, or a refusal naming what was expected."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise Conflict(_("El archivo no es JSON válido: suba %(what)s tal como lo escribió el programa.",
                         what=what)) from None


async def upload_key(db: Database, election_id: int, trustee: Trustee, user: Any, text: str) -> None:
    """The trustee's public key with its proof (`python -m elections trustee keygen`), checked against
    this election and the trustee's challenge; it may be replaced until voting opens."""
    proof = parse_json(text, "trustee-public.json")
    problems = seal.check_key_proof(proof, str(election_id), trustee.challenge)
    if problems:
        raise Conflict(_("La clave no se aceptó: %(reason)s", reason=problems[0]))
    async with atomic(db):
        e = found(await q.get_election(db, election_id, lock=True))  # the opening of the vote waits for us
        require(phases.can_name_trustee(e))
        others = [t for t in await rq.trustees(db, e.id) if t.id != trustee.id]
        if proof["signing_key"] in {t.signing_key for t in others}:
            raise Conflict(_("La clave no se aceptó: ya es la clave de otro custodio."))
        await transition(db, TRUSTEE_MACHINE, trustee.id, "key_in", actor=user, expected=("named", "key_in"),
                         sets={"signing_key": ":k", "key_proof": ":p"},
                         params={"k": proof["signing_key"], "p": json.dumps(proof, sort_keys=True)},
                         after={"signing_key": proof["signing_key"]})
        await q.log_event(db, e.id, user, "trustee_key", detail={"position": trustee.position,
                                                                 "signing_key": proof["signing_key"]})


def can_step(e: q.Election, trustee: Trustee, steps_in: int) -> str | None:
    """Why this trustee may not upload its step now (None: it may)."""
    if e.phase != "voting_closed":
        if phases.at_least(e.phase, "tallied"):
            return _("El escrutinio ya se hizo: los pasos de los custodios están completos.")
        return _("Los pasos de los custodios se suben después del cierre de la votación.")
    if trustee.status == "step_in":
        return _("Su paso ya está registrado.")
    if trustee.position != steps_in + 1:
        return _("Es el turno del custodio %(n)s: los pasos se suben en orden.", n=steps_in + 1)
    return None


async def upload_step(db: Database, election_id: int, trustee: Trustee, user: Any, text: str) -> int:
    """The trustee's step (`python -m elections trustee step`), checked with `seal.check_step` against
    the batch it had to open: refused with the reason (wrong step, a ballot dropped, replaced, duplicated).
    Returns how many ballots it carried."""
    step = parse_json(text, "step.json")
    async with atomic(db):
        e = found(await q.get_election(db, election_id, lock=True))  # one step at a time
        params, items, steps_in = await sealing.mix_state(db, e)
        reason = can_step(e, found(await rq.trustee(db, e.id, trustee.position)), steps_in)
        if reason:
            raise Conflict(reason)
        problems, output = seal.check_step(params, items, step, expected_trustee=trustee.position)
        if problems:
            raise Conflict(_("El paso no se aceptó: %(reason)s", reason=problems[0]))
        sealing.remember_batch(e.id, await sealing.append(db, e.id, "trustee_step", step), output)
        await transition(db, TRUSTEE_MACHINE, trustee.id, "step_in", actor=user,
                         after={"output_sha256": step["output_sha256"], "count": step["count"]})
        await q.log_event(db, e.id, user, "trustee_step", detail={"position": trustee.position,
                                                                  "count": step["count"]})
    return int(step["count"])


async def batch_for(db: Database, e: q.Election, position: int) -> dict[str, Any] | None:
    """The batch file trustee `position` opens (None: not its turn, or no such trustee)."""
    if e.phase != "voting_closed":
        return None
    params, items, steps_in = await sealing.mix_state(db, e)
    if position != steps_in + 1 or position > len(params.trustees):
        return None
    return seal.batch_file(params, position, items)


async def progress(db: Database, e: q.Election) -> dict[str, Any]:
    """The ceremony's progress: trustees with their key and step, the record's stages."""
    trustees = await rq.trustees(db, e.id)
    types = await rq.record_types(db, e.id)
    steps_in = types.count("trustee_step")
    return {"trustees": trustees, "events": len(types), "checkpoints": types.count("checkpoint"),
            "steps_in": steps_in, "sealed_published": "sealed_ballots" in types,
            "next_position": steps_in + 1 if e.phase == "voting_closed" and steps_in < len(trustees) else None,
            "record_open": bool(types)}
