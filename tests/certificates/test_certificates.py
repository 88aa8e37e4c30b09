"""Certificates: the public verification page for every case, the PDF and its QR payload, the registry
membership certificate's permissions, revocation by the right staff."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pypdf
import segno

from factories import create_org, create_rep, create_user
from portal import clock
from portal.certificates import pdf as certpdf, service


async def _issue(db: Any, *, until: date | None = None, kind: str = "sello") -> str:
    return await service.issue(db, kind=kind, subject_type="municipality", subject_id="05101",
                               subject_name="Municipalidad de Valparaíso", title="Sello Migrante 2026–2028",
                               valid_from=clock.today() - timedelta(days=100), valid_until=until, actor=None)


async def test_verification_page_valid_expired_revoked(db: Any, client: Any) -> None:
    valid = await _issue(db, until=clock.today() + timedelta(days=300))
    page = await client.get(f"/certificados/{valid}")
    assert page.status_code == 200
    assert "Certificado válido." in page.text and "Municipalidad de Valparaíso" in page.text
    assert "Sello Migrante 2026–2028" in page.text and "Certificado Sello Migrante" in page.text

    expired = await _issue(db, until=clock.today() - timedelta(days=1))
    page = await client.get(f"/certificados/{expired}")
    assert page.status_code == 200 and "Certificado vencido." in page.text and "Certificado válido." not in page.text

    revoked = await _issue(db, until=clock.today() + timedelta(days=300))
    await service.revoke(db, revoked, "Error en el nombre de la municipalidad", actor=None)
    page = await client.get(f"/certificados/{revoked}")
    assert page.status_code == 200 and "Certificado revocado." in page.text
    assert "Error en el nombre de la municipalidad" in page.text
    assert (await client.get(f"/certificados/{revoked}.pdf")).status_code == 404


async def test_unknown_and_malformed_codes(db: Any, client: Any) -> None:
    unknown = await client.get("/certificados/ABCD-EFGH-JKLM-NPQR")
    assert unknown.status_code == 404 and "No existe un certificado con el código ABCD-EFGH-JKLM-NPQR" in unknown.text
    for bad in ("hola", "0000-0000-0000-0000", "%3Cscript%3E", "A" * 300):
        page = await client.get(f"/certificados/{bad}")
        assert page.status_code == 400, bad
        assert "no es un código de certificado válido" in page.text and "<script>" not in page.text
    assert (await client.get("/certificados/hola.pdf")).status_code == 404
    # lower case and missing dashes are accepted: redirected to the canonical address
    code = await _issue(db, until=None)
    loose = await client.get(f"/certificados/{code.replace('-', '').lower()}")
    assert loose.status_code == 303 and loose.headers["location"] == f"/certificados/{code}"


async def test_lookup_form(db: Any, client: Any) -> None:
    assert 'name="codigo"' in (await client.get("/certificados")).text
    code = await _issue(db, until=None)
    found = await client.get(f"/certificados?codigo={code.lower()}")
    assert found.status_code == 303 and found.headers["location"] == f"/certificados/{code}"
    bad = await client.get("/certificados?codigo=xyz")
    assert bad.status_code == 400 and 'id="codigo-error"' in bad.text and 'value="xyz"' in bad.text


async def test_pdf_contains_the_code_and_the_qr_encodes_the_verification_url(db: Any, client: Any) -> None:
    code = await _issue(db, until=clock.today() + timedelta(days=300))
    response = await client.get(f"/certificados/{code}.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    url = f"http://testserver/certificados/{code}"
    assert code in text and url in text and "Municipalidad de Valparaíso" in text
    # the QR payload is exactly the verification URL, and the drawn matrix is that QR code
    assert certpdf.qr_payload(url) == url
    expected = segno.make(url, error="m", micro=False)
    assert certpdf.qr_matrix(url) == [[bool(c) for c in row] for row in expected.matrix]
    # in English too
    english = await client.get(f"/certificados/{code}.pdf", headers={"Accept-Language": "en"})
    assert "This is to certify that" in pypdf.PdfReader(io.BytesIO(english.content)).pages[0].extract_text()


async def test_registry_certificate_for_an_approved_organization(db: Any, make_client: Any) -> None:
    expires = clock.today() + timedelta(days=200)
    _uid, org_id, email = await create_rep(db, status="approved", vigencia_expires_on=expires)
    rep = make_client()
    await rep.login(email)
    page = await rep.get("/mi-organizacion/certificado")
    assert page.status_code == 200 and "Obtener el certificado" in page.text
    issued = await rep.post("/mi-organizacion/certificado")
    assert issued.status_code == 303 and issued.headers["location"].endswith(".pdf")
    cert = await db.fetch_one("SELECT * FROM certificates")
    assert cert["kind"] == "registry" and cert["subject_id"] == str(org_id) and cert["valid_until"] == expires
    pdf = await rep.get(issued.headers["location"])
    assert cert["code"] in pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    again = await rep.post("/mi-organizacion/certificado")  # the valid one is reused
    assert again.headers["location"] == issued.headers["location"]
    assert await db.fetch_val("SELECT count(*) FROM certificates") == 1


async def test_registry_certificate_refused_unless_approved_and_current(db: Any, make_client: Any) -> None:
    _uid, _org, pending = await create_rep(db, status="submitted")
    _uid2, _org2, lapsed = await create_rep(db, status="approved", vigencia_expires_on=clock.today() - timedelta(days=1))
    plain = await create_user(db, "persona@correo.cl")
    await create_org(db, status="approved")  # an organization plain is not a representative of
    for email in (pending, lapsed, "persona@correo.cl"):
        client = make_client()
        await client.login(email)
        assert (await client.get("/mi-organizacion/certificado")).status_code == 403, email
        assert (await client.post("/mi-organizacion/certificado")).status_code == 403, email
    assert plain and await db.fetch_val("SELECT count(*) FROM certificates") == 0
    anon = make_client()
    response = await anon.get("/mi-organizacion/certificado")
    assert response.status_code == 303 and response.headers["location"].startswith("/ingresar")


async def test_revocation_by_the_domain_staff_with_a_reason(db: Any, make_client: Any) -> None:
    code = await _issue(db, until=clock.today() + timedelta(days=300))
    await create_user(db, "revisor@sermig.cl", roles=["reviewer"])
    await create_user(db, "sello@sermig.cl", roles=["sello_evaluator"])
    reviewer, evaluator = make_client(), make_client()
    await reviewer.login("revisor@sermig.cl")
    await evaluator.login("sello@sermig.cl")
    # a registry reviewer may not revoke a Sello certificate
    assert (await reviewer.post(f"/staff/certificados/{code}/revocar", {"reason": "No corresponde"})).status_code == 403
    empty = await evaluator.post(f"/staff/certificados/{code}/revocar", {"reason": ""})
    assert empty.status_code == 422 and 'id="reason-error"' in empty.text
    assert await db.fetch_val("SELECT revoked_at FROM certificates") is None
    done = await evaluator.post(f"/staff/certificados/{code}/revocar", {"reason": "Resolución dejada sin efecto"})
    assert done.status_code == 303
    row = await db.fetch_one("SELECT revoked_at, revoked_reason FROM certificates")
    assert row["revoked_at"] is not None and row["revoked_reason"] == "Resolución dejada sin efecto"
    audit = await db.fetch_one("SELECT actor_label, after FROM audit_log WHERE action = 'certificate.revoked'")
    assert audit["actor_label"] == "sello@sermig.cl"
    assert (await evaluator.post(f"/staff/certificados/{code}/revocar", {"reason": "otra vez"})).status_code == 409
    assert (await evaluator.get("/staff/certificados/ABCD-EFGH-JKLM-NPQR/revocar")).status_code == 404


async def test_revocation_calls_the_hooks_for_its_subject_type_in_its_transaction(db: Any) -> None:
    """The service knows no domain: a domain registers what a revocation withdraws (docs/certificates.md)."""
    from portal.workflow import Conflict

    seen: list[tuple[str, str, Any, bool]] = []

    async def hook(db: Any, cert: service.Certificate, actor: Any) -> None:
        stored = await db.fetch_val("SELECT status FROM certificates WHERE code = :c", {"c": cert.code})
        seen.append((cert.code, cert.status, actor, stored == "revoked"))

    service.on_revocation("test_subject", hook)
    service.on_revocation("test_subject", hook)  # registering twice has no effect
    try:
        mine = await service.issue(db, kind="registry", subject_type="test_subject", subject_id="1", subject_name="X",
                                   title="T", valid_from=clock.today(), valid_until=None, actor=None)
        other = await _issue(db, until=None)  # a municipality: the hook is not called
        actor = await create_user(db, "revoca@sermig.cl", roles=["reviewer"])
        await service.revoke(db, mine, "Prueba de revocación", actor=actor)
        await service.revoke(db, other, "Prueba de revocación", actor=None)
        assert seen == [(mine, "revoked", actor, True)]
        try:
            await service.revoke(db, mine, "otra vez", actor=None)  # a second revocation is a Conflict
        except Conflict as refused:
            assert "ya fue revocado" in refused.reason
        else:
            raise AssertionError("revoking twice must raise Conflict")
        assert len(seen) == 1
        event = await db.fetch_one("SELECT actor_id FROM audit_log WHERE action = 'certificate.revoked' "
                                   "AND object_id = :c", {"c": mine})
        assert event["actor_id"] == actor
    finally:
        service._HOOKS["test_subject"].remove(hook)
