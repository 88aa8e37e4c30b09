"""The job runner (portal/jobs): claims with SKIP LOCKED, retries with back-off, results recorded,
the heartbeat, one runner at a time (the advisory lock), a runner killed mid-job sends nothing twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from factories import add_representative, create_org, create_user
from portal import clock, db as dbmod, mail
from portal.jobs import api, queries, runner
from portal.jobs.runner import JobContext

CALLS: list[dict[str, Any]] = []


@runner.task("test.flaky", max_attempts=3)
async def _flaky(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    CALLS.append(payload)
    await mail.queue(ctx.db, "nadie@prueba.cl", "intento", "cuerpo")   # undone when the task fails
    if payload.get("fail"):
        raise RuntimeError("falla a propósito")
    return {"ok": True}


async def test_retries_with_backoff_then_gives_up(db: Any, settings: Any) -> None:
    ctx = JobContext(db, settings)
    start = clock.now()
    job = await api.enqueue(db, "test.flaky", {"fail": True}, start)
    with clock.frozen(start):
        assert await runner.run_one(ctx)
    row = await db.fetch_one("SELECT status, attempts, run_at, last_error FROM jobs WHERE id = :id", {"id": job})
    assert (row["status"], row["attempts"]) == ("pending", 1) and "falla" in row["last_error"]
    assert row["run_at"] == start + runner.backoff(1)
    assert await db.fetch_val("SELECT count(*) FROM outbox") == 0        # the task's work rolled back
    for attempt in (2, 3):
        with clock.frozen(start + timedelta(hours=attempt)):
            await runner.run_one(ctx)
    row = await db.fetch_one("SELECT status, attempts FROM jobs WHERE id = :id", {"id": job})
    assert (row["status"], row["attempts"]) == ("failed", 3)
    assert runner.backoff(2) == 2 * runner.backoff(1) and runner.backoff(30) == runner.BACKOFF_CAP


async def test_result_recorded_and_heartbeat(db: Any, settings: Any) -> None:
    ctx = JobContext(db, settings)
    job = await api.enqueue(db, "test.flaky", {"n": 1})
    assert await api.heartbeat_age(db) is None
    await runner.tick(ctx, "prueba")
    assert await db.fetch_val("SELECT result->>'ok' FROM jobs WHERE id = :id", {"id": job}) == "true"
    age = await api.heartbeat_age(db)
    assert age is not None and 0 <= age < 60
    assert await queries.backlog(db, clock.now()) == 0


async def test_a_worker_killed_mid_run_sends_no_duplicate(db: Any, settings: Any) -> None:
    """The reminders job is killed while sending (its connection terminated, the task cancelled); the
    next runner sends every reminder exactly once."""
    org = await create_org(db, owner=await create_user(db, "r0@prueba.cl"),
                           vigencia_expires_on=clock.today() + timedelta(days=7))
    for i in range(1, 4):
        await add_representative(db, org, await create_user(db, f"r{i}@prueba.cl"))
    api.load_tasks()
    ctx = JobContext(db, settings)
    await runner.schedule_periodic(db)
    # only the reminders' job here: the live-turnout publisher (every 15 s) would be claimed first
    await db.execute("DELETE FROM jobs WHERE kind <> 'reminders.run'")
    queued = 0
    stop = asyncio.Event()
    real_queue = mail.queue

    async def slow_queue(*args: Any, **kwargs: Any) -> None:
        nonlocal queued
        await real_queue(*args, **kwargs)
        queued += 1
        if queued == 2:
            stop.set()
            await asyncio.sleep(3600)   # killed here, half-way through the sending

    mp = pytest.MonkeyPatch()
    mp.setattr(mail, "queue", slow_queue)
    with clock.frozen(clock.at_chile(clock.today(), 12)):
        killed = asyncio.create_task(runner.run_one(ctx))
        done, _ = await asyncio.wait([killed, asyncio.create_task(stop.wait())], timeout=60,
                                     return_when=asyncio.FIRST_COMPLETED)
        assert stop.is_set(), f"the run ended before its second email: {killed.result() if killed in done else 'timeout'}"
        killed.cancel()   # as a killed process: its transaction never commits (the connection is dropped)
        with pytest.raises(asyncio.CancelledError):
            await killed
        mp.undo()
        assert await db.fetch_val("SELECT count(*) FROM outbox") == 0
        assert await db.fetch_val("SELECT count(*) FROM reminders WHERE status = 'sent'") == 0
        assert await runner.run_due(ctx) >= 1
        assert await runner.run_due(ctx) == 0
    rows = await db.fetch_all("SELECT to_addr FROM outbox ORDER BY to_addr")
    assert [r["to_addr"] for r in rows] == ["r0@prueba.cl", "r1@prueba.cl", "r2@prueba.cl", "r3@prueba.cl"]


async def test_two_runners_started_together_never_both_run(db: Any, settings: Any, app_database_url: str) -> None:
    org = await create_org(db, owner=await create_user(db, "solo@prueba.cl"),
                           vigencia_expires_on=clock.today() + timedelta(days=7))
    assert org
    handles = [await dbmod.connect(app_database_url, 1, 3) for _ in range(2)]
    runners = [runner.Runner(JobContext(h, settings), poll_every=0.05, retry_every=0.1) for h in handles]
    api.load_tasks()
    with clock.frozen(clock.at_chile(clock.today(), 12)):
        tasks = [asyncio.create_task(r.run_forever()) for r in runners]
        try:
            await asyncio.wait_for(_first_leader(runners), 10)
            await asyncio.sleep(1.0)
            assert sum(r.leading.is_set() for r in runners) == 1
            leader = next(r for r in runners if r.leading.is_set())
            tasks[runners.index(leader)].cancel()   # the leader goes away: the other takes over
            await asyncio.wait_for(_first_leader([r for r in runners if r is not leader]), 10)
            await asyncio.sleep(0.5)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for h in handles:
                await h.disconnect()
    assert await db.fetch_val("SELECT count(*) FROM outbox WHERE to_addr = 'solo@prueba.cl'") == 1


async def _first_leader(runners: list[runner.Runner]) -> None:
    while not any(r.leading.is_set() for r in runners):
        await asyncio.sleep(0.02)
