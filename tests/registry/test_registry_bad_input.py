"""Bad input to the record form and uploads: 422/413 with the values kept, a message per field,
nothing partial stored; HTML is escaped everywhere it is shown."""

from __future__ import annotations

import pytest

from factories import create_rep, create_user
from portal import clock, rut
from registry_helpers import PDF, count, org_form, upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _signed_in_person(db, client):  # type: ignore[no-untyped-def]
    await create_user(db, "persona@prueba.cl")
    await client.login("persona@prueba.cl")


def _error_for(page: str, field: str) -> bool:
    return f'id="{field}-error"' in page


@pytest.mark.parametrize("field, value", [
    ("rut", "12.345.678-0"),          # wrong check digit
    ("rut", "hola"),
    ("comuna_code", "13101"),         # Santiago is not in Valparaíso
    ("comuna_code", "99999"),
    ("region_code", "99"),
    ("category", "Z"),
    ("legal_form", "sociedad_anonima"),
    ("public_email", "no-es-correo"),
    ("website", "no es una web"),
    ("phone", "llámame"),
    ("founded_on", "2999-01-01"),
    ("founded_on", "ayer"),
    ("members", "-3"),
    ("members", "muchos"),
    ("legal_rep_run", "11.111.111-2"),
    ("areas", ["regularizacion", "astrologia"]),
    ("description", "corta"),
])
async def test_invalid_field_is_refused_with_values_kept(db, client, field, value) -> None:
    await _signed_in_person(db, client)
    response = await client.post("/mi-organizacion/inscribir", org_form(**{field: value},
                                                                        legal_name="Nombre que se conserva"))
    assert response.status_code == 422
    assert _error_for(response.text, field)
    assert 'value="Nombre que se conserva"' in response.text
    assert await count(db, "organizations") == 0


@pytest.mark.parametrize("field", ["rut", "legal_name", "legal_form", "category", "region_code", "comuna_code",
                                   "address", "public_email", "description", "areas", "founded_on", "members",
                                   "legal_rep_name", "legal_rep_run"])
async def test_missing_required_field(db, client, field) -> None:
    await _signed_in_person(db, client)
    response = await client.post("/mi-organizacion/inscribir", org_form(**{field: None}))
    assert response.status_code == 422 and _error_for(response.text, field)
    assert await count(db, "organizations") == 0 and await count(db, "org_representatives") == 0


async def test_category_a_needs_a_migrant_majority(db, client) -> None:
    await _signed_in_person(db, client)
    low = await client.post("/mi-organizacion/inscribir", org_form(category="A", migrant_share="30"))
    assert low.status_code == 422 and _error_for(low.text, "migrant_share")
    missing = await client.post("/mi-organizacion/inscribir", org_form(category="A", migrant_share=""))
    assert missing.status_code == 422 and _error_for(missing.text, "migrant_share")
    ok = await client.post("/mi-organizacion/inscribir", org_form(category="A", migrant_share="80"))
    assert ok.status_code == 303
    assert await db.fetch_val("SELECT migrant_share FROM organizations") == 80


async def test_migrant_share_is_dropped_outside_category_a(db, client) -> None:
    await _signed_in_person(db, client)
    assert (await client.post("/mi-organizacion/inscribir", org_form(category="B", migrant_share="80"))).status_code == 303
    assert await db.fetch_val("SELECT migrant_share FROM organizations") is None


@pytest.mark.parametrize("field, limit", [("legal_name", 300), ("short_name", 120), ("address", 300),
                                          ("description", 4000), ("legal_rep_name", 200), ("website", 300)])
async def test_over_long_values(db, client, field, limit) -> None:
    await _signed_in_person(db, client)
    response = await client.post("/mi-organizacion/inscribir", org_form(**{field: "x" * (limit + 1)}))
    assert response.status_code == 422 and _error_for(response.text, field)
    assert await count(db, "organizations") == 0


async def test_duplicate_rut_is_refused_clearly(db, client) -> None:
    await create_rep(db)
    taken = await db.fetch_val("SELECT rut FROM organizations")
    await _signed_in_person(db, client)
    response = await client.post("/mi-organizacion/inscribir", org_form(rut=rut.display(taken).lower()))
    assert response.status_code == 422 and _error_for(response.text, "rut")
    assert "Ya hay una organización" in response.text
    assert await count(db, "organizations") == 1


async def test_duplicate_rut_race_hits_the_unique_constraint(db, client, monkeypatch) -> None:
    """Two people registering the same RUT at once: the check passes for both, the constraint decides."""
    from portal.registry import queries

    await _signed_in_person(db, client)
    form = org_form()
    from portal.rut import normalize

    await db.execute("""INSERT INTO organizations (rut, legal_name, legal_form, category, region_code, comuna_code)
                        VALUES (:r, 'Otra', 'otra', 'B', '05', '05101')""", {"r": normalize(dict(form)["rut"])})

    async def never_taken(*args, **kwargs):  # type: ignore[no-untyped-def]
        return False

    monkeypatch.setattr(queries, "rut_taken", never_taken)
    response = await client.post("/mi-organizacion/inscribir", form)
    assert response.status_code == 422 and _error_for(response.text, "rut")
    assert await count(db, "organizations") == 1 and await count(db, "org_representatives") == 0


SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


async def test_html_in_text_fields_is_escaped_everywhere(db, make_client) -> None:
    rep = make_client()
    await create_user(db, "persona@prueba.cl")
    await rep.login("persona@prueba.cl")
    fields = {name: SCRIPT for name in ("legal_name", "short_name", "address", "legal_rep_name")}
    fields["description"] = SCRIPT + " descripción suficientemente larga"
    assert (await rep.post("/mi-organizacion/inscribir", org_form(**fields))).status_code == 303
    org_id = await db.fetch_val("SELECT id FROM organizations")
    await create_user(db, "revisor@prueba.cl", roles=["reviewer"])
    staff = make_client()
    await staff.login("revisor@prueba.cl")
    for client, url in ((rep, "/mi-organizacion"), (staff, f"/staff/registro/{org_id}"),
                        (staff, "/staff/registro?status=draft")):
        page = (await client.get(url)).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    # and on the public pages once it is registered
    await db.execute("UPDATE organizations SET status = 'approved', approved_at = now(), vigencia_expires_on = current_date + 30")
    for url in (f"/organizaciones/{org_id}", "/organizaciones", "/organizaciones?q=descripcion suficientemente"):
        page = (await rep.get(url)).text
        assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)" in page
    # the form re-rendered with an error keeps the value, escaped
    bad = await rep.post("/mi-organizacion/editar", org_form(**fields, members="muchos"))
    assert bad.status_code == 422 and "<script>alert" not in bad.text and "&lt;script&gt;" in bad.text


async def test_non_pdf_upload_is_refused(db, client) -> None:
    await create_rep(db, status="draft")
    email = await db.fetch_val("SELECT email FROM users")
    await client.login(email)
    for content in (PNG, b"%PDF-1.4 but broken", b""):
        response = await upload(client, "estatutos", content, filename="estatutos.pdf")
        assert response.status_code == 422 and _error_for(response.text, "file")
    assert await count(db, "stored_files") == 0 and await count(db, "org_documents") == 0


async def test_oversize_upload_is_refused(db, client) -> None:
    await create_rep(db, status="draft")
    await client.login(await db.fetch_val("SELECT email FROM users"))
    big = PDF + b"\n%" + b"0" * (10 * 1024 * 1024)
    response = await upload(client, "estatutos", big)
    assert response.status_code == 413
    huge = await upload(client, "estatutos", b"%PDF-" + b"0" * (12 * 1024 * 1024))
    assert huge.status_code == 413
    assert await count(db, "stored_files") == 0


async def test_vigencia_must_be_recent_and_dated(db, client) -> None:
    from datetime import timedelta

    await create_rep(db, status="draft")
    await client.login(await db.fetch_val("SELECT email FROM users"))
    old = await upload(client, "vigencia", issued_on=clock.today() - timedelta(days=61))
    assert old.status_code == 422 and _error_for(old.text, "issued_on")
    future = await upload(client, "vigencia", issued_on=clock.today() + timedelta(days=1))
    assert future.status_code == 422 and _error_for(future.text, "issued_on")
    assert await count(db, "org_documents") == 0
    ok = await upload(client, "vigencia", issued_on=clock.today() - timedelta(days=60))
    assert ok.status_code == 303
    assert await db.fetch_val("SELECT issued_on FROM org_documents") == clock.today() - timedelta(days=60)
