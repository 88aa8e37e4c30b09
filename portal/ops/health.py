"""/health/live (the process answers) and /health/ready (it can serve: the database answers, its
migrations are the code's, and the job runner's heartbeat is fresh once a job runner is installed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal import clock, migrate
from portal.db import DB_FAILURES, Database
from portal.ops import hooks, queries


@dataclass
class Readiness:
    checks: dict[str, Any] = field(default_factory=dict)
    ok: bool = True

    def fail(self, name: str, detail: Any) -> None:
        self.checks[name] = detail
        self.ok = False


async def readiness(db: Database) -> Readiness:
    result = Readiness()
    try:
        await queries.ping(db)
        applied = await queries.applied_migrations(db)
    except DB_FAILURES as exc:
        result.fail("database", f"unreachable: {type(exc).__name__}")
        return result
    result.checks["database"] = "ok"
    pending = [m.name for m in migrate.discover() if m.version not in applied]
    if pending:
        result.fail("migrations", {"pending": pending})
    else:
        result.checks["migrations"] = "current"
    await job_runner_check(db, result)
    return result


async def job_runner_check(db: Database, result: Readiness) -> None:
    """The hook for the job runner (portal/ops/hooks.py): its last heartbeat must be recent."""
    runner = hooks.job_runner
    if runner is None:
        result.checks["job_runner"] = "not installed"
        return
    beat = await runner.heartbeat(db)
    if beat is None:
        result.fail("job_runner", "no heartbeat yet")
        return
    silence = (clock.now() - beat).total_seconds()
    if silence > runner.max_silence:
        result.fail("job_runner", f"last heartbeat {silence:.0f} s ago")
    else:
        result.checks["job_runner"] = f"heartbeat {silence:.0f} s ago"


async def scrape_values(db: Database) -> dict[str, Any]:
    """What /metrics reads from the database (nothing personal: counts only)."""
    try:
        values: dict[str, Any] = {"outbox": await queries.outbox_backlog(db), "votes_cast": await queries.votes_cast(db)}
        if hooks.job_runner is not None:
            values["job_backlog"] = await hooks.job_runner.backlog(db)
    except DB_FAILURES:
        return {"db_up": False}
    return {"db_up": True, **values}
