from starlette.routing import Route

from portal.public import views

routes = [
    Route("/", views.home),
    Route("/salud", views.health),
]
