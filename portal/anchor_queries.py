"""SQL for the audit chain's anchors (portal/anchor.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.db import Database


@dataclass(frozen=True)
class Head:
    """The audit chain's last row (id 0 and the genesis hash for an empty log) and the number of rows."""

    row_id: int
    row_hash: str
    row_count: int


@dataclass(frozen=True)
class AnchorRow:
    id: int
    signed_at: datetime
    row_id: int
    row_hash: str
    row_count: int
    public_key: str
    signature: str


async def head(db: Database, genesis: str) -> Head:
    row = await db.fetch_one(
        "SELECT id, hash, (SELECT count(*) FROM audit_log) AS n FROM audit_log ORDER BY id DESC LIMIT 1"
    )
    return Head(0, genesis, 0) if row is None else Head(row["id"], row["hash"], row["n"])


async def row_hash_and_rank(db: Database, row_id: int) -> tuple[str, int] | None:
    """The hash of audit row `row_id` and how many rows there are up to it, or None if it is gone."""
    row = await db.fetch_one(
        """SELECT hash, (SELECT count(*) FROM audit_log WHERE id <= :id) AS n
           FROM audit_log WHERE id = :id""",
        {"id": row_id},
    )
    return None if row is None else (row["hash"], row["n"])


async def insert(db: Database, anchor: AnchorRow) -> int:
    new_id: int = await db.fetch_val(
        """INSERT INTO audit_anchors (signed_at, row_id, row_hash, row_count, public_key, signature)
           VALUES (:at, :rid, :rhash, :n, :pk, :sig) RETURNING id""",
        {"at": anchor.signed_at, "rid": anchor.row_id, "rhash": anchor.row_hash, "n": anchor.row_count,
         "pk": anchor.public_key, "sig": anchor.signature},
    )
    return new_id


async def all_anchors(db: Database) -> list[AnchorRow]:
    rows = await db.fetch_all(
        """SELECT id, signed_at, row_id, row_hash, row_count, public_key, signature
           FROM audit_anchors ORDER BY id"""
    )
    return [AnchorRow(**dict(r._mapping)) for r in rows]


async def latest(db: Database) -> AnchorRow | None:
    row = await db.fetch_one(
        """SELECT id, signed_at, row_id, row_hash, row_count, public_key, signature
           FROM audit_anchors ORDER BY id DESC LIMIT 1"""
    )
    return None if row is None else AnchorRow(**dict(row._mapping))


async def try_lock(db: Database, key: int) -> bool:
    """A transaction-scoped advisory lock, if free (call inside a transaction)."""
    return bool(await db.fetch_val("SELECT pg_try_advisory_xact_lock(:k)", {"k": key}))
