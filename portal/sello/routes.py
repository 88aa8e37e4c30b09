"""Sello Migrante: public pages, the liaison's /mi-municipalidad area and the /staff/sello back-office.

Importing the workflow registers what revoking a Sello certificate withdraws (certificates.on_revocation),
so it holds wherever the app runs.
"""

from starlette.routing import BaseRoute, Route

from portal.sello import views_liaison as liaison
from portal.sello import views_public as public
from portal.sello import views_staff as staff
from portal.sello import workflow  # noqa: F401 (registers the revocation hook on import)

routes: list[BaseRoute] = [
    Route("/sello-migrante", public.index),
    Route("/sello-migrante/municipalidades.csv", public.export_csv),
    Route("/sello-migrante/municipalidades.json", public.export_json),
    Route("/sello-migrante/invitacion/{token}", public.invitation, methods=["GET", "POST"]),
    Route("/sello-migrante/{code}", public.municipality),
    Route("/sello/archivos/{file_id}", public.stored_file),
    Route("/mi-municipalidad", liaison.home),
    Route("/mi-municipalidad/adhesion", liaison.submit_adhesion, methods=["POST"]),
    Route("/mi-municipalidad/plan", liaison.upload_work_plan, methods=["POST"]),
    Route("/mi-municipalidad/casos", liaison.log_case, methods=["POST"]),
    Route("/mi-municipalidad/casos/{case_id}/cerrar", liaison.close_case, methods=["POST"]),
    Route("/mi-municipalidad/evaluacion", liaison.evaluation_form),
    Route("/mi-municipalidad/evaluacion", liaison.request_evaluation, methods=["POST"]),
    Route("/staff/sello", staff.index),
    Route("/staff/sello/{comuna}", staff.detail),
    Route("/staff/sello/{comuna}/visitas", staff.add_visit, methods=["POST"]),
    Route("/staff/sello/{comuna}/enlaces", staff.add_liaison, methods=["POST"]),
    Route("/staff/sello/{comuna}/invitaciones", staff.invite_liaison, methods=["POST"]),
    Route("/staff/sello/{comuna}/evaluacion/iniciar", staff.start_evaluation, methods=["POST"]),
    Route("/staff/sello/{comuna}/evaluacion", staff.decide, methods=["POST"]),
]
