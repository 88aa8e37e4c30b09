"""Routes of the council in office: public pages and calendar, the councillors' area, the secretariat."""

from starlette.routing import BaseRoute, Route

from portal.council import views_councillor as mine, views_public as pub, views_staff as staff

P = ["POST"]
S = "/staff/consejo/sesiones/{id}"

routes: list[BaseRoute] = [
    Route("/consejo", pub.council_page),
    Route("/consejo/calendario.ics", pub.feed),
    Route("/consejo/sesiones/{id}", pub.session_page),
    Route("/consejo/sesiones/{id}/quorum", pub.session_quorum),
    Route("/consejo/sesiones/{id}/calendario.ics", pub.session_ics),
    Route("/consejo/sesiones/{id}/acta.pdf", pub.acta_pdf),
    Route("/consejo/sesiones/{id}/documentos/{item_id}", pub.document),
    Route("/mi-consejo", mine.area),
    Route("/mi-consejo/actas/{id}/observaciones", mine.comment, methods=P),
    Route("/staff/consejo", staff.dashboard),
    Route("/staff/consejo/sesiones", staff.create_session, methods=P),
    Route("/staff/consejo/reglas", staff.rules_page),
    Route("/staff/consejo/reglas", staff.save_rules, methods=P),
    Route(S, staff.session_detail),
    Route(S + "/puntos", staff.add_item, methods=P),
    Route(S + "/convocar", staff.convene, methods=P),
    Route(S + "/abrir", staff.open_session, methods=P),
    Route(S + "/asistencia", staff.attendance, methods=P),
    Route(S + "/acuerdos", staff.agreement, methods=P),
    Route(S + "/mesa", staff.presidency, methods=P),
    Route(S + "/cerrar", staff.close_session, methods=P),
    Route(S + "/acta", staff.save_acta, methods=P),
    Route(S + "/acta/circular", staff.circulate, methods=P),
    Route(S + "/aprobar-acta", staff.approve_acta, methods=P),
    Route("/staff/consejo/vacantes/{id}/confirmar", staff.confirm_vacancy, methods=P),
    Route("/staff/consejo/vacantes/{id}/descartar", staff.dismiss_vacancy, methods=P),
]
