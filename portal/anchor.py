"""The audit chain's outside anchor (docs/security.md, Anchoring the audit log).

The hash chain alone proves nothing against someone who can write the database: they can rewrite a
row and recompute every later hash, or delete the last rows. So at least daily the chain's head
(row id, hash, number of rows) is signed with Ed25519 and published at /transparencia/auditoria.json
(and mailed to PORTAL_AUDIT_ANCHOR_EMAIL when set). The signing key is derived from the app's
secret key (PORTAL_SECRET_KEY, or the one kept in the data folder): it is never in the database, so
whoever can write the database cannot sign a new head. Anyone can check a published anchor with the
public key; `portal audit verify` checks the chain against every anchor, so a rewritten or truncated
chain no longer matches a head that was signed before.

The signed message is `PREFIX` followed by the canonical JSON (keys sorted, no spaces, UTF-8) of
{"public_key", "row_count", "row_hash", "row_id", "signed_at"} (signed_at in UTC, ISO 8601 with
microseconds), exactly as published.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime
from typing import Any

import nacl.exceptions
import nacl.signing
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from portal import anchor_queries as q, audit, clock, mail, sessions
from portal.anchor_queries import AnchorRow
from portal.db import Database
from portal.settings import Settings
from portal.txn import atomic
from portal.web import get_db, get_settings

log = logging.getLogger(__name__)

PREFIX = b"portal-participa audit anchor v1\n"
ANCHOR_LOCK = 7_240_115_003
TICK_SECONDS = 3600.0
PUBLIC_PATH = "/transparencia/auditoria.json"


def signing_key(secret: str) -> nacl.signing.SigningKey:
    """The Ed25519 key, derived from the app's secret (the same in every process of one deployment)."""
    seed = hmac.new(secret.encode(), b"portal-participa audit anchor ed25519 v1", hashlib.sha256).digest()
    return nacl.signing.SigningKey(seed)


def public_key(secret: str) -> str:
    return bytes(signing_key(secret).verify_key).hex()


def message(signed_at: datetime, row_id: int, row_hash: str, row_count: int, key_hex: str) -> bytes:
    """The exact bytes that are signed (see the module docstring)."""
    fields = {"public_key": key_hex, "row_count": row_count, "row_hash": row_hash, "row_id": row_id,
              "signed_at": _iso(signed_at)}
    return PREFIX + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def signature_ok(anchor: AnchorRow) -> bool:
    data = message(anchor.signed_at, anchor.row_id, anchor.row_hash, anchor.row_count, anchor.public_key)
    try:
        nacl.signing.VerifyKey(bytes.fromhex(anchor.public_key)).verify(data, bytes.fromhex(anchor.signature))
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError, TypeError):
        return False
    return True


async def make(db: Database, settings: Settings) -> AnchorRow:
    """Sign the chain's current head, store it, and mail it when an address is configured."""
    key = signing_key(str(settings.secret_key))
    key_hex = bytes(key.verify_key).hex()
    async with atomic(db):
        await audit.lock_chain(db)  # no row is appended while the head is read and signed
        head = await q.head(db, audit.GENESIS)
        at = clock.now()
        signature = key.sign(message(at, head.row_id, head.row_hash, head.row_count, key_hex)).signature.hex()
        anchor = AnchorRow(0, at, head.row_id, head.row_hash, head.row_count, key_hex, signature)
        anchor = dataclasses.replace(anchor, id=await q.insert(db, anchor))
        if settings.audit_anchor_email:
            await mail.queue(db, settings.audit_anchor_email, "Portal Participa: anclaje del registro de auditoría",
                             json.dumps(as_json(anchor), indent=2, ensure_ascii=False))
    return anchor


def as_json(anchor: AnchorRow) -> dict[str, Any]:
    return {"id": anchor.id, "signed_at": _iso(anchor.signed_at), "row_id": anchor.row_id,
            "row_hash": anchor.row_hash, "row_count": anchor.row_count, "public_key": anchor.public_key,
            "signature": anchor.signature}


def from_json(value: dict[str, Any]) -> AnchorRow:
    """An anchor as published (raises KeyError/ValueError/TypeError on a malformed one)."""
    return AnchorRow(int(value["id"]), datetime.fromisoformat(value["signed_at"]), int(value["row_id"]),
                     str(value["row_hash"]), int(value["row_count"]), str(value["public_key"]),
                     str(value["signature"]))


async def published(db: Database, settings: Settings) -> dict[str, Any]:
    """What /transparencia/auditoria.json shows: the key, the message format and every anchor."""
    return {
        "algorithm": "Ed25519",
        "public_key": public_key(str(settings.secret_key)),
        "message": "'" + PREFIX.decode().strip() + "\\n' + JSON of public_key, row_count, row_hash, row_id, "
                   "signed_at (keys sorted, no spaces, UTF-8)",
        "anchors": [as_json(a) for a in await q.all_anchors(db)],
    }


async def publish(request: Request) -> Response:
    """GET /transparencia/auditoria.json (public)."""
    body = await published(get_db(request), get_settings(request))
    return JSONResponse(body, headers={"Cache-Control": "no-cache"})


async def verify(db: Database, secret: str, outside: list[AnchorRow] | None = None) -> audit.ChainReport:
    """The chain (portal.audit.verify), then every stored anchor and every anchor kept outside (a copy of
    the published file, a mailed one): each must carry this portal's valid signature and still match
    the chain, and an anchor kept outside must still be in the database."""
    report = await audit.verify(db)
    key_hex = public_key(secret)
    stored = await q.all_anchors(db)
    known = {a.signature for a in stored}
    missing = [a for a in outside or [] if a.signature not in known]
    problems = list(report.problems)
    problems += [f"anchor {a.id} ({_iso(a.signed_at)}) was published but is missing from the database"
                 for a in missing]
    for anchor in stored + missing:
        problems += await _check(db, anchor, key_hex)
    return audit.ChainReport(report.rows, problems, anchors=len(stored))


async def _check(db: Database, anchor: AnchorRow, key_hex: str) -> list[str]:
    name = f"anchor {anchor.id} ({_iso(anchor.signed_at)})"
    if not signature_ok(anchor):
        return [f"{name}: the signature does not verify"]
    if anchor.public_key != key_hex:
        return [f"{name}: signed by a key that is not this portal's ({anchor.public_key[:16]}…)"]
    if anchor.row_id == 0:
        return [] if anchor.row_count == 0 else [f"{name}: malformed (no head row but {anchor.row_count} rows)"]
    found = await q.row_hash_and_rank(db, anchor.row_id)
    return [f"{name}: {problem}" for problem in _mismatch(anchor, found)]


def _mismatch(anchor: AnchorRow, found: tuple[str, int] | None) -> list[str]:
    """How the chain now differs from what the anchor signed (nothing when it still matches)."""
    if found is None:
        return [f"audit row {anchor.row_id}, the head it signed, is missing (rows were deleted)"]
    row_hash, rank = found
    if row_hash != anchor.row_hash:
        return [f"audit row {anchor.row_id} no longer has the hash that was signed (the chain was rewritten)"]
    if rank != anchor.row_count:
        return [f"{anchor.row_count} rows were signed up to row {anchor.row_id}; {rank} are there now"]
    return []


async def due(db: Database, settings: Settings, starting: bool) -> bool:
    """An anchor is due when there is none, the last is older than the interval, or (at start) the
    chain moved since the last one."""
    last = await q.latest(db)
    if last is None:
        return True
    if (clock.now() - last.signed_at).total_seconds() >= settings.anchor_every_hours * 3600:
        return True
    return starting and (await q.head(db, audit.GENESIS)).row_id != last.row_id


async def tick(db: Database, settings: Settings, starting: bool) -> bool:
    """One round of upkeep, in one process at a time (advisory lock): anchor if due, purge ended
    sessions. Returns whether an anchor was made."""
    async with atomic(db):
        if not await q.try_lock(db, ANCHOR_LOCK):
            return False
        made = await due(db, settings, starting)
        if made:
            await make(db, settings)
        await sessions.purge(db)
    return made


async def maintain(db: Database, settings: Settings) -> None:
    """`portal serve`'s upkeep task: a tick at start, then every hour (0 hours: no anchoring at all)."""
    if settings.anchor_every_hours <= 0:
        return
    starting = True
    while True:
        try:
            await tick(db, settings, starting)
            starting = False
        except asyncio.CancelledError:
            raise
        except Exception:  # the database may be away (a restart): try again at the next tick
            log.exception("audit anchor / session upkeep failed; retrying in %s s", TICK_SECONDS)
        await asyncio.sleep(min(TICK_SECONDS, settings.anchor_every_hours * 3600))
