"""The whole registration flow through the app, from sign-up to the public registry and open data."""

from __future__ import annotations

import csv
import io
import json

from registry_helpers import link_in, org_form, upload_all
from factories import create_user
from portal import mail


async def test_signup_register_review_publish(db, make_client) -> None:
    rep = make_client()
    email = "maria@fmu.cl"
    # sign-up and email verification (link taken from the outbox)
    response = await rep.post("/cuenta/crear", {
        "name": "María Pérez Soto", "email": email, "document_type": "run", "document_number": "12.345.678-5",
        "password": "una-clave-larga-1", "password_confirm": "una-clave-larga-1"})
    assert response.status_code == 303
    verify = link_in((await mail.recent(db, to=email))[0]["body"], "/cuenta/verificar/")
    assert (await rep.get(verify)).status_code == 303
    await rep.login(email, "una-clave-larga-1")
    # a person without an organization is sent to the registration form
    home = await rep.get("/mi-organizacion")
    assert home.status_code == 303 and home.headers["location"] == "/mi-organizacion/inscribir"
    form_page = await rep.get("/mi-organizacion/inscribir")
    assert "María Pérez Soto" in form_page.text and "12.345.678-5" in form_page.text  # pre-filled legal rep
    response = await rep.post("/mi-organizacion/inscribir", org_form(legal_name="Fundación Raíces del Sur"))
    assert response.status_code == 303, response.text
    org = await db.fetch_one("SELECT id, status FROM organizations")
    org_id = org["id"]
    assert org["status"] == "draft"
    assert await db.fetch_val("SELECT is_legal FROM org_representatives WHERE org_id = :o", {"o": org_id})
    # submitting without documents is refused, with the missing documents named
    refused = await rep.post("/mi-organizacion/enviar")
    assert refused.status_code == 422 and "Estatutos" in refused.text
    await upload_all(rep, "B")
    assert (await rep.post("/mi-organizacion/enviar")).status_code == 303
    assert await db.fetch_val("SELECT status FROM organizations") == "submitted"
    # a reviewer takes it and observes
    await create_user(db, "revisora@sermig.cl", roles=["reviewer"])
    staff = make_client()
    await staff.login("revisora@sermig.cl")
    queue = await staff.get("/staff/registro")
    assert "Fundación Raíces del Sur" in queue.text
    assert (await staff.post(f"/staff/registro/{org_id}/tomar")).status_code == 303
    assert await db.fetch_val("SELECT status FROM organizations") == "in_review"
    observed = await staff.post(f"/staff/registro/{org_id}/observar", {"message": "Falta la firma en los estatutos."})
    assert observed.status_code == 303
    assert await db.fetch_val("SELECT status FROM organizations") == "observed"
    page = await rep.get("/mi-organizacion")
    assert "Falta la firma en los estatutos." in page.text
    assert any("Observaciones" in m["subject"] for m in await mail.recent(db, to=email))
    # the organization corrects and resubmits; the reviewer approves
    await upload_all(rep, "B")
    assert (await rep.post("/mi-organizacion/enviar")).status_code == 303
    assert (await staff.post(f"/staff/registro/{org_id}/aprobar")).status_code == 303
    row = await db.fetch_one("SELECT status, vigencia_expires_on, approved_at FROM organizations")
    assert row["status"] == "approved" and row["vigencia_expires_on"] and row["approved_at"]
    assert any("aprobada" in m["subject"] for m in await mail.recent(db, to=email))
    actions = [r["action"] for r in await db.fetch_all("SELECT action FROM audit_log ORDER BY id")]
    for action in ("registry.created", "registry.submitted", "registry.taken", "registry.observed", "registry.approved"):
        assert action in actions
    # public: found by an accent-less search, with its public history; in CSV and JSON
    anon = make_client()
    found = await anon.get("/organizaciones", params={"q": "fundacion raices"})
    assert f'href="/organizaciones/{org_id}"' in found.text
    partial = await anon.get("/organizaciones", params={"q": "raic"}, headers={"HX-Request": "true"})
    assert f'href="/organizaciones/{org_id}"' in partial.text and "<html" not in partial.text
    public_page = await anon.get(f"/organizaciones/{org_id}")
    assert public_page.status_code == 200 and "Inscrita en el registro" in public_page.text
    assert "María Pérez Soto" not in public_page.text and "12.345.678-5" not in public_page.text
    rows = list(csv.DictReader(io.StringIO((await anon.get("/datos/organizaciones.csv")).text.lstrip("\ufeff"))))
    assert [r["legal_name"] for r in rows] == ["Fundación Raíces del Sur"]
    assert rows[0]["status"] == "approved" and rows[0]["region_code"] == "05" and rows[0]["areas"] == "regularizacion;salud"
    data = json.loads((await anon.get("/datos/organizaciones.json")).text)
    assert data["license"] == "CC BY 4.0" and data["organizations"][0]["id"] == org_id
    assert "legal_rep_name" not in data["organizations"][0]
