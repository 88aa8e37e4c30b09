"""A transition that would fail is shown disabled with its reason (issue 16, item 10): Sello and Compromiso
pages, for staff and for the people who act (the registry's review page: see the report)."""

from __future__ import annotations

from typing import Any

import pytest
from factories import create_user, next_rut
from policies.sello import store_pdf

from portal import clock
from portal.compromiso import seed


def _disabled(text: str, label: str, reason: str) -> bool:
    """`label` is a disabled button described by a hint carrying `reason`."""
    at = text.find(f">{label}</button>")
    if at < 0:
        return False
    button = text[text.rfind("<button", 0, at):at]
    return "disabled" in button and 'aria-describedby="' in button and reason in text[at:at + 600]


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_sello_staff_page_disables_what_would_fail(db: Any, make_client: Any, lang: str) -> None:
    await create_user(db, "evaluadora@sermig.cl", roles=["sello_evaluator"])
    staff = make_client()
    await staff.login("evaluadora@sermig.cl")
    staff.http.cookies.set("lang", lang)
    page = await staff.get("/staff/sello/05101")
    label, reason = (("Registrar visita", "no ha adherido al Sello Migrante") if lang == "es"
                     else ("Record visit", "has not joined Sello Migrante"))
    assert page.status_code == 200 and _disabled(page.text, label, reason)


async def test_sello_liaison_sees_why_no_evaluation_yet(db: Any, make_client: Any) -> None:
    user_id = await create_user(db, "enlace@valparaiso.cl")
    await db.execute("INSERT INTO sello_liaisons (user_id, comuna_code) VALUES (:u, '05101')", {"u": user_id})
    file_id = await store_pdf(db)
    await db.execute(
        """INSERT INTO sello_adhesions (comuna_code, mayor_name, carta_date, council_agreement, carta_file_id, adhered_on)
           VALUES ('05101', 'Alcalde', :d, '1/2026', CAST(:f AS uuid), :d)""", {"d": clock.today(), "f": file_id})
    liaison = make_client()
    await liaison.login("enlace@valparaiso.cl")
    page = await liaison.get("/mi-municipalidad")
    assert _disabled(page.text, "Solicitar evaluación", "Primero suba el plan de trabajo")


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_compromiso_pages_disable_what_would_fail(db: Any, make_client: Any, lang: str) -> None:
    contact_id = await create_user(db, "contacto@andina.cl")
    company = await seed.create_company(db, rut=next_rut(), name="Constructora Andina", contact_user_id=contact_id,
                                        pdf=seed.sample_pdf())
    cycle = await seed.create_cycle(db, company, clock.today().year, "adhered")
    contact = make_client()
    await contact.login("contacto@andina.cl")
    contact.http.cookies.set("lang", lang)
    page = await contact.get(f"/mi-empresa/ciclos/{cycle}")
    label = "Postular al reconocimiento" if lang == "es" else "Apply for recognition"
    reason = "primero envíe el informe anual" if lang == "es" else "first submit"
    assert page.status_code == 200 and _disabled(page.text, label, reason)

    await create_user(db, "evaluador@sermig.gob.cl", roles=["compromiso_evaluator"])
    staff = make_client()
    await staff.login("evaluador@sermig.gob.cl")
    staff.http.cookies.set("lang", lang)
    page = await staff.get(f"/staff/compromiso/ciclos/{cycle}")
    label = "Iniciar la evaluación" if lang == "es" else "Start the evaluation"
    assert page.status_code == 200 and "disabled" in page.text and label in page.text


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_registry_review_disables_approval_without_a_vigencia(db: Any, make_client: Any, lang: str) -> None:
    from factories import create_org

    org_id = await create_org(db, status="submitted")  # a registration without any document
    await create_user(db, "revisora@sermig.cl", roles=["reviewer"])
    staff = make_client()
    await staff.login("revisora@sermig.cl")
    staff.http.cookies.set("lang", lang)
    page = await staff.get(f"/staff/registro/{org_id}")
    label, reason = (("Aprobar", "Falta el certificado de vigencia") if lang == "es"
                     else ("Approve", "certificate of good standing (vigencia) with its issue date is missing"))
    assert page.status_code == 200 and _disabled(page.text, label, reason)
    refused = await staff.post(f"/staff/registro/{org_id}/aprobar", {})
    assert refused.status_code == 409 and reason in refused.text  # the action refuses with the same words
