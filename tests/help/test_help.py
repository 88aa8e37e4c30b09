"""Help domain over HTTP: the pages in both languages, the contact form's every refusal (422 per field,
429, CSRF), the staff inbox and its answer by email, the display modes, hashed static files and gzip."""

from __future__ import annotations

import re
from typing import Any

import pytest

from factories import create_user
from portal import mail, static_files
from portal.help import rules

PAGES = {"/ayuda": ("Ayuda", "Help"), "/accesibilidad": ("Declaración de accesibilidad", "Accessibility statement"),
         "/privacidad": ("Privacidad y datos personales", "Privacy and personal data"), "/contacto": ("Contacto", "Contact")}
GOOD = {"name": "Rosa Quispe", "email": "rosa@example.cl", "topic": "registry",
        "message": "¿Cómo renuevo la inscripción de mi organización?"}


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["es", "en"])
async def test_pages_in_both_languages(client: Any, path: str, lang: str) -> None:
    client.http.cookies.set("lang", lang)
    response = await client.get(path)
    assert response.status_code == 200
    title = PAGES[path][0 if lang == "es" else 1]
    assert f"<h1>{title}</h1>" in response.text
    assert f'href="{path}"' in response.text, "the footer links every help page"


async def test_privacy_notice_names_the_law_rights_and_claveunica(client: Any) -> None:
    text = (await client.get("/privacidad")).text
    for words in ("Ley 19.628", "Ley 21.719", "Acceso", "Rectificación", "Supresión", "Oposición",
                  "cuando el ingreso con ClaveÚnica esté habilitado", "Cuánto tiempo"):
        assert words in text


async def test_contact_is_stored_then_303_and_a_thank_you(client: Any, db: Any) -> None:
    response = await client.post("/contacto", GOOD)
    assert response.status_code == 303 and response.headers["location"] == "/contacto"
    page = await client.get("/contacto")
    assert "Gracias. Recibimos su mensaje" in page.text
    row = await db.fetch_one("SELECT * FROM contact_messages")
    assert row["email"] == "rosa@example.cl" and row["status"] == "new" and row["lang"] == "es"
    assert len(row["client_hash"]) == 64 and "127.0.0.1" not in row["client_hash"]


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Este campo es obligatorio."),
    ("name", "x" * (rules.NAME_MAX + 1), "Use como máximo 120 caracteres."),
    ("email", "no-es-un-correo", "Escriba un correo válido"),
    ("email", "", "Este campo es obligatorio."),
    ("topic", "hackeo", "Elija una de las opciones de la lista."),
    ("topic", "", "Elija una opción."),
    ("message", "corto", "Use al menos 10 caracteres."),
    ("message", "x" * (rules.MESSAGE_MAX + 1), "Use como máximo 4000 caracteres."),
])
async def test_each_wrong_field_is_422_with_the_message_beside_it(client: Any, db: Any, field: str, value: str,
                                                                  message: str) -> None:
    response = await client.post("/contacto", {**GOOD, field: value})
    assert response.status_code == 422
    error = re.search(rf'<p class="field__error" id="{field}-error">(.*?)</p>', response.text, re.S)
    assert error and message in error.group(1), f"no message beside {field}"
    assert 'aria-invalid="true"' in response.text
    kept = GOOD["name"] if field != "name" else GOOD["email"]
    assert kept in response.text, "the other values are kept"
    assert await db.fetch_val("SELECT count(*) FROM contact_messages") == 0


async def test_contact_needs_csrf(client: Any, db: Any) -> None:
    for data in (GOOD, {**GOOD, "csrf_token": "forged"}):
        response = await client.post("/contacto", data, csrf=False)
        assert response.status_code == 403
    assert await db.fetch_val("SELECT count(*) FROM contact_messages") == 0


async def test_sixth_message_in_an_hour_from_one_address_is_429(client: Any, db: Any) -> None:
    for i in range(rules.RATE_LIMIT):
        response = await client.post("/contacto", {**GOOD, "email": f"p{i}@example.cl"})
        assert response.status_code == 303
    response = await client.post("/contacto", {**GOOD, "email": "otra@example.cl"})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3600"
    assert "Su mensaje no se envió" in response.text and GOOD["message"] in response.text
    assert await db.fetch_val("SELECT count(*) FROM contact_messages") == rules.RATE_LIMIT


async def test_sixth_message_in_an_hour_for_one_email_is_429(client: Any, db: Any) -> None:
    for i in range(rules.RATE_LIMIT):
        await db.execute("INSERT INTO contact_messages (name, email, topic, message, client_hash) "
                         "VALUES ('P', 'rosa@example.cl', 'other', 'Mensaje anterior', :h)", {"h": f"{i:064d}"})
    response = await client.post("/contacto", GOOD)
    assert response.status_code == 429


async def test_signed_in_person_finds_name_and_email_filled_in(client: Any, db: Any) -> None:
    await create_user(db, "lucia@example.cl", name="Lucía Mamani")
    await client.login("lucia@example.cl")
    text = (await client.get("/contacto?tema=privacy")).text
    assert 'value="Lucía Mamani"' in text and 'value="lucia@example.cl"' in text
    assert '<option value="privacy" selected>' in text


async def _message(client: Any, db: Any) -> int:
    client.http.cookies.set("lang", "en")
    assert (await client.post("/contacto", {**GOOD, "topic": "privacy"})).status_code == 303
    client.http.cookies.delete("lang")
    return int(await db.fetch_val("SELECT id FROM contact_messages"))


async def test_admin_answers_by_email_with_audit_event(client: Any, make_client: Any, db: Any) -> None:
    message_id = await _message(client, db)
    await create_user(db, "admin@sermig.cl", roles=["admin"], name="Ana Admin")
    staff = make_client()
    await staff.login("admin@sermig.cl")
    inbox = await staff.get("/staff/contacto?status=new&topic=privacy&q=rosa")
    assert inbox.status_code == 200 and f"/staff/contacto/{message_id}" in inbox.text
    assert f"/staff/contacto/{message_id}" not in (await staff.get("/staff/contacto?topic=sello")).text
    empty = await staff.post(f"/staff/contacto/{message_id}/responder", {"answer": ""})
    assert empty.status_code == 422 and 'id="answer-error"' in empty.text
    done = await staff.post(f"/staff/contacto/{message_id}/responder", {"answer": "Renew it from My organization."})
    assert done.status_code == 303
    row = await db.fetch_one("SELECT status, answer, answered_by FROM contact_messages WHERE id = :id", {"id": message_id})
    assert row["status"] == "answered" and row["answer"] == "Renew it from My organization."
    sent = await mail.recent(db, to="rosa@example.cl")
    assert len(sent) == 1 and sent[0]["subject"] == "Answer to your message to Portal Participa"
    assert "Renew it from My organization." in sent[0]["body"] and "> ¿Cómo renuevo" in sent[0]["body"]
    audit = await db.fetch_one("SELECT action, object_type, object_id FROM audit_log ORDER BY id DESC LIMIT 1")
    assert (audit["action"], audit["object_type"], audit["object_id"]) == ("contact.answered", "contact_message",
                                                                          str(message_id))
    again = await staff.post(f"/staff/contacto/{message_id}/responder", {"answer": "Otra vez"},
                             headers={"referer": f"http://testserver/staff/contacto/{message_id}"})
    assert again.status_code == 409
    assert len(await mail.recent(db, to="rosa@example.cl")) == 1


async def test_other_staff_may_not_read_the_inbox(make_client: Any, db: Any) -> None:
    await create_user(db, "revisor@sermig.cl", roles=["reviewer"])
    staff = make_client()
    await staff.login("revisor@sermig.cl")
    assert (await staff.get("/staff/contacto")).status_code == 403


@pytest.mark.parametrize("choice, cookie, html_class", [
    ("contraste-alto", "contrast-high", 'class="contrast-high"'),
    ("texto-grande", "text-large", 'class="text-large"'),
])
async def test_display_mode_is_a_cookie_and_a_class(client: Any, choice: str, cookie: str, html_class: str) -> None:
    response = await client.get(f"/visualizacion/{choice}?next=/ayuda")
    assert response.status_code == 303 and response.headers["location"] == "/ayuda"
    assert client.http.cookies.get("display") == cookie
    assert html_class in (await client.get("/ayuda")).text
    off = choice.split("-")[0] + "-normal"
    await client.get(f"/visualizacion/{off}?next=https://evil.example/")
    assert "contrast-high" not in (await client.get("/")).text.split(">", 2)[1]


async def test_both_display_modes_together_and_unknown_choice(client: Any) -> None:
    await client.get("/visualizacion/contraste-alto")
    await client.get("/visualizacion/texto-grande")
    assert '<html lang="es-CL" class="contrast-high text-large">' in (await client.get("/")).text
    assert (await client.get("/visualizacion/rosado")).status_code == 404
    assert rules.display_modes("contrast-high.evil\"><script>") == ["contrast-high"]


async def test_hashed_static_file_is_immutable_and_plain_name_short(client: Any) -> None:
    url = static_files.static_url("css/portal.css")
    assert re.fullmatch(r"/static/css/portal\.[0-9a-f]{12}\.css", url)
    page = (await client.get("/")).text
    assert f'href="{url}"' in page
    hashed = await client.get(url)
    assert hashed.status_code == 200 and hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert hashed.headers["content-type"].startswith("text/css")
    font = static_files.static_url("vendor/fonts/roboto-5.3.0/roboto-latin-400-subset.woff2")
    assert font in hashed.text, "the stylesheet names its fonts by their hashed names"
    assert (await client.get(font)).headers["cache-control"].endswith("immutable")
    plain = await client.get("/static/css/portal.css")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "public, max-age=300"
    assert (await client.get("/static/css/portal.000000000000.css")).status_code == 404


async def test_html_is_compressed(client: Any) -> None:
    response = await client.get("/ayuda", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["vary"]
    assert "<h1>Ayuda</h1>" in response.text  # httpx decodes it


async def test_pages_without_htmx_do_not_load_it(client: Any) -> None:
    assert "htmx" not in (await client.get("/ayuda")).text
    assert "htmx-2.0.11.min" in (await client.get("/organizaciones")).text
