from starlette.routing import Route

from portal.staff import views

routes = [
    Route("/staff", views.index),
    Route("/staff/correo", views.outbox),
    Route("/staff/auditoria", views.audit_log),
    Route("/staff/cuentas", views.staff_accounts, methods=["GET", "POST"]),
    Route("/staff/cuentas/{id}/segundo-factor", views.reset_second_factor, methods=["POST"]),
]
