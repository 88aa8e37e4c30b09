"""The whole Compromiso Migrante cycle over HTTP: adhesion → report → application → evaluation →
recognition, with the refusals along the way storing nothing."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from compromiso_helpers import adhesion_data, carta, counts
from factories import create_user, next_rut
from portal import audit, clock
from portal.compromiso import rules

YEAR = rules.open_year()


def report_data(action: str = "submit", **overrides: str) -> list[tuple[str, str]]:
    data = {}
    for n in range(1, 6):
        data[f"actions_{n}"] = f"Acción del compromiso {n}: comité de inclusión y talleres."
        data[f"indicators_{n}"] = f"{n * 12} personas participaron."
    data.update(overrides)
    return [*data.items(), ("action", action)]


async def adhere(client: Any, db: Any, pdf: bytes, email: str, rut: str | None = None) -> tuple[int, int]:
    """Sign up `email`, adhere a company; (company id, cycle id)."""
    await create_user(db, email)
    await client.login(email)
    response = await client.post("/mi-empresa/adhesion", adhesion_data(rut), files=carta(pdf))
    assert response.status_code == 303, response.text
    company = await db.fetch_one("SELECT c.id FROM compromiso_companies c JOIN compromiso_contacts k "
                                 "ON k.company_id = c.id JOIN users u ON u.id = k.user_id WHERE u.email = :e",
                                 {"e": email})
    cycle_id = await db.fetch_val("SELECT id FROM compromiso_cycles WHERE company_id = :c AND year = :y",
                                  {"c": company["id"], "y": YEAR})
    return company["id"], cycle_id


async def status_of(db: Any, cycle_id: int) -> str:
    return await db.fetch_val("SELECT status FROM compromiso_cycles WHERE id = :id", {"id": cycle_id})


async def test_full_cycle_to_recognition(db: Any, client: Any, make_client: Any, pdf: bytes) -> None:
    company_id, cycle_id = await adhere(client, db, pdf, "paula@andina.cl")
    stored = await counts(db)
    assert (stored["compromiso_companies"], stored["compromiso_contacts"], stored["stored_files"]) == (1, 1, 1)
    assert await status_of(db, cycle_id) == "adhered"
    sha = await db.fetch_val("SELECT f.sha256 FROM stored_files f JOIN compromiso_companies c "
                             "ON c.carta_file_id = f.id WHERE c.id = :c", {"c": company_id})
    import hashlib
    assert sha == hashlib.sha256(pdf).hexdigest()
    home = await client.get("/mi-empresa")
    assert "Constructora Andina SpA" in home.text and f"/mi-empresa/ciclos/{cycle_id}" in home.text

    # applying before the report is refused and changes nothing
    before = await counts(db)
    refused = await client.post(f"/mi-empresa/ciclos/{cycle_id}/postular")
    assert refused.status_code == 409
    assert "primero envíe el informe anual" in refused.text
    assert await status_of(db, cycle_id) == "adhered" and await counts(db) == before

    # an incomplete report cannot be submitted; a non-PDF evidence file is refused
    incomplete = await client.post(f"/mi-empresa/ciclos/{cycle_id}/informe", report_data(actions_3=""))
    assert incomplete.status_code == 422 and "Este campo es obligatorio" in incomplete.text
    fake = await client.post(f"/mi-empresa/ciclos/{cycle_id}/informe", report_data(),
                             files=[("evidence_2", ("fotos.pdf", b"GIF89a not a pdf", "application/pdf"))])
    assert fake.status_code == 422 and "debe ser un PDF" in fake.text
    assert await counts(db) == before and await status_of(db, cycle_id) == "adhered"

    # a draft keeps the text without submitting
    draft = await client.post(f"/mi-empresa/ciclos/{cycle_id}/informe", report_data("draft", actions_5=""))
    assert draft.status_code == 303 and await status_of(db, cycle_id) == "adhered"

    submitted = await client.post(f"/mi-empresa/ciclos/{cycle_id}/informe", report_data(),
                                  files=[("evidence_1", ("comite.pdf", pdf, "application/pdf")),
                                         ("evidence_4", ("feria.pdf", pdf, "application/pdf"))])
    assert submitted.status_code == 303
    assert await status_of(db, cycle_id) == "report_submitted"
    assert await db.fetch_val("SELECT count(*) FROM compromiso_evidence WHERE cycle_id = :c", {"c": cycle_id}) == 2
    assert await db.fetch_val("SELECT count(*) FROM compromiso_report_items WHERE cycle_id = :c", {"c": cycle_id}) == 5

    applied = await client.post(f"/mi-empresa/ciclos/{cycle_id}/postular")
    assert applied.status_code == 303 and await status_of(db, cycle_id) == "applied"
    again = await client.post(f"/mi-empresa/ciclos/{cycle_id}/postular")
    assert again.status_code == 409 and "ya postuló" in again.text

    # the evaluator takes it, a score out of range is refused, then the decision
    evaluator = make_client()
    await create_user(db, "carlos@sermig.gob.cl", roles=["compromiso_evaluator"])
    await evaluator.login("carlos@sermig.gob.cl")
    queue = await evaluator.get("/staff/compromiso")
    assert "Constructora Andina SpA" in queue.text
    assert (await evaluator.post(f"/staff/compromiso/ciclos/{cycle_id}/iniciar")).status_code == 303
    assert await status_of(db, cycle_id) == "in_evaluation"
    page = await evaluator.get(f"/staff/compromiso/ciclos/{cycle_id}")
    assert "comite.pdf" in page.text and "Acción del compromiso 3" in page.text
    before = await counts(db)
    scores = {f"score_{n}": s for n, s in zip(range(1, 6), ("3", "2", "2", "2", "1"), strict=True)}
    bad = await evaluator.post(f"/staff/compromiso/ciclos/{cycle_id}/evaluar", {**scores, "score_2": "4"})
    assert bad.status_code == 422 and "entre 0 y 3" in bad.text
    negative = await evaluator.post(f"/staff/compromiso/ciclos/{cycle_id}/evaluar", {**scores, "score_5": "-1"})
    assert negative.status_code == 422
    assert await counts(db) == before and await status_of(db, cycle_id) == "in_evaluation"

    decided = await evaluator.post(f"/staff/compromiso/ciclos/{cycle_id}/evaluar",
                                   {**scores, "comment_5": "Falta participación en comités."})
    assert decided.status_code == 303
    cycle = await db.fetch_one("SELECT status, total_score, certificate_code FROM compromiso_cycles WHERE id = :id",
                               {"id": cycle_id})
    assert (cycle["status"], cycle["total_score"]) == ("recognized", 10)
    cert = await db.fetch_one("SELECT * FROM certificates WHERE code = :c", {"c": cycle["certificate_code"]})
    assert (cert["kind"], cert["subject_type"], cert["subject_id"]) == ("compromiso", "company", str(company_id))
    assert cert["title"] == f"Reconocida {YEAR}" and cert["valid_until"] == date(YEAR + 1, 12, 31)
    events = [e["action"] for e in await audit.history(db, "compromiso_cycle", cycle_id)]
    assert events == ["compromiso.report_submitted", "compromiso.applied", "compromiso.evaluation_started",
                      "compromiso.decided"]
    mail = await db.fetch_one("SELECT subject, body FROM outbox WHERE to_addr = 'paula@andina.cl' "
                              "ORDER BY id DESC LIMIT 1")
    assert f"Reconocida {YEAR}" in mail["subject"] and cycle["certificate_code"] in mail["body"]

    # the contact sees the result and the scores; the public sees the recognition
    mine = await client.get(f"/mi-empresa/ciclos/{cycle_id}")
    assert f"/certificados/{cycle['certificate_code']}" in mine.text and "Falta participación" in mine.text
    verify = await make_client().get(f"/certificados/{cycle['certificate_code']}")
    assert verify.status_code == 200 and "Constructora Andina SpA" in verify.text
    certificate_pdf = await client.get(f"/certificados/{cycle['certificate_code']}.pdf")
    assert certificate_pdf.status_code == 200 and certificate_pdf.content.startswith(b"%PDF-")
    public = await make_client().get(f"/compromiso-migrante?anio={YEAR}")
    assert "Constructora Andina SpA" in public.text
    record = await make_client().get(f"/compromiso-migrante/{company_id}")
    assert f"Reconocida {YEAR}" in record.text and "paula" not in record.text.lower()


async def test_twelve_points_with_a_zero_is_not_recognized(db: Any, client: Any, make_client: Any,
                                                           pdf: bytes) -> None:
    _company_id, cycle_id = await adhere(client, db, pdf, "zero@empresa.cl")
    assert (await client.post(f"/mi-empresa/ciclos/{cycle_id}/informe", report_data())).status_code == 303
    assert (await client.post(f"/mi-empresa/ciclos/{cycle_id}/postular")).status_code == 303
    evaluator = make_client()
    await create_user(db, "eva@sermig.gob.cl", roles=["compromiso_evaluator"])
    await evaluator.login("eva@sermig.gob.cl")
    early = await evaluator.post(f"/staff/compromiso/ciclos/{cycle_id}/evaluar",
                                 {f"score_{n}": "3" for n in range(1, 6)})
    assert early.status_code == 409  # not yet in evaluation
    await evaluator.post(f"/staff/compromiso/ciclos/{cycle_id}/iniciar")
    response = await evaluator.post(f"/staff/compromiso/ciclos/{cycle_id}/evaluar",
                                    {"score_1": "3", "score_2": "3", "score_3": "3", "score_4": "3", "score_5": "0"})
    assert response.status_code == 303
    row = await db.fetch_one("SELECT status, total_score, certificate_code FROM compromiso_cycles WHERE id = :i",
                             {"i": cycle_id})
    assert (row["status"], row["total_score"], row["certificate_code"]) == ("not_recognized", 12, None)
    assert await db.fetch_val("SELECT count(*) FROM certificates") == 0
    mail = await db.fetch_val("SELECT body FROM outbox WHERE to_addr = 'zero@empresa.cl' ORDER BY id DESC LIMIT 1")
    assert "sin reconocimiento" in mail and "12 de 15" in mail


async def test_second_adhesion_for_the_same_rut_is_refused(db: Any, client: Any, make_client: Any,
                                                           pdf: bytes) -> None:
    rut = next_rut()
    await adhere(client, db, pdf, "first@empresa.cl", rut=rut)
    before = await counts(db)
    other = make_client()
    await create_user(db, "second@empresa.cl")
    await other.login("second@empresa.cl")
    dotted = f"{int(rut.split('-')[0]):,}".replace(",", ".") + "-" + rut.split("-")[1]  # same RUT, other spelling
    response = await other.post("/mi-empresa/adhesion", adhesion_data(dotted), files=carta(pdf))
    assert response.status_code == 422
    assert "Ya existe una adhesión a Compromiso Migrante con este RUT" in response.text
    assert await counts(db) == before


async def test_the_unique_constraint_backs_the_rut_check(db: Any, pdf: bytes) -> None:
    import asyncpg
    import pytest

    from portal.compromiso import seed

    rut = next_rut()
    await seed.create_company(db, rut=rut, name="Primera", pdf=pdf)
    with pytest.raises(asyncpg.UniqueViolationError):
        await seed.create_company(db, rut=rut, name="Segunda", pdf=pdf)


async def test_invalid_adhesions_store_nothing(db: Any, client: Any, pdf: bytes) -> None:
    await create_user(db, "nadie@empresa.cl")
    await client.login("nadie@empresa.cl")
    before = await counts(db)
    cases = [
        (adhesion_data("12.345.678-0"), carta(pdf), "El RUT no es válido"),
        (adhesion_data(), carta(b"hello, I am text", "carta.pdf"), "debe ser un PDF"),
        (adhesion_data(), carta(b"%PDF-1.4\nbroken beyond repair", "carta.pdf"), "No pudimos abrir el PDF"),
        (adhesion_data(), None, "Adjunte el documento en PDF"),
        (adhesion_data(comuna_code="13101"), carta(pdf), "no pertenece a la región"),
        (adhesion_data(foreign_men="-3"), carta(pdf), "Escriba un número entre 0"),
        ([p for p in adhesion_data() if p != ("accept", "3")], carta(pdf), "debe aceptar los cinco compromisos"),
    ]
    for data, files, message in cases:
        response = await client.post("/mi-empresa/adhesion", data, files=files)
        assert response.status_code == 422, message
        assert message in response.text
        assert 'value="Constructora Andina SpA"' in response.text  # the user's values come back
    assert await counts(db) == before


async def test_contacts_of_another_company_are_refused(db: Any, client: Any, make_client: Any, pdf: bytes) -> None:
    _company_id, cycle_id = await adhere(client, db, pdf, "owner@empresa.cl")
    await client.post(f"/mi-empresa/ciclos/{cycle_id}/informe", report_data("draft"),
                      files=[("evidence_1", ("comite.pdf", pdf, "application/pdf"))])
    evidence = await db.fetch_one("SELECT id, file_id::text AS file_id FROM compromiso_evidence")
    carta_id = await db.fetch_val("SELECT carta_file_id::text FROM compromiso_companies")
    intruder = make_client()
    await adhere(intruder, db, pdf, "intruder@otra.cl")
    before = await counts(db)
    attempts = [
        await intruder.get(f"/mi-empresa/ciclos/{cycle_id}"),
        await intruder.post(f"/mi-empresa/ciclos/{cycle_id}/informe", report_data()),
        await intruder.post(f"/mi-empresa/ciclos/{cycle_id}/postular"),
        await intruder.post(f"/mi-empresa/evidencias/{evidence['id']}/eliminar"),
        await intruder.get(f"/compromiso/archivos/{evidence['file_id']}"),
        await intruder.get(f"/compromiso/archivos/{carta_id}"),
    ]
    # pages whose address is theirs to know say why (403); another company's files are simply not found (404)
    assert [r.status_code for r in attempts] == [403] * 4 + [404] * 2
    assert "otra organización" in attempts[0].text
    assert await counts(db) == before and await status_of(db, cycle_id) == "adhered"


async def test_evidence_downloads_are_attachments_for_contacts_and_staff(db: Any, client: Any, make_client: Any,
                                                                          pdf: bytes) -> None:
    _company_id, cycle_id = await adhere(client, db, pdf, "files@empresa.cl")
    await client.post(f"/mi-empresa/ciclos/{cycle_id}/informe", report_data("draft"),
                      files=[("evidence_2", ("taller 2026/ñ.pdf", pdf, "application/pdf"))])
    file_id = await db.fetch_val("SELECT file_id::text FROM compromiso_evidence")
    mine = await client.get(f"/compromiso/archivos/{file_id}")
    assert mine.status_code == 200 and mine.content == pdf
    assert mine.headers["content-disposition"].startswith("attachment;")
    staff = make_client()
    await create_user(db, "eval@sermig.gob.cl", roles=["compromiso_evaluator"])
    await staff.login("eval@sermig.gob.cl")
    assert (await staff.get(f"/compromiso/archivos/{file_id}")).content == pdf
    reviewer = make_client()
    await create_user(db, "rev@sermig.gob.cl", roles=["reviewer"])
    await reviewer.login("rev@sermig.gob.cl")
    assert (await reviewer.get(f"/compromiso/archivos/{file_id}")).status_code == 404  # not theirs: not found
    anon = await make_client().get(f"/compromiso/archivos/{file_id}")
    assert anon.status_code == 303 and anon.headers["location"].startswith("/ingresar")
    assert (await client.get("/compromiso/archivos/not-a-uuid")).status_code == 404
    # while the report is a draft the contact may remove a file
    evidence_id = await db.fetch_val("SELECT id FROM compromiso_evidence")
    assert (await client.post(f"/mi-empresa/evidencias/{evidence_id}/eliminar")).status_code == 303
    assert await db.fetch_val("SELECT count(*) FROM compromiso_evidence") == 0
    assert await db.fetch_val("SELECT count(*) FROM stored_files WHERE id = CAST(:f AS uuid)", {"f": file_id}) == 0


async def test_staff_creates_a_company_and_invites_its_contact(db: Any, client: Any, make_client: Any,
                                                               pdf: bytes) -> None:
    await create_user(db, "staff@sermig.gob.cl", roles=["compromiso_evaluator"])
    await client.login("staff@sermig.gob.cl")
    rut = next_rut()
    form = {"rut": rut, "name": "Gremio Hortofrutícola", "kind": "gremio", "size": "grande",
            "sector": "agricultura", "region_code": "06", "comuna_code": "06101", "invite_email": "Ana@Gremio.cl"}
    bad = await client.post("/staff/compromiso/organizaciones/nueva", {**form, "comuna_code": "05101"})
    assert bad.status_code == 422 and await db.fetch_val("SELECT count(*) FROM compromiso_companies") == 0
    created = await client.post("/staff/compromiso/organizaciones/nueva", form)
    assert created.status_code == 303
    company_id = int(created.headers["location"].rsplit("/", 1)[1])
    body = await db.fetch_val("SELECT body FROM outbox WHERE to_addr = 'ana@gremio.cl'")
    token = re.search(r"/mi-empresa/invitacion/(\S+)", body).group(1)
    duplicate = await client.post("/staff/compromiso/organizaciones/nueva", {**form, "name": "Otro"})
    assert duplicate.status_code == 422 and "Ya existe una organización con este RUT" in duplicate.text

    # someone else cannot use the invitation; the invited person can
    stranger = make_client()
    await create_user(db, "stranger@gremio.cl")
    await stranger.login("stranger@gremio.cl")
    assert (await stranger.post(f"/mi-empresa/invitacion/{token}")).status_code == 403
    invited = make_client()
    await create_user(db, "ana@gremio.cl")
    await invited.login("ana@gremio.cl")
    assert (await invited.get(f"/mi-empresa/invitacion/{token}x")).status_code == 400
    assert "Gremio Hortofrutícola" in (await invited.get(f"/mi-empresa/invitacion/{token}")).text
    assert (await invited.post(f"/mi-empresa/invitacion/{token}")).status_code == 303
    assert await db.fetch_val("SELECT company_id FROM compromiso_contacts") == company_id

    # the contact completes the adhesion with the carta; the RUT stays the one SERMIG registered
    home = await invited.get("/mi-empresa")
    assert "Completar la adhesión" in home.text
    done = await invited.post("/mi-empresa/adhesion", adhesion_data(next_rut(), name="Gremio Hortofrutícola A.G.",
                                                                   region_code="06", comuna_code="06101"),
                              files=carta(pdf))
    assert done.status_code == 303
    row = await db.fetch_one("SELECT rut, name, adhered_on FROM compromiso_companies WHERE id = :id",
                             {"id": company_id})
    assert (row["rut"], row["name"], row["adhered_on"]) == (rut, "Gremio Hortofrutícola A.G.", clock.today())
    assert await db.fetch_val("SELECT count(*) FROM compromiso_cycles WHERE company_id = :c", {"c": company_id}) == 1
    actions = {r["action"] for r in await audit.history(db, "compromiso_company", company_id)}
    assert actions == {"compromiso.company_created", "compromiso.contact_added", "compromiso.adhered"}


async def test_a_carta_over_10_mb_is_refused(db: Any, client: Any) -> None:
    await create_user(db, "grande@empresa.cl")
    await client.login("grande@empresa.cl")
    before = await counts(db)
    big = b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024)
    response = await client.post("/mi-empresa/adhesion", adhesion_data(), files=carta(big))
    assert response.status_code == 422 and "supera los 10 MB" in response.text
    assert await counts(db) == before


async def test_a_contact_cannot_adhere_a_second_company(db: Any, client: Any, pdf: bytes) -> None:
    await adhere(client, db, pdf, "uno@empresa.cl")
    before = await counts(db)
    response = await client.post("/mi-empresa/adhesion", adhesion_data(), files=carta(pdf))
    assert response.status_code == 303 and response.headers["location"] == "/mi-empresa"
    assert await counts(db) == before
