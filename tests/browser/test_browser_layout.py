"""Reflow (WCAG 1.4.10): at 320 CSS pixels wide (400 % zoom) nothing but data tables needs horizontal scrolling."""

from __future__ import annotations

import pytest

from factories import create_org
from browser_helpers import assert_no_js_errors, goto

pytestmark = pytest.mark.browser

# Elements whose right edge passes the viewport, outside data tables (tables are exempt: two-dimensional).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(el => !el.closest('table, pre') && el.getClientRects().length)
    .filter(el => el.getBoundingClientRect().right > width + 1 && getComputedStyle(el).position !== 'absolute')
    .filter(el => !el.querySelector('table'))
    .slice(0, 8)
    .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
               + (el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '')
               + ` (right edge ${Math.round(el.getBoundingClientRect().right)}px)`);
}"""
PAGES = ["/", "/ingresar", "/cuenta/crear", "/cuenta/recuperar", "/organizaciones", "/organizaciones?q=migrante",
         "/datos", "/elecciones", "/consejo", "/sello-migrante", "/compromiso-migrante",
         "/compromiso-migrante/organizaciones", "/certificados", "/no-existe"]


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_pages_reflow_at_320_css_pixels(new_context, db, lang) -> None:
    org_id = await create_org(db, name="Corporación Intercultural de Acompañamiento Jurídico a Personas Refugiadas",
                              category="B", region="13", comuna="13101")
    context = await new_context(lang)
    page = await context.new_page()
    page.errors = context.errors
    await page.set_viewport_size({"width": 320, "height": 640})
    problems = {}
    for path in PAGES + [f"/organizaciones/{org_id}"]:
        await goto(page, path, (200, 404))
        found = await page.evaluate(OVERFLOWING)
        if found:
            problems[path] = found
    assert not problems, "content wider than a 320px viewport (outside data tables):\n" + "\n".join(
        f"{path}: {', '.join(found)}" for path, found in problems.items())
    assert_no_js_errors(page)
