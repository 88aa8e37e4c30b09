"""One ballot per organization under concurrent submissions, enforced by the database."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from typing import Any

from cosoc_world import OpenElection, seal_for_trustees
from cosoc_helpers import on_ballot_insert, signed_in
from factories import TEST_PASSWORD, add_representative, create_user
from portal.elections_web import padron, queries as q, sealing, vote
from portal.workflow import Conflict


async def test_fifty_simultaneous_attempts_by_one_organization(db: Any, open_election: OpenElection,
                                                               make_client: Any) -> None:
    """50 sessions of 10 representatives of the same organization cast at once → exactly one ballot."""
    _u, org_id, email = open_election.reps["A"][2]
    emails = [email] + [f"rep{i}.same@org.cl" for i in range(9)]
    for extra in emails[1:]:
        await add_representative(db, org_id, await create_user(db, extra, password=TEST_PASSWORD))
    clients = [await signed_in(make_client, emails[i % len(emails)]) for i in range(50)]
    for c in clients:
        await c.token()  # fetch CSRF tokens before the race
    choice = str(open_election.candidates["A"][0])
    responses = await asyncio.gather(*[
        c.post(f"/elecciones/{open_election.id}/votar", {"step": "cast", "choice": choice}) for c in clients])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 49, statuses  # the receipt page, once
    assert all("ya votó" in r.text for r in responses if r.status_code == 409)
    assert await db.fetch_val("SELECT count(*) FROM sealed_ballots WHERE election_id = :e", {"e": open_election.id}) == 1
    assert await db.fetch_val("SELECT count(*) FROM voters WHERE election_id = :e", {"e": open_election.id}) == 1
    assert await db.fetch_val("SELECT count(*) FROM outbox WHERE subject LIKE 'Voto registrado%'") == 1


async def test_a_thousand_organizations_voting_concurrently(db: Any, secret: str) -> None:
    """1,000 padrón organizations call the vote service at once (the pool's 20 connections batch them), each once,
    and 200 of them twice: ballots = voters marked = distinct organizations = 1,000."""
    today = date.today()
    org_ids = [r["id"] for r in await db.fetch_all(
        """INSERT INTO organizations (rut, legal_name, legal_form, category, region_code, comuna_code, status,
                                      approved_at, vigencia_expires_on)
           SELECT g || '-' || '0', 'Org ' || g, 'asociacion', (ARRAY['A','B','C'])[1 + g % 3],
                  CASE WHEN g % 2 = 0 THEN '13' ELSE '05' END, CASE WHEN g % 2 = 0 THEN '13101' ELSE '05101' END,
                  'approved', now(), current_date + 300
           FROM generate_series(1000001, 1001000) AS g RETURNING id""")]
    eid = await q.create_election(db, {"name": "Masiva", "term_start": today, "term_end": today + timedelta(days=700),
                                       "seats_a": 1, "seats_b": 1, "seats_c": 1, "padron_cutoff": today})
    assert await padron.snapshot(db, eid, today) == 1000
    await padron.freeze(db, eid)
    await db.execute("INSERT INTO candidates (election_id, org_id, category, name, document_type, document_number, "
                     "gender, region_code, bio, accepted, status) SELECT :e, org_id, category, 'C', 'run', '1', 'F', "
                     "region_code, 'Reseña.', true, 'admissible' FROM padron_entries WHERE election_id = :e "
                     "ORDER BY org_id LIMIT 3", {"e": eid})
    await seal_for_trustees(db, eid, secret)
    await db.execute("""UPDATE elections SET phase = 'voting_open', voting_starts_at = now() - interval '1 hour',
                               voting_ends_at = now() + interval '1 hour' WHERE id = :e""", {"e": eid})
    attempts = org_ids + org_ids[:200]

    async def one(org_id: int) -> str:
        try:
            await vote.cast_vote(db, eid, org_id, None, secret=secret)
            return "ok"
        except Conflict as exc:
            assert "ya votó" in exc.reason
            return "again"

    outcomes = await asyncio.gather(*[one(o) for o in attempts])  # the pool (20 connections) batches them
    assert outcomes.count("ok") == 1000 and outcomes.count("again") == 200
    counts = await db.fetch_one(
        """SELECT (SELECT count(*) FROM sealed_ballots WHERE election_id = :e) AS ballots,
                  (SELECT count(*) FROM voters WHERE election_id = :e) AS voters,
                  (SELECT count(DISTINCT org_id) FROM voters WHERE election_id = :e) AS orgs""", {"e": eid})
    assert counts["ballots"] == counts["voters"] == counts["orgs"] == 1000
    # checkpoints were published meanwhile (every CHECKPOINT_EVERY ballots, from concurrent votes):
    # each names only ballots not named before, and together with the ones awaiting one, all of them
    published = await db.fetch_val("SELECT count(*) FROM sealed_ballots WHERE election_id = :e AND batch IS NOT NULL",
                                   {"e": eid})
    events = await db.fetch_all("SELECT event FROM election_record WHERE election_id = :e AND type = 'checkpoint'",
                                {"e": eid})
    totals = [json.loads(r["event"])["payload"] for r in events]
    assert totals and sum(t["count"] for t in totals) == published == totals[-1]["total"]
    assert all(t["count"] >= sealing.CHECKPOINT_EVERY for t in totals)  # never a small batch during the vote


async def test_closing_waits_for_a_ballot_in_flight(db: Any, owner_db: Any, open_election: OpenElection) -> None:
    """A ballot that started inside the window is still being written when the officer closes the
    vote: the close waits for it (the ballot is counted); a ballot after the close is refused."""
    from portal.elections_web import workflow
    from portal.security import CurrentUser

    eid = open_election.id
    await db.execute("UPDATE elections SET voting_ends_at = now() + interval '1 second' WHERE id = :e", {"e": eid})
    finished: list[str] = []

    async def ballot() -> None:
        await vote.cast_vote(db, eid, open_election.reps["A"][2][1], None, secret=open_election.secret)
        finished.append("ballot")

    async def close() -> None:
        await asyncio.sleep(1.5)  # the window is over; the ballot is between its inserts
        officer = CurrentUser(id=await db.fetch_val("SELECT min(id) FROM users"), email="o@x.cl", name="O",
                              roles=frozenset({"election_officer"}))
        await workflow.transition(db, eid, "voting_closed", officer)
        finished.append("close")

    async with on_ballot_insert(owner_db, "PERFORM pg_sleep(2.5)"):  # the ballot is slow to write
        await asyncio.gather(ballot(), close())
    assert finished == ["ballot", "close"]
    assert await db.fetch_val("SELECT count(*) FROM sealed_ballots WHERE election_id = :e", {"e": eid}) == 1
    try:
        await vote.cast_vote(db, eid, open_election.reps["B"][2][1], None, secret=open_election.secret)
    except Conflict as exc:
        assert "ya se cerró" in exc.reason
    else:
        raise AssertionError("a ballot after the close was accepted")


async def test_a_ballot_that_waited_for_the_close_sees_it(db: Any, open_election: OpenElection) -> None:
    """The officer's close holds the vote lock when a ballot arrives whose checks already passed (voting
    was open when it read the election): the ballot waits, and once the close commits it is refused;
    it must not be written with what it read before waiting."""
    eid = open_election.id
    org_id = open_election.reps["B"][2][1]
    async with db.connection() as conn:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(:k, CAST(:e AS int))", {"k": vote.VOTE_LOCK, "e": eid})
            await conn.execute("UPDATE elections SET phase = 'voting_closed' WHERE id = :e", {"e": eid})
            voting = asyncio.create_task(vote.cast_vote(db, eid, org_id, None, secret=open_election.secret))
            for _ in range(200):  # until the ballot's statement waits for the lock
                await conn.execute("SELECT pg_stat_clear_snapshot()")  # a transaction keeps one snapshot of the stats
                waiting = await db.fetch_val("""SELECT count(*) FROM pg_stat_activity
                                                WHERE query LIKE '%cast_sealed_ballot(%' AND wait_event_type = 'Lock'""")
                if waiting:
                    break
                await asyncio.sleep(0.02)
            assert waiting == 1 and not voting.done()
    try:
        await asyncio.wait_for(voting, 10)
    except Conflict as exc:
        assert "ya se cerró" in exc.reason
    else:
        raise AssertionError("a ballot written after the close")
    assert await db.fetch_val("SELECT count(*) FROM sealed_ballots WHERE election_id = :e", {"e": eid}) == 0
    assert await db.fetch_val("SELECT count(*) FROM voters WHERE election_id = :e", {"e": eid}) == 0
