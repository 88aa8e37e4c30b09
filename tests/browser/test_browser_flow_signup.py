"""A person signs up, verifies the email from the link in the outbox, and signs in — in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from factories import TEST_PASSWORD, next_rut
from browser_helpers import assert_no_js_errors, goto, sign_up_and_verify
from portal import rut

pytestmark = pytest.mark.browser


async def test_sign_up_verify_and_sign_in(page_for, db) -> None:
    page = await page_for("es")
    email = "rosa.quispe@prueba.cl"
    # before verifying, signing in is refused with a way to get a new link
    await sign_up_and_verify_partially(page, email)
    await page.fill("#email", email)
    await page.fill("#password", TEST_PASSWORD)
    async with page.expect_navigation() as nav:
        await page.click("main form[action='/ingresar'] button[type=submit]")
    assert (await nav.value).status == 422
    assert await page.locator("form[action='/cuenta/verificar/reenviar']").count() == 1

    other = await page_for("es")
    await sign_up_and_verify(other, db, "ana.perez@prueba.cl", name="Ana Pérez")
    # signed in: the header offers the sign-out button with the account's email
    assert "ana.perez@prueba.cl" in await other.inner_text("form[action='/salir'] button")
    assert_no_js_errors(page)
    assert_no_js_errors(other)


async def sign_up_and_verify_partially(page: Any, email: str) -> None:
    """Sign up only (no verification) and go to the login form."""
    await goto(page, "/cuenta/crear")
    await page.fill("#name", "Persona Sin Verificar")
    await page.fill("#email", email)
    await page.fill("#document_number", rut.display(next_rut(16_000_000)))
    await page.fill("#password", TEST_PASSWORD)
    await page.fill("#password_confirm", TEST_PASSWORD)
    async with page.expect_navigation():
        await page.click("main form button[type=submit]")
    await goto(page, "/ingresar")
