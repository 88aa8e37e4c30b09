"""The help, legal and contact pages in a browser: axe-core clean in Spanish and English, in the
normal, high-contrast and large-text modes; the display modes chosen without JavaScript; the menu of
narrow screens opening without JavaScript; the contact form's errors and thanks."""

from __future__ import annotations

from typing import Any

import pytest

from browser_helpers import AxeLog, assert_no_js_errors, goto, sign_in
from factories import create_user

pytestmark = pytest.mark.browser

PAGES = ["/", "/ayuda", "/accesibilidad", "/privacidad", "/contacto"]
MODES = {"normal": None, "contrast": "contrast-high", "large": "text-large"}


async def _page(new_context: Any, base_url: str, lang: str, mode: str) -> Any:
    context = await new_context(lang, bypass_csp=True)
    if MODES[mode]:
        await context.add_cookies([{"name": "display", "value": MODES[mode], "url": base_url}])
    page = await context.new_page()
    page.errors = context.errors
    return page


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("lang", ["es", "en"])
async def test_help_pages_are_axe_clean(new_context: Any, base_url: str, db: Any, lang: str, mode: str) -> None:
    page = await _page(new_context, base_url, lang, mode)
    log = AxeLog()
    for path in PAGES:
        await goto(page, path)
        await log.check(page, f"{path} [{lang}, {mode}]")
    # the contact form with every field wrong: the summary and the messages beside the fields
    async with page.expect_navigation():
        await page.click("main form button[type=submit]")
    assert await page.locator(".field__error").count() == 4
    await log.check(page, f"/contacto with errors [{lang}, {mode}]")
    log.assert_clean()
    assert_no_js_errors(page)


@pytest.mark.parametrize("mode", ["contrast", "normal"])
async def test_staff_inbox_is_axe_clean(new_context: Any, base_url: str, db: Any, mode: str) -> None:
    await create_user(db, "admin@sermig.cl", roles=["admin"])
    await db.execute("INSERT INTO contact_messages (name, email, topic, message, client_hash) "
                     "VALUES ('Rosa', 'rosa@example.cl', 'privacy', 'Quiero ver mis datos.', repeat('0', 64))")
    page = await _page(new_context, base_url, "es", mode)
    await sign_in(page, "admin@sermig.cl")
    log = AxeLog()
    await goto(page, "/staff/contacto")
    await log.check(page)
    await page.click("main table a")
    await page.wait_for_url("**/staff/contacto/*")
    await log.check(page)
    log.assert_clean()


async def test_display_modes_and_menu_work_without_javascript(browser: Any, base_url: str, db: Any) -> None:
    context = await browser.new_context(base_url=base_url, java_script_enabled=False,
                                        viewport={"width": 360, "height": 740})
    try:
        page = await context.new_page()
        await goto(page, "/ayuda")
        await page.click(".display-switch a[href^='/visualizacion/contraste-alto']")
        await page.wait_for_url("**/ayuda")
        assert "contrast-high" in (await page.get_attribute("html", "class") or "")
        await page.click(".display-switch a[href^='/visualizacion/texto-grande']")
        await page.wait_for_url("**/ayuda")
        assert await page.get_attribute("html", "class") == "contrast-high text-large"
        font = await page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert font == 20, "large text is 125 % of the default 16 px"
        background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(0, 0, 0)"
        await page.click(".display-switch a[href^='/visualizacion/contraste-normal']")
        await page.wait_for_url("**/ayuda")
        assert await page.get_attribute("html", "class") == "text-large"
        # the narrow menu: a details element, closed, opening on a click with no script at all
        await page.click(".display-switch a[href^='/visualizacion/texto-normal']")
        assert not await page.locator(".main-nav").is_visible()
        link = page.locator(".menu-narrow a[href='/organizaciones']")
        assert not await link.is_visible()
        await page.click(".menu-narrow summary")
        assert await link.is_visible()
        header = await page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
        assert header <= 110, f"the header takes {header}px at 360px: at most two rows"
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        await context.close()


async def test_contact_form_thanks_after_sending(page_for: Any, db: Any) -> None:
    page = await page_for("en")
    await goto(page, "/contacto")
    await page.fill("#name", "Rosa Quispe")
    await page.fill("#email", "rosa@example.cl")
    await page.select_option("#topic", "accessibility")
    await page.fill("#message", "The results table is hard to read with my screen reader.")
    async with page.expect_navigation():
        await page.click("main form button[type=submit]")
    assert page.url.endswith("/contacto")
    assert "Thank you. We received your message" in await page.inner_text(".flashes")
    assert await db.fetch_val("SELECT topic FROM contact_messages") == "accessibility"
    assert_no_js_errors(page)
