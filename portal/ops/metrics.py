"""Prometheus metrics (prometheus-client), never anything personal: routes by their template
(`/elecciones/{id}/votar`, never the address asked for), statuses, latencies, the pool's waits, and
counts the database gives at scrape time (outbox and job backlog, votes cast).

`portal serve --workers N` runs N processes, and a scrape reaches one of them: `prepare_multiprocess()`
in portal/ops/cli.py (called by `portal serve` before the workers start) points prometheus-client's multiprocess mode at a
fresh folder (PROMETHEUS_MULTIPROC_DIR, or a temporary one), where every worker keeps its counters and
histograms, and the scraped worker adds them all up. Figures read from the database are computed at
scrape time, so they need no sharing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from portal import db as dbmod

ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("portal_http_requests", "HTTP requests answered, by route template and status",
                   ["method", "route", "status"])
LATENCY = Histogram("portal_http_request_duration_seconds", "Time to answer, by route template",
                    ["method", "route"], buckets=LATENCY_BUCKETS)
POOL_WAIT = Histogram("portal_db_pool_wait_seconds", "Time a task waited for a database connection",
                      buckets=(0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0))
POOL_IN_USE = Gauge("portal_db_pool_in_use", "Database connections checked out (all live workers)",
                    multiprocess_mode="livesum")
POOL_WAITING = Gauge("portal_db_pool_waiting", "Tasks waiting for a database connection (all live workers)",
                     multiprocess_mode="livesum")


def multiprocess_mode() -> bool:
    return bool(os.environ.get(ENV))


def worker_exiting() -> None:
    """A worker that stops drops its live gauges (its counters stay: they are totals)."""
    if multiprocess_mode():
        multiprocess.mark_process_dead(os.getpid())


class TimedGate:
    """portal/db.py's pool gate, timed: every acquire observes its wait (POOL_WAIT)."""

    def __init__(self, gate: Any) -> None:
        self.gate = gate

    @property
    def size(self) -> int:
        return int(self.gate.size)

    @property
    def free(self) -> int:
        return int(self.gate.free)

    @property
    def waiting(self) -> Any:
        return self.gate.waiting

    async def acquire(self) -> None:
        start = time.perf_counter()
        await self.gate.acquire()
        POOL_WAIT.observe(time.perf_counter() - start)

    def try_acquire(self) -> bool:
        return bool(self.gate.try_acquire())  # never waits: nothing to time

    def release(self) -> None:
        self.gate.release()


def instrument(db: dbmod.Database) -> None:
    """Time the pool's waits (once per Database)."""
    if not isinstance(db.gate, TimedGate):
        db.gate = TimedGate(db.gate)  # type: ignore[assignment]  # (duck-typed: db.py calls acquire/try_acquire/release only)


def observe(method: str, route: str, status: int, seconds: float, db: dbmod.Database | None) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)
    if db is not None:
        POOL_IN_USE.set(db.gate.size - db.gate.free)
        POOL_WAITING.set(len(db.gate.waiting))


class Snapshot(Collector):
    """Figures read from the database at scrape time."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("portal_db_up", "1 when the scraped worker reached the database")
        up.add_metric([], 1.0 if self.values.get("db_up") else 0.0)
        yield up
        if "outbox" in self.values:
            outbox = GaugeMetricFamily("portal_outbox_backlog", "Mails not yet sent, by status", labels=["status"])
            for status in ("pending", "failed"):
                outbox.add_metric([status], float(self.values["outbox"].get(status, 0)))
            yield outbox
        if self.values.get("votes_cast") is not None:
            votes = CounterMetricFamily("portal_votes_cast", "Ballots cast (rate() gives votes per minute)")
            votes.add_metric([], float(self.values["votes_cast"]))
            yield votes
        if self.values.get("job_backlog") is not None:
            jobs = GaugeMetricFamily("portal_job_backlog", "Jobs waiting for the job runner")
            jobs.add_metric([], float(self.values["job_backlog"]))
            yield jobs


def exposition(values: dict[str, Any]) -> bytes:
    """The text format: this process's (or all workers') metrics, then the database's."""
    if multiprocess_mode():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        own = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY

        own = generate_latest(REGISTRY)
    snapshot = CollectorRegistry(auto_describe=False)
    snapshot.register(Snapshot(values))
    return own + generate_latest(snapshot)
