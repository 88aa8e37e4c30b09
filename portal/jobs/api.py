"""What the rest of the portal calls: start the runner, enqueue work, read its heartbeat."""

from __future__ import annotations

import asyncio
import importlib
from datetime import datetime
from typing import Any

from portal import clock
from portal.db import Database
from portal.jobs import queries, runner
from portal.ops import hooks
from portal.settings import Settings

# Modules that register tasks with `portal.jobs.runner.task` when imported. Services add theirs here
# (imported by name, so the runner itself imports no service).
TASK_MODULES = ("portal.reminders.tasks", "portal.elections_web.live")  # imported by name: jobs imports no domain
MAX_SILENCE = 120.0  # seconds without a heartbeat before /health/ready reports the runner down


def load_tasks() -> dict[str, runner.Task]:
    for name in TASK_MODULES:
        importlib.import_module(name)
    return runner.TASKS


async def heartbeat_age(db: Database) -> float | None:
    """Seconds since the runner last reported (None: it never did)."""
    beat = await queries.last_beat(db)
    return None if beat is None else (clock.now() - beat).total_seconds()


async def _backlog(db: Database) -> int:
    return await queries.backlog(db, clock.now())


def install_health_hook() -> None:
    """Let /health/ready and /metrics read the runner's heartbeat and backlog (portal/ops/hooks.py)."""
    hooks.job_runner = hooks.JobRunner(heartbeat=queries.last_beat, backlog=_backlog, max_silence=MAX_SILENCE)


async def enqueue(db: Database, kind: str, payload: dict[str, Any] | None = None, run_at: datetime | None = None,
                  *, dedupe_key: str | None = None) -> int | None:
    """Schedule `kind` (a registered task) to run at `run_at` (now by default)."""
    registered = runner.TASKS.get(kind)
    return await queries.enqueue(db, kind, payload or {}, run_at or clock.now(), dedupe_key=dedupe_key,
                                 max_attempts=registered.max_attempts if registered else 5)


def start(db: Database, settings: Settings, *, poll_every: float = 5.0,
          retry_every: float = 15.0) -> asyncio.Task[None]:
    """The runner of this process as a background task: it runs jobs only while it holds the lock."""
    load_tasks()
    install_health_hook()
    one = runner.Runner(runner.JobContext(db, settings), poll_every=poll_every, retry_every=retry_every)
    return asyncio.create_task(one.run_forever(), name="portal-job-runner")
