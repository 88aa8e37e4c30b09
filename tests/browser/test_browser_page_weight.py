"""Page weight in a real browser (issue 16, item 9; figures from bench/bench_page_weight.py).

A page in Spanish loads the three Spanish font subsets and nothing else of the fonts; a character outside
them (a ç, an ò) fetches the face's "rest" file, so the text still looks the same. The registry and Sello
filters load htmx on first use, and a filter changed before htmx arrived is still sent through it; pages
whose htmx is not marked that way load it at once, with the portal's htmx settings.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from browser_helpers import assert_no_js_errors, goto
from factories import create_org

pytestmark = pytest.mark.browser

SPANISH_FACES = ["roboto-latin-400-subset", "roboto-latin-700-subset", "roboto-slab-latin-700-subset"]
HTMX_READY = "() => window.htmx !== undefined && !document.body.hasAttribute('hx-disable')"


def _font_names(urls: list[str]) -> list[str]:
    """`/static/vendor/fonts/roboto-5.3.0/roboto-latin-400-subset.<hash>.woff2` → `roboto-latin-400-subset`."""
    return sorted(re.sub(r"\.[0-9a-f]{12}\.woff2$", "", url.rsplit("/", 1)[1]) for url in urls)


def _watch(page: Any, kind: str) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if request.resource_type == kind else None)
    return seen


async def test_a_spanish_page_loads_only_the_spanish_fonts(page_for: Any, db: Any) -> None:
    page = await page_for("es")
    fonts = _watch(page, "font")
    await goto(page, "/")
    await page.evaluate("document.fonts.ready.then(() => true)")
    assert _font_names(fonts) == SPANISH_FACES
    loaded = await page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').length")
    assert loaded == 3, "the three Spanish faces draw the page"


async def test_other_latin_letters_fetch_the_rest_of_the_face(page_for: Any, db: Any) -> None:
    page = await page_for("es")
    fonts = _watch(page, "font")
    await goto(page, "/")
    await page.evaluate("document.fonts.ready.then(() => true)")
    async with page.expect_request(lambda request: "roboto-latin-400-rest" in request.url):
        await page.evaluate("""() => {
            const p = document.createElement('p');
            p.textContent = 'François, Conceição, Kreyòl';
            document.querySelector('main').append(p);
            return p.offsetWidth;
        }""")
    await page.evaluate("document.fonts.ready.then(() => true)")
    assert _font_names(fonts) == sorted([*SPANISH_FACES, "roboto-latin-400-rest"])
    assert_no_js_errors(page)


async def test_registry_loads_htmx_and_preload_on_first_use(page_for: Any, db: Any) -> None:
    org_id = await create_org(db, name="Fundación Puentes Interculturales", category="B", region="13",
                              comuna="13101")
    page = await page_for("es")
    scripts = _watch(page, "script")
    await goto(page, "/organizaciones")
    await page.wait_for_load_state("networkidle")
    assert not [url for url in scripts if "htmx" in url], "htmx loaded before anyone used the filters"
    assert await page.evaluate("typeof window.htmx") == "undefined"

    await page.hover("form[role=search]")
    await page.wait_for_function(HTMX_READY)
    assert [url for url in scripts if "/vendor/htmx-2.0.11.min." in url]
    assert [url for url in scripts if "/vendor/htmx-ext-preload-2.1.2.min." in url]
    assert await page.evaluate("htmx.config.allowEval") is False, "the portal's htmx settings apply"
    # the preload extension works: resting on an organization's link fetches its page
    await page.mouse.move(0, 0)
    async with page.expect_request(lambda request: request.headers.get("hx-preloaded") == "true") as info:
        await page.hover(f"a[href='/organizaciones/{org_id}']")
    assert (await info.value).url.endswith(f"/organizaciones/{org_id}")
    assert_no_js_errors(page)


async def test_a_filter_changed_before_htmx_arrives_still_goes_through_it(page_for: Any, db: Any) -> None:
    page = await page_for("es")
    await goto(page, "/sello-migrante")
    await page.wait_for_load_state("networkidle")
    assert await page.evaluate("typeof window.htmx") == "undefined"
    await page.evaluate("window.__sameDocument = true")
    # no pointer, no focus first: the change itself loads htmx, which then sends the form
    async with page.expect_response(lambda response: "region=05" in response.url) as info:
        await page.select_option("#region", "05")
    assert (await info.value).request.headers.get("hx-request") == "true"
    await page.wait_for_url("**/sello-migrante?region=05")
    assert await page.evaluate("window.__sameDocument === true"), "the filter reloaded the page"
    assert_no_js_errors(page)


async def test_pages_with_other_htmx_load_it_at_once_with_the_portal_settings(page_for: Any, db: Any) -> None:
    page = await page_for("es")
    await goto(page, "/compromiso-migrante/organizaciones")
    await page.wait_for_function(HTMX_READY)
    settings = await page.evaluate("[htmx.config.allowEval, htmx.config.includeIndicatorStyles, "
                                   "htmx.config.historyCacheSize]")
    assert settings == [False, False, 0]
    assert_no_js_errors(page)
