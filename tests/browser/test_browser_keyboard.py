"""Keyboard access: the skip link comes first and lands on main; focus is always visible."""

from __future__ import annotations

from typing import Any

import pytest

from factories import create_user
from helpers import assert_no_js_errors, goto, sign_in

pytestmark = pytest.mark.browser

# What makes the focus indicator visible: a real outline (or a focus ring drawn with box-shadow).
FOCUS_STYLE = """() => {
  const el = document.activeElement, s = getComputedStyle(el);
  return {tag: el.tagName, text: (el.innerText || el.value || '').trim().slice(0, 40),
          outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0,
          outlineColor: s.outlineColor, boxShadow: s.boxShadow,
          matchesFocusVisible: el.matches(':focus-visible')};
}"""


async def tab_to(page: Any, selector: str, limit: int = 80, key: str = "Tab") -> None:
    """Press Tab until the focused element matches `selector` (fails after `limit` presses)."""
    for _ in range(limit):
        await page.keyboard.press(key)
        if await page.evaluate("(sel) => document.activeElement && document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"{selector} never received focus after {limit} presses of {key}")


def assert_visible_focus(style: dict[str, Any]) -> None:
    assert style["matchesFocusVisible"], f"{style['tag']} {style['text']!r} is not :focus-visible"
    has_outline = style["outlineStyle"] not in ("none", "hidden") and style["outlineWidth"] >= 2
    has_ring = style["boxShadow"] not in ("none", "")
    assert has_outline or has_ring, f"no visible focus indicator on {style['tag']} {style['text']!r}: {style}"


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
