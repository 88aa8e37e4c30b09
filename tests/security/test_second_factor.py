"""Deliver 5 and finding 4 (issue 10): staff sign in with a second factor; the outbox page shows no
usable link (docs/security.md, Second factor for staff)."""

from __future__ import annotations

import re
from typing import Any

import pyotp

from factories import TEST_PASSWORD, create_user
from portal import mail
from portal.accounts import second_factor
from security import second_factor_login

SECRET = re.compile(r'<code class="totp-secret">([A-Z2-7 ]+)</code>')


async def _password(client: Any, email: str) -> Any:
    response = await client.post("/ingresar", {"email": email, "password": TEST_PASSWORD})
    client.forget_token()
    return response


async def test_staff_password_alone_reaches_no_staff_page(db, client) -> None:
    await create_user(db, "rev@x.cl", roles=["reviewer"])
    response = await _password(client, "rev@x.cl")
    assert response.status_code == 303 and response.headers["location"] == "/ingresar/segundo-factor"
    for url in ("/staff", "/staff/registro", "/cuenta"):
        page = await client.get(url)
        assert page.status_code == 303 and page.headers["location"].startswith("/ingresar")


async def test_enrolment_shows_a_qr_code_then_recovery_codes_once(db, client) -> None:
    user_id = await create_user(db, "rev@x.cl", roles=["reviewer"])
    await _password(client, "rev@x.cl")
    page = await client.get("/ingresar/segundo-factor")
    assert page.status_code == 200 and "<svg" in page.text and "otpauth" not in page.text.split("<svg")[0]
    secret = SECRET.search(page.text).group(1).replace(" ", "")
    not_now = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    wrong = await client.post("/ingresar/segundo-factor", {"code": not_now})
    assert wrong.status_code == 422 and "no es correcto" in wrong.text
    ok = await client.post("/ingresar/segundo-factor", {"code": pyotp.TOTP(secret).now()})
    assert ok.status_code == 303 and ok.headers["location"] == "/ingresar/segundo-factor/codigos"
    codes_page = await client.get("/ingresar/segundo-factor/codigos")
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", codes_page.text)
    assert len(codes) == second_factor.RECOVERY_CODES
    assert (await client.get("/ingresar/segundo-factor/codigos")).status_code == 303  # shown once
    assert (await client.get("/staff")).status_code == 200
    stored = await db.fetch_all("SELECT code_hash FROM recovery_codes WHERE user_id = :u", {"u": user_id})
    assert len(stored) == 10 and all(r["code_hash"].startswith("$argon2id$") for r in stored)
    assert all(code not in r["code_hash"] for r in stored for code in codes)
    sealed = await db.fetch_val("SELECT totp_sealed FROM users WHERE id = :u", {"u": user_id})
    assert secret.encode() not in bytes(sealed)  # the secret is not readable from the database
    assert await db.fetch_val("SELECT count(*) FROM audit_log WHERE action = 'account.second_factor_enrolled'") == 1


async def test_a_code_works_once_and_a_recovery_code_once(db, make_client) -> None:
    await create_user(db, "rev@x.cl", roles=["reviewer"])
    first = make_client()
    await _password(first, "rev@x.cl")
    page = await first.get("/ingresar/segundo-factor")
    secret = SECRET.search(page.text).group(1).replace(" ", "")
    code = pyotp.TOTP(secret).now()
    await first.post("/ingresar/segundo-factor", {"code": code})
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>",
                       (await first.get("/ingresar/segundo-factor/codigos")).text)
    replay = make_client()
    await _password(replay, "rev@x.cl")
    refused = await replay.post("/ingresar/segundo-factor", {"code": code})
    assert refused.status_code == 422  # the same code, a second time
    assert (await replay.post("/ingresar/segundo-factor", {"recovery": codes[0].upper()})).status_code == 303
    assert (await replay.get("/staff")).status_code == 200
    again = make_client()
    await _password(again, "rev@x.cl")
    assert (await again.post("/ingresar/segundo-factor", {"recovery": codes[0]})).status_code == 422


async def test_wrong_codes_are_throttled(db, client) -> None:
    await create_user(db, "rev@x.cl", roles=["reviewer"])
    await _password(client, "rev@x.cl")
    await client.get("/ingresar/segundo-factor")
    statuses = [(await client.post("/ingresar/segundo-factor", {"code": "12345x"})).status_code for _ in range(2)]
    assert statuses == [422, 422]  # not six digits: a form error, not counted
    statuses = [(await client.post("/ingresar/segundo-factor", {"code": "000001"})).status_code for _ in range(6)]
    assert statuses[-1] == 429


async def test_people_who_are_not_staff_sign_in_with_their_password(db, client) -> None:
    await create_user(db, "p@x.cl")
    response = await client.login("p@x.cl")
    assert response.headers["location"] == "/cuenta"


async def test_admin_resets_another_second_factor_audited(db, client, make_client) -> None:
    await create_user(db, "admin@x.cl", roles=["admin"])
    rev_id = await create_user(db, "rev@x.cl", roles=["reviewer"])
    reviewer = make_client()
    await reviewer.login("rev@x.cl")
    await client.login("admin@x.cl")
    assert (await client.get("/staff/cuentas")).status_code == 200
    response = await client.post(f"/staff/cuentas/{rev_id}/segundo-factor")
    assert response.status_code == 303 and response.headers["location"] == "/staff/cuentas"
    row = await db.fetch_one("SELECT totp_sealed, totp_confirmed_at FROM users WHERE id = :u", {"u": rev_id})
    assert row["totp_sealed"] is None and row["totp_confirmed_at"] is None
    assert await db.fetch_val("SELECT count(*) FROM recovery_codes WHERE user_id = :u", {"u": rev_id}) == 0
    event = await db.fetch_one("SELECT actor_label, object_id FROM audit_log WHERE action = 'account.second_factor_reset'")
    assert event["actor_label"] == "admin@x.cl" and str(event["object_id"]) == str(rev_id)
    assert (await reviewer.get("/staff")).status_code == 303  # the reviewer's sessions ended
    again = make_client()
    await _password(again, "rev@x.cl")
    assert "<svg" in (await again.get("/ingresar/segundo-factor")).text  # enrols again


async def test_second_factor_reset_refusals(db, client, make_client) -> None:
    admin_id = await create_user(db, "admin@x.cl", roles=["admin"])
    rev_id = await create_user(db, "rev@x.cl", roles=["reviewer"])
    await client.login("admin@x.cl")
    own = await client.post(f"/staff/cuentas/{admin_id}/segundo-factor")
    assert own.status_code == 409 and "propio segundo factor" in own.text
    assert (await client.post("/staff/cuentas/999999/segundo-factor")).status_code == 404
    assert (await client.post(f"/staff/cuentas/{rev_id}/segundo-factor", csrf=False)).status_code == 403
    reviewer = make_client()
    await reviewer.login("rev@x.cl")
    assert (await reviewer.post(f"/staff/cuentas/{admin_id}/segundo-factor")).status_code == 403


async def test_outbox_page_shows_no_usable_link(db, client, make_client) -> None:
    await create_user(db, "admin@x.cl", roles=["admin"])
    await create_user(db, "rep@x.cl")
    visitor = make_client()
    await visitor.post("/cuenta/recuperar", {"email": "rep@x.cl"})
    body = (await mail.recent(db, to="rep@x.cl"))[0]["body"]
    token = re.search(r"/cuenta/restablecer/(\S+)", body).group(1)  # the email itself carries the link
    await client.login("admin@x.cl")
    page = await client.get("/staff/correo")
    assert page.status_code == 200 and "[enlace oculto]" in page.text
    assert token not in page.text and "/cuenta/restablecer/" not in page.text


def test_recovery_code_normalisation() -> None:
    assert second_factor.normalize_recovery(" ABCDE fghjk ") == "abcde-fghjk"
    assert second_factor.normalize_recovery("abc") == ""


def test_login_helper_is_importable() -> None:
    assert second_factor_login.PAGE == "/ingresar/segundo-factor"


async def test_head_on_the_second_factor_page_checks_nothing(db, client) -> None:
    await create_user(db, "rev@x.cl", roles=["reviewer"])
    await _password(client, "rev@x.cl")
    assert (await client.http.head("/ingresar/segundo-factor")).status_code == 200
    assert await db.fetch_val("SELECT count(*) FROM login_attempts WHERE NOT succeeded") == 0


async def test_the_password_step_does_not_reset_the_count_of_wrong_codes(db, client) -> None:
    """With a stolen password, signing in again must not buy new guesses at the code."""
    await create_user(db, "rev@x.cl", roles=["reviewer"])
    statuses = []
    for _ in range(4):
        step = await _password(client, "rev@x.cl")
        statuses.append(step.status_code)
        if step.status_code != 303:
            break
        await client.get("/ingresar/segundo-factor")
        for _ in range(2):
            statuses.append((await client.post("/ingresar/segundo-factor", {"code": "000001"})).status_code)
    assert 429 in statuses and statuses.index(429) <= 8
