"""The registry end to end in a real browser (issue 2): sign-up → registration with htmx comunas →
PDF uploads → submission → a reviewer approves → the organization is found by the public search;
and the search-as-you-type swapping results in place."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from factories import create_org, create_user, next_rut
from browser_helpers import assert_no_js_errors, goto, sign_in, sign_up_and_verify, small_pdf
from portal import rut

pytestmark = pytest.mark.browser
NAME = "Red de Mujeres Migrantes del Biobío"


async def comunas_of(db: Any, region: str) -> set[str]:
    rows = await db.fetch_all("SELECT code FROM comunas WHERE region_code = :r", {"r": region})
    return {r["code"] for r in rows}


async def comuna_select_codes(page: Any) -> list[str]:
    return await page.eval_on_selector_all("#comuna_code option", "os => os.map(o => o.value).filter(Boolean)")


async def mark_document(page: Any) -> None:
    """A flag on window that survives htmx swaps and disappears on a full page load."""
    await page.evaluate("window.__sameDocument = true")


async def same_document(page: Any) -> bool:
    return bool(await page.evaluate("window.__sameDocument === true"))


async def fill_registration(page: Any, db: Any, org_rut: str) -> None:
    await page.fill("#rut", org_rut)
    await page.fill("#legal_name", NAME)
    await page.fill("#short_name", "RMMB")
    await page.select_option("#legal_form", "asociacion")
    await page.check("input[name=category][value=B]")

    # Without a region the comuna select lists every comuna (grouped); choosing the region swaps in its own.
    assert await page.locator("#comuna_code optgroup").count() == 16
    await mark_document(page)
    async with page.expect_response(lambda r: "/territorio/comunas" in r.url):
        await page.select_option("#region_code", "08")
    await page.wait_for_function("() => !document.querySelector('#comuna_code optgroup')")
    assert set(await comuna_select_codes(page)) == await comunas_of(db, "08")
    # and another region replaces them again, without leaving the page
    async with page.expect_response(lambda r: "/territorio/comunas" in r.url):
        await page.select_option("#region_code", "05")
    await page.wait_for_function("() => document.querySelector('#comuna_code option[value=\"05101\"]')")
    assert set(await comuna_select_codes(page)) == await comunas_of(db, "05")
    async with page.expect_response(lambda r: "/territorio/comunas" in r.url):
        await page.select_option("#region_code", "08")
    await page.wait_for_function("() => document.querySelector('#comuna_code option[value=\"08101\"]')")
    assert set(await comuna_select_codes(page)) == await comunas_of(db, "08")
    assert await same_document(page), "choosing a region reloaded the whole page"
    await page.select_option("#comuna_code", "08101")

    await page.fill("#address", "Avenida O'Higgins 1234, Concepción")
    await page.fill("#public_email", "contacto@rmmb.cl")
    await page.fill("#phone", "+56 41 234 5678")
    await page.fill("#description", "Acompañamos a mujeres migrantes del Biobío en regularización, trabajo y salud.")
    await page.check("input[name=areas][value=regularizacion]")
    await page.check("input[name=areas][value=genero]")
    await page.fill("#founded_on", "2016-05-20")
    await page.fill("#members", "45")
    # the legal representative is prefilled from the account
    assert await page.input_value("#legal_rep_name") == "Rosa Inés Quispe"
    assert rut.is_valid(await page.input_value("#legal_rep_run"))


async def upload(page: Any, kind: str, issued_on: date | None = None) -> None:
    await page.select_option("#kind", kind)
    if issued_on:
        await page.fill("#issued_on", issued_on.isoformat())
    await page.set_input_files("#file", files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf",
                                                "buffer": small_pdf(f"{kind} - {NAME}")}])
    # htmx sends the upload (for its progress bar) and swaps the next page in: no full navigation
    await page.evaluate("document.querySelector('main').dataset.old = '1'")
    async with page.expect_response(lambda r: r.request.method == "POST") as sent:
        await page.click("main form[action='/mi-organizacion/documentos'] button[type=submit]")
    assert (await sent.value).status == 303
    await page.locator("main:not([data-old])").wait_for(state="attached")
    assert page.url.endswith("/mi-organizacion/documentos")
    assert await page.locator(".flashes .alert").count() == 1, f"no confirmation after uploading {kind}"


async def test_register_submit_approve_and_find(page_for, db) -> None:
    page = await page_for("es")
    await sign_up_and_verify(page, db, "rosa.quispe@rmmb.cl")

    await goto(page, "/mi-organizacion/inscribir")
    await fill_registration(page, db, rut.display(next_rut(65_000_000)))
    async with page.expect_navigation():
        await page.click("main form[action='/mi-organizacion/inscribir'] button[type=submit]")
    assert page.url.endswith("/mi-organizacion"), f"registration form not accepted: {page.url}"
    assert await page.inner_text("h1") == NAME

    await goto(page, "/mi-organizacion/documentos")
    await upload(page, "vigencia", date.today() - timedelta(days=5))
    await upload(page, "estatutos")
    await upload(page, "directorio")
    assert await page.locator("main table tbody tr").count() == 3

    await goto(page, "/mi-organizacion")
    async with page.expect_navigation():
        await page.click("form[action='/mi-organizacion/enviar'] button")
    assert await page.locator(".flashes .alert").count() == 1
    assert await page.locator(".status--submitted").count() >= 1

    # Not public yet.
    visitor = await page_for("es")
    await goto(visitor, "/organizaciones?q=Biob%C3%ADo")
    assert await visitor.locator(".registry-item").count() == 0

    await create_user(db, "revisora@prueba.cl", name="Rebeca Revisora", roles=["reviewer"])
    staff = await page_for("es")
    await sign_in(staff, "revisora@prueba.cl")
    await goto(staff, "/staff/registro")
    async with staff.expect_navigation():
        await staff.click(f"main a:has-text('{NAME}')")
    async with staff.expect_navigation():
        await staff.click("form[action$='/tomar'] button")
    async with staff.expect_navigation():
        await staff.click("form[action$='/aprobar'] button")
    assert await staff.locator(".status--approved").count() >= 1

    # The public search finds it (accent-insensitive), typed as a person would.
    await goto(visitor, "/organizaciones")
    await mark_document(visitor)
    await visitor.locator("#q").press_sequentially("mujeres biobio", delay=40)
    await visitor.wait_for_function("() => document.querySelectorAll('.registry-item').length === 1")
    assert NAME in await visitor.inner_text(".registry-item")
    assert await same_document(visitor)
    async with visitor.expect_navigation():
        await visitor.click(f".registry-item a:has-text('{NAME}')")
    assert "Concepción" in await visitor.inner_text("main")
    for p in (page, visitor, staff):
        assert_no_js_errors(p)


async def test_search_as_you_type_swaps_results_and_updates_the_url(page_for, db) -> None:
    await create_org(db, name="Fundación Puentes Interculturales", category="B", region="13", comuna="13101")
    await create_org(db, name="Colectivo Migrante de Valparaíso", category="A", region="05", comuna="05101")
    await create_org(db, name="Centro de Estudios Migratorios", category="C", region="02", comuna="02101")
    page = await page_for("en")
    await goto(page, "/organizaciones")
    assert await page.locator(".registry-item").count() == 3
    await mark_document(page)

    async with page.expect_response(lambda r: "/organizaciones?" in r.url and "q=puentes" in r.url) as info:
        await page.locator("#q").press_sequentially("puentes", delay=30)
    response = await info.value
    assert response.request.headers.get("hx-request") == "true", "the search did not go through htmx"
    await page.wait_for_function("() => document.querySelectorAll('.registry-item').length === 1")
    assert "Puentes" in await page.inner_text("#resultados")
    await page.wait_for_url("**/organizaciones?*q=puentes*")
    assert page.url.endswith("/organizaciones?q=puentes"), f"empty filters in the pushed URL: {page.url}"
    assert await same_document(page), "typing caused a full page load"
    # the swap replaced only the results: the person can keep typing where they were
    assert await page.evaluate("() => document.activeElement.id") == "q"
    assert await page.input_value("#q") == "puentes"
    # the page around the results stayed: one h1, one search form
    assert await page.locator("h1").count() == 1 and await page.locator("form[role=search]").count() == 1

    # clearing the box brings everything back; a filter change swaps too
    await page.fill("#q", "")
    await page.dispatch_event("#q", "input")
    await page.wait_for_function("() => document.querySelectorAll('.registry-item').length === 3")
    async with page.expect_response(lambda r: "region=05" in r.url):
        await page.select_option("#region", "05")
    await page.wait_for_function("() => document.querySelectorAll('.registry-item').length === 1")
    assert "Valparaíso" in await page.inner_text("#resultados")
    await page.wait_for_url("**region=05*")
    assert page.url.endswith("/organizaciones?region=05"), page.url
    assert await same_document(page)

    # back restores the earlier URL and its results (htmx history restore, cache size 0 → refetch)
    await page.go_back()
    await page.wait_for_function("() => !location.search.includes('region=05')")
    assert_no_js_errors(page)


async def test_search_works_without_javascript(browser, base_url, db) -> None:
    """The same form submitted with JavaScript off: a normal GET with the results."""
    await create_org(db, name="Fundación Puentes Interculturales", category="B", region="13", comuna="13101")
    await create_org(db, name="Colectivo Migrante de Valparaíso", category="A", region="05", comuna="05101")
    context = await browser.new_context(base_url=base_url, java_script_enabled=False)
    try:
        page = await context.new_page()
        await goto(page, "/organizaciones")
        await page.fill("#q", "valparaiso")
        async with page.expect_navigation():
            await page.click("form[role=search] button[type=submit]")
        assert "q=valparaiso" in page.url
        assert await page.locator(".registry-item").count() == 1
    finally:
        await context.close()


async def test_public_filter_comunas_follow_the_region(page_for, db) -> None:
    await create_org(db, name="Fundación Puentes Interculturales", category="B", region="13", comuna="13101")
    page = await page_for("es")
    await goto(page, "/organizaciones?region=05")
    assert set(await page.eval_on_selector_all("#comuna option", "os => os.map(o => o.value).filter(Boolean)")) \
        == await comunas_of(db, "05")
    async with page.expect_response(lambda r: "region=13" in r.url):
        await page.select_option("#region", "13")
    await page.wait_for_timeout(300)  # let any follow-up swap of the comuna select land
    shown = set(await page.eval_on_selector_all("#comuna option", "os => os.map(o => o.value).filter(Boolean)"))
    assert shown == await comunas_of(db, "13"), "the comuna select still lists the previous region's comunas"
