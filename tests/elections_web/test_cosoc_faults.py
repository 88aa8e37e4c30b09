"""The database failing mid-vote: an error page, no receipt, and the vote recorded fully or not at all."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from cosoc_world import OpenElection
from cosoc_helpers import on_ballot_insert, signed_in
from portal.elections_web import record_queries


async def _state(db: Any, eid: int, org_id: int) -> tuple[int, int, int]:
    row = await db.fetch_one(
        """SELECT (SELECT count(*) FROM voters WHERE election_id = :e AND org_id = :o) AS voters,
                  (SELECT count(*) FROM sealed_ballots WHERE election_id = :e) AS ballots,
                  (SELECT count(*) FROM outbox WHERE subject LIKE 'Voto registrado%') AS mails""",
        {"e": eid, "o": org_id})
    return row["voters"], row["ballots"], row["mails"]


# After the has-voted row, the hook marks a (non-transactional) sequence, so the test knows the fault
# came mid-vote, then the vote's backend dies: by its own hand, or killed from another connection.
_PROBE = "IF EXISTS (SELECT 1 FROM voters WHERE election_id = NEW.election_id) THEN PERFORM nextval('test_vote_probe'); END IF"
_SELF_KILL = "PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(5)"


async def _kill_the_sleeping_vote(db: Any) -> None:
    for _ in range(200):
        pids = await db.fetch_all("""SELECT pid FROM pg_stat_activity
                                     WHERE query LIKE '%cast_sealed_ballot(%' AND wait_event = 'PgSleep'""")
        if pids:
            for row in pids:
                await db.execute("SELECT pg_terminate_backend(:p)", {"p": row["pid"]})
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the vote never reached the hook")


@pytest.mark.parametrize("how", ["killed from outside", "terminated by itself"])
async def test_failure_after_the_has_voted_row_leaves_nothing(db: Any, owner_db: Any, open_election: OpenElection,
                                                              make_client: Any, how: str) -> None:
    _u, org_id, email = open_election.reps["B"][2]
    client = await signed_in(make_client, email)
    url = f"/elecciones/{open_election.id}/votar"
    await owner_db.execute("CREATE SEQUENCE test_vote_probe")  # test-only objects: the owner creates them
    await owner_db.execute(f"GRANT USAGE, SELECT ON SEQUENCE test_vote_probe TO {await db.fetch_val('SELECT current_user')}")
    try:
        fault = "PERFORM pg_sleep(30)" if how == "killed from outside" else _SELF_KILL
        async with on_ballot_insert(owner_db, f"{_PROBE}; {fault}"):
            posting = asyncio.create_task(client.post(url, {"step": "cast", "choice": "blank"}))
            if how == "killed from outside":
                await _kill_the_sleeping_vote(db)
            r = await asyncio.wait_for(posting, 20)
        probe = await owner_db.fetch_one("SELECT last_value, is_called FROM test_vote_probe")
    finally:
        await owner_db.execute("DROP SEQUENCE test_vote_probe")
    assert probe["is_called"] and probe["last_value"] == 1  # the fault came after the has-voted row, once
    assert r.status_code == 503 and "No se emitió ningún comprobante" in r.text
    assert "tracking-code" not in r.text
    assert await _state(db, open_election.id, org_id) == (0, 0, 0)  # rolled back: not at all
    receipt = await client.get(f"/elecciones/{open_election.id}/comprobante")
    assert "aún no vota" in receipt.text
    again = await client.post(url, {"step": "cast", "choice": "blank"})
    assert again.status_code == 200  # the organization can vote once the database is back
    assert await _state(db, open_election.id, org_id) == (1, 1, 1)  # and then fully


async def test_connection_killed_mid_vote_again_and_again(db: Any, owner_db: Any, open_election: OpenElection,
                                                          make_client: Any) -> None:
    """The vote's own connection dies between the has-voted row and the ballot, 25 times (more than the
    pool's 20 connections): each failure gives an error page, and the pool replaces the dead connections."""
    _u, org_id, email = open_election.reps["C"][2]
    client = await signed_in(make_client, email)
    url = f"/elecciones/{open_election.id}/votar"
    async with on_ballot_insert(owner_db, _SELF_KILL):
        for _ in range(25):
            r = await asyncio.wait_for(client.post(url, {"step": "cast", "choice": "blank"}), 20)
            assert r.status_code == 503 and "tracking-code" not in r.text
            assert await _state(db, open_election.id, org_id) == (0, 0, 0)
    r = await client.post(url, {"step": "cast", "choice": "blank"})
    assert r.status_code == 200 and "tracking-code" in r.text
    assert await _state(db, open_election.id, org_id) == (1, 1, 1)


async def test_connection_lost_after_commit_still_gives_the_receipt(db: Any, open_election: OpenElection,
                                                                    make_client: Any, monkeypatch: Any) -> None:
    """COMMIT went through but the connection broke before the app heard back (the outcome is unknown
    to it): the app looks the sealed ballot up by its fingerprint, finds it, and shows the receipt."""
    real_record = record_queries.record_sealed

    async def commit_then_lose(*args: Any) -> Any:
        await real_record(*args)
        raise asyncpg.exceptions.ConnectionDoesNotExistError("connection lost after COMMIT")

    monkeypatch.setattr(record_queries, "record_sealed", commit_then_lose)
    _u, org_id, email = open_election.reps["A"][1]
    client = await signed_in(make_client, email)
    r = await client.post(f"/elecciones/{open_election.id}/votar", {"step": "cast", "choice": "blank"})
    assert r.status_code == 200
    code = r.text.split('data-code="')[1].split('"')[0]
    assert len(code) == 64
    assert await _state(db, open_election.id, org_id) == (1, 1, 1)
