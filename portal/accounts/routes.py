from starlette.routing import Route

from portal.accounts import views, views_second_factor

routes = [
    Route("/cuenta/crear", views.signup, methods=["GET", "POST"]),
    Route("/cuenta/verificar", views.verify_sent),
    Route("/cuenta/verificar/reenviar", views.resend_verification, methods=["POST"]),
    Route("/cuenta/verificar/{token}", views.verify_email),
    Route("/cuenta/recuperar", views.reset_request, methods=["GET", "POST"]),
    Route("/cuenta/restablecer/{token}", views.reset_confirm, methods=["GET", "POST"]),
    Route("/cuenta", views.account_home),
    Route("/ingresar", views.login, methods=["GET", "POST"]),
    Route("/ingresar/segundo-factor", views_second_factor.page, methods=["GET", "POST"]),
    Route("/ingresar/segundo-factor/codigos", views_second_factor.recovery_codes),
    Route("/salir", views.logout, methods=["POST"]),
    Route("/idioma/{lang}", views.set_language),
]
