"""The audit chain's outside anchor (issue 10, finding 1 and deliver 2).

The attack: with rights to write the database, disable the append-only trigger, rewrite a row and
recompute every later hash, or delete the last rows. The chain alone then verifies "intact"; before
this fix `portal audit verify` said OK. A signed head published earlier no longer matches."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import nacl.signing
import pytest

from portal import anchor, audit
from portal.settings import Settings


async def _events(db: Any, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        async with db.transaction():
            await audit.record(db, actor=None, action=f"x.{i}", object_type="t", object_id=i, after={"i": i})


async def _rewrite_and_recompute(owner_db: Any, object_id: str) -> None:
    """What the attacker does: bypass the trigger, forge one row, recompute the chain from there."""
    async with owner_db.connection() as conn:
        async with conn.transaction():
            await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
            await conn.execute("UPDATE audit_log SET after = '{\"i\": 99}' WHERE object_id = :o", {"o": object_id})
            rows = await conn.fetch_all("SELECT id, at, actor_id, actor_label, action, object_type, object_id, "
                                        "before::text AS before, after::text AS after FROM audit_log ORDER BY id")
            prev = audit.GENESIS
            for r in rows:
                digest = audit.row_hash(prev, r["at"], r["actor_id"], r["actor_label"], r["action"], r["object_type"],
                                        r["object_id"], None if r["before"] is None else json.loads(r["before"]),
                                        None if r["after"] is None else json.loads(r["after"]))
                await conn.execute("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :id",
                                   {"p": prev, "h": digest, "id": r["id"]})
                prev = digest
            await conn.execute("ALTER TABLE audit_log ENABLE TRIGGER USER")


async def test_a_recomputed_chain_is_caught_by_the_anchor(db: Any, owner_db: Any, settings: Settings) -> None:
    await _events(db, 4)
    await anchor.make(db, settings)
    key = str(settings.secret_key)
    assert (await anchor.verify(db, key)).ok
    await _rewrite_and_recompute(owner_db, "1")
    assert (await audit.verify(db)).ok, "the chain alone is fooled: that is the attack"
    report = await anchor.verify(db, key)
    assert not report.ok
    assert any("no longer has the hash that was signed" in p for p in report.problems), report.problems


async def test_deleting_the_last_rows_is_caught_by_the_anchor(db: Any, owner_db: Any, settings: Settings) -> None:
    await _events(db, 5)
    await anchor.make(db, settings)
    await _events(db, 2, start=5)  # after the anchor: fine
    assert (await anchor.verify(db, str(settings.secret_key))).ok
    async with owner_db.connection() as conn:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("DELETE FROM audit_log WHERE id > 3")
    assert (await audit.verify(db)).ok, "a shortened chain is still a valid chain"
    report = await anchor.verify(db, str(settings.secret_key))
    assert not report.ok and any("is missing (rows were deleted)" in p for p in report.problems), report.problems


async def test_anchors_are_public_and_verifiable_by_anyone(db: Any, client: Any, settings: Settings) -> None:
    await _events(db, 3)
    made = await anchor.make(db, settings)
    response = await client.get("/transparencia/auditoria.json")
    assert response.status_code == 200
    body = response.json()
    assert body["algorithm"] == "Ed25519" and body["public_key"] == made.public_key
    [published] = body["anchors"]
    assert published["row_count"] == 3 and published["row_hash"] == made.row_hash
    # an outsider needs only the JSON and the documented message format
    fields = {k: published[k] for k in ("public_key", "row_count", "row_hash", "row_id", "signed_at")}
    signed = anchor.PREFIX + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    nacl.signing.VerifyKey(bytes.fromhex(body["public_key"])).verify(signed, bytes.fromhex(published["signature"]))
    # the key never is in the database
    seed = bytes(anchor.signing_key(str(settings.secret_key))).hex()
    dump = await db.fetch_val("SELECT string_agg(t::text, '') FROM audit_anchors t")
    assert seed not in dump


async def test_the_app_role_cannot_remove_or_change_anchors(db: Any, settings: Settings) -> None:
    await anchor.make(db, settings)
    for statement in ("DELETE FROM audit_anchors", "UPDATE audit_anchors SET row_count = 0", "TRUNCATE audit_anchors"):
        with pytest.raises(Exception, match="permission denied"):
            await db.execute(statement)


async def test_anchors_kept_outside_must_still_be_in_the_database(db: Any, owner_db: Any, settings: Settings) -> None:
    await _events(db, 2)
    kept = await anchor.make(db, settings)  # e.g. the mailed copy, or a downloaded auditoria.json
    await owner_db.execute("ALTER TABLE audit_anchors DISABLE TRIGGER USER")
    await owner_db.execute("DELETE FROM audit_anchors")
    await owner_db.execute("ALTER TABLE audit_anchors ENABLE TRIGGER USER")
    report = await anchor.verify(db, str(settings.secret_key), [kept])
    assert any("missing from the database" in p for p in report.problems)


async def test_an_anchor_signed_with_another_key_is_refused(db: Any, settings: Settings) -> None:
    await _events(db, 1)
    forged = Settings(secret_key=settings.secret_key.__class__("attacker's own key"), anchor_every_hours=24)
    await anchor.make(db, forged)
    report = await anchor.verify(db, str(settings.secret_key))
    assert any("not this portal's" in p for p in report.problems)


async def test_the_upkeep_task_anchors_once_across_processes(db: Any, settings: Settings) -> None:
    """Several workers start together: the advisory lock lets one anchor; the rest find it done."""
    daily = Settings(secret_key=settings.secret_key, anchor_every_hours=24, audit_anchor_email="auditor@ejemplo.cl")
    await _events(db, 2)
    made = await asyncio.gather(*(anchor.tick(db, daily, starting=True) for _ in range(4)))
    assert sum(made) >= 1
    assert await db.fetch_val("SELECT count(*) FROM audit_anchors") == 1
    assert not await anchor.tick(db, daily, starting=True)  # nothing new since: not due
    await _events(db, 1, start=2)
    assert await anchor.tick(db, daily, starting=True)  # the chain moved: a restart anchors it
    assert not await anchor.tick(db, daily, starting=False)  # the hourly tick waits for the day
    mailed = await db.fetch_all("SELECT body FROM outbox WHERE to_addr = 'auditor@ejemplo.cl'")
    assert len(mailed) == 2 and '"signature"' in mailed[0]["body"]


async def test_cli_anchor_then_verify_against_a_saved_copy(db: Any, database_url: str, monkeypatch: Any,
                                                          tmp_path: Path, capsys: Any) -> None:
    from portal import cli

    await _events(db, 2)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", "a-secret-only-this-test-knows-0123456789")
    assert await asyncio.to_thread(cli.main, ["audit", "anchor"]) == 0
    assert "anchored audit row" in capsys.readouterr().out
    saved = tmp_path / "auditoria.json"
    settings = Settings.from_env()
    saved.write_text(json.dumps(await anchor.published(db, settings)))
    assert await asyncio.to_thread(cli.main, ["audit", "verify", "--anchors", str(saved)]) == 0
    assert "1 signed anchors match" in capsys.readouterr().out
