"""Small form defects (issue 16, item 10): every text field's length is checked on the server (422 with the
message beside the field) and the error summary names each field."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from portal.forms import Form

ROOT = Path(__file__).resolve().parents[2]


def _signup(**fields: str) -> dict[str, str]:
    data = {"name": "Rosa Pérez", "email": "rosa@example.cl", "document_type": "run",
            "document_number": "12.345.678-5", "password": "una clave larga 123", "password_confirm": "una clave larga 123"}
    data.update(fields)
    return data


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "x" * 5000, "Use como máximo 200 caracteres."),
    ("email", "a" * 300 + "@example.cl", "Use como máximo 254 caracteres."),
    ("document_number", "1" * 60, None),
])
async def test_signup_bounds_every_text_field_on_the_server(db: Any, client: Any, field: str, value: str,
                                                            message: str | None) -> None:
    page = await client.post("/cuenta/crear", _signup(**{field: value}))
    assert page.status_code == 422
    assert f'id="{field}-error"' in page.text  # the message beside the field
    if message:
        assert message in page.text
    assert await db.fetch_val("SELECT count(*) FROM users") == 0


def test_the_default_length_bounds_a_field() -> None:
    form = Form({"note": "x" * 5000})
    form.text("note")
    assert "note" in form.errors


def test_every_text_call_site_sets_a_sensible_bound() -> None:
    """Every Form.text(...) in the portal says its max_length (or keeps the 200 default) and none exceeds
    20 000 characters (the longest, the sorteo's list of candidate numbers)."""
    too_long = []
    for path in sorted((ROOT / "portal").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "text":
                for kw in node.keywords:
                    if kw.arg == "max_length" and isinstance(kw.value, ast.Constant) and kw.value.value > 20_000:
                        too_long.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not too_long


@pytest.mark.parametrize(("lang", "expected"), [
    ("es", "Nombre: Este campo es obligatorio."),
    ("en", "Name: This field is required."),
])
async def test_error_summary_names_each_field(db: Any, client: Any, lang: str, expected: str) -> None:
    client.http.cookies.set("lang", lang)
    page = await client.post("/cuenta/crear", _signup(name=""))
    assert page.status_code == 422
    summary = page.text[page.text.index('class="error-summary"'):]
    summary = summary[:summary.index("</ul>")]
    assert f'<a href="#name">{expected}</a>' in summary


@pytest.mark.parametrize(("lang", "expected"), [("es", "Ya hay una cuenta con este RUN"),
                                                 ("en", "There is already an account with this RUN")])
async def test_one_account_per_run(db: Any, client: Any, lang: str, expected: str) -> None:
    client.http.cookies.set("lang", lang)
    first = await client.post("/cuenta/crear", _signup())
    assert first.status_code == 303
    again = await client.post("/cuenta/crear", _signup(email="otra@example.cl", document_number="12345678-5"))
    assert again.status_code == 422
    assert 'id="document_number-error"' in again.text and expected in again.text
    assert await db.fetch_val("SELECT count(*) FROM users") == 1


async def test_a_run_linked_by_claveunica_is_taken_too(db: Any, client: Any) -> None:
    from factories import create_user

    user_id = await create_user(db, "clave@example.cl")
    await db.execute("INSERT INTO claveunica_identities (user_id, run) VALUES (:u, '12345678-5')", {"u": user_id})
    page = await client.post("/cuenta/crear", _signup())
    assert page.status_code == 422 and "Ya hay una cuenta con este RUN" in page.text


async def test_passports_are_not_refused_as_runs(db: Any, client: Any) -> None:
    await client.post("/cuenta/crear", _signup(document_type="passport", document_number="12345678-5"))
    second = await client.post("/cuenta/crear", _signup(email="otra@example.cl", document_type="passport",
                                                        document_number="12345678-5"))
    assert second.status_code == 303
