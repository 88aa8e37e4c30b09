"""portal/ops over HTTP: health, metrics (route templates only, allow list), request id, JSON log line."""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

import httpx

from portal.ops import hooks, middleware, views


async def test_live_and_ready(client: Any) -> None:
    assert (await client.get("/health/live")).text == "ok"
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "database": "ok", "migrations": "current", "job_runner": "not installed"}


async def test_ready_fails_on_a_stale_job_runner(client: Any, monkeypatch: Any) -> None:
    async def never(db: Any) -> None:
        return None

    async def none_waiting(db: Any) -> int:
        return 0

    monkeypatch.setattr(hooks, "job_runner", hooks.JobRunner(heartbeat=never, backlog=none_waiting))
    ready = await client.get("/health/ready")
    assert ready.status_code == 503 and ready.json()["job_runner"] == "no heartbeat yet"
    assert "portal_job_backlog 0.0" in (await client.get("/metrics")).text


async def test_metrics_count_by_route_template_never_the_path(client: Any) -> None:
    await client.get("/organizaciones?q=Juan+P%C3%A9rez")
    await client.get("/certificados/ABCD-EFGH-JKLM-NPQR")
    text = (await client.get("/metrics")).text
    assert 'portal_http_requests_total{method="GET",route="/organizaciones",status="200"}' in text
    assert 'route="/certificados/{code}"' in text
    assert "ABCD" not in text and "rez" not in text
    for name in ("portal_http_request_duration_seconds_bucket", "portal_db_pool_wait_seconds_bucket",
                 "portal_outbox_backlog", "portal_votes_cast_total", "portal_db_up 1.0"):
        assert name in text


async def test_metrics_only_for_allowed_addresses(app: Any, clean_db: None) -> None:
    outside = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
    async with httpx.AsyncClient(transport=outside, base_url="http://testserver") as http:
        assert (await http.get("/metrics")).status_code == 404
    assert app.state.settings.metrics_allow == ("127.0.0.1", "::1")
    request: Any = type("R", (), {"client": type("C", (), {"host": "10.1.2.3"})(), "app": app})()
    assert not views.metrics_allowed(request)
    original = app.state.settings
    app.state.settings = dataclasses.replace(original, metrics_allow=("10.0.0.0/8",))
    try:
        assert views.metrics_allowed(request)
    finally:
        app.state.settings = original


async def test_request_id_and_one_json_line(client: Any) -> None:
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(middleware.JsonFormatter().format(record))  # type: ignore[method-assign]
    middleware.log.addHandler(handler)
    try:
        given = await client.get("/organizaciones?q=secreto", headers={"X-Request-ID": "nginx-abc123def"})
        made = await client.get("/no-existe")
    finally:
        middleware.log.removeHandler(handler)
    assert given.headers["x-request-id"] == "nginx-abc123def"
    assert len(made.headers["x-request-id"]) == 32
    first, second = (json.loads(line) for line in lines)
    assert first["route"] == "/organizaciones" and first["status"] == 200 and first["method"] == "GET"
    assert first["request_id"] == "nginx-abc123def" and "secreto" not in lines[0]
    assert second["route"] == "unmatched" and second["status"] == 404
