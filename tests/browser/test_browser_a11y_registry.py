"""axe-core (WCAG 2.2 AA) on the registry's public pages and forms, in Spanish and English."""

from __future__ import annotations

from datetime import date

import pytest

from factories import create_org, create_rep, create_user
from browser_helpers import assert_axe_clean, assert_no_js_errors, goto, sign_in

pytestmark = pytest.mark.browser
LANGS = ["es", "en"]


async def some_organizations(db) -> list[int]:
    """A few public organizations in two regions, one expired."""
    return [
        await create_org(db, name="Colectivo Migrante de Valparaíso", category="A", region="05", comuna="05101",
                         description="Acompañamos a familias migrantes en su regularización y acceso a salud."),
        await create_org(db, name="Fundación Puentes Interculturales", category="B", region="13", comuna="13101",
                         description="Educación intercultural para niñas y niños migrantes en Santiago."),
        await create_org(db, name="Centro de Estudios Migratorios del Norte", category="C", region="02",
                         comuna="02101", description="Investigación sobre movilidad humana en la macrozona norte."),
        await create_org(db, name="Asociación de Trabajadoras Migrantes", category="A", region="13", comuna="13101",
                         vigencia_expires_on=date(2020, 1, 1),
                         description="Defensa de los derechos laborales de trabajadoras migrantes."),
    ]


@pytest.mark.parametrize("lang", LANGS)
async def test_public_registry_pages_are_accessible(page_for, db, lang) -> None:
    ids = await some_organizations(db)
    page = await page_for(lang, bypass_csp=True)
    await goto(page, "/organizaciones")
    assert await page.locator(".registry-item").count() == len(ids)
    await assert_axe_clean(page, f"/organizaciones [{lang}]")

    await goto(page, "/organizaciones?q=migrante&region=13")
    assert 1 <= await page.locator(".registry-item").count() < len(ids)
    await assert_axe_clean(page, f"/organizaciones?q=migrante&region=13 [{lang}]")

    await goto(page, "/organizaciones?q=palabraquenoexiste")
    assert await page.locator(".registry-item").count() == 0
    await assert_axe_clean(page, f"/organizaciones (no results) [{lang}]")

    for org_id in (ids[0], ids[3]):  # an approved one and an expired one
        await goto(page, f"/organizaciones/{org_id}")
        await assert_axe_clean(page, f"/organizaciones/{org_id} [{lang}]")

    await goto(page, "/organizaciones/999999", 404)
    await assert_axe_clean(page, f"/organizaciones/999999 404 [{lang}]")

    await goto(page, "/datos")
    await assert_axe_clean(page, f"/datos [{lang}]")
    assert_no_js_errors(page)


@pytest.mark.parametrize("lang", LANGS)
async def test_registration_form_is_accessible_empty_and_with_errors(page_for, db, lang) -> None:
    await create_user(db, "nueva@prueba.cl")
    page = await page_for(lang, bypass_csp=True)
    await sign_in(page, "nueva@prueba.cl")
    await goto(page, "/mi-organizacion/inscribir")
    await assert_axe_clean(page, f"/mi-organizacion/inscribir [{lang}]")
    async with page.expect_navigation() as nav:
        await page.click("main form[action='/mi-organizacion/inscribir'] button[type=submit]")
    assert (await nav.value).status == 422
    assert await page.locator(".error-summary li").count() >= 5
    await assert_axe_clean(page, f"/mi-organizacion/inscribir 422 [{lang}]")
    assert_no_js_errors(page)


@pytest.mark.parametrize("lang", LANGS)
async def test_representative_and_reviewer_pages_are_accessible(page_for, db, lang) -> None:
    _, org_id, email = await create_rep(db, status="submitted")
    await create_user(db, "revisora@prueba.cl", roles=["reviewer"])
    rep = await page_for(lang, bypass_csp=True)
    await sign_in(rep, email)
    for path in ("/mi-organizacion", "/mi-organizacion/documentos"):
        await goto(rep, path)
        await assert_axe_clean(rep, f"{path} [{lang}]")

    # a registered organization's own forms: edit, renewal, category change, withdrawal, certificate
    _, _approved, approved_email = await create_rep(db, status="approved")
    registered = await page_for(lang, bypass_csp=True)
    await sign_in(registered, approved_email)
    for path in ("/mi-organizacion", "/mi-organizacion/editar", "/mi-organizacion/renovar",
                 "/mi-organizacion/categoria", "/mi-organizacion/retirar", "/mi-organizacion/certificado"):
        await goto(registered, path)
        await assert_axe_clean(registered, f"{path} (registered) [{lang}]")

    staff = await page_for(lang, bypass_csp=True)
    await sign_in(staff, "revisora@prueba.cl")
    for path in ("/staff/registro", f"/staff/registro/{org_id}"):
        await goto(staff, path)
        await assert_axe_clean(staff, f"{path} [{lang}]")
    for p in (rep, registered, staff):
        assert_no_js_errors(p)
