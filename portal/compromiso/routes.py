"""Compromiso Migrante routes: public pages, company contacts (/mi-empresa), back-office (/staff/compromiso)."""

from starlette.routing import BaseRoute, Route

from portal.compromiso import rules, views_contact, views_cycle, views_public, views_staff
from portal.i18n import gettext
from portal.templating import register_globals


def compromiso_options(labels: dict[str, str]) -> list[tuple[str, str]]:
    """(value, translated label) pairs for the form macros."""
    return [(key, gettext(text)) for key, text in labels.items()]


# Label tables for the templates (pure data; translated with _() where shown).
register_globals(compromiso={
    "commitments": rules.COMMITMENTS, "short": rules.SHORT_COMMITMENTS, "states": rules.STATE_LABELS,
    "state_css": rules.STATE_CSS, "kinds": rules.KINDS, "sizes": rules.SIZES, "sectors": rules.SECTORS,
    "staff_fields": rules.STAFF_FIELDS,
}, compromiso_options=compromiso_options)

routes: list[BaseRoute] = [
    Route("/compromiso-migrante", views_public.index),
    Route("/compromiso-migrante/organizaciones", views_public.directory),
    Route("/compromiso-migrante/organizaciones.csv", views_public.export_csv),
    Route("/compromiso-migrante/organizaciones.json", views_public.export_json),
    Route("/compromiso-migrante/{company_id}", views_public.organization),
    Route("/mi-empresa", views_contact.home),
    Route("/mi-empresa/adhesion", views_contact.adhesion, methods=["GET", "POST"]),
    Route("/mi-empresa/invitacion/{token}", views_contact.invitation, methods=["GET", "POST"]),
    Route("/mi-empresa/ciclos", views_cycle.open_cycle, methods=["POST"]),
    Route("/mi-empresa/ciclos/{cycle_id}", views_cycle.cycle_page),
    Route("/mi-empresa/ciclos/{cycle_id}/informe", views_cycle.save_report, methods=["POST"]),
    Route("/mi-empresa/ciclos/{cycle_id}/postular", views_cycle.apply, methods=["POST"]),
    Route("/mi-empresa/evidencias/{evidence_id}/eliminar", views_cycle.delete_evidence, methods=["POST"]),
    Route("/compromiso/archivos/{file_id}", views_contact.download),
    Route("/staff/compromiso", views_staff.queue),
    Route("/staff/compromiso/ciclos/{cycle_id}", views_staff.cycle_page),
    Route("/staff/compromiso/ciclos/{cycle_id}/iniciar", views_staff.start, methods=["POST"]),
    Route("/staff/compromiso/ciclos/{cycle_id}/evaluar", views_staff.evaluate, methods=["POST"]),
    Route("/staff/compromiso/organizaciones", views_staff.companies),
    Route("/staff/compromiso/organizaciones/nueva", views_staff.new_company, methods=["GET", "POST"]),
    Route("/staff/compromiso/organizaciones/{company_id}", views_staff.company_page),
    Route("/staff/compromiso/organizaciones/{company_id}/invitar", views_staff.invite, methods=["POST"]),
]
