"""Waiting requests get a pooled connection first come, first served (portal.db's gate in front of the pool).

asyncpg's pool waits on an asyncio.Queue, which lets a newcomer take a returned connection ahead of
the waiter it woke; under a vote storm some requests then lose their turn again and again. The gate
admits at most `max_size` tasks to the pool, in arrival order, and hands a freed place straight to
the longest waiter.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from portal import db as dbmod


async def _barging_queue(queue: asyncio.Queue[int]) -> list[str]:
    """A waiter is queued; an item comes back and, before the waiter runs, a newcomer asks."""
    order: list[str] = []

    async def waiter() -> None:
        await queue.get()
        order.append("waiter")

    task = asyncio.create_task(waiter())
    await asyncio.sleep(0)  # the waiter is in line
    queue.put_nowait(1)
    asyncio.get_running_loop().call_later(0.05, queue.put_nowait, 2)  # a second item, later
    await queue.get()  # in this task, right away: no scheduling in between
    order.append("newcomer")
    await task
    return order


async def test_the_premise_asyncio_queue_lets_a_newcomer_barge_in() -> None:
    """What asyncpg's pool waits on serves the newcomer first."""
    assert await _barging_queue(asyncio.Queue()) == ["newcomer", "waiter"]


async def test_the_gate_serves_the_waiter_first() -> None:
    gate = dbmod._Gate(1)
    order: list[str] = []

    async def enter(name: str) -> None:
        await gate.acquire()
        order.append(name)
        await asyncio.sleep(0)
        gate.release()

    await gate.acquire()  # the only place, taken
    waiter = asyncio.create_task(enter("waiter"))
    await asyncio.sleep(0)  # the waiter is in line
    gate.release()
    await enter("newcomer")  # in this task, right away
    await waiter
    assert order == ["waiter", "newcomer"] and gate.free == 1


async def test_a_cancelled_waiter_passes_its_turn_on() -> None:
    gate = dbmod._Gate(1)
    await gate.acquire()
    first = asyncio.create_task(gate.acquire())
    second = asyncio.create_task(gate.acquire())
    await asyncio.sleep(0)
    gate.release()  # handed to `first`...
    first.cancel()  # ...which is cancelled before it runs
    await asyncio.wait_for(second, 1)
    assert first.cancelled() and gate.free == 0 and not gate.waiting
    gate.release()
    assert gate.free == 1


async def test_a_cancelled_waiter_leaves_the_line() -> None:
    gate = dbmod._Gate(1)
    await gate.acquire()
    waiting = asyncio.create_task(gate.acquire())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert not gate.waiting
    gate.release()
    assert gate.free == 1


async def test_the_real_pool_serves_in_arrival_order(database_url: str) -> None:
    db = await dbmod.connect(database_url, 1, 1)
    try:
        order: list[Any] = []

        async def request(name: Any) -> None:
            order.append((name, await db.fetch_val("SELECT CAST(:n AS text)", {"n": str(name)})))

        async with db.connection():  # the only connection, held
            waiting = [asyncio.create_task(request(i)) for i in range(5)]
            await asyncio.sleep(0.05)
        await request("newcomer")  # asks as soon as the connection is back: still after the five
        await asyncio.gather(*waiting)
        assert order == [(i, str(i)) for i in range(5)] + [("newcomer", "newcomer")]
    finally:
        await db.disconnect()


@pytest.mark.parametrize("size", [1, 3])
async def test_many_requests_through_a_small_pool_all_finish(database_url: str, size: int) -> None:
    """200 requests, some cancelled while they wait, through a pool of `size`: nothing is lost or stuck."""
    db = await dbmod.connect(database_url, 1, size)
    try:
        async def request(i: int) -> int:
            async with db.connection() as conn:
                return int(await conn.fetch_val("SELECT CAST(:i AS int)", {"i": i}))

        tasks = [asyncio.create_task(request(i)) for i in range(200)]
        await asyncio.sleep(0)
        for t in tasks[::7]:
            t.cancel()
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)
        done = [r for r in results if isinstance(r, int)]
        assert len(done) == 200 - len(tasks[::7]) and sorted(done) == sorted(set(done))
        assert db.gate.free == size and not db.gate.waiting
    finally:
        await db.disconnect()
