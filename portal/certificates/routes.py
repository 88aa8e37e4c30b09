"""Public certificate verification and PDF, the registry membership certificate, staff revocation."""

from starlette.routing import BaseRoute, Route

from portal.certificates import views

routes: list[BaseRoute] = [
    Route("/certificados", views.lookup),
    # the .pdf route comes first: "/certificados/{code}" would also match "XXXX.pdf"
    Route("/certificados/{code}.pdf", views.pdf),
    Route("/certificados/{code}", views.verify),
    Route("/mi-organizacion/certificado", views.org_certificate, methods=["GET", "POST"]),
    Route("/staff/certificados/{code}/revocar", views.revoke, methods=["GET", "POST"]),
]
