"""ClaveÚnica fixtures: the stand-in served over real HTTP on a free port, and the app configured
to use it (CLAVEUNICA_BASE_URL pointing at it) for the length of one test."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
import pytest
from starlette.datastructures import Secret

from claveunica_helpers import REDIRECT_URI

from portal.claveunica.fake import CLIENT_ID, FakeClaveUnica

SECRET = "secreto-de-prueba"


class ServerThread:
    """uvicorn on its own thread and event loop."""

    def __init__(self, app: Any, port: int, lifespan: str = "off") -> None:
        import uvicorn

        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan,
                                ws="none", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="claveunica-fake", daemon=True)

    def start(self, timeout: float = 20) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="session")
def fake_server() -> Iterator[tuple[FakeClaveUnica, str, Clock]]:
    clock = Clock()
    fake = FakeClaveUnica(CLIENT_ID, SECRET, REDIRECT_URI, clock=clock)
    port = free_port()
    server = ServerThread(fake.app(), port)
    server.start()
    yield fake, f"http://127.0.0.1:{port}", clock
    server.stop()


@pytest.fixture
async def fake(app: Any, fake_server: tuple[FakeClaveUnica, str, Clock]) -> AsyncIterator[FakeClaveUnica]:
    """The stand-in, behaving, and the app pointed at it for this test."""
    stand_in, url, _ = fake_server
    stand_in.reset()
    stand_in.token_forms.clear()
    before = app.state.settings
    app.state.settings = dataclasses.replace(
        before, claveunica_client_id=CLIENT_ID, claveunica_client_secret=Secret(SECRET),
        claveunica_base_url=url, claveunica_timeout=1.0)
    try:
        yield stand_in
    finally:
        app.state.settings = before


@pytest.fixture
def fake_clock(fake_server: tuple[FakeClaveUnica, str, Clock]) -> Clock:
    return fake_server[2]
