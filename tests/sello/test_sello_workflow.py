"""The Sello Migrante workflow over HTTP: adhesion → plan → Casilla → evaluation → certified → revalidation,
with the refusals on the way (nothing partial stored after any of them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sello_support import SANTIAGO, VALPARAISO, adhere, count, evaluation_files, evaluation_reports, pdf_file, ratings

from portal import clock, mail
from portal.sello import rules


async def test_adhesion_checks_the_pdf_and_is_unique(sello: Any) -> None:
    db = sello.db
    page = await sello.liaison.get("/mi-municipalidad")
    assert page.status_code == 200 and "Municipalidad de Valparaíso" in page.text and 'name="carta"' in page.text
    # a text file renamed .pdf is refused beside the field; nothing is stored
    bad = await sello.liaison.post("/mi-municipalidad/adhesion",
                                   {"mayor_name": "Camila Nieto", "carta_date": "2026-03-02", "council_agreement": "45/2026"},
                                   files=[("carta", ("carta.pdf", b"hola, no soy un PDF", "application/pdf"))])
    assert bad.status_code == 422 and "El archivo debe ser un PDF" in bad.text
    assert 'value="Camila Nieto"' in bad.text  # the user's values come back
    # starts like a PDF but pypdf cannot open it
    broken = await sello.liaison.post("/mi-municipalidad/adhesion",
                                      {"mayor_name": "Camila Nieto", "carta_date": "2026-03-02", "council_agreement": "45/2026"},
                                      files=[("carta", ("carta.pdf", b"%PDF-1.4 basura", "application/pdf"))])
    assert broken.status_code == 422 and "No pudimos abrir el PDF" in broken.text
    assert await count(db, "sello_adhesions") == 0 and await count(db, "stored_files") == 0

    ok = await adhere(sello.liaison)
    assert ok.status_code == 303 and ok.headers["location"] == "/mi-municipalidad"
    row = await db.fetch_one("""SELECT a.status, a.mayor_name, a.council_agreement, f.sha256, f.size
                                FROM sello_adhesions a JOIN stored_files f ON f.id = a.carta_file_id""")
    assert row["status"] == "adhered" and row["mayor_name"] == "Camila Nieto" and row["council_agreement"] == "Acuerdo N° 45/2026"
    assert len(row["sha256"]) == 64 and row["size"] > 100

    again = await adhere(sello.liaison)
    assert again.status_code == 409 and "solo hay una adhesión por comuna" in again.text
    assert await count(db, "sello_adhesions") == 1 and await count(db, "stored_files") == 1
    audit = await db.fetch_val("SELECT count(*) FROM audit_log WHERE action = 'sello.adhered' AND object_id = :c",
                               {"c": VALPARAISO})
    assert audit == 1


async def test_only_liaisons_and_only_their_own_municipality(sello: Any) -> None:
    db = sello.db
    await adhere(sello.liaison)
    await sello.liaison.post("/mi-municipalidad/casos", {"topic": "health", "opened_on": clock.today().isoformat()})
    case_id = await db.fetch_val("SELECT id FROM sello_cases")
    carta = await db.fetch_val("SELECT CAST(carta_file_id AS text) FROM sello_adhesions")
    # the liaison of Santiago can neither close Valparaíso's case nor read its carta (a file one may
    # not read answers 404, like a file that does not exist)
    refused = await sello.other.post(f"/mi-municipalidad/casos/{case_id}/cerrar")
    assert refused.status_code == 403 and "otra municipalidad" in refused.text
    assert (await sello.other.get(f"/sello/archivos/{carta}")).status_code == 404
    assert (await sello.other.get("/sello/archivos/00000000-0000-0000-0000-000000000000")).status_code == 404
    assert (await sello.other.get("/sello/archivos/no-es-un-id")).status_code == 404
    assert await db.fetch_val("SELECT status FROM sello_cases") == "open"
    # its own liaison and the evaluator can
    assert (await sello.liaison.get(f"/sello/archivos/{carta}")).content.startswith(b"%PDF-")
    assert (await sello.evaluator.get(f"/sello/archivos/{carta}")).status_code == 200
    closed = await sello.liaison.post(f"/mi-municipalidad/casos/{case_id}/cerrar")
    assert closed.status_code == 303 and await db.fetch_val("SELECT status FROM sello_cases") == "closed"
    # a staff member is not a liaison
    assert (await sello.evaluator.get("/mi-municipalidad")).status_code == 403
    # the other liaison's page is about Santiago and offers the adhesion form
    other_page = await sello.other.get("/mi-municipalidad")
    assert "Municipalidad de Santiago" in other_page.text and 'name="mayor_name"' in other_page.text


async def test_a_file_shared_by_two_municipalities_is_readable_by_both_liaisons(sello: Any) -> None:
    """One stored file may belong to several municipalities (the demo shares its PDFs): each of their
    liaisons may read it, not only the first comuna that refers to it."""
    db = sello.db
    await adhere(sello.liaison)
    carta = await db.fetch_val("SELECT CAST(carta_file_id AS text) FROM sello_adhesions")
    assert (await sello.other.get(f"/sello/archivos/{carta}")).status_code == 404
    await db.execute(
        """INSERT INTO sello_adhesions (comuna_code, mayor_name, carta_date, council_agreement, carta_file_id)
           VALUES (:c, 'Alcalde de Santiago', :d, 'Acuerdo 2/2026', CAST(:f AS uuid))""",
        {"c": SANTIAGO, "d": clock.today(), "f": carta})
    for client in (sello.liaison, sello.other, sello.evaluator):
        response = await client.get(f"/sello/archivos/{carta}")
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert (await sello.anon.get(f"/sello/archivos/{carta}")).status_code == 303  # sign in first


async def test_a_refusal_is_shown_on_the_page_it_came_from(sello: Any) -> None:
    """A second adhesion sent from /mi-municipalidad: 409, that page again with the reason on top."""
    await adhere(sello.liaison)
    again = await sello.liaison.post("/mi-municipalidad/adhesion",
                                     {"mayor_name": "Otra", "carta_date": "2026-03-02", "council_agreement": "1/2026"},
                                     files=[pdf_file("carta", "carta.pdf")],
                                     headers={"Referer": "http://testserver/mi-municipalidad"})
    assert again.status_code == 409
    assert 'role="alert">Esta municipalidad ya adhirió al Sello Migrante' in again.text
    assert "Plan de trabajo" in again.text  # the liaison's page, as it is now
    assert await count(sello.db, "sello_adhesions") == 1


async def test_casilla_case_validation(sello: Any) -> None:
    await adhere(sello.liaison)
    wrong = await sello.liaison.post("/mi-municipalidad/casos", {"topic": "nombre y RUT de la persona", "opened_on": "ayer"})
    assert wrong.status_code == 422
    assert "Elija una de las opciones de la lista." in wrong.text and "Escriba una fecha válida" in wrong.text
    assert await count(sello.db, "sello_cases") == 0


async def _request_evaluation(sello: Any) -> Any:
    return await sello.liaison.post("/mi-municipalidad/evaluacion", evaluation_reports(), files=evaluation_files())


async def test_evaluation_request_needs_every_area(sello: Any) -> None:
    db = sello.db
    await adhere(sello.liaison)
    too_soon = await _request_evaluation(sello)
    assert too_soon.status_code == 422 and "Primero suba el plan de trabajo" in too_soon.text
    plan = await sello.liaison.post("/mi-municipalidad/plan", files=[pdf_file("work_plan", "plan.pdf")])
    assert plan.status_code == 303
    assert await db.fetch_val("SELECT status FROM sello_adhesions") == "implementing"
    files_before = await count(db, "stored_files")

    no_report = await sello.liaison.post("/mi-municipalidad/evaluacion", evaluation_reports(skip=3), files=evaluation_files())
    assert no_report.status_code == 422
    assert 'id="report_3-error"' in no_report.text and 'id="report_2-error"' not in no_report.text
    no_evidence = await sello.liaison.post("/mi-municipalidad/evaluacion", evaluation_reports(), files=evaluation_files(skip=5))
    assert no_evidence.status_code == 422
    assert 'id="evidence_5-error"' in no_evidence.text and "Adjunte al menos un PDF de evidencia" in no_evidence.text
    not_pdf = await sello.liaison.post("/mi-municipalidad/evaluacion", evaluation_reports(),
                                       files=[*evaluation_files(skip=2),
                                              ("evidence_2", ("foto.png", b"\x89PNG....", "image/png"))])
    assert not_pdf.status_code == 422 and "foto.png: El archivo debe ser un PDF" in not_pdf.text
    assert await count(db, "sello_evaluations") == 0 and await count(db, "sello_evidence") == 0
    assert await count(db, "stored_files") == files_before
    assert await db.fetch_val("SELECT status FROM sello_adhesions") == "implementing"

    sent = await _request_evaluation(sello)
    assert sent.status_code == 303
    assert await db.fetch_val("SELECT status FROM sello_adhesions") == "evaluation_requested"
    assert await count(db, "sello_evaluation_areas") == 5 and await count(db, "sello_evidence") == 5
    twice = await _request_evaluation(sello)
    assert twice.status_code == 422 and "Ya hay una evaluación en curso." in twice.text
    assert await count(db, "sello_evaluations") == 1


async def _ready_for_evaluation(sello: Any) -> None:
    await adhere(sello.liaison)
    await sello.liaison.post("/mi-municipalidad/plan", files=[pdf_file("work_plan", "plan.pdf")])
    assert (await _request_evaluation(sello)).status_code == 303


async def test_evaluation_decisions_certificate_and_revalidation(sello: Any) -> None:
    db = sello.db
    await _ready_for_evaluation(sello)
    queue = await sello.evaluator.get("/staff/sello")
    assert queue.status_code == 200 and f"/staff/sello/{VALPARAISO}#evaluacion" in queue.text
    started = await sello.evaluator.post(f"/staff/sello/{VALPARAISO}/evaluacion/iniciar")
    assert started.status_code == 303 and await db.fetch_val("SELECT status FROM sello_adhesions") == "in_evaluation"

    # a missing rating and a "partially" with no comment are refused beside the fields
    incomplete = await sello.evaluator.post(f"/staff/sello/{VALPARAISO}/evaluacion",
                                            {"rating_1": "meets", "rating_2": "partially",
                                             "resolution_date": clock.today().isoformat()})
    assert incomplete.status_code == 422
    assert 'id="rating_3-error"' in incomplete.text and 'id="comment_2-error"' in incomplete.text
    assert await db.fetch_val("SELECT status FROM sello_evaluations") == "in_evaluation"

    # two areas partially → not certified: back to implementing, observations emailed
    today = clock.today()
    first = await sello.evaluator.post(f"/staff/sello/{VALPARAISO}/evaluacion",
                                       {**ratings("meets", "partially", "meets", "partially", "meets"),
                                        "resolution_date": today.isoformat(), "observations": "Falta el plan de capacitación."})
    assert first.status_code == 303
    assert await db.fetch_val("SELECT status FROM sello_adhesions") == "implementing"
    assert await count(db, "certificates") == 0
    sent = await mail.recent(db, to=sello.liaison_email)
    assert "observaciones" in sent[0]["subject"] and "Falta el plan de capacitación." in sent[0]["body"]
    assert "Cumple parcialmente" in sent[0]["body"]

    # one partially → certified for two years, with a certificate
    assert (await _request_evaluation(sello)).status_code == 303
    resolution = today - timedelta(days=10)
    second = await sello.evaluator.post(f"/staff/sello/{VALPARAISO}/evaluacion",
                                        {**ratings("meets", "meets", "partially", "meets", "meets"),
                                         "resolution_date": resolution.isoformat()})
    assert second.status_code == 303
    adhesion = await db.fetch_one("SELECT * FROM sello_adhesions")
    assert adhesion["status"] == "certified" and adhesion["certified_on"] == resolution
    assert adhesion["valid_until"] == rules.validity_end(resolution) and adhesion["first_certified_on"] == resolution
    cert = await db.fetch_one("SELECT * FROM certificates")
    assert cert["code"] == adhesion["certificate_code"] and cert["kind"] == "sello"
    assert cert["subject_name"] == "Municipalidad de Valparaíso" and cert["valid_until"] == adhesion["valid_until"]
    assert "certificada" in (await mail.recent(db, to=sello.liaison_email))[0]["subject"]
    actions = [r["action"] for r in await db.fetch_all("SELECT action FROM audit_log WHERE object_id = :c ORDER BY id",
                                                       {"c": VALPARAISO})]
    assert actions.count("sello.evaluation_decided") == 2 and "sello.evaluation_started" in actions

    # revalidation too early → a clear refusal, nothing stored
    evaluations = await count(db, "sello_evaluations")
    early = await _request_evaluation(sello)
    assert early.status_code == 422 and "últimos 90 días" in early.text
    assert await count(db, "sello_evaluations") == evaluations
    assert await db.fetch_val("SELECT status FROM sello_adhesions") == "certified"

    # in the last 90 days it is a revalidation; certified again → a new certificate and a counted revalidation
    await db.execute("UPDATE sello_adhesions SET valid_until = :d", {"d": clock.today() + timedelta(days=30)})
    assert (await _request_evaluation(sello)).status_code == 303
    assert await db.fetch_val("SELECT kind FROM sello_evaluations WHERE status = 'requested'") == "revalidation"
    public = await sello.anon.get("/sello-migrante")
    assert "Certificada, en revalidación" in public.text
    third = await sello.evaluator.post(f"/staff/sello/{VALPARAISO}/evaluacion",
                                       {**ratings("meets", "meets", "meets", "meets", "meets"),
                                        "resolution_date": today.isoformat()})
    assert third.status_code == 303
    assert await count(db, "certificates") == 2
    adhesion = await db.fetch_one("SELECT * FROM sello_adhesions")
    assert adhesion["valid_until"] == rules.validity_end(today) and adhesion["first_certified_on"] == resolution
    figures = (await sello.anon.get("/sello-migrante/municipalidades.json")).json()
    assert figures["municipalities"][0]["state"] == "certified"


async def test_expired_is_derived_from_the_dates(sello: Any) -> None:
    db = sello.db
    await _ready_for_evaluation(sello)
    await sello.evaluator.post(f"/staff/sello/{VALPARAISO}/evaluacion",
                               {**ratings("meets", "meets", "meets", "meets", "meets"),
                                "resolution_date": clock.today().isoformat()})
    # time passes; no job runs
    await db.execute("UPDATE sello_adhesions SET valid_until = :d", {"d": clock.today() - timedelta(days=1)})
    data = (await sello.anon.get("/sello-migrante/municipalidades.json")).json()
    assert data["municipalities"][0]["state"] == "expired"
    page = await sello.anon.get("/sello-migrante?estado=expired")
    assert "Certificación vencida" in page.text and "Municipalidad de Valparaíso" in page.text
    # the stored status stays 'certified': only the reading changes
    assert await db.fetch_val("SELECT status FROM sello_adhesions") == "certified"


async def test_revoking_the_certificate_withdraws_the_certification(sello: Any) -> None:
    """The public list must not show a municipality as certified on a revoked certificate; the
    municipality may then request a new certification (not a revalidation)."""
    db = sello.db
    await _ready_for_evaluation(sello)
    await sello.evaluator.post(f"/staff/sello/{VALPARAISO}/evaluacion",
                               {**ratings("meets", "meets", "meets", "meets", "meets"),
                                "resolution_date": clock.today().isoformat()})
    first = await db.fetch_one("SELECT certificate_code, first_certified_on FROM sello_adhesions")
    confirm = await sello.evaluator.get(f"/staff/certificados/{first['certificate_code']}/revocar")
    assert "su certificación Sello Migrante se retira" in confirm.text  # the evaluator is told beforehand
    revoked = await sello.evaluator.post(f"/staff/certificados/{first['certificate_code']}/revocar",
                                         {"reason": "Resolución de certificación dejada sin efecto"})
    assert revoked.status_code == 303
    adhesion = await db.fetch_one("SELECT * FROM sello_adhesions")
    assert adhesion["status"] == "implementing" and adhesion["valid_until"] is None and adhesion["certificate_code"] is None
    assert adhesion["first_certified_on"] == first["first_certified_on"]  # the history stays
    data = (await sello.anon.get("/sello-migrante/municipalidades.json")).json()
    assert data["municipalities"][0]["state"] == "implementing" and data["municipalities"][0]["certificate_code"] is None
    assert "Municipalidad de Valparaíso" not in (await sello.anon.get("/sello-migrante?estado=certified")).text
    staff_page = await sello.evaluator.get(f"/staff/sello/{VALPARAISO}")
    assert "Certificación retirada (certificado revocado)" in staff_page.text
    assert (await _request_evaluation(sello)).status_code == 303
    assert await db.fetch_val("SELECT kind FROM sello_evaluations WHERE status = 'requested'") == "certification"


async def test_revoking_during_a_revalidation_lets_the_evaluation_go_on(sello: Any) -> None:
    db = sello.db
    await _ready_for_evaluation(sello)
    await sello.evaluator.post(f"/staff/sello/{VALPARAISO}/evaluacion",
                               {**ratings("meets", "meets", "meets", "meets", "meets"),
                                "resolution_date": clock.today().isoformat()})
    code = await db.fetch_val("SELECT certificate_code FROM sello_adhesions")
    await db.execute("UPDATE sello_adhesions SET valid_until = :d", {"d": clock.today() + timedelta(days=30)})
    assert (await _request_evaluation(sello)).status_code == 303  # a revalidation
    revoked = await sello.evaluator.post(f"/staff/certificados/{code}/revocar", {"reason": "Emitido por error"})
    assert revoked.status_code == 303
    adhesion = await db.fetch_one("SELECT * FROM sello_adhesions")
    assert adhesion["status"] == "evaluation_requested" and adhesion["certificate_code"] is None
    assert adhesion["valid_until"] is None and adhesion["first_certified_on"] is not None
    assert await db.fetch_val("SELECT count(*) FROM audit_log WHERE action = 'sello.certification_withdrawn'") == 1


async def test_revoking_a_superseded_certificate_leaves_the_current_one(sello: Any) -> None:
    db = sello.db
    await _ready_for_evaluation(sello)
    await sello.evaluator.post(f"/staff/sello/{VALPARAISO}/evaluacion",
                               {**ratings("meets", "meets", "meets", "meets", "meets"),
                                "resolution_date": clock.today().isoformat()})
    old = await db.fetch_val("SELECT certificate_code FROM sello_adhesions")
    await db.execute("UPDATE sello_adhesions SET certificate_code = :c",  # as if a revalidation had replaced it
                     {"c": await _another_certificate(db)})
    assert (await sello.evaluator.post(f"/staff/certificados/{old}/revocar", {"reason": "Emitido por error"})).status_code == 303
    assert await db.fetch_val("SELECT status FROM sello_adhesions") == "certified"
    assert (await sello.anon.get("/sello-migrante/municipalidades.json")).json()["municipalities"][0]["state"] == "certified"


async def _another_certificate(db: Any) -> str:
    from portal.certificates import service

    return await service.issue(db, kind="sello", subject_type="municipality", subject_id=VALPARAISO,
                               subject_name="Municipalidad de Valparaíso", title="Sello Migrante (revalidación)",
                               valid_from=clock.today(), valid_until=clock.today() + timedelta(days=730), actor=None)


async def test_staff_visits_and_liaisons(sello: Any) -> None:
    db = sello.db
    not_adhered = await sello.evaluator.post(f"/staff/sello/{SANTIAGO}/visitas",
                                             {"visited_on": clock.today().isoformat(), "staff_names": "Equipo SERMIG"})
    assert not_adhered.status_code == 409 and await count(db, "sello_visits") == 0
    await adhere(sello.liaison)
    future = await sello.evaluator.post(f"/staff/sello/{VALPARAISO}/visitas",
                                        {"visited_on": (clock.today() + timedelta(days=3)).isoformat(), "staff_names": ""})
    assert future.status_code == 422 and 'id="visited_on-error"' in future.text and 'id="staff_names-error"' in future.text
    ok = await sello.evaluator.post(f"/staff/sello/{VALPARAISO}/visitas",
                                    {"visited_on": clock.today().isoformat(), "staff_names": "Equipo SERMIG",
                                     "notes": "Reunión con la oficina"})
    assert ok.status_code == 303 and await count(db, "sello_visits") == 1
    assert "Equipo SERMIG" in (await sello.liaison.get("/mi-municipalidad")).text
    # a new liaison account for Santiago; a taken staff email is refused
    busy = await sello.evaluator.post(f"/staff/sello/{SANTIAGO}/enlaces",
                                      {"liaison_name": "X", "liaison_email": "evaluadora@sermig.cl"})
    assert busy.status_code == 422
    made = await sello.evaluator.post(f"/staff/sello/{SANTIAGO}/enlaces",
                                      {"liaison_name": "Pía Rojas", "liaison_email": "pia@santiago.cl"})
    assert made.status_code == 303
    assert await db.fetch_val("""SELECT l.comuna_code FROM sello_liaisons l JOIN users u ON u.id = l.user_id
                                 WHERE u.email = 'pia@santiago.cl'""") == SANTIAGO
    assert await mail.recent(db, to="pia@santiago.cl")
    assert (await sello.evaluator.get("/staff/sello/99999")).status_code == 404
    assert (await sello.evaluator.get("/staff/sello/abc")).status_code == 404


async def test_invitation_creates_a_liaison(sello: Any) -> None:
    db = sello.db
    sent = await sello.evaluator.post(f"/staff/sello/{SANTIAGO}/invitaciones", {"invite_email": "nuevo@santiago.cl"})
    assert sent.status_code == 303
    body = (await mail.recent(db, to="nuevo@santiago.cl"))[0]["body"]
    link = next(word for word in body.split() if "/sello-migrante/invitacion/" in word)
    path = link.replace("http://testserver", "")
    form = await sello.anon.get(path)
    assert form.status_code == 200 and "Municipalidad de Santiago" in form.text
    short = await sello.anon.post(path, {"name": "Nuevo Enlace", "password": "corta", "password_confirm": "corta"})
    assert short.status_code == 422 and await count(db, "sello_liaisons") == 2
    password = {"password": "una-clave-larga-1", "password_confirm": "una-clave-larga-1"}
    done = await sello.anon.post(path, {"name": "Nuevo Enlace", **password})
    assert done.status_code == 303
    assert await db.fetch_val("""SELECT l.comuna_code FROM sello_liaisons l JOIN users u ON u.id = l.user_id
                                 WHERE u.email = 'nuevo@santiago.cl'""") == SANTIAGO
    reused = await sello.anon.post(path, {"name": "Otra", **password})
    assert reused.status_code == 200 and "Ya existe una cuenta" in reused.text
    assert (await sello.anon.get("/sello-migrante/invitacion/falso")).status_code == 400
