"""Access rules for the registry's routes (public registry, representatives, staff review)."""

from policies import Rule, only, public, signed_in

from portal.registry import queries
from portal.registry.samples import tiny_pdf

REPS = ("rep", "rep_other")


def _org(w):  # type: ignore[no-untyped-def]
    return {"id": w.ids["org"]}


POLICY = {
    ("GET", "/organizaciones"): public(),
    ("GET", "/organizaciones/{id}"): public(params=_org),
    ("GET", "/territorio/comunas"): public(),
    ("GET", "/datos"): public(),
    ("GET", "/datos/organizaciones.csv"): public(),
    ("GET", "/datos/organizaciones.json"): public(),
    ("GET", "/mi-organizacion"): signed_in(),
    ("GET", "/mi-organizacion/inscribir"): signed_in(),
    ("POST", "/mi-organizacion/inscribir"): signed_in(),
    ("GET", "/mi-organizacion/editar"): only(*REPS),
    ("POST", "/mi-organizacion/editar"): only(*REPS),
    ("POST", "/mi-organizacion/enviar"): only(*REPS),
    ("POST", "/mi-organizacion/invitar"): only(*REPS),
    ("POST", "/mi-organizacion/reabrir"): only(*REPS),
    ("GET", "/mi-organizacion/documentos"): only(*REPS),
    ("POST", "/mi-organizacion/documentos"): only(*REPS),
    ("GET", "/mi-organizacion/renovar"): only(*REPS),
    ("POST", "/mi-organizacion/renovar"): only(*REPS),
    ("GET", "/mi-organizacion/categoria"): only(*REPS),
    ("POST", "/mi-organizacion/categoria"): only(*REPS),
    ("GET", "/mi-organizacion/retirar"): only(*REPS),
    ("POST", "/mi-organizacion/retirar"): only(*REPS),
    ("GET", "/invitacion/{token}"): public(params=lambda w: {"token": "not-a-token"}),
    ("POST", "/invitacion/{token}"): signed_in(params=lambda w: {"token": "not-a-token"}),
    # a document: its organization's representatives and registry staff; existence is private
    ("GET", "/registro/documentos/{doc_id}"): Rule(frozenset({"rep", "reviewer", "admin"}),
                                                   params=lambda w: {"doc_id": w.ids["registry_doc"]}, denied=404),
    ("GET", "/staff/registro"): only("reviewer"),
    ("GET", "/staff/registro/{id}"): only("reviewer", params=_org),
    ("POST", "/staff/registro/{id}/tomar"): only("reviewer", params=_org),
    ("POST", "/staff/registro/{id}/aprobar"): only("reviewer", params=_org),
    ("POST", "/staff/registro/{id}/observar"): only("reviewer", params=_org),
    ("POST", "/staff/registro/{id}/rechazar"): only("reviewer", params=_org),
}


async def extend_world(db, world):  # type: ignore[no-untyped-def]
    """A current document of the rep's organization."""
    world.ids["registry_doc"] = await queries.store_document(
        db, org_id=world.ids["org"], kind="estatutos", content=tiny_pdf("Estatutos"), filename="estatutos.pdf",
        user_id=world.ids["user:rep"])
