"""Sessions that can be ended (issue 10, finding 5 and deliver 3; finding 11 in part).

Before: a signed cookie held the session itself (user id, auth version, CSRF token, flashes, the vote
tracking codes), readable by anyone holding it, and valid for 12 hours whatever happened: a copy
replayed after logout was still signed in."""

from __future__ import annotations

import base64
import json
from typing import Any

from factories import create_user

from portal import sessions

EMAIL = "persona@sesiones.cl"


def _cookie(client: Any) -> str:
    return client.http.cookies.get(sessions.COOKIE) or ""


async def _signed_in(make_client: Any, email: str = EMAIL) -> Any:
    client = make_client()
    await client.login(email)
    assert (await client.get("/cuenta")).status_code in (200, 303)
    return client


async def _is_signed_in(client: Any) -> bool:
    response = await client.get("/cuenta")
    return not (response.status_code == 303 and response.headers["location"].startswith("/ingresar"))


async def test_the_cookie_is_a_random_id_and_nothing_else(db: Any, make_client: Any) -> None:
    uid = await create_user(db, EMAIL)
    client = await _signed_in(make_client)
    value = _cookie(client)
    assert len(value) == 43 and sessions._ID.match(value)
    decoded = base64.urlsafe_b64decode(value + "=")
    # 32 random bytes and nothing else (a lone "@" byte may occur by chance; the email may not)
    assert len(decoded) == 32 and EMAIL.encode() not in decoded and str(uid).encode() + b"," not in decoded
    # the database keeps its hash only, and the data sealed: neither gives the other away
    row = await db.fetch_one("SELECT id_hash, data, user_id FROM sessions")
    assert row["id_hash"] == sessions.id_hash(value) and row["user_id"] == uid
    assert b"uid" not in bytes(row["data"]) and b"csrf" not in bytes(row["data"])


async def test_a_copied_cookie_replayed_after_logout_is_signed_out(db: Any, make_client: Any) -> None:
    """The attack of finding 5: copy the cookie, POST /salir, replay the copy."""
    await create_user(db, EMAIL)
    victim = await _signed_in(make_client)
    copied = _cookie(victim)
    await victim.logout()
    attacker = make_client()
    attacker.http.cookies.set(sessions.COOKIE, copied)
    assert not await _is_signed_in(attacker)
    assert await db.fetch_val("SELECT count(*) FROM sessions WHERE user_id IS NOT NULL") == 0


async def test_signing_in_gives_a_new_id(db: Any, make_client: Any) -> None:
    """No fixation: an id planted before sign-in is not the one that gets signed in."""
    await create_user(db, EMAIL)
    client = make_client()
    await client.token()  # the sign-in page's form: an anonymous session with a CSRF token
    before = _cookie(client)
    assert before
    await client.login(EMAIL)
    assert _cookie(client) not in ("", before)
    planted = make_client()
    planted.http.cookies.set(sessions.COOKIE, before)
    assert not await _is_signed_in(planted)


async def test_an_admin_signs_an_account_out_everywhere(db: Any, make_client: Any) -> None:
    uid = await create_user(db, EMAIL)
    await create_user(db, "admin@sesiones.cl", roles=["admin"])
    phone, laptop = await _signed_in(make_client), await _signed_in(make_client)
    admin = await _signed_in(make_client, "admin@sesiones.cl")
    refused = await admin.post(f"/staff/cuentas/{uid}/cerrar-sesiones", {}, csrf=False)
    assert refused.status_code == 403 and await _is_signed_in(phone)
    response = await admin.post(f"/staff/cuentas/{uid}/cerrar-sesiones", {})
    assert response.status_code == 303 and response.headers["location"] == "/staff/cuentas"
    assert not await _is_signed_in(phone) and not await _is_signed_in(laptop)
    assert await _is_signed_in(admin)
    event = await db.fetch_one("SELECT action, actor_label, object_id, after FROM audit_log ORDER BY id DESC LIMIT 1")
    assert event["action"] == "account.sessions_ended" and event["object_id"] == str(uid)
    assert event["actor_label"] == "admin@sesiones.cl" and json.loads(event["after"]) == {"sessions": 2}


async def test_only_an_admin_may_sign_others_out(db: Any, make_client: Any) -> None:
    uid = await create_user(db, EMAIL)
    await create_user(db, "revisora@sesiones.cl", roles=["reviewer"])
    victim = await _signed_in(make_client)
    reviewer = await _signed_in(make_client, "revisora@sesiones.cl")
    assert (await reviewer.post(f"/staff/cuentas/{uid}/cerrar-sesiones", {})).status_code == 403
    anonymous = await make_client().post(f"/staff/cuentas/{uid}/cerrar-sesiones", {})
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/ingresar")
    assert await _is_signed_in(victim)


async def test_idle_and_absolute_timeouts(db: Any, owner_db: Any, make_client: Any) -> None:
    await create_user(db, EMAIL)
    idle = await _signed_in(make_client)
    await owner_db.execute("UPDATE sessions SET last_seen_at = now() - interval '2 hours 1 minute'")
    assert not await _is_signed_in(idle)
    busy = await _signed_in(make_client)
    # in use a minute ago, but begun more than 12 hours ago
    await owner_db.execute("UPDATE sessions SET created_at = now() - interval '12 hours 1 minute', "
                           "last_seen_at = now() - interval '1 minute'")
    assert not await _is_signed_in(busy)
    fresh = await _signed_in(make_client)
    await owner_db.execute("UPDATE sessions SET last_seen_at = now() - interval '1 hour 59 minutes'")
    assert await _is_signed_in(fresh)
    assert await db.fetch_val("SELECT last_seen_at > now() - interval '1 minute' FROM sessions WHERE id_hash = :h",
                              {"h": sessions.id_hash(_cookie(fresh))})  # a request keeps it alive
    # the timed-out sessions were deleted when their cookies came back
    assert await db.fetch_val("SELECT count(*) FROM sessions WHERE user_id IS NOT NULL") == 1
    await owner_db.execute("UPDATE sessions SET last_seen_at = now() - interval '3 hours'")
    assert await sessions.purge(db) >= 1 and await db.fetch_val("SELECT count(*) FROM sessions") == 0


async def test_a_password_reset_ends_the_other_sessions(db: Any, make_client: Any) -> None:
    from portal import tokens

    uid = await create_user(db, EMAIL)
    other = await _signed_in(make_client)
    # the reset link, as mailed (the test reads the token from the outbox)
    client = make_client()
    await client.post("/cuenta/recuperar", {"email": EMAIL})
    body = await db.fetch_val("SELECT body FROM outbox ORDER BY id DESC LIMIT 1")
    token = body.split("/cuenta/restablecer/")[1].split()[0]
    assert tokens  # the token format is the accounts module's business
    response = await client.post(f"/cuenta/restablecer/{token}",
                                 {"password": "otra-contraseña-larga", "password_confirm": "otra-contraseña-larga"})
    assert response.status_code == 303
    assert not await _is_signed_in(other)
    assert await db.fetch_val("SELECT count(*) FROM sessions WHERE user_id = :u", {"u": uid}) == 0


async def test_a_forged_or_malformed_cookie_is_anonymous(client: Any) -> None:
    for value in (b"x" * 43, b"not a session", "é".encode() * 10, b"A" * 5000, b"\xff\xfe"):
        response = await client.http.get("/cuenta", headers={"Cookie": sessions.COOKIE.encode() + b"=" + value})
        assert response.status_code == 303 and response.headers["location"].startswith("/ingresar")


async def test_flash_messages_survive_the_redirect(db: Any, make_client: Any) -> None:
    await create_user(db, EMAIL)
    client = await _signed_in(make_client)
    response = await client.post("/salir")
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Cerró su sesión" in page.text
    assert "Cerró su sesión" not in (await client.get("/")).text  # shown once


async def test_anonymous_pages_without_forms_make_no_session(db: Any, client: Any) -> None:
    await client.get("/")
    assert await db.fetch_val("SELECT count(*) FROM sessions") == 0


def test_sealed_data_needs_both_the_cookie_and_the_secret() -> None:
    blob = sessions.seal("secret", "a" * 43, {"receipts": {"1": "TRACK-CODE"}})
    assert b"TRACK-CODE" not in blob
    assert sessions.unseal("secret", "a" * 43, blob) == {"receipts": {"1": "TRACK-CODE"}}
    assert sessions.unseal("secret", "b" * 43, blob) is None
    assert sessions.unseal("other", "a" * 43, blob) is None
