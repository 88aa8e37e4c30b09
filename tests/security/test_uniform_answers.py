"""Deliver 6 and finding 9 (issue 10): sign-up, login and reset answer the same whether or not an
email has an account (docs/security.md, Uniform answers)."""

from __future__ import annotations

from factories import TEST_PASSWORD, create_user
from portal import mail

FORM = {"name": "Ana Pérez", "document_type": "passport", "document_number": "P1234",
        "password": TEST_PASSWORD, "password_confirm": TEST_PASSWORD}


async def test_signup_with_a_known_email_answers_like_a_new_one(db, client, make_client) -> None:
    await create_user(db, "conocida@x.cl", name="Dueña")
    known = await client.post("/cuenta/crear", {**FORM, "email": "conocida@x.cl"})
    other = make_client()
    new = await other.post("/cuenta/crear", {**FORM, "email": "nueva@x.cl"})
    assert known.status_code == new.status_code == 303
    assert known.headers["location"] == new.headers["location"] == "/cuenta/verificar"
    assert (await client.get("/cuenta/verificar")).text == (await other.get("/cuenta/verificar")).text
    assert await db.fetch_val("SELECT count(*) FROM users") == 2  # nothing created for the known email
    notice = (await mail.recent(db, to="conocida@x.cl"))[0]
    assert "intentó crear una cuenta" in notice["body"] and "Dueña" in notice["body"]
    assert "/cuenta/verificar/" not in notice["body"]


async def test_login_answers_the_same_for_an_unknown_email(db, client) -> None:
    await create_user(db, "conocida@x.cl")
    known = await client.post("/ingresar", {"email": "conocida@x.cl", "password": "equivocada-123"})
    unknown = await client.post("/ingresar", {"email": "nadie@x.cl", "password": "equivocada-123"})
    assert known.status_code == unknown.status_code == 422
    assert known.text.replace("conocida@x.cl", "E") == unknown.text.replace("nadie@x.cl", "E")


async def test_reset_answers_the_same_for_an_unknown_email(db, client) -> None:
    await create_user(db, "conocida@x.cl")
    known = await client.post("/cuenta/recuperar", {"email": "conocida@x.cl"})
    unknown = await client.post("/cuenta/recuperar", {"email": "nadie@x.cl"})
    assert (known.status_code, known.headers["location"]) == (unknown.status_code, unknown.headers["location"])
