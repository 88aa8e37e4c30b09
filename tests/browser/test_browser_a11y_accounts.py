"""axe-core (WCAG 2.2 AA) on the foundation pages, in Spanish and English: home, accounts, errors, staff."""

from __future__ import annotations

import re

import pytest

from factories import create_user
from browser_helpers import (
    AxeLog, assert_axe_clean, assert_no_js_errors, axe_violations, describe, goto, sign_in,
)
from portal import mail

pytestmark = pytest.mark.browser
LANGS = ["es", "en"]
HTML_LANG = {"es": "es-CL", "en": "en"}


PUBLIC_PAGES = [
    ("/", 200),
    ("/ingresar", 200),
    ("/cuenta/crear", 200),
    ("/cuenta/recuperar", 200),
    ("/cuenta/verificar", 200),
    ("/cuenta/verificar/token-que-no-vale", 400),
    ("/no-existe-esta-pagina", 404),
]


@pytest.mark.parametrize("lang", LANGS)
async def test_public_pages_are_accessible(page_for, db, lang) -> None:
    page = await page_for(lang, bypass_csp=True)
    log = AxeLog()
    for path, status in PUBLIC_PAGES:
        await goto(page, path, status)
        assert await page.get_attribute("html", "lang") == HTML_LANG[lang], path
        assert await page.locator("h1").count() == 1, f"one h1 per page: {path}"
        await log.check(page, f"{path} [{lang}]")
    log.assert_clean()
    assert_no_js_errors(page)


@pytest.mark.parametrize("lang", LANGS)
async def test_signup_errors_page_is_accessible(page_for, db, lang) -> None:
    """Submitting the sign-up form empty re-renders it (422) with an error summary and field errors."""
    page = await page_for(lang, bypass_csp=True)
    await goto(page, "/cuenta/crear")
    async with page.expect_navigation() as nav:
        await page.click("main form button[type=submit]")
    assert (await nav.value).status == 422
    summary = page.locator(".error-summary")
    await summary.wait_for()
    assert await summary.locator("li").count() >= 3
    # each wrong field names its error through aria-describedby
    name = page.locator("#name")
    assert await name.get_attribute("aria-invalid") == "true"
    assert "name-error" in (await name.get_attribute("aria-describedby") or "")
    await assert_axe_clean(page, f"/cuenta/crear 422 [{lang}]")
    assert_no_js_errors(page)


@pytest.mark.parametrize("lang", LANGS)
async def test_login_errors_and_reset_sent_are_accessible(page_for, db, lang) -> None:
    page = await page_for(lang, bypass_csp=True)
    await goto(page, "/ingresar")
    await page.fill("#email", "nadie@prueba.cl")
    await page.fill("#password", "no-es-la-clave")
    async with page.expect_navigation() as nav:
        await page.click("main form[action='/ingresar'] button[type=submit]")
    assert (await nav.value).status == 422
    assert await page.locator("#password[aria-invalid=true]").count() == 1
    await assert_axe_clean(page, f"/ingresar 422 [{lang}]")

    await goto(page, "/cuenta/recuperar")
    await page.fill("#email", "nadie@prueba.cl")
    async with page.expect_navigation():
        await page.click("main form button[type=submit]")
    await assert_axe_clean(page, f"/cuenta/recuperar sent [{lang}]")
    assert_no_js_errors(page)


@pytest.mark.parametrize("lang", LANGS)
async def test_signed_in_account_and_staff_pages_are_accessible(page_for, db, lang) -> None:
    await create_user(db, "persona@prueba.cl")
    await create_user(db, "admin@prueba.cl", roles=["admin"])
    page = await page_for(lang, bypass_csp=True)
    await sign_in(page, "persona@prueba.cl")
    await goto(page, "/cuenta")
    await assert_axe_clean(page, f"/cuenta [{lang}]")

    staff = await page_for(lang, bypass_csp=True)
    await sign_in(staff, "admin@prueba.cl")
    for path in ("/staff", "/staff/correo", "/staff/auditoria", "/staff/cuentas"):
        await goto(staff, path)
        await assert_axe_clean(staff, f"{path} [{lang}]")
    assert_no_js_errors(page)
    assert_no_js_errors(staff)


async def test_axe_check_reports_real_violations(page_for, db) -> None:
    """The checker itself: a page with known problems must be reported (guards against a silent axe)."""
    page = await page_for("es", bypass_csp=True)
    await goto(page, "/")
    await page.evaluate("""() => {
      const main = document.querySelector('main');
      main.insertAdjacentHTML('beforeend',
        '<img src="/static/none.png"><input type="text" id="sin-etiqueta">' +
        '<p style="color:#bbb;background:#fff">texto de bajo contraste</p>');
    }""")
    violations = {v["id"]: v for v in await axe_violations(page)}
    assert {"image-alt", "label", "color-contrast"} <= set(violations), sorted(violations)
    assert "#sin-etiqueta" in describe(list(violations.values()))
    with pytest.raises(AssertionError, match="image-alt"):
        await assert_axe_clean(page)


@pytest.mark.parametrize("lang", LANGS)
async def test_password_reset_pages_are_accessible_and_work(page_for, db, lang) -> None:
    """Request a reset, open the emailed link, fail once (422), then set a new password and sign in."""
    await create_user(db, "olvido@prueba.cl")
    page = await page_for(lang, bypass_csp=True)
    await goto(page, "/cuenta/recuperar")
    await page.fill("#email", "olvido@prueba.cl")
    async with page.expect_navigation():
        await page.click("main form button[type=submit]")
    body = (await mail.recent(db, to="olvido@prueba.cl"))[0]["body"]
    link = re.search(r"https?://\S+/cuenta/restablecer/\S+", body)
    assert link, body
    await goto(page, link.group(0))
    await assert_axe_clean(page, f"/cuenta/restablecer/… [{lang}]")
    await page.fill("#password", "una-clave-nueva-larga")
    await page.fill("#password_confirm", "otra-clave-distinta")
    async with page.expect_navigation() as nav:
        await page.click("main form button[type=submit]")
    assert (await nav.value).status == 422
    assert await page.locator("#password_confirm[aria-invalid=true]").count() == 1
    await assert_axe_clean(page, f"/cuenta/restablecer/… 422 [{lang}]")
    await page.fill("#password", "una-clave-nueva-larga")
    await page.fill("#password_confirm", "una-clave-nueva-larga")
    async with page.expect_navigation():
        await page.click("main form button[type=submit]")
    assert page.url.endswith("/ingresar")
    await sign_in(page, "olvido@prueba.cl", "una-clave-nueva-larga")
    assert_no_js_errors(page)
