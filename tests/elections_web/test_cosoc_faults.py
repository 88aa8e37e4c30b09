"""The database failing mid-vote: an error page, no receipt, and the vote recorded fully or not at all."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from cosoc_world import OpenElection
from cosoc_helpers import signed_in
from portal.elections_web import vote


async def _state(db: Any, eid: int, org_id: int) -> tuple[int, int, int]:
    row = await db.fetch_one(
        """SELECT (SELECT count(*) FROM voters WHERE election_id = :e AND org_id = :o) AS voters,
                  (SELECT count(*) FROM ballots WHERE election_id = :e) AS ballots,
                  (SELECT count(*) FROM outbox WHERE subject LIKE 'Voto registrado%') AS mails""",
        {"e": eid, "o": org_id})
    return row["voters"], row["ballots"], row["mails"]


@pytest.mark.parametrize("error", [
    asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    OSError("connection reset by peer"),
])
async def test_failure_after_the_has_voted_row_leaves_nothing(db: Any, open_election: OpenElection,
                                                              make_client: Any, monkeypatch: Any,
                                                              error: Exception) -> None:
    _u, org_id, email = open_election.reps["B"][2]
    voted_rows: list[int] = []
    real_mark = vote.mark_voter

    async def mark(db_: Any, eid: int, oid: int) -> Any:
        result = await real_mark(db_, eid, oid)
        voted_rows.append(oid)  # the has-voted row is in, inside the transaction
        return result

    async def broken_insert(*args: Any, **kwargs: Any) -> None:
        raise error

    monkeypatch.setattr(vote, "mark_voter", mark)
    monkeypatch.setattr(vote, "insert_ballot", broken_insert)
    client = await signed_in(make_client, email)
    r = await client.post(f"/elecciones/{open_election.id}/votar", {"step": "cast", "choice": "blank"})
    assert voted_rows == [org_id]
    assert r.status_code == 503 and "No se emitió ningún comprobante" in r.text
    assert "tracking-code" not in r.text
    assert await _state(db, open_election.id, org_id) == (0, 0, 0)  # rolled back: not at all
    receipt = await client.get(f"/elecciones/{open_election.id}/comprobante")
    assert "aún no vota" in receipt.text
    monkeypatch.undo()
    again = await client.post(f"/elecciones/{open_election.id}/votar", {"step": "cast", "choice": "blank"})
    assert again.status_code == 303  # the organization can vote once the database is back
    assert await _state(db, open_election.id, org_id) == (1, 1, 1)  # and then fully


async def test_connection_killed_mid_transaction(db: Any, open_election: OpenElection, make_client: Any,
                                                 monkeypatch: Any) -> None:
    """The server ends the vote's own connection between the two inserts (a real lost connection),
    25 times (more than the pool's 20 connections): each failure gives an error page, and the same
    task keeps working afterwards (see portal/txn.py)."""
    _u, org_id, email = open_election.reps["C"][2]
    real_insert = vote.insert_ballot

    async def kill_then_insert(db_: Any, eid: int, ballot: dict[str, Any]) -> None:
        await db_.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        await real_insert(db_, eid, ballot)

    monkeypatch.setattr(vote, "insert_ballot", kill_then_insert)
    client = await signed_in(make_client, email)
    url = f"/elecciones/{open_election.id}/votar"
    r = await client.post(url, {"step": "cast", "choice": "blank"})
    assert r.status_code == 503 and "tracking-code" not in r.text
    assert await _state(db, open_election.id, org_id) == (0, 0, 0)  # same task, right after the failure
    for _ in range(24):
        r = await asyncio.wait_for(client.post(url, {"step": "cast", "choice": "blank"}), 20)
        assert r.status_code == 503 and "tracking-code" not in r.text
    monkeypatch.undo()
    assert await _state(db, open_election.id, org_id) == (0, 0, 0)
    # the pool replaced the dead connection: the next vote goes through, fully
    r = await client.post(f"/elecciones/{open_election.id}/votar", {"step": "cast", "choice": "blank"})
    assert r.status_code == 303
    assert await _state(db, open_election.id, org_id) == (1, 1, 1)


async def test_connection_lost_after_commit_still_gives_the_receipt(db: Any, open_election: OpenElection,
                                                                    make_client: Any, monkeypatch: Any) -> None:
    """COMMIT went through but the connection broke before the app heard back (the outcome is unknown
    to it): the app looks the ballot up by its tracking code, finds it, and shows the receipt."""
    import contextlib

    from portal import txn

    @contextlib.asynccontextmanager
    async def commit_then_lose(db_: Any) -> Any:
        async with txn.atomic(db_):
            yield
        raise asyncpg.exceptions.ConnectionDoesNotExistError("connection lost after COMMIT")

    monkeypatch.setattr(vote, "atomic", commit_then_lose)
    _u, org_id, email = open_election.reps["A"][1]
    client = await signed_in(make_client, email)
    r = await client.post(f"/elecciones/{open_election.id}/votar", {"step": "cast", "choice": "blank"})
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    code = page.text.split('<p class="tracking-code"><code>')[1].split("<")[0]
    assert await db.fetch_val("SELECT count(*) FROM ballots WHERE tracking_code = :c", {"c": code}) == 1
    assert await _state(db, open_election.id, org_id) == (1, 1, 1)
