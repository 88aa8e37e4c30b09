"""The one way into a transaction: `async with atomic(db):` (nested: a savepoint).

Everything inside runs on the task's one pool connection. When the database goes away (a restart, a
killed backend), the error propagates (`DB_FAILURES` lists them) and the connection is released, or
terminated if it was left inside a transaction, so the task's next query starts on a fresh one:
tests/elections_web/test_cosoc_faults.py kills a real connection mid-vote, then queries again in the
same task. How this is built on public APIs only: the docstring of portal/db.py.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from portal.db import DB_FAILURES, Connection, Database

__all__ = ["DB_FAILURES", "atomic", "checkout"]


def atomic(db: Database) -> AbstractAsyncContextManager[Connection]:
    """A transaction on the task's connection; committed when the block ends, rolled back if it raises."""
    return db.transaction()


def checkout(db: Database) -> AbstractAsyncContextManager[Connection]:
    """One pool connection for the statements inside, instead of one checkout per statement: under load
    every checkout is a wait for the pool, and a request that waits several times has a long tail. A
    connection that died inside is released (or terminated), never leaked."""
    return db.connection()
