from starlette.routing import Route

from portal import anchor, sessions

routes = [
    Route("/staff/cuentas/{id}/cerrar-sesiones", sessions.end_everywhere, methods=["POST"]),
    Route(anchor.PUBLIC_PATH, anchor.publish),
]
