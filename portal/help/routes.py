"""Help and legal pages, contact, the staff inbox and the display modes."""

from starlette.routing import BaseRoute, Route

from portal.help import views

routes: list[BaseRoute] = [
    Route("/ayuda", views.help_page),
    Route("/accesibilidad", views.accessibility),
    Route("/privacidad", views.privacy),
    Route("/contacto", views.contact),
    Route("/contacto", views.send_contact, methods=["POST"]),
    Route("/visualizacion/{choice}", views.set_display),
    Route("/staff/contacto", views.inbox),
    Route("/staff/contacto/{id}", views.message_detail),
    Route("/staff/contacto/{id}/responder", views.answer, methods=["POST"]),
]
