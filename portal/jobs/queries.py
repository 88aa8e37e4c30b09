"""Every SQL statement of the job runner."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.db import Database, to_dataclass, to_dataclasses

# The advisory lock the runner's connection holds (any constant shared by every process of the portal).
LOCK_KEY = 7_240_115_080


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    dedupe_key: str | None


@dataclass(frozen=True)
class JobRow:
    id: int
    kind: str
    status: str
    run_at: datetime
    attempts: int
    last_error: str | None
    result: Any
    finished_at: datetime | None


async def enqueue(db: Database, kind: str, payload: dict[str, Any], run_at: datetime, *,
                  dedupe_key: str | None = None, max_attempts: int = 5) -> int | None:
    """A new pending job; None when a pending job with the same `dedupe_key` is already waiting."""
    value: int | None = await db.execute(
        """INSERT INTO jobs (kind, payload, run_at, dedupe_key, max_attempts)
           VALUES (:kind, CAST(:payload AS jsonb), :run_at, :key, :max)
           ON CONFLICT (dedupe_key) WHERE status = 'pending' AND dedupe_key IS NOT NULL DO NOTHING
           RETURNING id""",
        {"kind": kind, "payload": json.dumps(payload), "run_at": run_at, "key": dedupe_key, "max": max_attempts})
    return value


async def claim(db: Database, now: datetime) -> Job | None:
    """The oldest due job, locked for this transaction; jobs other runners hold are skipped."""
    row = await db.fetch_one(
        """SELECT id, kind, payload, attempts, max_attempts, dedupe_key FROM jobs
           WHERE status = 'pending' AND run_at <= :now
           ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED""",
        {"now": now})
    if row is None:
        return None
    values = dict(row)
    values["payload"] = json.loads(values["payload"]) if isinstance(values["payload"], str) else values["payload"]
    return to_dataclass(Job, values)


async def finish(db: Database, job_id: int, result: Any, now: datetime) -> None:
    await db.execute(
        """UPDATE jobs SET status = 'done', attempts = attempts + 1, result = CAST(:result AS jsonb),
                  finished_at = :now, last_error = NULL WHERE id = :id""",
        {"id": job_id, "result": json.dumps(result, default=str), "now": now})


async def retry(db: Database, job_id: int, attempts: int, error: str, run_at: datetime) -> None:
    await db.execute(
        "UPDATE jobs SET attempts = :attempts, last_error = :error, run_at = :run_at WHERE id = :id",
        {"id": job_id, "attempts": attempts, "error": error[:2000], "run_at": run_at})


async def give_up(db: Database, job_id: int, attempts: int, error: str, now: datetime) -> None:
    await db.execute(
        """UPDATE jobs SET status = 'failed', attempts = :attempts, last_error = :error, finished_at = :now
           WHERE id = :id""",
        {"id": job_id, "attempts": attempts, "error": error[:2000], "now": now})


async def beat(db: Database, now: datetime, holder: str) -> None:
    await db.execute(
        """INSERT INTO job_heartbeat (name, beat_at, holder) VALUES ('runner', :now, :holder)
           ON CONFLICT (name) DO UPDATE SET beat_at = EXCLUDED.beat_at, holder = EXCLUDED.holder""",
        {"now": now, "holder": holder[:200]})


async def last_beat(db: Database) -> datetime | None:
    value: datetime | None = await db.fetch_val("SELECT beat_at FROM job_heartbeat WHERE name = 'runner'")
    return value


async def backlog(db: Database, now: datetime) -> int:
    """Jobs due and not yet run."""
    return int(await db.fetch_val("SELECT count(*) FROM jobs WHERE status = 'pending' AND run_at <= :now",
                                  {"now": now}) or 0)


async def recent(db: Database, limit: int = 50) -> list[JobRow]:
    rows = await db.fetch_all(
        """SELECT id, kind, status, run_at, attempts, last_error, result, finished_at FROM jobs
           ORDER BY id DESC LIMIT :limit""", {"limit": limit})
    return to_dataclasses(JobRow, rows)


async def forget_finished(db: Database, before: datetime) -> int:
    """Delete finished jobs older than `before` (the results table would otherwise grow forever)."""
    rows = await db.fetch_all(
        "DELETE FROM jobs WHERE status <> 'pending' AND finished_at < :before RETURNING id", {"before": before})
    return len(rows)


# ---- the advisory lock, on the runner's own asyncpg connection (not a pool connection) ----

async def try_lock(conn: Any) -> bool:
    """Take the runner's session-level advisory lock if nobody holds it (never waits)."""
    return bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY))


async def still_connected(conn: Any) -> None:
    """A round trip on the lock's connection: raises when the connection (and so the lock) is gone."""
    await conn.fetchval("SELECT 1")
