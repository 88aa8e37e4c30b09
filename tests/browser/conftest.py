"""Browser fixtures: the portal served by uvicorn on a thread, one Chromium per session, one context per test.

The server is a second app instance (its own event loop and pool) over the same test database as
the `db` fixture, so tests insert data with tests/factories.py and then look at it in the browser.
Chromium is Debian's (/usr/bin/chromium); without it the tests skip, except under CI=true where a
missing browser is a failure.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path
from typing import Any
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from portal.app import create_app
from portal.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


class ServerThread:
    """uvicorn.Server on its own thread and event loop; stops when asked."""

    def __init__(self, app: Any, port: int) -> None:
        import uvicorn

        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                                ws="none", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="portal-browser-server", daemon=True)

    def start(self, timeout: float = 30) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the portal server for the browser tests did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def base_url(database_url: str, app: Any, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The portal over real HTTP on a free local port (after `app` applied the migrations). Its secret key
    is the test settings' (`secret`), so elections a test opens are sealed with the key the server derives."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        database_url=database_url, data_dir=tmp_path_factory.mktemp("browser-data"), environment="test",
        base_url=url, smtp_url=None, secret_key=settings.secret_key, db_min_size=1, db_max_size=10,
    )
    server = ServerThread(create_app(settings), port)
    server.start()
    yield url
    server.stop()


@pytest.fixture(scope="session")
def secret(settings: Settings) -> str:
    """The app's secret key, the browser server's too: the portal's per-election sealing key derives from it."""
    return str(settings.secret_key)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    """One headless Chromium for the whole run."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


class PageErrors:
    """JavaScript errors and CSP refusals seen by the pages of one context."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def watch(self, page: Any) -> None:
        page.on("pageerror", lambda exc: self.messages.append(f"pageerror on {page.url}: {exc}"))
        page.on("console", lambda msg: self._console(page, msg))

    def _console(self, page: Any, msg: Any) -> None:
        # an error page's own 4xx status is logged by Chromium as a failed resource: not a script bug
        if msg.type == "error" and "the server responded with a status of" not in msg.text:
            self.messages.append(f"console error on {page.url}: {msg.text}")


NewContext = Callable[..., Awaitable[Any]]


@pytest.fixture
async def new_context(browser: Any, base_url: str) -> AsyncIterator[NewContext]:
    """Open a fresh browser context (no cookies) in Spanish or English; closed after the test.

    `bypass_csp=True` is only for axe: its script is injected inline, which the site's CSP refuses.
    Every page opened in the context is watched for JavaScript errors (`context.errors`).
    """
    opened: list[Any] = []

    async def make(lang: str = "es", bypass_csp: bool = False) -> Any:
        context = await browser.new_context(base_url=base_url, bypass_csp=bypass_csp, locale="es-CL",
                                            viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        if lang != "es":
            await context.add_cookies([{"name": "lang", "value": lang, "url": base_url}])
        errors = PageErrors()
        context.on("page", errors.watch)
        context.errors = errors
        opened.append(context)
        return context

    yield make
    for context in opened:
        await context.close()


@pytest.fixture
async def page_for(new_context: NewContext) -> Callable[..., Awaitable[Any]]:
    """A new page in a fresh context: `await page_for(lang, bypass_csp=...)`."""

    async def make(lang: str = "es", bypass_csp: bool = False) -> Any:
        context = await new_context(lang, bypass_csp)
        page = await context.new_page()
        page.errors = context.errors
        return page

    return make

