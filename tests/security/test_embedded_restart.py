"""Finding 12 / deliver 10: `portal serve` on the embedded PostgreSQL (the development default) restarts
the server when it dies. Before, the app answered 503 until someone started PostgreSQL by hand.

A real `portal serve` with a fresh data folder; SIGKILL the postmaster; /salud comes back."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process handling is Linux-specific")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _health(port: int) -> int:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/salud", timeout=3).status_code
    except httpx.HTTPError:
        return 0


def _wait_for(check: Any, seconds: float) -> Any:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        result = check()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError("timed out")


def _postmaster(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_embedded_postgres_is_restarted(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "MIGRATION_DATABASE_URL", "PORTAL_OWNER_DATABASE_URL")}
    env.update(PORTAL_DATA_DIR=str(tmp_path), PORTAL_ENV="development", PORTAL_AUDIT_ANCHOR_HOURS="0")
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "portal.cli", "serve", "--port", str(port),
                                 "--log-level", "warning", "--no-access-log"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=out, start_new_session=True)
    pgdata = tmp_path / "pgdata"
    try:
        _wait_for(lambda: _health(port) == 200, 180)
        first = _postmaster(pgdata)
        os.kill(first, signal.SIGKILL)
        _wait_for(lambda: not _alive(first), 10)
        # back within a few watch periods: the server is restarted and the pool reconnects
        _wait_for(lambda: _health(port) == 200 and (pgdata / "postmaster.pid").exists()
                  and _postmaster(pgdata) != first, 120)
        assert _alive(_postmaster(pgdata))
        assert "is down; restarting it" in log.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    # the restarted server is stopped with the portal, not left running
    assert _wait_for(lambda: not (pgdata / "postmaster.pid").exists(), 60)

