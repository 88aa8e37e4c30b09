"""ClaveÚnica routes: the button and the return share /ingresar/claveunica (the redirect URI);
linking at /cuenta/claveunica; the development stand-in under /_claveunica_fake."""

from starlette.routing import BaseRoute, Route

from portal import rut
from portal.claveunica import views
from portal.claveunica.api import available
from portal.templating import register_globals

register_globals(claveunica_available=lambda request: available(request.app.state.settings),
                 cu_run=rut.display, cu_run_key=lambda value: rut.normalize(value) or "")

routes: list[BaseRoute] = [
    Route("/ingresar/claveunica", views.start, methods=["POST"]),
    Route("/ingresar/claveunica", views.callback, methods=["GET"]),
    Route("/cuenta/claveunica", views.link, methods=["GET", "POST"]),
    Route("/staff/registro/{id}/representantes/{user_id}/run", views.check_run, methods=["POST"]),
    Route("/_claveunica_fake/openid/authorize/", views.fake_authorize),
    Route("/_claveunica_fake/api/v1/accounts/app/logout", views.fake_logout),
]
