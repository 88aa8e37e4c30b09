"""Live turnout during voting, pushed over Server-Sent Events (docs/elections.md, Voting).

- **Publisher, one per deployment.** The job runner's periodic task `elections.turnout` runs every
  15 seconds on the one runner that holds the lock: it reads each voting election's turnout and
  sends it with PostgreSQL NOTIFY on `elections_turnout`. Figures move in 15-second batches, so no
  single vote's timing shows.
- **Listener, one per process.** The first SSE client of a process starts a task that LISTENs on a
  dedicated asyncpg connection (LISTEN needs a session of its own: `PORTAL_JOBS_LOCK_URL` when set,
  the direct URL behind PgBouncer, else the database's URL) and fans every payload out to that
  process's clients; it stops with the last client. Every worker and node pushes the same figures.
- **Page.** `templates/elections/_turnout.html` connects with the htmx SSE extension and swaps the
  figures with idiomorph (focus and reading position kept). Without JavaScript, or paused
  (WCAG 2.2.2), the page shows the figures at load and a refresh link.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import StreamingResponse

from portal.elections_web import live_queries, queries as q
from portal.jobs import runner
from portal.templating import env

CHANNEL = "elections_turnout"
EVERY = timedelta(seconds=15)
KEEPALIVE = 30.0  # seconds between comment lines, so proxies keep an idle stream open
LIFETIME = 600.0  # a stream ends after this long; the browser reconnects (`retry`), a stalled one is freed
FIGURES = "elections/_turnout_figures.html"
log = logging.getLogger(__name__)


async def publish(db: Any) -> int:
    """NOTIFY the current turnout of every voting election; returns how many were sent."""
    ids = await live_queries.voting_elections(db)
    for election_id in ids:
        figures = await q.turnout(db, election_id)
        await live_queries.notify(db, CHANNEL, json.dumps({"election": election_id, "turnout": figures},
                                                          separators=(",", ":")))
    return len(ids)


@runner.task("elections.turnout", every=EVERY)
async def turnout_task(ctx: runner.JobContext, payload: dict[str, Any]) -> dict[str, int]:
    """The periodic publisher (registered in portal.jobs.api.TASK_MODULES)."""
    return {"elections": await publish(ctx.db)}


class Hub:
    """One process's listener and its subscribers, per election."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.clients: dict[int, set[asyncio.Queue[dict[str, Any]]]] = {}
        self.task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    def subscribe(self, election_id: int) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=4)
        self.clients.setdefault(election_id, set()).add(queue)
        if self.task is None or self.task.done():
            self.ready.clear()
            self.task = asyncio.create_task(self._listen())
        return queue

    def unsubscribe(self, election_id: int, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self.clients.get(election_id, set()).discard(queue)
        if not any(self.clients.values()) and self.task is not None:
            self.task.cancel()
            self.task = None

    def deliver(self, payload: str) -> None:
        try:
            data = json.loads(payload)
            election_id, figures = int(data["election"]), data["turnout"]
        except (ValueError, KeyError, TypeError):
            log.warning("live turnout: unreadable payload")
            return
        for queue in list(self.clients.get(election_id, ())):
            if queue.full():  # a slow client gets the latest figures, not a backlog
                queue.get_nowait()
            queue.put_nowait(figures)

    async def _listen(self) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            await conn.add_listener(CHANNEL, lambda _c, _pid, _ch, payload: self.deliver(payload))
            self.ready.set()
            await asyncio.Event().wait()  # until cancelled by the last client leaving
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(conn.close())


def hub(request: Request) -> Hub:
    """The process's hub, made on first use."""
    state = request.app.state
    if getattr(state, "turnout_hub", None) is None:
        settings = getattr(state, "settings", None)
        state.turnout_hub = Hub(getattr(settings, "jobs_lock_url", None) or state.db.url)
    found: Hub = state.turnout_hub
    return found


def event(figures: dict[str, Any], election_id: int) -> str:
    """One SSE event: the figures' HTML, one `data:` line per line."""
    html = env.get_template(FIGURES).render(turnout=figures, e={"id": election_id})
    return "event: turnout\n" + "".join(f"data: {line}\n" for line in html.splitlines()) + "\n"


async def stream(request: Request, election_id: int) -> AsyncIterator[str]:
    listener = hub(request)
    queue = listener.subscribe(election_id)
    deadline = asyncio.get_running_loop().time() + LIFETIME
    try:
        yield "retry: 15000\n\n"
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            try:
                figures = await asyncio.wait_for(queue.get(), timeout=min(KEEPALIVE, left))
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            yield event(figures, election_id)
    finally:
        listener.unsubscribe(election_id, queue)


def response(request: Request, election_id: int) -> StreamingResponse:
    return StreamingResponse(stream(request, election_id), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
