"""Who may download an organization's documents, and how they are served."""

from __future__ import annotations

import hashlib

from factories import create_rep, create_user
from registry_helpers import PDF, upload


async def test_documents_only_for_own_representatives_and_staff(db, make_client) -> None:
    _, _org_id, email = await create_rep(db, status="draft")
    _, _, other_email = await create_rep(db, status="approved")
    rep = make_client()
    await rep.login(email)
    assert (await upload(rep, "estatutos", filename="../../etc/Estatutos \"raros\".pdf")).status_code == 303
    doc_id = await db.fetch_val("SELECT id FROM org_documents")
    stored = await db.fetch_one("SELECT sha256, size FROM stored_files")
    assert stored["sha256"] == hashlib.sha256(PDF).hexdigest() and stored["size"] == len(PDF)

    own = await rep.get(f"/registro/documentos/{doc_id}")
    assert own.status_code == 200 and own.content == PDF
    assert own.headers["content-type"] == "application/pdf"
    disposition = own.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "/" not in disposition and disposition.count('"') == 2

    await create_user(db, "revisor@prueba.cl", roles=["reviewer"])
    staff = make_client()
    await staff.login("revisor@prueba.cl")
    assert (await staff.get(f"/registro/documentos/{doc_id}")).status_code == 200

    other = make_client()
    await other.login(other_email)
    assert (await other.get(f"/registro/documentos/{doc_id}")).status_code == 404
    await create_user(db, "sello@prueba.cl", roles=["sello_evaluator"])
    sello = make_client()
    await sello.login("sello@prueba.cl")
    assert (await sello.get(f"/registro/documentos/{doc_id}")).status_code == 404
    anon = make_client()
    response = await anon.get(f"/registro/documentos/{doc_id}")
    assert response.status_code == 303 and response.headers["location"].startswith("/ingresar")
    assert (await rep.get("/registro/documentos/999999")).status_code == 404
    assert (await rep.get("/registro/documentos/abc")).status_code == 404


async def test_new_upload_supersedes_the_old_one(db, client) -> None:
    _, _org_id, email = await create_rep(db, status="draft")
    await client.login(email)
    await upload(client, "estatutos")
    await upload(client, "estatutos")
    rows = await db.fetch_all("SELECT superseded_at FROM org_documents ORDER BY id")
    assert rows[0]["superseded_at"] is not None and rows[1]["superseded_at"] is None
    page = await client.get("/mi-organizacion/documentos")
    assert "Reemplazado" in page.text and "Vigente" in page.text


async def test_documents_are_frozen_during_review(db, client) -> None:
    _, _, email = await create_rep(db, status="in_review")
    await client.login(email)
    assert (await upload(client, "estatutos")).status_code == 409
    assert await db.fetch_val("SELECT count(*) FROM org_documents") == 0


async def test_registered_organization_renews_vigencia_only_through_renewal(db, client) -> None:
    _, _, email = await create_rep(db, status="approved")
    await client.login(email)
    response = await upload(client, "vigencia")
    assert response.status_code == 422 and 'id="kind-error"' in response.text
    assert (await upload(client, "estatutos")).status_code == 303
