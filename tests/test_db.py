"""The compiled-query cache in portal.db gives the same answers as compiling every time."""

from __future__ import annotations

from datetime import date
from typing import Any

from portal import db as dbmod


async def test_cached_queries_bind_by_name_and_type(db: Any) -> None:
    sql = "SELECT CAST(:a AS text) AS a, CAST(:b AS int) AS b"
    first = await db.fetch_one(sql, {"b": 2, "a": "x"})
    again = await db.fetch_one(sql, {"a": "y", "b": 3})
    nulls = await db.fetch_one(sql, {"a": None, "b": None})
    assert (first["a"], first["b"], again["a"], again["b"]) == ("x", 2, "y", 3)
    assert (nulls["a"], nulls["b"]) == (None, None)
    assert any(key[0] == sql for key in dbmod._compiled)


async def test_other_parameter_sets_compile_separately(db: Any) -> None:
    day = date(2026, 1, 2)
    assert await db.fetch_val("SELECT CAST(:d AS date) + 1", {"d": day}) == date(2026, 1, 3)
    assert await db.fetch_val("SELECT 40 + 2") == 42
    rows = await db.fetch_all("SELECT x FROM generate_series(1, :n) x ORDER BY x", {"n": 3})
    assert [r["x"] for r in rows] == [1, 2, 3]


async def test_pooled_connections_keep_no_request_state(db: Any) -> None:
    """Without asyncpg's reset query, transaction-scoped state still ends with the transaction."""
    async with db.transaction():
        await db.execute("SET LOCAL statement_timeout = 1234")
        await db.fetch_val("SELECT pg_advisory_xact_lock(4242)")
    assert await db.fetch_val("SHOW statement_timeout") == "0"
    assert await db.fetch_val("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242") == 0
    assert await db.fetch_val("SHOW plan_cache_mode") == "auto"
