"""The append-only, hash-chained audit log (who, when, what, before/after).

`record()` must be called inside the transaction of the change it describes. It takes a
transaction-scoped advisory lock so the chain has one order, reads the previous hash and
inserts the new row; `verify()` recomputes every hash. The chain's head is signed and published
regularly (portal/anchor.py), which is what makes a recomputed or shortened chain detectable.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, UTC
from typing import Any

from portal import clock
from portal.db import Database

CHAIN_LOCK = 7_240_115_001
GENESIS = "0" * 64


def _canonical(value: Any) -> Any:
    """What jsonb will give back: plain JSON types, keys sorted on output."""
    return None if value is None else json.loads(json.dumps(value, default=str))


def row_hash(prev_hash: str, at: datetime, actor_id: int | None, actor_label: str, action: str,
             object_type: str, object_id: str, before: Any, after: Any) -> str:
    """SHA-256 over the previous hash and this row's fields in a fixed JSON form."""
    payload = json.dumps(
        {
            "prev": prev_hash,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "actor_label": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "before": before,
            "after": after,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


async def record(db: Database, *, actor: Any, action: str, object_type: str, object_id: Any = "",
                 before: Any = None, after: Any = None, actor_label: str | None = None) -> str:
    """Append one event (call inside the change's transaction); returns its hash."""
    actor_id = getattr(actor, "id", actor) if actor is not None else None
    label = actor_label if actor_label is not None else getattr(actor, "email", "") or ("system" if actor is None else "")
    before_c, after_c = _canonical(before), _canonical(after)
    await lock_chain(db)
    prev = await db.fetch_val("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1") or GENESIS
    at = clock.now()
    digest = row_hash(prev, at, actor_id, label, action, object_type, str(object_id), before_c, after_c)
    await db.execute(
        """INSERT INTO audit_log (at, actor_id, actor_label, action, object_type, object_id,
                                  before, after, prev_hash, hash)
           VALUES (:at, :actor_id, :label, :action, :otype, :oid,
                   CAST(:before AS jsonb), CAST(:after AS jsonb), :prev, :hash)""",
        {
            "at": at, "actor_id": actor_id, "label": label, "action": action, "otype": object_type,
            "oid": str(object_id), "before": None if before_c is None else json.dumps(before_c),
            "after": None if after_c is None else json.dumps(after_c), "prev": prev, "hash": digest,
        },
    )
    return digest


async def lock_chain(db: Database) -> None:
    """Hold the chain's lock until the transaction ends: one writer (or anchor) at a time."""
    await db.execute("SELECT pg_advisory_xact_lock(:k)", {"k": CHAIN_LOCK})


@dataclass
class ChainReport:
    rows: int
    problems: list[str]
    anchors: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


async def verify(db: Database, batch: int = 5000) -> ChainReport:
    """Recompute the chain from the first row; report every row whose link or hash is wrong."""
    problems: list[str] = []
    prev, last_id, count = GENESIS, 0, 0
    while True:
        rows = await db.fetch_all(
            """SELECT id, at, actor_id, actor_label, action, object_type, object_id,
                      before::text AS before, after::text AS after, prev_hash, hash
               FROM audit_log WHERE id > :last ORDER BY id LIMIT :n""",
            {"last": last_id, "n": batch},
        )
        if not rows:
            break
        for r in rows:
            count += 1
            if r["prev_hash"] != prev:
                problems.append(f"row {r['id']}: prev_hash does not match the previous row's hash")
            before = None if r["before"] is None else json.loads(r["before"])
            after = None if r["after"] is None else json.loads(r["after"])
            expected = row_hash(r["prev_hash"], r["at"], r["actor_id"], r["actor_label"], r["action"],
                                r["object_type"], r["object_id"], before, after)
            if expected != r["hash"]:
                problems.append(f"row {r['id']}: hash does not match its contents")
            prev, last_id = r["hash"], r["id"]
    return ChainReport(count, problems)


async def history(db: Database, object_type: str, object_id: Any) -> list[dict[str, Any]]:
    """The events recorded for one object, oldest first."""
    rows = await db.fetch_all(
        """SELECT id, at, actor_label, action, before, after FROM audit_log
           WHERE object_type = :t AND object_id = :i ORDER BY id""",
        {"t": object_type, "i": str(object_id)},
    )
    return [dict(r._mapping) for r in rows]
