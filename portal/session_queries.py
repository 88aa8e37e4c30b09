"""SQL for server-side sessions (portal/sessions.py): one row per session, keyed by the SHA-256 of its id."""

from __future__ import annotations

from dataclasses import dataclass

from portal.db import Database


@dataclass(frozen=True)
class SessionRow:
    id_hash: str
    data: bytes
    seen_seconds: float  # since the session was last touched


async def load(db: Database, id_hash: str, idle_seconds: int, absolute_seconds: int) -> SessionRow | None:
    """The session, if it exists and has timed out neither for idleness nor for age."""
    row = await db.fetch_one(
        """SELECT id_hash, data, extract(epoch FROM now() - last_seen_at)::float8 AS seen_seconds
           FROM sessions
           WHERE id_hash = :h AND last_seen_at > now() - make_interval(secs => :idle)
             AND created_at > now() - make_interval(secs => :abs)""",
        {"h": id_hash, "idle": idle_seconds, "abs": absolute_seconds},
    )
    return None if row is None else SessionRow(row["id_hash"], bytes(row["data"]), row["seen_seconds"])


async def insert(db: Database, id_hash: str, data: bytes, user_id: int | None) -> None:
    await db.execute(
        "INSERT INTO sessions (id_hash, data, user_id) VALUES (:h, :d, :u)",
        {"h": id_hash, "d": data, "u": user_id},
    )


async def update(db: Database, id_hash: str, data: bytes) -> None:
    await db.execute(
        "UPDATE sessions SET data = :d, last_seen_at = now() WHERE id_hash = :h", {"h": id_hash, "d": data}
    )


async def touch(db: Database, id_hash: str) -> None:
    await db.execute("UPDATE sessions SET last_seen_at = now() WHERE id_hash = :h", {"h": id_hash})


async def delete(db: Database, id_hash: str) -> None:
    await db.execute("DELETE FROM sessions WHERE id_hash = :h", {"h": id_hash})


async def end_all(db: Database, user_id: int) -> int:
    """Delete every session of the user and bump the user's auth version (which also voids the
    password-reset links already sent); returns how many sessions there were."""
    count: int = await db.fetch_val(
        "WITH gone AS (DELETE FROM sessions WHERE user_id = :u RETURNING 1) SELECT count(*) FROM gone",
        {"u": user_id},
    )
    await db.execute("UPDATE users SET auth_version = auth_version + 1 WHERE id = :u", {"u": user_id})
    return count


async def count_for(db: Database, user_id: int) -> int:
    n: int = await db.fetch_val("SELECT count(*) FROM sessions WHERE user_id = :u", {"u": user_id})
    return n


async def user_exists(db: Database, user_id: int) -> bool:
    return bool(await db.fetch_val("SELECT 1 FROM users WHERE id = :u", {"u": user_id}))


async def purge_expired(db: Database, idle_seconds: int, absolute_seconds: int) -> int:
    """Delete sessions past either timeout; returns how many."""
    count: int = await db.fetch_val(
        """WITH gone AS (DELETE FROM sessions
                         WHERE last_seen_at <= now() - make_interval(secs => :idle)
                            OR created_at <= now() - make_interval(secs => :abs) RETURNING 1)
           SELECT count(*) FROM gone""",
        {"idle": idle_seconds, "abs": absolute_seconds},
    )
    return count
