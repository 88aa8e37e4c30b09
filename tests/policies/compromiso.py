"""Access rules for Compromiso Migrante: public pages, company contacts, the back-office."""

from policies import only, public, signed_in
from portal.compromiso import rules, seed
from factories import next_rut


def _cycle(w):  # type: ignore[no-untyped-def]
    return {"cycle_id": w.ids["compromiso_cycle"]}


def _company(w):  # type: ignore[no-untyped-def]
    return {"company_id": w.ids["company"]}


EVALUATOR = only("compromiso_evaluator")

POLICY = {
    ("GET", "/compromiso-migrante"): public(),
    ("GET", "/compromiso-migrante/organizaciones"): public(),
    ("GET", "/compromiso-migrante/organizaciones.csv"): public(),
    ("GET", "/compromiso-migrante/organizaciones.json"): public(),
    ("GET", "/compromiso-migrante/{company_id}"): public(params=_company),
    ("GET", "/mi-empresa"): signed_in(),
    ("GET", "/mi-empresa/adhesion"): signed_in(),
    ("POST", "/mi-empresa/adhesion"): signed_in(),
    ("GET", "/mi-empresa/invitacion/{token}"): signed_in(params=lambda w: {"token": "not-a-token"}),
    ("POST", "/mi-empresa/invitacion/{token}"): signed_in(params=lambda w: {"token": "not-a-token"}),
    ("POST", "/mi-empresa/ciclos"): only("company", "company_other"),
    ("GET", "/mi-empresa/ciclos/{cycle_id}"): only("company", params=_cycle),
    ("POST", "/mi-empresa/ciclos/{cycle_id}/informe"): only("company", params=_cycle),
    ("POST", "/mi-empresa/ciclos/{cycle_id}/postular"): only("company", params=_cycle),
    ("POST", "/mi-empresa/evidencias/{evidence_id}/eliminar"): only(
        "company", params=lambda w: {"evidence_id": w.ids["compromiso_evidence"]}),
    ("GET", "/compromiso/archivos/{file_id}"): only(
        "company", "compromiso_evaluator", denied=404, params=lambda w: {"file_id": w.ids["compromiso_file"]}),
    ("GET", "/staff/compromiso"): EVALUATOR,
    ("GET", "/staff/compromiso/ciclos/{cycle_id}"): only("compromiso_evaluator", params=_cycle),
    ("POST", "/staff/compromiso/ciclos/{cycle_id}/iniciar"): only("compromiso_evaluator", params=_cycle),
    ("POST", "/staff/compromiso/ciclos/{cycle_id}/evaluar"): only("compromiso_evaluator", params=_cycle),
    ("GET", "/staff/compromiso/organizaciones"): EVALUATOR,
    ("GET", "/staff/compromiso/organizaciones/nueva"): EVALUATOR,
    ("POST", "/staff/compromiso/organizaciones/nueva"): EVALUATOR,
    ("GET", "/staff/compromiso/organizaciones/{company_id}"): only("compromiso_evaluator", params=_company),
    ("POST", "/staff/compromiso/organizaciones/{company_id}/invitar"): only("compromiso_evaluator", params=_company),
}


async def extend_world(db, world) -> None:  # type: ignore[no-untyped-def]
    """Two adhered companies, one per contact role; the first has this year's cycle with evidence."""
    pdf = seed.sample_pdf("Carta")
    world.ids["company"] = await seed.create_company(
        db, rut=next_rut(), name="Empresa del Recorrido", contact_user_id=world.ids["user:company"], pdf=pdf)
    world.ids["company_other"] = await seed.create_company(
        db, rut=next_rut(), name="Otra Empresa del Recorrido", contact_user_id=world.ids["user:company_other"], pdf=pdf)
    cycle = await seed.create_cycle(db, world.ids["company"], rules.open_year(), "report_submitted", evidence_pdf=pdf)
    world.ids["compromiso_cycle"] = cycle
    row = await db.fetch_one("SELECT id, file_id::text AS file_id FROM compromiso_evidence WHERE cycle_id = :c",
                             {"c": cycle})
    world.ids["compromiso_evidence"] = row["id"]
    world.ids["compromiso_file"] = row["file_id"]
