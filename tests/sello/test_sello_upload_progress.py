"""Uploads show a progress bar with JavaScript and post as usual without it (issue 16, item 12)."""

from __future__ import annotations

from sello_support import SelloWorld, adhere, pdf_file

BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


async def test_upload_forms_carry_a_progress_bar_and_work_without_javascript(sello: SelloWorld) -> None:
    page = await sello.liaison.get("/mi-municipalidad")
    assert 'hx-boost="true" data-upload-progress' in page.text
    assert '<progress class="upload-progress" hidden' in page.text and "js/upload-progress." in page.text
    plain = await adhere(sello.liaison)  # a plain form post, as without JavaScript
    assert plain.status_code == 303


async def test_a_boosted_upload_follows_post_redirect_get(sello: SelloWorld) -> None:
    await adhere(sello.liaison)
    sent = await sello.liaison.post("/mi-municipalidad/plan", {}, files=[pdf_file("work_plan", "plan.pdf")],
                                    headers=BOOSTED)
    assert sent.status_code == 303
    landing = await sello.liaison.get(sent.headers["location"], headers=BOOSTED)
    assert landing.status_code == 200 and "<html" in landing.text  # the whole page, as htmx's boost swaps it
    assert await sello.db.fetch_val("SELECT status FROM sello_adhesions") == "implementing"


async def test_the_progress_script_is_served(sello: SelloWorld) -> None:
    from portal.static_files import static_url

    script = await sello.anon.get(static_url("js/upload-progress.js"))
    assert script.status_code == 200 and "htmx:xhr:progress" in script.text
