"""Routes of the Registro de Organizaciones Sociales: public, representatives, staff."""

from starlette.routing import BaseRoute, Route

from portal.registry import views_docs, views_public, views_rep, views_staff

GET_POST = ["GET", "POST"]

routes: list[BaseRoute] = [
    # public
    Route("/organizaciones", views_public.registry_list),
    Route("/organizaciones/{id}", views_public.org_page),
    Route("/territorio/comunas", views_public.comunas),
    Route("/datos", views_public.open_data),
    Route("/datos/organizaciones.csv", views_public.download_csv),
    Route("/datos/organizaciones.json", views_public.download_json),
    # representatives
    Route("/mi-organizacion", views_rep.home),
    Route("/mi-organizacion/inscribir", views_rep.register, methods=GET_POST),
    Route("/mi-organizacion/editar", views_rep.edit, methods=GET_POST),
    Route("/mi-organizacion/enviar", views_rep.submit, methods=["POST"]),
    Route("/mi-organizacion/invitar", views_rep.invite, methods=["POST"]),
    Route("/mi-organizacion/reabrir", views_rep.reopen, methods=["POST"]),
    Route("/mi-organizacion/documentos", views_docs.documents_page, methods=GET_POST),
    Route("/mi-organizacion/renovar", views_docs.renew, methods=GET_POST),
    Route("/mi-organizacion/categoria", views_docs.change_category, methods=GET_POST),
    Route("/mi-organizacion/retirar", views_docs.withdraw, methods=GET_POST),
    Route("/invitacion/{token}", views_rep.invitation, methods=GET_POST),
    Route("/registro/documentos/{doc_id}", views_docs.download),
    # staff
    Route("/staff/registro", views_staff.queue),
    Route("/staff/registro/{id}", views_staff.review),
    Route("/staff/registro/{id}/tomar", views_staff.take, methods=["POST"]),
    Route("/staff/registro/{id}/aprobar", views_staff.approve, methods=["POST"]),
    Route("/staff/registro/{id}/observar", views_staff.observe, methods=["POST"]),
    Route("/staff/registro/{id}/rechazar", views_staff.reject, methods=["POST"]),
]
