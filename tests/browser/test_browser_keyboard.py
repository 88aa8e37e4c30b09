"""Keyboard access: the skip link comes first and lands on main; focus is always visible."""

from __future__ import annotations

import pytest

from factories import create_user
from browser_helpers import FOCUS_STYLE, assert_no_js_errors, assert_visible_focus, goto, sign_in, tab_to

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("path", ["/", "/ingresar", "/cuenta/crear"])
async def test_skip_link_is_first_and_moves_focus_to_main(page_for, db, lang, path) -> None:
    page = await page_for(lang)
    await goto(page, path)
    await page.keyboard.press("Tab")
    first = await page.evaluate("() => ({cls: document.activeElement.className,"
                                " href: document.activeElement.getAttribute('href')})")
    assert first == {"cls": "skip-link", "href": "#contenido"}, f"first focusable element is {first}"
    # once focused it is on screen, so a sighted keyboard user sees it
    box = await page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0
    assert_visible_focus(await page.evaluate(FOCUS_STYLE))
    await page.keyboard.press("Enter")
    await page.wait_for_function("() => document.activeElement && document.activeElement.id === 'contenido'")
    assert page.url.endswith("#contenido")
    # the next Tab continues inside main, not back in the header
    await page.keyboard.press("Tab")
    assert await page.evaluate("() => document.getElementById('contenido').contains(document.activeElement)")
    assert_no_js_errors(page)


async def test_focus_is_visible_on_links_inputs_and_buttons(page_for, db) -> None:
    page = await page_for("es")
    await goto(page, "/ingresar")
    for selector in ("a.brand", ".lang-switch a[lang=en]", ".main-nav a[href='/organizaciones']", "#email",
                     "main form[action='/ingresar'] button[type=submit]", "main a[href='/cuenta/recuperar']"):
        await tab_to(page, selector)
        assert_visible_focus(await page.evaluate(FOCUS_STYLE))
    # backwards too: Shift+Tab reaches the password field and shows its focus
    await tab_to(page, "#password", key="Shift+Tab")
    assert_visible_focus(await page.evaluate(FOCUS_STYLE))
    assert_no_js_errors(page)


async def test_focus_is_visible_on_the_sign_out_button(page_for, db) -> None:
    """The sign-out control is a <button> styled as a link: it must still show focus."""
    await create_user(db, "persona@prueba.cl")
    page = await page_for("es")
    await sign_in(page, "persona@prueba.cl")
    await tab_to(page, "form[action='/salir'] button")
    assert_visible_focus(await page.evaluate(FOCUS_STYLE))
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/")
    assert await page.locator("a[href='/ingresar']").count() >= 1, "signed out: the sign-in link is back"
    assert_no_js_errors(page)
