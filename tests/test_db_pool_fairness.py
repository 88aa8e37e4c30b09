"""The pool serves waiting requests first come, first served (portal.db._FairHolderQueue)."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import asyncpg.pool
import pytest

from portal import db as dbmod


class _Holder:
    """Stands for asyncpg's connection holder: the queue only asks whether it is connected."""

    def is_connected(self) -> bool:
        return True


async def _barging_get(queue: asyncio.Queue[Any]) -> list[str]:
    """A waiter is queued; a connection comes back and, before the waiter runs, a newcomer asks."""
    order: list[str] = []

    async def waiter() -> None:
        await queue.get()
        order.append("waiter")

    task = asyncio.create_task(waiter())
    await asyncio.sleep(0)  # the waiter is in line
    queue.put_nowait(_Holder())
    asyncio.get_running_loop().call_later(0.1, queue.put_nowait, _Holder())  # a second connection, later
    await queue.get()  # in this task, right away: no scheduling in between
    order.append("newcomer")
    await task
    return order


async def test_the_stock_queue_lets_a_newcomer_take_a_waiters_connection() -> None:
    """The premise: asyncio.Queue (under asyncpg's own queue) serves the newcomer first."""
    stock = dbmod._FairHolderQueue.__mro__[1]
    assert stock.__module__ == "asyncpg.pool"
    assert await _barging_get(stock(maxsize=2)) == ["newcomer", "waiter"]


async def test_the_fair_queue_serves_the_waiter_first() -> None:
    assert await _barging_get(dbmod._FairHolderQueue(maxsize=2)) == ["waiter", "newcomer"]


async def test_a_cancelled_waiter_passes_its_turn_on() -> None:
    queue = dbmod._FairHolderQueue(maxsize=2)
    first = asyncio.create_task(queue.get())
    second = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait(_Holder())  # reserved for `first`...
    first.cancel()  # ...which is cancelled before it runs
    got = await asyncio.wait_for(second, 1)
    assert isinstance(got, _Holder) and first.cancelled() and queue.qsize() == 0


async def test_the_real_pool_queues_in_arrival_order(database_url: str) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    try:
        assert isinstance(pool._queue, dbmod._FairHolderQueue)
        held = await pool.acquire()
        order: list[Any] = []

        async def request(name: Any) -> None:
            async with pool.acquire() as conn:
                order.append((name, await conn.fetchval("SELECT 1")))

        waiting = [asyncio.create_task(request(i)) for i in range(5)]
        await asyncio.sleep(0.05)
        await pool.release(held)
        await request("newcomer")
        await asyncio.gather(*waiting)
        assert order == [(i, 1) for i in range(5)] + [("newcomer", 1)]
    finally:
        await pool.close()


@pytest.mark.parametrize("size", [1, 3])
async def test_many_requests_through_a_small_pool_all_finish(database_url: str, size: int) -> None:
    """200 requests, some cancelled while they wait, through a pool of `size`: nothing is lost or stuck."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=size)
    try:
        async def request(i: int) -> int:
            async with pool.acquire() as conn:
                return await conn.fetchval("SELECT CAST($1 AS int)", i)

        tasks = [asyncio.create_task(request(i)) for i in range(200)]
        await asyncio.sleep(0)
        for t in tasks[::7]:
            t.cancel()
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)
        done = [r for r in results if isinstance(r, int)]
        assert len(done) == 200 - len(tasks[::7]) and sorted(done) == sorted(set(done))
        assert pool._queue.qsize() == size and not pool._queue._waiting and pool._queue._reserved == 0
    finally:
        await pool.close()
