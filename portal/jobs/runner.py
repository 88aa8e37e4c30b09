"""Tasks, the claim-and-run loop, and the one runner holding the advisory lock (docs/jobs.md)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg

from portal import clock
from portal.db import DB_FAILURES, Database
from portal.jobs import queries as q
from portal.settings import Settings
from portal.txn import atomic

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class JobContext:
    """What a task gets besides its payload: the database and the portal's settings."""

    db: Database
    settings: Settings


Handler = Callable[[JobContext, dict[str, Any]], Awaitable[Any]]
BACKOFF_BASE = timedelta(seconds=30)     # first retry after 30 s, then 60, 120, … (capped)
BACKOFF_CAP = timedelta(hours=6)
KEEP_FINISHED = timedelta(days=90)       # finished jobs (their recorded results) are kept this long


@dataclass(frozen=True)
class Task:
    kind: str
    handler: Handler
    every: timedelta | None = None       # periodic: run again this long after each run
    max_attempts: int = 5


TASKS: dict[str, Task] = {}


def task(kind: str, *, every: timedelta | None = None, max_attempts: int = 5) -> Callable[[Handler], Handler]:
    """Register `handler` as the task `kind` (periodic when `every` is given)."""
    def register(handler: Handler) -> Handler:
        TASKS[kind] = Task(kind, handler, every, max_attempts)
        return handler
    return register


def backoff(attempts: int) -> timedelta:
    """The wait before retry number `attempts` (1, 2, …): exponential, capped."""
    return min(BACKOFF_BASE * 2 ** (attempts - 1), BACKOFF_CAP)


async def schedule_periodic(db: Database) -> None:
    """Make sure every periodic task has a pending job (its kind is its dedupe key)."""
    for one in TASKS.values():
        if one.every is not None:
            await q.enqueue(db, one.kind, {}, clock.now(), dedupe_key=one.kind, max_attempts=one.max_attempts)


async def run_one(ctx: JobContext) -> bool:
    """Claim one due job and run it inside the claiming transaction; False when none is due.

    The handler runs in a savepoint: when it raises, its work is undone and the failure is recorded
    (retried later, or given up after `max_attempts`). When the process dies or the task is
    cancelled, the whole transaction rolls back and the job is still pending for the next runner.
    """
    db = ctx.db
    async with atomic(db):
        job = await q.claim(db, clock.now())
        if job is None:
            return False
        registered = TASKS.get(job.kind)
        try:
            if registered is None:
                raise LookupError(f"no task registered for {job.kind!r}")
            async with atomic(db):
                result = await registered.handler(ctx, job.payload)
        except Exception as exc:  # recorded on the job; the runner goes on with the next one
            await _failed(db, job, f"{type(exc).__name__}: {exc}")
            return True
        await q.finish(db, job.id, result, clock.now())
        if registered.every is not None:
            await q.enqueue(db, job.kind, job.payload, clock.now() + registered.every,
                            dedupe_key=job.dedupe_key, max_attempts=job.max_attempts)
    return True


async def _failed(db: Database, job: q.Job, error: str) -> None:
    attempts = job.attempts + 1
    log.warning("job %s (%s) failed, attempt %s of %s: %s", job.id, job.kind, attempts, job.max_attempts, error)
    if attempts >= job.max_attempts:
        await q.give_up(db, job.id, attempts, error, clock.now())
    else:
        await q.retry(db, job.id, attempts, error, clock.now() + backoff(attempts))


async def run_due(ctx: JobContext, limit: int = 200) -> int:
    """Run due jobs until none is left (or `limit`); how many were run."""
    done = 0
    while done < limit and await run_one(ctx):
        done += 1
    return done


async def tick(ctx: JobContext, holder: str) -> int:
    """One round of the runner: heartbeat, periodic jobs scheduled, due jobs run."""
    await q.beat(ctx.db, clock.now(), holder)
    await schedule_periodic(ctx.db)
    done = await run_due(ctx)
    await q.forget_finished(ctx.db, clock.now() - KEEP_FINISHED)
    return done


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Runner:
    """The runner of one process: a standby until it takes the advisory lock, then the one runner.

    The lock is session-level, held by a connection of its own (never a pool connection, which goes
    back to the pool without unlocking). If this process dies, PostgreSQL ends the session and frees
    the lock; the standbys, retrying every `retry_every` seconds, take over.
    """

    def __init__(self, ctx: JobContext, *, poll_every: float = 5.0, retry_every: float = 15.0) -> None:
        self.ctx = ctx
        self.db = ctx.db
        self.poll_every = poll_every
        self.retry_every = retry_every
        self.holder = holder_name()
        self.leading = asyncio.Event()

    async def run_forever(self) -> None:
        while True:
            conn = await self._take_lock()
            if conn is None:
                await asyncio.sleep(self.retry_every)
                continue
            try:
                await self._lead(conn)
            except (*DB_FAILURES, asyncpg.PostgresError):
                log.exception("job runner lost its database; standing by")
            finally:
                self.leading.clear()
                await _close(conn)
            await asyncio.sleep(self.retry_every)

    async def _take_lock(self) -> Any:
        try:
            # A session advisory lock needs a session of its own: behind PgBouncer's transaction pooling,
            # PORTAL_JOBS_LOCK_URL reaches PostgreSQL directly (docs/jobs.md).
            conn = await asyncpg.connect(self.ctx.settings.jobs_lock_url or self.db.url)
        except (*DB_FAILURES, asyncpg.PostgresError):
            log.warning("job runner: cannot connect to take the lock; retrying")
            return None
        if await q.try_lock(conn):
            return conn
        await _close(conn)
        return None

    async def _lead(self, conn: Any) -> None:
        log.info("job runner: this process (%s) runs the jobs", self.holder)
        self.leading.set()
        while True:
            await q.still_connected(conn)
            try:
                await tick(self.ctx, self.holder)
            except DB_FAILURES:
                raise
            except Exception:  # a bug in one round must not stop the runner
                log.exception("job runner round failed")
            await asyncio.sleep(self.poll_every)


async def _close(conn: Any) -> None:
    try:
        await asyncio.wait_for(conn.close(), timeout=5)
    except Exception:  # closing a dead connection: nothing left to release
        conn.terminate()
