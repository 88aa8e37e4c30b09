from starlette.routing import Route

from portal.ops import views

routes = [
    Route("/health/live", views.live),
    Route("/health/ready", views.ready),
    Route("/metrics", views.prometheus),
]
