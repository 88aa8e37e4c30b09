"""The reminders' pages in a browser, axe-core clean in Spanish and English: the person's choices
(/cuenta/recordatorios), the unsubscribe page reached from an email without signing in, and the
staff schedule (/staff/recordatorios)."""

from __future__ import annotations

from typing import Any

import pytest

from browser_helpers import AxeLog, assert_no_js_errors, goto, sign_in
from factories import create_user
from portal.reminders import service

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_reminder_pages_are_axe_clean(new_context: Any, base_url: str, settings: Any, db: Any,
                                            lang: str) -> None:
    person = await create_user(db, "persona@ejemplo.cl")
    await create_user(db, "admin@sermig.cl", roles=["admin"])
    log = AxeLog()
    context = await new_context(lang, bypass_csp=True)
    page = await context.new_page()
    page.errors = context.errors
    # from the email, signed out: the one-click page and its confirmation
    link = service.unsubscribe_url(settings, person, "registry_vigencia").split("/recordatorios/", 1)[1]
    await goto(page, "/recordatorios/" + link)
    await log.check(page, f"unsubscribe [{lang}]")
    async with page.expect_navigation():
        await page.click("main form button[type=submit]")
    await log.check(page, f"unsubscribed [{lang}]")
    # the person's own choices
    await sign_in(page, "persona@ejemplo.cl")
    await goto(page, "/cuenta/recordatorios")
    assert await page.locator("main input[type=checkbox]").count() > 0
    await log.check(page, f"/cuenta/recordatorios [{lang}]")
    assert_no_js_errors(page)
    # staff: the schedule
    staff_context = await new_context(lang, bypass_csp=True)
    staff = await staff_context.new_page()
    staff.errors = staff_context.errors
    await sign_in(staff, "admin@sermig.cl")
    await goto(staff, "/staff/recordatorios")
    await log.check(staff, f"/staff/recordatorios [{lang}]")
    log.assert_clean()
    assert_no_js_errors(staff)
