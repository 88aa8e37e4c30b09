"""Finding 6 and Deliver 7 (issue 10): an approved organization's new legal or short name goes to
staff review; the public page, the open data and certificates keep the approved names until then
(docs/registry.md, Workflow: name change). Before: the edit took effect at once."""

from __future__ import annotations

import csv
import io
from typing import Any

from factories import create_rep, create_user
from registry_helpers import org_form


async def _reviewer(db: Any, make_client: Any) -> Any:
    await create_user(db, "rev@x.cl", roles=["reviewer"])
    reviewer = make_client()
    await reviewer.login("rev@x.cl")
    return reviewer


async def _rename(db: Any, make_client: Any, new: str = '=HYPERLINK("http://x")') -> tuple[Any, int]:
    _user_id, org_id, email = await create_rep(db, status="approved", name="Fundación Aprobada", short_name="FA", category="B")
    await db.execute("UPDATE organizations SET approved_at = now() WHERE id = :id", {"id": org_id})
    rep = make_client()
    await rep.login(email)
    rut_value = await db.fetch_val("SELECT rut FROM organizations WHERE id = :id", {"id": org_id})
    response = await rep.post("/mi-organizacion/editar", org_form(rut=rut_value, legal_name=new, short_name="NUEVO",
                                                                  description="Otra descripción, que sí cambia al instante."))
    assert response.status_code == 303
    return rep, org_id


async def test_a_new_name_waits_for_review_everywhere(db, client, make_client) -> None:
    rep, org_id = await _rename(db, make_client)
    row = await db.fetch_one("SELECT legal_name, short_name, pending_legal_name, status, review_kind, description "
                             "FROM organizations WHERE id = :id", {"id": org_id})
    assert (row["legal_name"], row["short_name"]) == ("Fundación Aprobada", "FA")
    assert row["pending_legal_name"] == '=HYPERLINK("http://x")'
    assert (row["status"], row["review_kind"]) == ("submitted", "identity_change")
    assert row["description"].startswith("Otra descripción")  # other fields change at once
    public = await client.get(f"/organizaciones/{org_id}")
    assert public.status_code == 200 and "Fundación Aprobada" in public.text and "HYPERLINK" not in public.text
    rows = list(csv.DictReader(io.StringIO((await client.get("/datos/organizaciones.csv")).text.lstrip("\ufeff"))))
    assert [r["legal_name"] for r in rows] == ["Fundación Aprobada"]  # still listed, with the approved name
    home = await rep.get("/mi-organizacion")
    assert "cambio en revisión" in home.text
    assert await db.fetch_val("SELECT count(*) FROM audit_log WHERE action = 'registry.identity_change_requested'") == 1


async def test_a_certificate_issued_meanwhile_keeps_the_approved_name(db, make_client) -> None:
    rep, org_id = await _rename(db, make_client)
    assert (await rep.post("/mi-organizacion/certificado")).status_code == 303
    names = await db.fetch_all("SELECT subject_name FROM certificates WHERE subject_id = :id", {"id": str(org_id)})
    assert [r["subject_name"] for r in names] == ["Fundación Aprobada"]


async def test_staff_approve_the_new_name(db, client, make_client) -> None:
    _rep, org_id = await _rename(db, make_client, new="Fundación Renombrada")
    reviewer = await _reviewer(db, make_client)
    queue = await reviewer.get("/staff/registro")
    assert "Cambio de nombre" in queue.text
    page = await reviewer.get(f"/staff/registro/{org_id}")
    assert "Nombre solicitado" in page.text and "Fundación Renombrada" in page.text
    assert (await reviewer.post(f"/staff/registro/{org_id}/aprobar")).status_code == 303
    row = await db.fetch_one("SELECT legal_name, short_name, pending_legal_name, status FROM organizations "
                             "WHERE id = :id", {"id": org_id})
    assert (row["legal_name"], row["short_name"], row["pending_legal_name"], row["status"]) == \
        ("Fundación Renombrada", "NUEVO", None, "approved")
    assert "Fundación Renombrada" in (await client.get(f"/organizaciones/{org_id}")).text


async def test_staff_reject_the_new_name(db, client, make_client) -> None:
    _rep, org_id = await _rename(db, make_client, new="Nombre Impostor")
    reviewer = await _reviewer(db, make_client)
    response = await reviewer.post(f"/staff/registro/{org_id}/rechazar", {"reason": "El nombre no coincide con la vigencia."})
    assert response.status_code == 303
    row = await db.fetch_one("SELECT legal_name, pending_legal_name, status FROM organizations WHERE id = :id",
                             {"id": org_id})
    assert (row["legal_name"], row["pending_legal_name"], row["status"]) == ("Fundación Aprobada", None, "approved")
    assert "Nombre Impostor" not in (await client.get(f"/organizaciones/{org_id}")).text


async def test_a_name_change_during_another_review_is_refused(db, make_client) -> None:
    _user_id, org_id, email = await create_rep(db, status="observed", name="Fundación En Renovación", category="B")
    await db.execute("UPDATE organizations SET approved_at = now(), review_kind = 'renewal' WHERE id = :id",
                     {"id": org_id})
    rep = make_client()
    await rep.login(email)
    rut_value = await db.fetch_val("SELECT rut FROM organizations WHERE id = :id", {"id": org_id})
    response = await rep.post("/mi-organizacion/editar", org_form(rut=rut_value, legal_name="Otro Nombre"))
    assert response.status_code == 409 and "termine la revisión en curso" in response.text
    assert await db.fetch_val("SELECT legal_name FROM organizations WHERE id = :id", {"id": org_id}) == \
        "Fundación En Renovación"


async def test_a_draft_still_renames_itself_freely(db, make_client) -> None:
    _user_id, org_id, email = await create_rep(db, status="draft", name="Borrador", category="B")
    rep = make_client()
    await rep.login(email)
    rut_value = await db.fetch_val("SELECT rut FROM organizations WHERE id = :id", {"id": org_id})
    assert (await rep.post("/mi-organizacion/editar", org_form(rut=rut_value, legal_name="Borrador Dos"))).status_code == 303
    assert await db.fetch_val("SELECT legal_name FROM organizations WHERE id = :id", {"id": org_id}) == "Borrador Dos"
