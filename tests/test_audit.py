"""The audit log: append-only, hash-chained, written in the change's transaction."""

from __future__ import annotations

from typing import Any

import pytest

from portal import audit


async def test_chain_links_and_verifies(db: Any) -> None:
    async with db.transaction():
        h1 = await audit.record(db, actor=None, action="x.created", object_type="thing", object_id=1,
                                after={"name": "Ñuñoa", "n": 3})
    async with db.transaction():
        h2 = await audit.record(db, actor=None, action="x.changed", object_type="thing", object_id=1,
                                before={"n": 3}, after={"n": 4})
    rows = await db.fetch_all("SELECT prev_hash, hash FROM audit_log ORDER BY id")
    assert [r["hash"] for r in rows] == [h1, h2]
    assert rows[0]["prev_hash"] == audit.GENESIS and rows[1]["prev_hash"] == h1
    report = await audit.verify(db)
    assert report.ok and report.rows == 2


async def test_update_and_delete_are_refused(db: Any, owner_db: Any) -> None:
    async with db.transaction():
        await audit.record(db, actor=None, action="x", object_type="t")
    # the app's role has no right to change the logs at all
    for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log", "TRUNCATE election_log"):
        with pytest.raises(Exception, match="permission denied"):
            await db.execute(statement)
    # and their owner meets the trigger
    with pytest.raises(Exception, match="append-only"):
        await owner_db.execute("UPDATE audit_log SET action = 'forged'")
    with pytest.raises(Exception, match="append-only"):
        await owner_db.execute("DELETE FROM audit_log")
    # the election log uses the same trigger function, which names the table it guards
    with pytest.raises(Exception, match="election_log is append-only"):
        await owner_db.execute("TRUNCATE election_log")


async def test_tampering_is_detected(db: Any, owner_db: Any) -> None:
    for i in range(3):
        async with db.transaction():
            await audit.record(db, actor=None, action=f"x.{i}", object_type="t", object_id=i, after={"i": i})
    async with owner_db.connection() as conn:
        async with conn.transaction():
            # an attacker with the owner's rights, who bypasses the trigger
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("UPDATE audit_log SET after = '{\"i\": 99}' WHERE object_id = '1'")
    report = await audit.verify(db)
    assert not report.ok
    assert any("row 2: hash does not match" in p for p in report.problems)


async def test_rolled_back_change_leaves_no_audit_row(db: Any) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await audit.record(db, actor=None, action="x", object_type="t")
            raise RuntimeError("the change failed")
    assert await db.fetch_val("SELECT count(*) FROM audit_log") == 0


async def test_cli_audit_verify(db: Any, database_url: str, monkeypatch: Any, capsys: Any) -> None:
    from portal import cli

    async with db.transaction():
        await audit.record(db, actor=None, action="x", object_type="t")
    monkeypatch.setenv("DATABASE_URL", database_url)
    # the CLI runs its own event loop; run it in a thread so it does not meet ours
    import asyncio

    code = await asyncio.to_thread(cli.main, ["audit", "verify"])
    assert code == 0
    assert "chain intact" in capsys.readouterr().out
