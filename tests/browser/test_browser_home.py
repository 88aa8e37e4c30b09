"""The home, the Sello pages (list with the region map, one municipality) and the registry's map in a browser,
with the demo data: axe-core clean (WCAG 2.2 AA) in Spanish and English, no JavaScript error, no sideways
scroll at 360 CSS px, the map's regions reachable with the keyboard (issue 16, items 3 and 7).

With PORTAL_SHOTS=<folder> the pages are also saved as screenshots at 360 and 1280 px.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from browser_helpers import AxeLog, assert_no_js_errors, goto
from portal import demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
async def site(app: Any, _owner: Any, _tables: list[str], secret: str) -> dict[str, Any]:
    """Empty the tables (as the owner: the audit log is append-only) and load the demo."""
    db = app.state.db
    async with _owner.connection() as conn:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in _tables) + " RESTART IDENTITY CASCADE")
    await demo.load_all(db, secret)  # the browser server's secret: it derives the elections' sealing keys
    certified = await db.fetch_val("SELECT comuna_code FROM sello_adhesions WHERE certificate_code IS NOT NULL "
                                   "ORDER BY comuna_code LIMIT 1")
    return {"pages": ["/", "/sello-migrante", f"/sello-migrante/{certified}", "/organizaciones"]}


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_home_and_sello_pages_are_axe_clean(site: dict[str, Any], page_for: Any, lang: str) -> None:
    page = await page_for(lang, bypass_csp=True)
    log = AxeLog()
    for path in site["pages"]:
        await goto(page, path)
        await log.check(page, f"{path} [{lang}]")
    log.assert_clean()
    assert_no_js_errors(page)


async def test_the_pages_fit_a_phone_and_the_map_takes_the_keyboard(site: dict[str, Any], page_for: Any) -> None:
    page = await page_for("es")
    shots = os.environ.get("PORTAL_SHOTS")
    for width in (360, 1280):
        await page.set_viewport_size({"width": width, "height": 800})
        for path in site["pages"]:
            await goto(page, path)
            if width == 360:
                scroll = await page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= 360, f"{path} scrolls sideways at 360 px ({scroll} px wide)"
            if shots:
                name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
                Path(shots).mkdir(parents=True, exist_ok=True)
                await page.screenshot(path=f"{shots}/{name}-{width}.png", full_page=True)
    await goto(page, "/sello-migrante")
    first_region = page.locator("svg.sello-chart__svg a").first
    await first_region.focus()
    assert await page.evaluate("document.activeElement.closest('svg') !== null")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/sello-migrante?region=*")
    assert_no_js_errors(page)
