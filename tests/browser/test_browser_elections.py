"""COSOC elections in a real browser (issue 4): a representative votes with the keyboard only, from
sign-in to the receipt; axe on every election page, before and after the count, in Spanish and English."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from browser_elections_setup import build_open_election, end_results_claims, end_voting_window, play_trustees
from factories import TEST_PASSWORD, create_user
from browser_helpers import (
    FOCUS_STYLE, AxeLog, assert_no_js_errors, assert_visible_focus, goto, sign_in, tab_to,
)
from portal import mail
from portal.elections_web import vote

pytestmark = pytest.mark.browser
LANGS = ["es", "en"]


async def focused(page: Any, selector: str) -> bool:
    return bool(await page.evaluate("(s) => document.activeElement.matches(s)", selector))


async def press_and_wait(page: Any, key: str) -> None:
    """Press a key that submits a form or follows a link, and wait for the new page."""
    async with page.expect_navigation():
        await page.keyboard.press(key)


@pytest.mark.parametrize("lang", LANGS)
async def test_representative_votes_with_the_keyboard_only(page_for, db, secret, lang) -> None:
    """No clicks: Tab, Shift+Tab, Space and Enter from the sign-in form to the receipt; axe at each step."""
    election = await build_open_election(db, secret)
    _user, _org, email = election.reps["A"][2]  # a voter whose organization has no candidate of its own
    wanted = election.candidates["A"][1]
    page = await page_for(lang, bypass_csp=True)
    log = AxeLog()

    await goto(page, f"/ingresar?next=/elecciones/{election.id}")
    await tab_to(page, "#email")
    await page.keyboard.type(email)
    await page.keyboard.press("Tab")
    assert await focused(page, "#password"), "Tab from the email goes to the password"
    await page.keyboard.type(TEST_PASSWORD)
    await press_and_wait(page, "Enter")
    assert page.url.endswith(f"/elecciones/{election.id}"), f"sign-in did not return to the election: {page.url}"
    await log.check(page, f"/elecciones/{election.id} as a voter [{lang}]")

    await tab_to(page, f"main a[href='/elecciones/{election.id}/votar']")
    assert_visible_focus(await page.evaluate(FOCUS_STYLE))
    await press_and_wait(page, "Enter")
    assert page.url.endswith(f"/elecciones/{election.id}/votar")
    await log.check(page, f"/elecciones/{election.id}/votar [{lang}]")

    # Into the radio group: nothing chosen yet, so Tab lands on the first option; Space chooses.
    await tab_to(page, "input[name=choice]")
    assert_visible_focus(await page.evaluate(FOCUS_STYLE))
    first = await page.evaluate("() => document.activeElement.value")
    await page.keyboard.press("Space")
    assert await page.is_checked(f"input[name=choice][value='{first}']")
    # Move to the wanted candidate within the group (arrow keys are how radio groups work).
    for _ in range(6):
        if await page.evaluate("() => document.activeElement.value") == str(wanted):
            break
        await page.keyboard.press("ArrowDown")
    assert await page.is_checked(f"#choice-{wanted}"), "could not choose the candidate with the keyboard"
    # Tab out to the button, Shift+Tab back: focus returns to the chosen option, still chosen.
    await tab_to(page, "main form button[type=submit]")
    assert_visible_focus(await page.evaluate(FOCUS_STYLE))
    await page.keyboard.press("Shift+Tab")
    assert await focused(page, f"#choice-{wanted}"), "Shift+Tab should return to the chosen option"
    await page.keyboard.press("Tab")
    assert await focused(page, "main form button[type=submit]")
    await press_and_wait(page, "Enter")

    # Confirmation: names the choice; Enter on «Emitir el voto» casts it.
    assert "Jean-Pierre Louis" in await page.inner_text("main")
    await log.check(page, f"/elecciones/{election.id}/votar confirmation [{lang}]")
    await tab_to(page, "main form button[type=submit]")
    assert_visible_focus(await page.evaluate(FOCUS_STYLE))
    async with page.expect_navigation() as nav:
        await page.keyboard.press("Enter")

    # The receipt is the answer to the vote's POST itself, never stored, never cached (docs/ballot-secrecy.md).
    cast = await nav.value
    assert cast.status == 200 and cast.request.method == "POST", (cast.status, cast.request.method)
    assert "no-store" in (await cast.all_headers()).get("cache-control", ""), "the receipt must not be cached"
    assert page.url.endswith(f"/elecciones/{election.id}/votar"), page.url
    code = await page.get_attribute(".tracking-code code", "data-code") or ""
    shown = (await page.inner_text(".tracking-code code")).strip()
    assert re.fullmatch(r"[0-9a-f]{64}", code), f"no tracking code on the receipt: {code!r}"
    assert re.fullmatch(r"[0-9a-f]{4}( [0-9a-f]{4})*", shown), f"the code is not shown in groups of 4: {shown!r}"
    assert shown.replace(" ", "") == code
    await log.check(page, f"/elecciones/{election.id}/votar receipt [{lang}]")
    # Ballot secrecy: with no mail server the message waits in the outbox, so it must not hold the code.
    sent = await mail.recent(db, to=email)
    assert sent, "the voter is told by email that the vote was recorded"
    assert not any(code in m["body"] for m in sent), "the tracking code must not rest in the outbox"

    # The printable receipt, asked for from the receipt: the grouped code and its QR code, never cached.
    async with page.expect_navigation() as nav:
        await page.click("form[action$='/comprobante/imprimir'] button:not([formaction])")
    printable = await nav.value
    assert printable.status == 200 and "no-store" in (await printable.all_headers()).get("cache-control", "")
    assert await page.locator(".receipt__qr svg").count() == 1, "the printable receipt has the QR code"
    assert (await page.inner_text(".tracking-code code")).strip() == shown
    await log.check(page, f"/elecciones/{election.id}/comprobante/imprimir [{lang}]")

    # A second visit to the ballot explains that the organization already voted.
    await goto(page, f"/elecciones/{election.id}/votar")
    assert await page.locator("main form input[name=choice]").count() == 0
    assert await page.locator("main [role=alert]").count() == 1
    await log.check(page, f"/elecciones/{election.id}/votar after voting [{lang}]")
    log.assert_clean()
    assert_no_js_errors(page)


async def test_election_pages_are_accessible_through_count_and_proclamation(page_for, db, secret) -> None:
    """One election taken through the count and the proclamation; every page checked in both languages."""
    election = await build_open_election(db, secret)
    codes = []
    for cat in "ABC":
        for i, (_u, org_id, _e) in enumerate(election.reps[cat]):
            choice = None if i == 2 else election.candidates[cat][i % 2]
            codes.append((await vote.cast_vote(db, election.id, org_id, choice, secret=secret)).tracking_code)
    await create_user(db, "elecciones@prueba.cl", roles=["election_officer"])
    await create_user(db, "ministra@prueba.cl", roles=["ministro_de_fe"])
    eid = election.id
    await _give_a_photo(db, election.candidates["A"][0])  # the candidate cards with and without a photo
    log = AxeLog()
    visitors = {lang: await page_for(lang, bypass_csp=True) for lang in LANGS}
    officers = {lang: await page_for(lang, bypass_csp=True) for lang in LANGS}
    for officer in officers.values():
        await sign_in(officer, "elecciones@prueba.cl")

    async def check(pages: dict[str, Any], path: str, stage: str, status: Any = 200) -> None:
        for lang, page in pages.items():
            await goto(page, path, status)
            await log.check(page, f"{path} {stage} [{lang}]")

    for path in ("/elecciones", f"/elecciones/{eid}", f"/elecciones/{eid}/participacion", f"/elecciones/{eid}/padron",
                 f"/elecciones/{eid}/resultados", "/consejo"):
        await check(visitors, path, "during voting")
    await check(officers, "/staff/elecciones", "during voting")

    await end_voting_window(db, eid)
    await check(officers, f"/staff/elecciones/{eid}", "voting window ended")
    officer = officers["es"]
    async with officer.expect_navigation():
        await officer.click("form[action$='/fase'] button")
    await play_trustees(db, election)  # each trustee's step, uploaded after the close: the count needs them
    await goto(officer, f"/staff/elecciones/{eid}")
    async with officer.expect_navigation():
        await officer.click("form[action$='/escrutinio'] button")
    assert await officer.locator("form[action$='/escrutinio']").count() == 0, "the count did not run"
    for path in (f"/staff/elecciones/{eid}", f"/staff/elecciones/{eid}/padron", f"/staff/elecciones/{eid}/candidaturas",
                 f"/staff/elecciones/{eid}/sorteo"):
        await check(officers, path, "tallied")

    await check(visitors, f"/elecciones/{eid}/resultados", "tallied")
    assert "Yolanda Mamani" in await visitors["es"].inner_text("main")
    await check(visitors, f"/elecciones/{eid}/recibo?codigo={codes[0]}", "found")
    assert await visitors["en"].input_value("main input[name=codigo]") == codes[0]
    assert "Yolanda Mamani" in await visitors["en"].inner_text("main"), "the found ballot shows its content"
    await check(visitors, f"/elecciones/{eid}/recibo?codigo={'0' * 64}", "unknown code", (200, 404))
    await check(visitors, f"/elecciones/{eid}/recibo?codigo=no-es-un-codigo", "malformed code", 422)
    assert await visitors["es"].locator("main input[name=codigo][aria-invalid=true]").count() == 1

    await end_results_claims(db, eid)
    ministra = await page_for("es", bypass_csp=True)
    await sign_in(ministra, "ministra@prueba.cl")
    await goto(ministra, f"/staff/elecciones/{eid}")
    async with ministra.expect_navigation():
        await ministra.click("form[action$='/proclamar'] button")
    assert await ministra.locator("form[action$='/proclamar']").count() == 0, "the proclamation was refused"
    await log.check(ministra, f"/staff/elecciones/{eid} proclaimed [es]")
    for path in (f"/elecciones/{eid}", f"/elecciones/{eid}/resultados", f"/elecciones/{eid}/acta", "/consejo"):
        await check(visitors, path, "proclaimed")
    log.assert_clean()
    for p in (*visitors.values(), *officers.values(), ministra):
        assert_no_js_errors(p)


@pytest.mark.parametrize("lang", LANGS)
async def test_candidacy_form_is_accessible_empty_and_with_errors(page_for, db, secret, lang) -> None:
    election = await build_open_election(db, secret)
    await db.execute("UPDATE elections SET phase = 'candidacies_open' WHERE id = :e", {"e": election.id})
    _user, _org, email = election.reps["B"][2]  # on the padrón, no candidacy yet
    page = await page_for(lang, bypass_csp=True)
    await sign_in(page, email)
    log = AxeLog()
    await goto(page, f"/elecciones/{election.id}/candidatura")
    await log.check(page, f"/elecciones/{election.id}/candidatura [{lang}]")
    # htmx sends the form (for the photo's progress bar) and swaps the answer in: no full navigation
    await page.evaluate("document.querySelector('main').dataset.old = '1'")
    async with page.expect_response(lambda r: r.request.method == "POST") as sent:
        await page.click(f"main form[action='/elecciones/{election.id}/candidatura'] button[type=submit]")
    assert (await sent.value).status == 422
    await page.locator("main:not([data-old])").wait_for(state="attached")
    assert await page.locator(".error-summary li").count() >= 2
    await log.check(page, f"/elecciones/{election.id}/candidatura 422 [{lang}]")
    log.assert_clean()
    assert_no_js_errors(page)


async def test_live_turnout_is_pushed_in_place(page_for, db, secret) -> None:
    """During voting the turnout is pushed over Server-Sent Events (LISTEN/NOTIFY, live.py) and merged with
    idiomorph: new votes show without a reload and focus stays where it was; the pause link stops it."""
    import asyncio

    from portal.elections_web import live

    election = await build_open_election(db, secret)
    page = await page_for("es")
    await goto(page, f"/elecciones/{election.id}")
    assert "0 de 9" in await page.locator("#turnout").inner_text()
    await page.evaluate("window.__sameDocument = true")
    region = page.locator(f"#turnout-cat-{election.id}")
    await region.focus()

    _u, org_id, _e = election.reps["C"][0]
    # the turnout reads only who voted (the vote path itself is tested with sealed ballots elsewhere)
    await db.execute("INSERT INTO voters (election_id, org_id) VALUES (:e, :o)", {"e": election.id, "o": org_id})
    for _ in range(40):  # the publisher's job runs every 15 s; here it is called until the stream is up
        await live.publish(db)
        if "1 de 9" in await page.locator("#turnout").inner_text():
            break
        await asyncio.sleep(0.25)
    assert "1 de 9" in await page.locator("#turnout").inner_text()
    assert await page.locator("#turnout").count() == 1 and await page.locator("#turnout h2").count() == 1
    assert await page.evaluate("window.__sameDocument === true"), "the update reloaded the page"
    assert await page.evaluate("document.activeElement && document.activeElement.id") == f"turnout-cat-{election.id}"

    # WCAG 2.2.2: the updates can be paused with a plain link, and resumed
    pause = page.locator("#turnout a[href$='?pausa=1']").last
    await pause.focus()
    await press_and_wait(page, "Enter")
    assert await page.locator("[sse-connect]").count() == 0, "paused, yet still connected"
    assert await page.locator(f"#turnout a[href='/elecciones/{election.id}']").count() >= 1, "a way to resume"
    assert_no_js_errors(page)


async def _give_a_photo(db: Any, candidate_id: int) -> None:
    from PIL import Image

    from portal import uploads
    from portal.elections_web import queries as q

    raw = io.BytesIO()
    Image.new("RGB", (400, 400), (0, 111, 179)).save(raw, "PNG")
    content, _problem = uploads.normalized_photo(raw.getvalue())
    file_id = await uploads.store(db, uploads.CheckedFile("foto.jpg", content), None, "image/jpeg")
    await q.set_candidate_photo(db, candidate_id, file_id)
