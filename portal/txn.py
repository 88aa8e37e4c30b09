"""A transaction that survives the database going away: `atomic(db)` instead of `db.transaction()`.

When BEGIN, COMMIT or ROLLBACK raises on a dead connection (a database restart, a killed backend),
`databases` (0.9) pops its transaction but skips releasing its per-task connection wrapper. asyncpg
itself takes the dead connection back, so the wrapper is left pointing at a released connection:
every later query in the same task fails ("connection has been released back to the pool"), which
turns a recoverable failure into a broken request or test. `atomic` behaves like
`db.transaction()` and, on those failures, finishes the release before re-raising. It reaches into
`databases`' private state on purpose; tests/elections_web/test_cosoc_faults.py kills a real
connection mid-vote, then queries again in the same task.
"""

from __future__ import annotations

import contextlib
from typing import Any
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg

from portal.db import Database

# Errors that mean "the database went away": the transaction did not commit (or the commit's
# outcome is unknown), so callers answer with an error page and never with a receipt.
DB_FAILURES: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.PostgresConnectionError, asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError, asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError, asyncpg.exceptions.CrashShutdownError, OSError, ConnectionError,
)


async def _release(db: Database, tx: Any, conn: Any, before: int) -> None:
    tx._transaction = None
    if conn._connection_counter > before:
        with contextlib.suppress(*DB_FAILURES):
            await conn.__aexit__(None, None, None)
    if before == 0:
        # The wrapper may still hold a connection whose release failed half-way (asyncpg terminated
        # it and took it back); drop the wrapper so this task's next query starts afresh.
        db._connection = None


async def _end(db: Database, tx: Any, conn: Any, before: int, finish: Callable[[], Awaitable[None]]) -> None:
    try:
        await finish()
    except DB_FAILURES:
        await _release(db, tx, conn, before)
        raise


@contextlib.asynccontextmanager
async def atomic(db: Database) -> AsyncIterator[None]:
    """Like `db.transaction()`, but a lost connection is released to the pool, never leaked."""
    conn = db.connection()
    before = conn._connection_counter
    tx = db.transaction()
    try:
        await tx.start()
    except DB_FAILURES:
        await _release(db, tx, conn, before)
        raise
    try:
        yield
    except BaseException:
        await _end(db, tx, conn, before, tx.rollback)
        raise
    await _end(db, tx, conn, before, tx.commit)


@contextlib.asynccontextmanager
async def checkout(db: Database) -> AsyncIterator[None]:
    """One pool connection for the statements inside, instead of one checkout per statement: under load
    every checkout is a wait in the pool's queue, and a request that queues several times has a long
    tail. A connection that died inside is released (or dropped), never leaked."""
    conn = db.connection()
    await conn.__aenter__()
    try:
        yield
    finally:
        with contextlib.suppress(*DB_FAILURES):
            await conn.__aexit__(None, None, None)
        if conn._connection_counter == 0:
            db._connection = None
