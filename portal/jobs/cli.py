"""`portal worker`: the job runner alone, for deployments that run it apart from `portal serve`
(then set PORTAL_JOBS=off for the web processes)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import Any

from portal import db as dbmod, migrate
from portal.jobs import api
from portal.settings import Settings


def add_commands(sub: Any) -> None:
    worker = sub.add_parser("worker", help="run the job runner (reminders and other scheduled work) alone")
    worker.add_argument("--poll", type=float, default=5.0, help="seconds between rounds (default 5)")
    worker.set_defaults(func=cmd_worker)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from portal.cli import database_targets  # the command line's own helper (embedded server or URLs)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    targets = database_targets(settings)
    asyncio.run(_work(targets, settings, args.poll))
    return 0


async def _work(targets: migrate.Targets, settings: Settings, poll: float) -> None:
    await migrate.apply(targets.owner, app_role=targets.app_role)
    database = await dbmod.connect(targets.app, 1, 4, pooler=settings.db_pooler)
    task = api.start(database, settings, poll_every=poll)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, task.cancel)
    try:
        await task
    except asyncio.CancelledError:
        pass
    finally:
        await database.disconnect()
