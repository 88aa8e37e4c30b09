"""The ClaveÚnica flow over HTTP against the stand-in (ClaveÚnica's exact paths and JSON): the good
way, and every way it can go wrong, each a clear page, never a 500, nothing half-stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from claveunica_helpers import REDIRECT_URI, authorize, counts, results, sign_in, to_provider

from factories import TEST_PASSWORD, create_user
from portal import clock

pytestmark = pytest.mark.usefixtures("fake")


async def test_first_sign_in_creates_the_person(client: Any, db: Any, fake: Any) -> None:
    start = await to_provider(client, "/cuenta")
    url = urlsplit(start.headers["location"])
    assert url.path.endswith("/openid/authorize/")
    query = parse_qs(url.query)
    assert query["client_id"] == ["portal-participa-desarrollo"] and query["response_type"] == ["code"]
    assert query["scope"] == ["openid run name"] and query["redirect_uri"] == [REDIRECT_URI]
    assert len(query["state"][0]) >= 30 and "nonce" not in query and "code_challenge" not in query
    code, state = await authorize(start.headers["location"], "44444444")
    back = await client.get("/ingresar/claveunica", params={"code": code, "state": state})
    assert back.status_code == 303 and back.headers["location"] == "/cuenta"
    home = await client.get("/cuenta")
    assert home.status_code == 200 and "María José Quispe Mamani" in home.text
    row = await db.fetch_one("SELECT u.name, u.document_type, u.document_number, i.run FROM users u "
                             "JOIN claveunica_identities i ON i.user_id = u.id")
    assert tuple(row) == ("María José Quispe Mamani", "run", "44444444-4", "44444444-4")
    assert await results(db) == ["created"]
    # exactly ClaveÚnica's token form, state included
    assert fake.token_forms[-1].keys() == {"client_id", "redirect_uri", "grant_type", "code", "state"}
    assert fake.token_forms[-1]["state"] == state and fake.token_forms[-1]["grant_type"] == "authorization_code"


async def test_second_sign_in_finds_the_same_person(client: Any, make_client: Any, db: Any) -> None:
    assert (await sign_in(client)).status_code == 303
    other = make_client()
    assert (await sign_in(other)).status_code == 303
    assert await counts(db) == (1, 1)
    assert await results(db) == ["created", "signed_in"]


@pytest.mark.parametrize("state", ["", "x" * 43, "\u00e9" * 40])
async def test_bad_state(client: Any, db: Any, state: str) -> None:
    start = await to_provider(client)
    code, _ = await authorize(start.headers["location"])
    back = await client.get("/ingresar/claveunica", params={"code": code, "state": state})
    assert back.status_code == 400 and "no corresponde" in back.text
    assert await counts(db) == (0, 0) and await results(db) == ["bad_state"]


async def test_state_from_another_browser(client: Any, make_client: Any, db: Any) -> None:
    start = await to_provider(client)
    code, state = await authorize(start.headers["location"])
    back = await make_client().get("/ingresar/claveunica", params={"code": code, "state": state})
    assert back.status_code == 400 and await counts(db) == (0, 0)


async def test_reused_state(client: Any, db: Any) -> None:
    start = await to_provider(client)
    code, state = await authorize(start.headers["location"])
    assert (await client.get("/ingresar/claveunica", params={"code": code, "state": state})).status_code == 303
    again = await client.get("/ingresar/claveunica", params={"code": code, "state": state})
    assert again.status_code == 400
    assert await counts(db) == (1, 1) and await results(db) == ["created", "bad_state"]


async def test_expired_state(client: Any, db: Any) -> None:
    start = await to_provider(client)
    code, state = await authorize(start.headers["location"])
    with clock.frozen(clock.now() + timedelta(minutes=31)):
        back = await client.get("/ingresar/claveunica", params={"code": code, "state": state})
    assert back.status_code == 400 and "30 minutos" in back.text
    assert await counts(db) == (0, 0) and await results(db) == ["expired_state"]


async def test_reused_code(client: Any, db: Any) -> None:
    start = await to_provider(client)
    code, state = await authorize(start.headers["location"])
    assert (await client.get("/ingresar/claveunica", params={"code": code, "state": state})).status_code == 303
    await client.logout()
    second = await to_provider(client)
    _, state2 = await authorize(second.headers["location"])
    back = await client.get("/ingresar/claveunica", params={"code": code, "state": state2})
    assert back.status_code == 502 and "no aceptó" in back.text
    assert await results(db) == ["created", "token_error"]


async def test_expired_code(client: Any, db: Any, fake_clock: Any) -> None:
    start = await to_provider(client)
    code, state = await authorize(start.headers["location"])
    fake_clock.now += 301  # a code lives 5 minutes
    back = await client.get("/ingresar/claveunica", params={"code": code, "state": state})
    assert back.status_code == 502 and await counts(db) == (0, 0)


@pytest.mark.parametrize("status, body", [(500, None), (400, {"error": "invalid_grant"}),
                                          (200, {"token_type": "bearer"}), (200, "<html>oops</html>"),
                                          (200, ["not", "a", "token"]), (503, "<html>down</html>")])
async def test_token_endpoint_errors(client: Any, db: Any, fake: Any, status: int, body: Any) -> None:
    fake.token_status, fake.token_body = status, body
    back = await sign_in(client)
    assert back.status_code == 502 and "<h1>" in back.text
    assert await counts(db) == (0, 0) and await results(db) == ["token_error"]


async def test_token_timeout(client: Any, db: Any, fake: Any) -> None:
    fake.token_delay = 2.0  # the portal waits 1 s here
    back = await sign_in(client)
    assert back.status_code == 504 and "a tiempo" in back.text
    assert await counts(db) == (0, 0) and await results(db) == ["token_timeout"]


async def test_userinfo_timeout_and_error(client: Any, db: Any, fake: Any) -> None:
    fake.userinfo_delay = 2.0
    assert (await sign_in(client)).status_code == 504
    fake.userinfo_delay, fake.userinfo_status = 0.0, 500
    assert (await sign_in(client)).status_code == 502
    assert await counts(db) == (0, 0) and await results(db) == ["userinfo_timeout", "userinfo_error"]


MALFORMED = [
    "not json", [], {}, {"sub": "1", "name": {"nombres": ["A"], "apellidos": ["B"]}},
    {"sub": "1", "RolUnico": {"numero": "44444444", "DV": 4, "tipo": "RUN"}, "name": {"nombres": ["A"], "apellidos": []}},
    {"sub": "1", "RolUnico": {"numero": 44444444, "DV": "4", "tipo": "DNI"}, "name": {"nombres": ["A"], "apellidos": []}},
    {"sub": "1", "RolUnico": {"numero": True, "DV": "4", "tipo": "RUN"}, "name": {"nombres": ["A"], "apellidos": []}},
    {"sub": "1", "RolUnico": {"numero": 44444444, "DV": "4", "tipo": "RUN"}, "name": "María"},
    {"sub": "1", "RolUnico": {"numero": 44444444, "DV": "4", "tipo": "RUN"}, "name": {"nombres": [], "apellidos": []}},
    {"sub": None, "RolUnico": {"numero": 44444444, "DV": "4", "tipo": "RUN"}, "name": {"nombres": ["A"], "apellidos": []}},
    {"sub": "1", "RolUnico": {"numero": 44444444, "DV": "4", "tipo": "RUN"}, "name": {"nombres": ["x" * 300], "apellidos": []}},
]


@pytest.mark.parametrize("body", MALFORMED)
async def test_malformed_userinfo(client: Any, db: Any, fake: Any, body: Any) -> None:
    fake.userinfo_body = body
    back = await sign_in(client)
    assert back.status_code == 502 and "no se pudieron leer" in back.text
    assert await counts(db) == (0, 0) and await results(db) == ["malformed_userinfo"]


async def test_wrong_check_digit(client: Any, db: Any, fake: Any) -> None:
    fake.userinfo_body = {"sub": "9", "RolUnico": {"numero": 44444444, "DV": "5", "tipo": "RUN"},
                          "name": {"nombres": ["Falsa"], "apellidos": ["Persona"]}}
    back = await sign_in(client)
    assert back.status_code == 502 and "dígito verificador" in back.text
    assert await counts(db) == (0, 0) and await results(db) == ["bad_check_digit"]


async def test_cancelled_at_the_provider(client: Any, db: Any) -> None:
    start = await to_provider(client)
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    back = await client.get("/ingresar/claveunica", params={"error": "access_denied", "state": state})
    assert back.status_code == 400 and "se canceló" in back.text and await counts(db) == (0, 0)


async def test_run_linked_to_another_account_cannot_be_linked_again(client: Any, make_client: Any, db: Any) -> None:
    assert (await sign_in(make_client())).status_code == 303  # 44.444.444-4 now has its own account
    await create_user(db, "rosa@prueba.cl", name="Rosa")
    await client.login("rosa@prueba.cl")
    start = await client.post("/cuenta/claveunica", {"password": TEST_PASSWORD})
    assert start.status_code == 303
    code, state = await authorize(start.headers["location"], "44444444")
    back = await client.get("/ingresar/claveunica", params={"code": code, "state": state})
    assert back.status_code == 409 and "ya está vinculado a otra cuenta" in back.text
    assert await counts(db) == (2, 1) and (await results(db))[-1] == "run_taken"


async def test_linking_an_email_account(client: Any, db: Any) -> None:
    user_id = await create_user(db, "jean@prueba.cl", name="Jean")
    await client.login("jean@prueba.cl")
    wrong = await client.post("/cuenta/claveunica", {"password": "no-es-esta-1"})
    assert wrong.status_code == 422 and "no es correcta" in wrong.text
    start = await client.post("/cuenta/claveunica", {"password": TEST_PASSWORD})
    code, state = await authorize(start.headers["location"], "55555555")
    back = await client.get("/ingresar/claveunica", params={"code": code, "state": state})
    assert back.status_code == 303 and back.headers["location"] == "/cuenta/claveunica"
    assert await db.fetch_val("SELECT run FROM claveunica_identities WHERE user_id = :u", {"u": user_id}) == "55555555-5"
    page = await client.get("/cuenta/claveunica")
    assert "55.555.555-5" in page.text
    again = await client.post("/cuenta/claveunica", {"password": TEST_PASSWORD})
    assert again.status_code == 409  # linked once
    await client.logout()
    assert (await sign_in(client, "55555555")).status_code == 303  # the same account, by ClaveÚnica
    assert await counts(db) == (1, 1) and await results(db) == ["bad_password", "linked", "signed_in"]


async def test_staff_sign_in_with_their_password(client: Any, db: Any) -> None:
    staff = await create_user(db, "revisora@prueba.cl", roles=["reviewer"])
    await db.execute("INSERT INTO claveunica_identities (user_id, run) VALUES (:u, '88888888-8')", {"u": staff})
    back = await sign_in(client, "88888888")
    assert back.status_code == 409 and "segundo factor" in back.text
    assert (await client.get("/cuenta", follow_redirects=False)).status_code == 303  # not signed in


async def test_logout_ends_the_claveunica_session(client: Any, fake: Any, fake_server: Any) -> None:
    await sign_in(client)
    out = await client.post("/salir")
    assert out.status_code == 303
    location = out.headers["location"]
    assert location == f"{fake_server[1]}/api/v1/accounts/app/logout?redirect=http%3A%2F%2Ftestserver%2F"
    assert (await client.get("/cuenta", follow_redirects=False)).status_code == 303


async def test_password_logout_stays_home(client: Any, db: Any) -> None:
    await create_user(db, "ana@prueba.cl")
    await client.login("ana@prueba.cl")
    out = await client.post("/salir")
    assert out.headers["location"] == "/"


async def test_the_button(client: Any) -> None:
    page = await client.get("/ingresar")
    assert page.text.count('class="btn-cu') == 1
    assert 'aria-label="Iniciar sesión con ClaveÚnica"' in page.text and "Iniciar sesión</span>" in page.text
    assert 'class="cl-claveunica"' in page.text
