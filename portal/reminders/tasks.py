"""The reminders' periodic job, registered with the job runner (portal/jobs)."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

from portal.jobs.runner import JobContext, task
from portal.reminders import service
from portal.reminders.timing import Timing

# Modules that register reminder kinds when imported (portal/reminders/kinds.py explains how to add one).
KIND_MODULES = ("portal.reminders.catalog",)
TIMING = Timing.from_env()

for _name in KIND_MODULES:
    importlib.import_module(_name)


@task("reminders.run", every=timedelta(minutes=TIMING.run_every_minutes))
async def run_reminders(ctx: JobContext, payload: dict[str, Any]) -> dict[str, int]:
    return await service.run(ctx.db, ctx.settings, TIMING)
