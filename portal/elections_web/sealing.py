"""The sealed vote in the portal (docs/ballot-secrecy.md): the per-election portal key, the sealer,
the append-only public record and what each phase adds to it. The pure part (sealing, steps,
checks, the record's format and its verifier) is `elections.seal`, `elections.record`,
`elections.audit`; `elections.ceremony.simulate` plays the same order of calls in memory.

The record of an election, event by event (elections/record.py):

* at the opening of the vote (one transaction with the phase change): ``setup`` (seats, the portal's
  public key for this election), ``padron_frozen``, ``candidates_published``, one ``trustee_key``
  per trustee in peeling order, ``voting_opened``;
* during the vote: a ``checkpoint`` every ``CHECKPOINT_EVERY`` ballots (their count and a hash over
  their SORTED fingerprints: the order of publication says nothing about the order of casting, and
  no checkpoint names fewer than that many ballots, so it cannot be joined to the turnout of a
  region at a given time);
* at the close: the last checkpoint (the remainder), ``voting_closed``, the ``sorteo`` (it may change
  until the close, docs/elections.md, Sorteo, so it is published once, when final),
  ``sealed_ballots`` (every stored sealed ballot, grouped as the checkpoints were);
* after it: one ``trustee_step`` per trustee (uploaded, checked with ``seal.check_step``);
* the count: ``tally`` (the bulletin of the revealed ballots) and ``allocation``; then
  ``proclamation`` (the acta's SHA-256).

Event times (``at``) are dates: public and coarse.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from elections import record as rec, seal
from elections.allocation import parse_candidates
from portal import clock
from portal.db import Database
from portal.elections_web import count_queries, record_queries as rq
from portal.elections_web.queries import Election
from portal.i18n import gettext as _
from portal.txn import atomic
from portal.workflow import Conflict

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 100  # ballots per checkpoint during the vote (the remainder at the close)
_sealers: dict[tuple[int, str, str], seal.Sealer] = {}
# The mix's last batches, parsed, by (election, height, hash) of the event that published them: the
# record is append-only and each hash covers its payload, so an entry never goes stale. Filled when a
# batch is published (close, accepted step) or first read; a few entries (a batch of 10,000 ballots
# is ~7 MB in memory).
_batches: dict[tuple[int, int, str], list[seal.Item]] = {}
BATCHES_KEPT = 2


# ----- keys and the sealer -----

def portal_seed(secret: str, election_id: int) -> bytes:
    """The portal's signing seed for one election, derived from the app's secret (PORTAL_SECRET_KEY or
    the data folder's): never stored, the same in every process of one deployment."""
    return hmac.new(secret.encode(), f"cosoc-portal-seal/1|{election_id}".encode(), hashlib.sha256).digest()


def portal_public_key(secret: str, election_id: int) -> bytes:
    return seal.trustee_public(portal_seed(secret, election_id))  # an Ed25519 public key from its seed


def params(election_id: int, portal_key: bytes, keys: list[str]) -> seal.SealParams:
    return seal.SealParams(str(election_id), portal_key, tuple(bytes.fromhex(k) for k in keys))


async def sealer(db: Database, election_id: int, secret: str, keys: str) -> seal.Sealer:
    """The election's sealer, built once per process (keys: the trustees' keys, as signing_keys() gives).
    Refused when the portal key derived now is not the one the record published at the opening (the
    app's secret changed): ballots sealed with another key would not verify."""
    cache_key = (election_id, keys, hashlib.sha256(secret.encode()).hexdigest())
    found = _sealers.get(cache_key)
    if found is None:
        if not keys:
            raise Conflict(_("La elección no tiene las claves de sus custodios: no se pueden sellar votos."))
        setup = await rq.events_of_type(db, election_id, "setup")
        key = portal_public_key(secret, election_id)
        if not setup or json.loads(setup[0])["payload"]["seal"]["portal_key"] != key.hex():
            raise Conflict(_("No se pueden sellar votos: la clave del portal no es la que publicó el registro de "
                             "la elección al abrir la votación (¿cambió PORTAL_SECRET_KEY?)."))
        try:
            found = seal.Sealer(params(election_id, key, keys.split(",")), portal_seed(secret, election_id))
        except seal.SealError as exc:
            raise Conflict(_("No se pueden sellar votos: %(error)s", error=str(exc))) from None
        if len(_sealers) > 64:
            _sealers.clear()
        _sealers[cache_key] = found
    return found


# ----- the record -----

def dump(event: dict[str, Any]) -> str:
    """An event as stored and published (one line of JSON)."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


async def append(db: Database, election_id: int, type_: str, payload: Any) -> dict[str, Any]:
    """Append one event to the election's record (its own lock; inside the caller's transaction)."""
    async with atomic(db):
        await rq.lock_record(db, election_id)
        link = await rq.head_link(db, election_id)
        previous = {"height": link[0], "hash": link[1]} if link else None
        event = rec.new_event(previous, type_, payload, at=clock.today().isoformat())
        await rq.append(db, election_id, event["height"], type_, event["hash"], dump(event))
    return event


async def seal_params(db: Database, e: Election) -> seal.SealParams:
    """The election's seal parameters as the record published them (setup and trustees' keys)."""
    events = [json.loads(x) for x in await rq.events_of_type(db, e.id, "setup", "trustee_key")]
    setup = next((ev for ev in events if ev["type"] == "setup"), None)
    if setup is None:
        raise Conflict(_("Esta elección no tiene registro público de votos sellados."))
    keys = [ev["payload"]["signing_key"] for ev in events if ev["type"] == "trustee_key"]
    return params(e.id, bytes.fromhex(setup["payload"]["seal"]["portal_key"]), keys)


def published_candidates(e: Election, raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The candidates exactly as the bulletin will list them (elections.make_bulletin)."""
    groups = parse_candidates(e.seats, raw, votes_required=False)
    return [c.to_dict(with_votes=False) for group in groups.values() for c in group]


def sorteo_payload(e: Election) -> dict[str, Any]:
    if e.lottery_seed is not None:
        return {"lottery_seed": e.lottery_seed}
    return {"lottery_order": [str(x) for x in (e.lottery_order or [])]}


async def open_record(db: Database, e: Election, secret: str) -> int:
    """At the opening of the vote: setup … voting_opened (see the module doc); returns the trustees."""
    trustees = await rq.trustees(db, e.id)
    if len(trustees) < 2 or any(t.signing_key is None for t in trustees):  # the transition's checks ask for it
        raise Conflict(_("Faltan claves de custodios."))
    if await rq.head_link(db, e.id) is not None:
        raise Conflict(_("El registro público de esta elección ya se abrió."))
    key = portal_public_key(secret, e.id)
    await append(db, e.id, "setup", {"election_id": str(e.id), "seats": e.seats, "rules": e.rules, "seal": {
        "format": seal.SEAL_FORMAT, "portal_key": key.hex(), "plaintext_size": seal.PLAINTEXT_SIZE}})
    await append(db, e.id, "padron_frozen", {"padron_sha256": e.padron_sha256, "padron_size": e.padron_size})
    await append(db, e.id, "candidates_published", {
        "candidates": published_candidates(e, await count_queries.count_candidates(db, e.id))})
    for t in trustees:
        await append(db, e.id, "trustee_key", json.loads(t.key_proof or "{}"))
    await append(db, e.id, "voting_opened", {})
    return len(trustees)


async def checkpoint(db: Database, election_id: int, *, minimum: int = 1) -> int:
    """Publish the ballots cast since the last checkpoint when there are at least `minimum`; returns
    how many were published (0: none)."""
    async with atomic(db):
        await rq.lock_record(db, election_id)
        pending = await rq.pending_fingerprints(db, election_id)
        if len(pending) < minimum:
            return 0
        previous = [json.loads(x)["payload"] for x in await rq.events_of_type(db, election_id, "checkpoint")]
        batch, before = len(previous) + 1, (previous[-1]["total"] if previous else 0)
        await rq.assign_batch(db, election_id, batch, pending)
        await append(db, election_id, "checkpoint", rec.checkpoint_payload(batch, pending, before))
    return len(pending)


async def maybe_checkpoint(db: Database, election_id: int, pending: int) -> None:
    """After a vote: a checkpoint once CHECKPOINT_EVERY ballots await one. Never fails the vote."""
    if pending < CHECKPOINT_EVERY:
        return
    try:
        await checkpoint(db, election_id, minimum=CHECKPOINT_EVERY)
    except Exception:  # the vote is recorded; the next one (or the close) publishes the batch
        log.exception("checkpoint of election %s failed", election_id)


async def close_record(db: Database, e: Election) -> int:
    """At the close (the vote lock held): the remainder's checkpoint, voting_closed, the sorteo and
    the sealed ballots; returns the number of ballots."""
    if await rq.head_link(db, e.id) is None:
        raise Conflict(_("Esta elección no tiene registro público de votos sellados."))
    await checkpoint(db, e.id, minimum=1)
    total = await rq.sealed_count(db, e.id)
    if not await rq.events_of_type(db, e.id, "checkpoint"):
        await append(db, e.id, "checkpoint", rec.checkpoint_payload(1, [], 0))
    await append(db, e.id, "voting_closed", {"total": total})
    await append(db, e.id, "sorteo", sorteo_payload(e))
    await rq.scramble_sealed(db, e.id)
    counts = [json.loads(x)["payload"]["count"] for x in await rq.events_of_type(db, e.id, "checkpoint")]
    items = await rq.sealed_items(db, e.id)
    event = await append(db, e.id, "sealed_ballots", {"batches": counts, "items": seal.items_to_json(items)})
    remember_batch(e.id, event, items)
    return total


def remember_batch(election_id: int, event: dict[str, Any], items: list[seal.Item]) -> None:
    """Keep the batch `event` (sealed_ballots or an accepted trustee_step) published, for the next
    step's check and the count: they then skip reading and parsing it again."""
    while len(_batches) >= BATCHES_KEPT:
        del _batches[next(iter(_batches))]
    _batches[(election_id, event["height"], event["hash"])] = items


async def mix_state(db: Database, e: Election) -> tuple[seal.SealParams, list[seal.Item], int]:
    """After the close: (params, the batch the next trustee opens, how many steps are in)."""
    p = await seal_params(db, e)
    height, hash_, n = await rq.last_of_types(db, e.id, "sealed_ballots", "trustee_step")
    if height is None or hash_ is None:
        raise Conflict(_("Los votos sellados se publican al cerrar la votación."))
    items = _batches.get((e.id, height, hash_))
    if items is None:
        last = json.loads(await rq.event_at(db, e.id, height) or "{}")
        payload = last["payload"]
        items = seal.items_from_json(payload["items"] if last["type"] == "sealed_ballots" else payload["output"])
        remember_batch(e.id, last, items)
    return p, items, n - 1


async def revealed_ballots(db: Database, e: Election) -> list[dict[str, Any]]:
    """The ballots the last trustee's step reveals (the count's input)."""
    p, items, steps = await mix_state(db, e)
    if steps < len(p.trustees):
        raise Conflict(_("Faltan pasos de custodios: el escrutinio espera a todos."))
    problems, ballots = seal.reveal(p, items)
    if problems:
        raise Conflict(_("El último paso no revela votos válidos: %(error)s", error=problems[0]))
    return ballots
