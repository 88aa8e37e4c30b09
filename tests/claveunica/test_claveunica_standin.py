"""The development stand-in inside the portal: only with PORTAL_ENV=development and CLAVEUNICA_FAKE,
answered in-process; 404 anywhere else. And the claims parser, case by case."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from portal.claveunica import client as cu
from portal.claveunica.fake import SANDBOX


@pytest.fixture
async def development(app: Any) -> AsyncIterator[None]:
    before = app.state.settings
    app.state.settings = dataclasses.replace(before, environment="development", claveunica_fake=True)
    try:
        yield
    finally:
        app.state.settings = before


async def test_stand_in_round_trip(client: Any, db: Any, development: None) -> None:
    page = await client.get("/ingresar")
    assert 'aria-label="Iniciar sesión con ClaveÚnica"' in page.text
    start = await client.post("/ingresar/claveunica", {"next": ""})
    location = start.headers["location"]
    assert location.startswith("http://testserver/_claveunica_fake/openid/authorize/?")
    path = location.removeprefix("http://testserver")
    chooser = await client.get(path)
    assert chooser.status_code == 200
    for person in SANDBOX:
        assert person.display in chooser.text  # 44.444.444-4, 55.555.555-5, 88.888.888-8, 99.999.999-9
    chosen = await client.get(str(httpx.URL(path).copy_add_param("run", "88888888")))
    assert chosen.status_code == 302
    back_path = chosen.headers["location"].removeprefix("http://testserver")
    back = await client.get(back_path)
    assert back.status_code == 303, back.text[:400]
    assert await db.fetch_val("SELECT run FROM claveunica_identities") == "88888888-8"
    client.forget_token()
    out = await client.post("/salir")
    logout = urlsplit(out.headers["location"])
    assert logout.path == "/_claveunica_fake/api/v1/accounts/app/logout"
    home = await client.get(out.headers["location"].removeprefix("http://testserver"))
    assert home.status_code == 302 and home.headers["location"] == "http://testserver/"


async def test_stand_in_refused_outside_development(client: Any, app: Any) -> None:
    for env in ("test", "production"):
        before = app.state.settings
        app.state.settings = dataclasses.replace(before, environment=env, claveunica_fake=True)
        try:
            answer = await client.get("/_claveunica_fake/openid/authorize/?client_id=x")
            logout = await client.get("/_claveunica_fake/api/v1/accounts/app/logout?redirect=x")
            button = await client.get("/ingresar")
        finally:
            app.state.settings = before
        assert answer.status_code == 404 and logout.status_code == 404
        assert "btn-cu" not in button.text


async def test_no_client_id_no_button(client: Any) -> None:
    assert "btn-cu" not in (await client.get("/ingresar")).text
    assert (await client.post("/ingresar/claveunica", {"next": ""})).status_code == 404


def claims(numero: Any = 12345678, dv: Any = "5", nombres: Any = ("Ana",), apellidos: Any = ("Soto",),
           sub: Any = "7") -> dict[str, Any]:
    return {"sub": sub, "RolUnico": {"numero": numero, "DV": dv, "tipo": "RUN"},
            "name": {"nombres": list(nombres), "apellidos": list(apellidos)}}


@pytest.mark.parametrize("data, expected", [
    (claims(), ("12345678-5", "Ana Soto", "7")),
    (claims(numero=60803000, dv="k"), ("60803000-K", "Ana Soto", "7")),
    (claims(numero="1000005", dv="K", nombres=("  Jean ", "Pierre"), sub=42), ("1000005-K", "Jean Pierre Soto", "42")),
    (claims(dv="4"), "bad_check_digit"),
    (claims(numero=0, dv="0"), "malformed_userinfo"),
    (claims(numero=100_000_000, dv="1"), "malformed_userinfo"),
    (claims(dv="55"), "malformed_userinfo"),
    (claims(nombres=[1]), "malformed_userinfo"),
    (None, "malformed_userinfo"),
])
def test_parse_person(data: Any, expected: Any) -> None:
    if isinstance(expected, tuple):
        person = cu.parse_person(data)
        assert (person.run, person.name, person.sub) == expected
    else:
        with pytest.raises(cu.Failure) as caught:
            cu.parse_person(data)
        assert caught.value.result == expected


def test_demo_configures_the_stand_in_only_in_development() -> None:
    from portal.claveunica.demo import configure

    env: dict[str, str] = {}
    assert configure(env) and env["CLAVEUNICA_FAKE"] == "1"
    assert configure({"PORTAL_ENV": "production"}) == []
    with_client: dict[str, str] = {"CLAVEUNICA_CLIENT_ID": "real"}
    assert configure(with_client) == [] and "CLAVEUNICA_FAKE" not in with_client
