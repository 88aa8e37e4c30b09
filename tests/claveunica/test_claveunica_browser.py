"""In Chromium: the ClaveÚnica button on /ingresar, through the development stand-in, to a
signed-in page; the pages on the way are axe-clean in Spanish and English.

The portal is served with PORTAL_ENV=development and the stand-in on, as `portal serve --demo` does
without a client id. Without Chromium the test skips, except under CI=true where it fails."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ServerThread, free_port
from starlette.datastructures import Secret

from portal.app import create_app
from portal.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from browser_helpers import AXE, describe

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def dev_url(database_url: str, app: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=database_url, data_dir=tmp_path_factory.mktemp("cu-browser"),
                        environment="development", base_url=url, smtp_url=None,
                        secret_key=Secret(secrets.token_urlsafe(32)), db_min_size=1, db_max_size=4,
                        anchor_every_hours=0, claveunica_fake=True)
    server = ServerThread(create_app(settings), port, lifespan="on")
    server.start()
    yield url
    server.stop()


@pytest.fixture(scope="module")
async def chromium() -> AsyncIterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run under CI: {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield browser
        await browser.close()


async def axe_clean(page: Any) -> None:
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    violations = await page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}, resultTypes: ['violations']}))
        .violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
          nodes: v.nodes.map(n => ({target: n.target, html: n.html}))}))""")
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_button_to_signed_in_page(chromium: Any, dev_url: str, clean_db: None, lang: str) -> None:
    context = await chromium.new_context(base_url=dev_url, bypass_csp=True, locale="es-CL")
    if lang != "es":
        await context.add_cookies([{"name": "lang", "value": lang, "url": dev_url}])
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        await page.goto("/ingresar")
        button = page.get_by_role("button", name="Iniciar sesión con ClaveÚnica")
        assert await button.count() == 1
        await axe_clean(page)
        async with page.expect_navigation():
            await button.click()
        assert "/_claveunica_fake/openid/authorize/" in page.url
        await axe_clean(page)
        async with page.expect_navigation():
            await page.get_by_role("link", name="María José Quispe Mamani — RUN 44.444.444-4").click()
        assert page.url.rstrip("/").endswith("/cuenta"), page.url
        assert "María José Quispe Mamani" in await page.inner_text("main")
        await axe_clean(page)
        await page.goto("/cuenta/claveunica")
        assert "44.444.444-4" in await page.inner_text("main")
        await axe_clean(page)
    finally:
        await context.close()
    assert not errors
