"""axe-core (WCAG 2.2 AA) over the demo site, in Spanish and English: Sello Migrante, Compromiso Migrante,
public certificates, and the signed-in areas of liaisons, company contacts and staff; and the htmx
filters of the long lists swapping their results in place.

The demo data (`portal.demo.load_all`) gives realistic pages: long lists, every state, charts,
certificates valid, expired and revoked. It is loaded once for this module (the tests here do not
use `db`, which would empty the tables).
"""

from __future__ import annotations

from typing import Any

import pytest

from browser_helpers import AxeLog, assert_no_js_errors, goto, sign_in
from portal import demo

pytestmark = pytest.mark.browser
LANGS = ["es", "en"]


@pytest.fixture(scope="module")
async def site(app: Any, _owner: Any, _tables: list[str], secret: str) -> dict[str, Any]:
    """Empty the tables (as the owner: the app's role may not silence the append-only logs), load the
    demo, and note a few ids to visit."""
    db = app.state.db
    async with _owner.connection() as conn:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")  # the audit log is append-only
            await conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in _tables) + " RESTART IDENTITY CASCADE")
    await demo.load_all(db, secret)  # the browser server's secret: it derives the elections' sealing keys

    async def val(sql: str) -> Any:
        return await db.fetch_val(sql)

    return {
        "sello_cert": await val("SELECT code FROM certificates WHERE kind = 'sello' AND revoked_at IS NULL "
                                "ORDER BY valid_until DESC NULLS LAST LIMIT 1"),
        "sello_expired_cert": await val("SELECT code FROM certificates WHERE kind = 'sello' "
                                        "AND valid_until < current_date LIMIT 1"),
        "compromiso_cert": await val("SELECT code FROM certificates WHERE kind = 'compromiso' LIMIT 1"),
        "revoked_cert": await val("SELECT code FROM certificates WHERE revoked_at IS NOT NULL LIMIT 1"),
        "recognized_company": await val("SELECT company_id FROM compromiso_cycles WHERE status = 'recognized' "
                                        "ORDER BY year DESC, company_id LIMIT 1"),
        "company_cycle": await val("SELECT c.id FROM compromiso_cycles c JOIN compromiso_contacts k "
                                   "ON k.company_id = c.company_id JOIN users u ON u.id = k.user_id "
                                   "WHERE u.email = 'empresa@demo.participa.cl' ORDER BY c.year DESC LIMIT 1"),
        "staff_cycle": await val("SELECT id FROM compromiso_cycles WHERE status IN ('applied', 'in_evaluation') "
                                 "ORDER BY id LIMIT 1"),
        "council_election": await val("SELECT id FROM elections WHERE phase IN ('proclaimed', 'constituted') "
                                      "ORDER BY id DESC LIMIT 1"),
        "open_election": await val("SELECT id FROM elections WHERE phase = 'voting_open' ORDER BY id LIMIT 1"),
        "sello_comuna": await val("SELECT comuna_code FROM sello_adhesions WHERE status = 'certified' LIMIT 1"),
    }


async def visit_all(page: Any, paths: list[str], lang: str) -> None:
    log = AxeLog()
    for path in paths:
        await goto(page, path)
        await log.check(page, f"{path} [{lang}]")
    log.assert_clean()
    assert_no_js_errors(page)


async def demo_page(page_for: Any, lang: str, email: str | None = None) -> Any:
    page = await page_for(lang, bypass_csp=True)
    if email:
        await sign_in(page, email, demo.DEMO_PASSWORD)
    return page


@pytest.mark.parametrize("lang", LANGS)
async def test_sello_public_pages(site, page_for, lang) -> None:
    page = await demo_page(page_for, lang)
    await visit_all(page, ["/sello-migrante", "/sello-migrante?region=05"], lang)


@pytest.mark.parametrize("lang", LANGS)
async def test_compromiso_public_pages(site, page_for, lang) -> None:
    assert site["recognized_company"], "the demo has recognized companies"
    page = await demo_page(page_for, lang)
    await visit_all(page, ["/compromiso-migrante", "/compromiso-migrante/organizaciones",
                           "/compromiso-migrante/organizaciones?region=13",
                           f"/compromiso-migrante/{site['recognized_company']}"], lang)


@pytest.mark.parametrize("lang", LANGS)
async def test_certificate_pages(site, page_for, lang) -> None:
    codes = [site[k] for k in ("sello_cert", "sello_expired_cert", "compromiso_cert", "revoked_cert") if site[k]]
    assert len(codes) >= 3, f"the demo should have sello, compromiso and expired certificates: {site}"
    page = await demo_page(page_for, lang)
    await visit_all(page, ["/certificados"] + [f"/certificados/{c}" for c in codes], lang)
    # an unknown code and a malformed lookup answer with their own accessible pages
    log = AxeLog()
    await goto(page, "/certificados/ZZZZ-ZZZZ-ZZZZ-ZZZZ", (404, 200))
    await log.check(page, f"/certificados/ZZZZ-ZZZZ-ZZZZ-ZZZZ [{lang}]")
    await goto(page, "/certificados")
    await page.fill("main input[name=codigo]", "no es un código")
    async with page.expect_navigation():
        await page.press("main input[name=codigo]", "Enter")
    await log.check(page, f"/certificados lookup with a bad code [{lang}]")
    log.assert_clean()


@pytest.mark.parametrize("lang", LANGS)
async def test_liaison_and_company_areas(site, page_for, lang) -> None:
    liaison = await demo_page(page_for, lang, "enlace@demo.participa.cl")
    await visit_all(liaison, ["/mi-municipalidad", "/mi-municipalidad/evaluacion"], lang)
    company = await demo_page(page_for, lang, "empresa@demo.participa.cl")
    await visit_all(company, ["/mi-empresa", f"/mi-empresa/ciclos/{site['company_cycle']}"], lang)


@pytest.mark.parametrize("lang", LANGS)
async def test_sello_and_compromiso_back_office(site, page_for, lang) -> None:
    sello = await demo_page(page_for, lang, "sello@demo.participa.cl")
    await visit_all(sello, ["/staff/sello", f"/staff/sello/{site['sello_comuna']}"], lang)
    staff = await demo_page(page_for, lang, "compromiso@demo.participa.cl")
    await visit_all(staff, ["/staff/compromiso", f"/staff/compromiso/ciclos/{site['staff_cycle']}",
                            f"/staff/compromiso/organizaciones/{site['recognized_company']}",
                            "/staff/compromiso/organizaciones/nueva"], lang)


@pytest.mark.parametrize("lang", LANGS)
async def test_registry_and_elections_with_demo_data(site, page_for, lang) -> None:
    """Long real lists (the pages with few rows are covered with factory data elsewhere): the registry with
    every state, a constituted council with its results, an election open now, the reviewer's queue."""
    done, now = site["council_election"], site["open_election"]
    assert done and now, f"the demo has a proclaimed election and one open for voting: {site}"
    page = await demo_page(page_for, lang)
    await visit_all(page, ["/organizaciones", f"/elecciones/{done}/resultados", "/consejo", f"/elecciones/{now}"],
                    lang)
    reviewer = await demo_page(page_for, lang, "revisor@demo.participa.cl")
    await visit_all(reviewer, ["/staff/registro?status=approved"], lang)


async def filter_swaps(page: Any, path: str, select: str, value: str, target: str, param: str) -> None:
    """Changing a filter select fetches through htmx, swaps only `target`, and pushes the URL."""
    await goto(page, path)
    before = await page.inner_text(target)
    await page.evaluate("window.__sameDocument = true")
    async with page.expect_response(lambda r: f"{param}={value}" in r.url) as info:
        await page.select_option(select, value)
    assert (await info.value).request.headers.get("hx-request") == "true", f"{path}: the filter did not use htmx"
    await page.wait_for_url(f"**{param}={value}*")
    await page.wait_for_function("([sel, old]) => document.querySelector(sel).innerText !== old",
                                 arg=[target, before])
    assert await page.evaluate("window.__sameDocument === true"), f"{path}: the filter reloaded the page"
    assert await page.locator("h1").count() == 1, f"{path}: the swap nested a whole page"


async def test_filters_swap_results_in_place(site, page_for) -> None:
    page = await demo_page(page_for, "es")
    await filter_swaps(page, "/sello-migrante", "#region", "05", "#sello-list", "region")
    await filter_swaps(page, "/compromiso-migrante/organizaciones", "#region", "13", "#directory-rows", "region")
    await filter_swaps(page, "/organizaciones", "#category", "C", "#resultados", "category")
    reviewer = await demo_page(page_for, "es", "revisor@demo.participa.cl")
    await filter_swaps(reviewer, "/staff/registro", "main select[name=status]", "approved", "#cola", "status")
    assert_no_js_errors(page)
    assert_no_js_errors(reviewer)
