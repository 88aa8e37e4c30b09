"""portal.db: named parameters turned into asyncpg's ($n) once per SQL string, rows, connections held by
a task, transactions and savepoints, the session settings of pooled connections."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from typing import Any

import pytest

from portal import clock, db as dbmod
from portal.txn import atomic, checkout


def test_named_parameters_become_numbered_once_per_name() -> None:
    sql, names = dbmod._statement("SELECT :a, :b, :a WHERE x = :b_2")
    assert (sql, names) == ("SELECT $1, $2, $1 WHERE x = $3", ("a", "b", "b_2"))


@pytest.mark.parametrize("sql", [
    "SELECT 'a :x b', E'it\\'s :x', 'it''s :x'",
    'SELECT "col:x" FROM t',
    "SELECT $$ :x $$, $body$ :x $body$",
    "SELECT 1 -- :x\n, 2 /* :x */",
    "SELECT x::int, arr[1:n], '10:30'",
    "DO $$ BEGIN y := 1; END $$",
])
def test_colons_that_are_not_parameters_are_left_alone(sql: str) -> None:
    assert dbmod._statement(sql) == (sql, ())


def test_a_cast_right_after_a_parameter() -> None:
    assert dbmod._statement("SELECT :x::int, CAST(:y AS int)") == ("SELECT $1::int, CAST($2 AS int)", ("x", "y"))


def test_missing_and_unused_values_are_errors() -> None:
    with pytest.raises(ValueError, match=":b"):
        dbmod.bind("SELECT :a, :b", {"a": 1})
    with pytest.raises(ValueError, match=":a"):
        dbmod.bind("SELECT :a", None)
    with pytest.raises(ValueError, match="'c'"):
        dbmod.bind("SELECT :a", {"a": 1, "c": 2})
    assert dbmod.bind("SELECT 1", {}) == ("SELECT 1", [])


async def test_queries_bind_by_name(db: Any) -> None:
    sql = "SELECT CAST(:a AS text) AS a, :b::int AS b"
    first = await db.fetch_one(sql, {"b": 2, "a": "x"})
    again = await db.fetch_one(sql, {"a": "y", "b": 3})
    nulls = await db.fetch_one(sql, {"a": None, "b": None})
    assert (first["a"], first["b"], again["a"], again["b"]) == ("x", 2, "y", 3)
    assert (nulls["a"], nulls["b"]) == (None, None)
    day = date(2026, 1, 2)
    assert await db.fetch_val("SELECT CAST(:d AS date) + 1", {"d": day}) == date(2026, 1, 3)
    assert await db.fetch_val("SELECT 40 + 2") == 42
    rows = await db.fetch_all("SELECT x FROM generate_series(1, :n) x ORDER BY x", {"n": 3})
    assert [r["x"] for r in rows] == [1, 2, 3]
    assert await db.fetch_val("SELECT 'a%' || :s", {"s": "b"}) == "a%b"


@dataclasses.dataclass
class _Pair:
    a: int
    b: str


async def test_rows_answer_every_way_the_portal_reads_them(db: Any) -> None:
    row = await db.fetch_one("SELECT 1 AS a, 'x' AS b, 3 AS c")
    assert (row["a"], row[1], row.b, row.get("zz"), "a" in row, "zz" in row) == (1, "x", "x", None, True, False)
    assert dict(row) == dict(row._mapping) == {"a": 1, "b": "x", "c": 3} == dbmod.as_dict(row)
    assert dbmod.to_dataclass(_Pair, row) == _Pair(1, "x")
    assert dbmod.to_dataclasses(_Pair, [row]) == [_Pair(1, "x")] and dbmod.as_dicts([row]) == [dict(row)]
    assert dbmod.to_dataclass(_Pair, None) is None and dbmod.as_dict(None) is None
    with pytest.raises(AttributeError):
        _ = row.zz


async def test_execute_returns_what_the_statement_returns(db: Any) -> None:
    assert await db.execute("SELECT 7") == 7
    assert await db.execute("SET LOCAL statement_timeout = 1000") is None


async def test_a_task_holds_one_connection_for_a_block(db: Any) -> None:
    pid = "SELECT pg_backend_pid()"
    async with checkout(db) as conn:
        mine = await db.fetch_val(pid)
        assert await conn.fetch_val(pid) == mine and await db.fetch_val(pid) == mine
        async with db.connection():  # nested: the same connection
            assert await db.fetch_val(pid) == mine
        # another task (even one started from here) takes its own connection
        assert await asyncio.create_task(db.fetch_val(pid)) != mine
    assert db.held() is None


async def test_a_connection_without_waiting_is_refused_when_none_is_free(db: Any) -> None:
    """connection(wait=False) takes a free connection, reuses the task's own, and raises PoolBusy instead
    of queueing when every place is taken or others are already waiting."""
    pid = "SELECT pg_backend_pid()"
    async with db.connection(wait=False):
        mine = await db.fetch_val(pid)
        async with db.connection(wait=False):  # nested: the task's own, never refused
            assert await db.fetch_val(pid) == mine
    gate = getattr(db.gate, "gate", db.gate)  # under portal.ops.metrics' timing wrapper, if any
    free = gate.free
    gate.free = 0  # every place taken
    try:
        with pytest.raises(dbmod.PoolBusy):
            async with db.connection(wait=False):
                pass
        assert gate.free == 0 and not gate.waiting  # refused without queueing or taking a place
    finally:
        gate.free = free
    gate.waiting.append(asyncio.get_running_loop().create_future())  # someone already waits: no barging
    try:
        with pytest.raises(dbmod.PoolBusy):
            async with db.connection(wait=False):
                pass
    finally:
        gate.waiting.clear()
    assert gate.free == gate.size


async def test_atomic_commits_rolls_back_and_nests_as_savepoints(db: Any) -> None:
    await db.execute("CREATE TEMP TABLE IF NOT EXISTS t_atomic (x int)")  # a temp table: one session only
    async with checkout(db):
        await db.execute("DELETE FROM t_atomic")
        async with atomic(db):
            await db.execute("INSERT INTO t_atomic VALUES (1)")
            with pytest.raises(ZeroDivisionError):
                async with atomic(db):  # a savepoint: its failure leaves the outer transaction usable
                    await db.execute("INSERT INTO t_atomic VALUES (2)")
                    raise ZeroDivisionError
            await db.execute("INSERT INTO t_atomic VALUES (3)")
        with pytest.raises(ZeroDivisionError):
            async with atomic(db):
                await db.execute("INSERT INTO t_atomic VALUES (4)")
                raise ZeroDivisionError
        assert [r["x"] for r in await db.fetch_all("SELECT x FROM t_atomic ORDER BY x")] == [1, 3]
        await db.execute("DROP TABLE t_atomic")


async def test_pooled_connections_keep_no_request_state(db: Any) -> None:
    """Without asyncpg's reset query, transaction-scoped state still ends with the transaction."""
    async with atomic(db):
        await db.execute("SET LOCAL statement_timeout = 1234")
        await db.fetch_val("SELECT pg_advisory_xact_lock(4242)")
    assert await db.fetch_val("SHOW statement_timeout") == "0"
    assert await db.fetch_val("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242") == 0
    assert await db.fetch_val("SHOW plan_cache_mode") == "auto"


async def test_connections_run_in_chiles_time_zone(db: Any) -> None:
    assert await db.fetch_val("SHOW TimeZone") == clock.TZ_NAME
    instant = await db.fetch_val("SELECT now()")
    assert await db.fetch_val("SELECT current_date") == instant.astimezone(clock.TZ).date()


async def test_a_connection_killed_inside_a_transaction_is_not_reused(db: Any) -> None:
    """The backend dies mid-transaction: the error propagates, the task's next query runs on a fresh
    connection, and the pool is whole again (every place of the gate free)."""
    with pytest.raises(dbmod.DB_FAILURES):
        async with atomic(db):
            victim = await db.fetch_val("SELECT pg_backend_pid()")
            await db.fetch_val("SELECT pg_terminate_backend(pg_backend_pid())")
            await db.fetch_val("SELECT 1")
    assert await db.fetch_val("SELECT pg_backend_pid()") != victim
    async with atomic(db):
        assert await db.fetch_val("SELECT 2") == 2
    assert db.gate.free == db.gate.size and not db.gate.waiting


async def test_a_transaction_left_open_by_a_failed_rollback_is_terminated(db: Any, monkeypatch: Any) -> None:
    """If ROLLBACK itself fails (the connection is going away), the original error propagates and the
    connection, still inside the transaction, is terminated rather than put back."""
    with pytest.raises(ZeroDivisionError):
        async with atomic(db) as conn:
            pid = await conn.fetch_val("SELECT pg_backend_pid()")

            async def broken_rollback(self: Any) -> None:
                raise ConnectionResetError("lost")

            monkeypatch.setattr(type(conn.raw_connection.transaction()), "rollback", broken_rollback)
            raise ZeroDivisionError
    monkeypatch.undo()
    for _ in range(100):
        if not await db.fetch_val("SELECT count(*) FROM pg_stat_activity WHERE pid = :p", {"p": pid}):
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("the connection left inside its transaction was put back in the pool")
    assert db.gate.free == db.gate.size
