"""Accounts over HTTP: sign-up, email verification, login, throttling, reset, logout, sessions."""

from __future__ import annotations

import re
from typing import Any

from factories import TEST_PASSWORD, create_user
from portal import mail

LINK = re.compile(r"http://testserver(/cuenta/[a-z]+/[^\s]+)")


async def _link(db: Any, email: str) -> str:
    messages = await mail.recent(db, to=email)
    assert messages, f"no email to {email}"
    match = LINK.search(messages[0]["body"])
    assert match
    return match.group(1)


async def test_signup_verify_login_logout(client: Any, db: Any) -> None:
    form = {"name": "Ana Pérez", "email": "Ana@Ejemplo.cl", "document_type": "run",
            "document_number": "12.345.678-5", "password": TEST_PASSWORD, "password_confirm": TEST_PASSWORD}
    response = await client.post("/cuenta/crear", form)
    assert response.status_code == 303 and response.headers["location"] == "/cuenta/verificar"
    row = await db.fetch_one("SELECT email, document_number, password_hash, email_verified_at FROM users")
    assert row["email"] == "ana@ejemplo.cl" and row["document_number"] == "12345678-5"
    assert row["password_hash"].startswith("$argon2id$") and row["email_verified_at"] is None
    # not verified yet: login explains, no session
    refused = await client.post("/ingresar", {"email": "ana@ejemplo.cl", "password": TEST_PASSWORD})
    assert refused.status_code == 422 and "no está verificado" in refused.text
    link = await _link(db, "ana@ejemplo.cl")
    assert (await client.get(link)).status_code == 303
    await client.login("ana@ejemplo.cl")
    home = await client.get("/cuenta")
    assert home.status_code == 200 and "Ana Pérez" in home.text
    await client.logout()
    assert (await client.get("/cuenta")).status_code == 303


async def test_signup_bad_input_keeps_values_and_stores_nothing(client: Any, db: Any) -> None:
    await create_user(db, "taken@x.cl")
    form = {"name": "<script>alert(1)</script>", "email": "taken@x.cl", "document_type": "run",
            "document_number": "12.345.678-0", "password": "corta", "password_confirm": "otra"}
    response = await client.post("/cuenta/crear", form)
    assert response.status_code == 422
    assert "Ya existe una cuenta" not in response.text  # a taken email is never revealed (finding 9)
    assert "El RUT no es válido" in response.text
    assert "Use al menos 10 caracteres" in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text and "<script>alert(1)" not in response.text
    assert 'value="12.345.678-0"' in response.text
    assert await db.fetch_val("SELECT count(*) FROM users") == 1


async def test_wrong_password_is_throttled_in_the_database(client: Any, db: Any) -> None:
    await create_user(db, "p@x.cl")
    for _ in range(5):
        bad = await client.post("/ingresar", {"email": "p@x.cl", "password": "equivocada-123"})
        assert bad.status_code == 422 and "no son correctos" in bad.text
    blocked = await client.post("/ingresar", {"email": "p@x.cl", "password": TEST_PASSWORD})
    assert blocked.status_code == 429 and "Demasiados intentos" in blocked.text
    assert await db.fetch_val("SELECT count(*) FROM login_attempts WHERE NOT succeeded") == 5


async def test_password_reset_link_works_once_and_ends_sessions(client: Any, make_client: Any, db: Any) -> None:
    await create_user(db, "r@x.cl")
    other = make_client()
    await other.login("r@x.cl")
    assert (await other.get("/cuenta")).status_code == 200
    sent = await client.post("/cuenta/recuperar", {"email": "r@x.cl"})
    unknown = await client.post("/cuenta/recuperar", {"email": "nadie@x.cl"})
    assert sent.status_code == unknown.status_code == 303  # POST → 303 → GET, and no account enumeration
    assert sent.headers["location"] == unknown.headers["location"] == "/cuenta/recuperar"
    assert "le enviamos un enlace" in (await client.get("/cuenta/recuperar")).text
    link = await _link(db, "r@x.cl")
    new = "una-clave-nueva-larga"
    assert (await client.post(link, {"password": new, "password_confirm": new})).status_code == 303
    assert (await client.get(link)).status_code == 400  # used once
    assert (await other.get("/cuenta")).status_code == 303  # the old session ended
    client.forget_token()  # the reset cleared this session too
    await client.login("r@x.cl", new)


async def test_tampered_token_is_refused(client: Any) -> None:
    response = await client.get("/cuenta/verificar/eyJ1IjoxfQ.forged.sig")
    assert response.status_code == 400 and "no es válido" in response.text


async def test_next_redirect_accepts_local_paths_only(client: Any, db: Any) -> None:
    await create_user(db, "n@x.cl")
    response = await client.post("/ingresar?next=//evil.example/x",
                                 {"email": "n@x.cl", "password": TEST_PASSWORD, "next": "https://evil.example/"})
    assert response.status_code == 303 and response.headers["location"] == "/cuenta"
    client.forget_token()
    response = await client.post("/ingresar", {"email": "n@x.cl", "password": TEST_PASSWORD, "next": "/organizaciones"})
    assert response.headers["location"] == "/organizaciones"


async def test_session_cookie_flags(client: Any, db: Any) -> None:
    await create_user(db, "c@x.cl")
    response = await client.post("/ingresar", {"email": "c@x.cl", "password": TEST_PASSWORD})
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


async def test_admin_creates_staff_account_with_audit(client: Any, db: Any) -> None:
    await create_user(db, "admin@x.cl", roles=["admin"])
    await client.login("admin@x.cl")
    bad = await client.post("/staff/cuentas", {"name": "", "email": "x"})
    assert bad.status_code == 422
    ok = await client.post("/staff/cuentas", [("name", "Rita"), ("email", "rita@x.cl"),
                                              ("roles", "reviewer"), ("roles", "ministro_de_fe")])
    assert ok.status_code == 303
    roles = await db.fetch_all("SELECT role FROM user_roles ur JOIN users u ON u.id = ur.user_id "
                               "WHERE u.email = 'rita@x.cl' ORDER BY role")
    assert [r["role"] for r in roles] == ["ministro_de_fe", "reviewer"]
    assert await db.fetch_val("SELECT count(*) FROM audit_log WHERE action = 'staff.created'") == 1
