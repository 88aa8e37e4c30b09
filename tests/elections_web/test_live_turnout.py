"""Live turnout (issue 16, item 12): pushed over Server-Sent Events, fed by PostgreSQL LISTEN/NOTIFY
(one listener per process, one publisher per deployment, every 15 s), merged with idiomorph, and a
working page without JavaScript (figures at load, a refresh link, the WCAG 2.2.2 pause)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from cosoc_world import OpenElection

from portal.elections_web import live, vote
from portal.jobs import runner
from portal.static_files import static_url

ROOT = Path(__file__).resolve().parents[2]


class Stream:
    """A GET driven straight through the ASGI app, reading the body as it is sent (httpx's ASGI
    transport waits for the whole body, and this one never ends by itself)."""

    def __init__(self, app: Any, path: str) -> None:
        self.chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self.status: int | None = None
        self.gone = asyncio.Event()
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
                 "headers": [(b"host", b"testserver"), (b"accept", b"text/event-stream")],
                 "client": ("127.0.0.1", 5000), "server": ("testserver", 80), "state": {}}
        self.task = asyncio.create_task(app(scope, self._receive, self._send))
        self._sent_request = False

    async def _receive(self) -> dict[str, Any]:
        if not self._sent_request:
            self._sent_request = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            await self.chunks.put(message.get("body", b""))

    async def read_until(self, needle: str, seconds: float = 10) -> str:
        seen = ""
        async with asyncio.timeout(seconds):
            while needle not in seen:
                seen += (await self.chunks.get()).decode()
        return seen

    async def close(self) -> None:
        self.gone.set()
        await asyncio.wait_for(self.task, 5)


def test_the_extensions_are_vendored_pinned_with_licences() -> None:
    sse = (ROOT / "static/vendor/htmx-ext-sse-2.2.4.min.js").read_text(encoding="utf-8")
    morph = (ROOT / "static/vendor/idiomorph-ext-0.8.0.min.js").read_text(encoding="utf-8")
    assert 'defineExtension("sse"' in sse and 'defineExtension("morph"' in morph
    assert "BSD Zero Clause" in (ROOT / "static/vendor/htmx-ext-sse-2.2.4.LICENSE").read_text(encoding="utf-8")
    assert "Zero-Clause BSD" in (ROOT / "static/vendor/idiomorph-0.8.0.LICENSE").read_text(encoding="utf-8")


def test_the_publisher_is_a_15_second_job() -> None:
    task = runner.TASKS["elections.turnout"]
    assert task.every == timedelta(seconds=15)


async def test_a_notify_reaches_the_stream(app: Any, db: Any, open_election: OpenElection) -> None:
    """A vote, then the publisher's NOTIFY: the SSE client gets the new figures as an event."""
    stream = Stream(app, f"/elecciones/{open_election.id}/participacion/en-vivo")
    try:
        assert "retry:" in await stream.read_until("retry:")
        assert stream.status == 200
        await asyncio.wait_for(app.state.turnout_hub.ready.wait(), 10)  # LISTEN is in place
        _u, org_id, _e = open_election.reps["A"][0]
        await vote.cast_vote(db, open_election.id, org_id, open_election.candidates["A"][0],
                             secret=open_election.secret)
        assert await live.publish(db) >= 1
        seen = await stream.read_until("organizaciones del padrón")
        assert "event: turnout" in seen and "data: " in seen and "1 de 9 organizaciones" in seen
        assert "<html" not in seen
    finally:
        await stream.close()
    await asyncio.sleep(0)
    assert app.state.turnout_hub.task is None  # the last client left: the listener stopped


async def test_outside_voting_the_stream_says_204(app: Any, db: Any, open_election: OpenElection,
                                                  client: Any) -> None:
    await db.execute("UPDATE elections SET phase = 'voting_closed' WHERE id = :e", {"e": open_election.id})
    answer = await client.get(f"/elecciones/{open_election.id}/participacion/en-vivo")
    assert answer.status_code == 204


async def test_the_page_works_without_javascript(db: Any, open_election: OpenElection, make_client: Any) -> None:
    anon = make_client()
    page = await anon.get(f"/elecciones/{open_election.id}")
    # figures at load, a link that refreshes them, and the live wiring for browsers with JavaScript
    assert "0 de 9 organizaciones" in page.text
    assert f'sse-connect="/elecciones/{open_election.id}/participacion/en-vivo"' in page.text
    assert 'hx-ext="sse,morph"' in page.text and 'hx-swap="morph:innerHTML"' in page.text
    assert "every 10s" not in page.text
    assert static_url("vendor/htmx-ext-sse-2.2.4.min.js") in page.text
    assert static_url("vendor/idiomorph-ext-0.8.0.min.js") in page.text
    assert "Actualizar las cifras ahora" in page.text
    # WCAG 2.2.2: paused, nothing is pushed; a link resumes
    paused = await anon.get(f"/elecciones/{open_election.id}?pausa=1")
    assert "sse-connect" not in paused.text and "Reanudar la actualización automática" in paused.text
    assert "0 de 9 organizaciones" in paused.text
    alone = await anon.get(f"/elecciones/{open_election.id}/participacion")
    assert "<html" in alone.text and "sse-connect" in alone.text
