"""Helpers for the reminder tests: a clock that moves, one runner round, the outbox."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from portal import clock
from portal.jobs import api as jobs_api, runner
from portal.jobs.runner import JobContext
from portal.reminders import queries as rq

START = clock.at_chile(date(2026, 3, 2), 10)   # a Monday, Chile's time


class MovingClock:
    """The portal's clock, set by the test (clock.set_source)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta


async def round_(ctx: JobContext) -> int:
    """What the runner does each tick, minus the heartbeat: periodic jobs scheduled, due jobs run."""
    jobs_api.load_tasks()
    await runner.schedule_periodic(ctx.db)
    return await runner.run_due(ctx)


async def outbox(db: Any) -> list[dict[str, Any]]:
    rows = await db.fetch_all("SELECT id, to_addr, subject, body, headers FROM outbox ORDER BY id")
    return [{**dict(r), "headers": json.loads(r["headers"])} for r in rows]


async def sent(db: Any) -> dict[tuple[str, str], int]:
    return await rq.sent_counts(db)


async def reminder_rows(db: Any) -> list[dict[str, Any]]:
    rows = await db.fetch_all("SELECT * FROM reminders ORDER BY id")
    return [dict(r) for r in rows]
