"""The council in a browser: a session from convocation to final acta by the secretariat, a councillor's
comment, the public pages axe-clean in Spanish and English, and screenshots at 360 and 1280 px."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from browser_helpers import AxeLog, assert_no_js_errors, goto, sign_in, small_pdf
from factories import create_user

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "council"))
import council_world

from portal import clock

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")


async def _new_session(page: Any, days: int) -> str:
    await goto(page, "/staff/consejo")
    await page.check("#kind-1")
    await page.fill("#day", (clock.today() + timedelta(days=days)).isoformat())
    await page.fill("#hour", "18:30")
    await page.fill("#place", "Sala del consejo, Santiago")
    async with page.expect_navigation():
        await page.click("form[action='/staff/consejo/sesiones'] button[type=submit]")
    assert "/staff/consejo/sesiones/" in page.url
    return str(page.url).split("/staff/consejo/sesiones/")[1]


async def _click(page: Any, selector: str) -> None:
    async with page.expect_navigation():
        await page.click(selector)


async def _convene_and_open(page: Any, tmp_path: Path, present: list[int], others: list[int]) -> None:
    pdf = tmp_path / "tabla.pdf"
    pdf.write_bytes(small_pdf("Tabla"))
    await page.fill("#title", "Cuenta de la secretaría")
    await page.set_input_files("#file", str(pdf))
    await _click(page, "form[action$='/puntos'] button[type=submit]")
    await _click(page, "form[action$='/convocar'] button")
    await _click(page, "form[action$='/abrir'] button")
    for m in present:
        await page.select_option(f"#att-{m}", "present")
    for m in others:
        await page.select_option(f"#att-{m}", "excused")
    await _click(page, "form[action$='/asistencia'] button[type=submit]")


async def test_session_from_convocation_to_final_acta(new_context: Any, db: Any, tmp_path: Path) -> None:
    world = await council_world.build(db)
    await create_user(db, "secretaria@consejo.cl", roles=["council_secretary"])
    context = await new_context("es", bypass_csp=True)
    page = await context.new_page()
    page.errors = context.errors
    log = AxeLog()
    await sign_in(page, "secretaria@consejo.cl", next_path="/staff/consejo")
    m = world.members
    first = await _new_session(page, 5)
    await log.check(page, "staff session (draft)")
    await _convene_and_open(page, tmp_path, m[:12], m[12:])
    assert "Hay quórum." in await page.inner_text("#quorum")
    await log.check(page, "staff session (in progress)")
    await page.fill("#text", "Solicitar un informe sobre los tiempos de tramitación.")
    for field, value in (("#votes_for", "9"), ("#votes_against", "2"), ("#votes_abstain", "1")):
        await page.fill(field, value)
    await _click(page, "form[action$='/acuerdos'] button[type=submit]")
    await _click(page, "form[action$='/cerrar'] button")
    await page.fill("#body", "En Santiago se abre la sesión.\nSe acuerda solicitar un informe.")
    await _click(page, "form[action$='/acta'] button[type=submit]")
    await _click(page, "form[action$='/acta/circular'] button[type=submit]")
    await log.check(page, "staff session (closed, acta circulated)")

    councillor = await (await new_context("es", bypass_csp=True)).new_page()
    await sign_in(councillor, world.emails[m[0]], next_path="/mi-consejo")
    await goto(councillor, "/mi-consejo")
    await log.check(councillor, "/mi-consejo")
    await councillor.check("input[name=kind][value=amendment]")
    await councillor.fill("textarea[name=body]", "Agregar la hora de término.")
    await _click(councillor, "main form button[type=submit]")
    assert "Observación enviada" in await councillor.inner_text("main")

    await _new_session(page, 12)
    await _convene_and_open(page, tmp_path, m[:11], m[11:])
    for field, value in (("#approve_for", "10"), ("#approve_against", "0"), ("#approve_abstain", "1")):
        await page.fill(field, value)
    await _click(page, "form[action$='/aprobar-acta'] button[type=submit]")
    assert "Acta aprobada" in await page.inner_text("main")

    public = await (await new_context("es", bypass_csp=True)).new_page()
    for lang in ("es", "en"):
        ctx = await new_context(lang, bypass_csp=True)
        public = await ctx.new_page()
        for path in ("/consejo", f"/consejo/sesiones/{first}"):
            await goto(public, path)
            await log.check(public, f"{path} [{lang}]")
    sha = await db.fetch_val("SELECT sha256 FROM council_actas WHERE status = 'final'")
    assert sha in await public.inner_text("main")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shooter = await (await new_context("es")).new_page()
    for width in (360, 1280):
        await shooter.set_viewport_size({"width": width, "height": 900})
        for name, path in (("consejo", "/consejo"), ("sesion", f"/consejo/sesiones/{first}")):
            await goto(shooter, path)
            await shooter.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    log.assert_clean()
    assert_no_js_errors(page)


async def test_council_rules_form_is_accessible_with_and_without_errors(new_context: Any, db: Any) -> None:
    """The secretariat's rules form, in Spanish and English: as shown, refused (422 beside each field),
    then saved; axe-clean each time, and the public page states the new rule."""
    await council_world.build(db)
    await create_user(db, "secretaria@consejo.cl", roles=["council_secretary"])
    log = AxeLog()
    for lang, quorum in (("es", "50"), ("en", "60")):
        context = await new_context(lang, bypass_csp=True)
        page = await context.new_page()
        page.errors = context.errors
        await sign_in(page, "secretaria@consejo.cl", next_path="/staff/consejo/reglas")
        await goto(page, "/staff/consejo/reglas")
        await log.check(page, f"/staff/consejo/reglas [{lang}]")
        await page.fill("#quorum_percent", "150")
        await page.fill("#absence_limit", "")
        async with page.expect_navigation() as nav:
            await page.click("form[action='/staff/consejo/reglas'] button[type=submit]")
        assert (await nav.value).status == 422
        assert await page.input_value("#quorum_percent") == "150", "the typed value is kept"
        assert await page.locator("#quorum_percent-error").count() == 1 and await page.locator("#absence_limit-error").count() == 1
        await log.check(page, f"/staff/consejo/reglas refused [{lang}]")
        await page.fill("#quorum_percent", quorum)
        await page.fill("#absence_limit", "3")
        await _click(page, "form[action='/staff/consejo/reglas'] button[type=submit]")
        await log.check(page, f"/staff/consejo/reglas saved [{lang}]")
        assert_no_js_errors(page)
    public = await (await new_context("es", bypass_csp=True)).new_page()
    await goto(public, "/consejo")
    assert "más del 60 % de los miembros en ejercicio" in await public.inner_text("main")
    log.assert_clean()
