"""Reminders: preferences, unsubscribe, the staff schedule."""

from starlette.routing import BaseRoute, Route

from portal.reminders import views

routes: list[BaseRoute] = [
    Route("/cuenta/recordatorios", views.preferences),
    Route("/cuenta/recordatorios", views.save_preferences, methods=["POST"]),
    Route("/recordatorios/baja/{token}", views.unsubscribe_page),
    Route("/recordatorios/baja/{token}", views.unsubscribe, methods=["POST"]),
    Route("/recordatorios/baja/{token}/un-clic", views.unsubscribe_one_click, methods=["POST"]),
    Route("/staff/recordatorios", views.staff_schedule),
]

# The one-click unsubscribe (RFC 8058) is POSTed by mail programs without a session: the signed token
# in the path is the proof (docs/reminders.md, People decide).
csrf_exempt = [r"/recordatorios/baja/[^/]+/un-clic"]
