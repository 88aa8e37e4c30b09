"""What services plug into health and metrics without ops importing them (layers point down).

The job runner (`portal worker`) registers, when it exists:
    hooks.job_runner = hooks.JobRunner(heartbeat=..., backlog=..., max_silence=60)
`heartbeat(db)` returns when the runner last reported (None: never) and `backlog(db)` how many jobs wait.
Until then /health/ready reports the job runner as "not installed" and /metrics has no job backlog.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from portal.db import Database


@dataclass(frozen=True)
class JobRunner:
    heartbeat: Callable[[Database], Awaitable[datetime | None]]
    backlog: Callable[[Database], Awaitable[int]]
    max_silence: float = 60.0   # seconds without a heartbeat before /health/ready answers 503


job_runner: JobRunner | None = None
