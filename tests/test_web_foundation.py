"""Pages, languages, error pages, security headers and request limits."""

from __future__ import annotations

from typing import Any

import pytest

from portal import i18n


async def test_home_in_spanish_by_default_and_english_on_request(client: Any) -> None:
    es = await client.get("/")
    assert es.status_code == 200 and 'lang="es-CL"' in es.text and "Saltar al contenido principal" in es.text
    en = await client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="en"' in en.text and "Skip to main content" in en.text
    switched = await client.get("/idioma/es?next=/ingresar")
    assert switched.status_code == 303 and switched.headers["location"] == "/ingresar"
    # the switcher's cookie beats Accept-Language
    again = await client.get("/", headers={"Accept-Language": "en"})
    assert 'lang="es-CL"' in again.text


def test_language_negotiation() -> None:
    assert i18n.negotiate(None, None) == "es"
    assert i18n.negotiate(None, "fr-FR, en;q=0.5") == "en"
    assert i18n.negotiate("en", "es") == "en"
    assert i18n.negotiate("xx", "de") == "es"


@pytest.mark.parametrize("lang, text", [("es", "Página no encontrada"), ("en", "Page not found")])
async def test_404_page_in_both_languages(client: Any, lang: str, text: str) -> None:
    response = await client.get("/no-existe", headers={"Accept-Language": lang})
    assert response.status_code == 404 and text in response.text


async def test_security_headers(client: Any) -> None:
    response = await client.get("/")
    assert response.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "HX-Request" in response.headers["vary"]


async def test_anonymous_page_sets_no_cookie(client: Any) -> None:
    response = await client.get("/")
    assert "set-cookie" not in response.headers


async def test_post_without_csrf_is_refused(client: Any) -> None:
    response = await client.post("/ingresar", {"email": "a@b.cl", "password": "x"}, csrf=False)
    assert response.status_code == 403 and "Acceso no permitido" in response.text


async def test_csrf_header_works_for_htmx(client: Any) -> None:
    token = await client.token()
    response = await client.http.post("/cuenta/recuperar", data={"email": "a@b.cl"},
                                      headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert response.status_code in (200, 303)  # accepted (the reset form now answers POST → 303 → GET)


async def test_oversize_body_gets_413(client: Any) -> None:
    token = await client.token()
    big = b"x" * (11 * 1024 * 1024)
    response = await client.http.post("/cuenta/recuperar", data={"csrf_token": token},
                                      files={"f": ("a.pdf", big, "application/pdf")})
    assert response.status_code == 413 and "10 MB" in response.text


async def test_health(client: Any) -> None:
    assert (await client.get("/salud")).text == "ok"


async def test_server_error_page_is_friendly() -> None:
    """An unhandled exception renders the bilingual 500 page, not a traceback."""
    import httpx
    from starlette.applications import Starlette
    from starlette.routing import Route

    from portal.errors import server_error

    async def boom(request: Any) -> Any:
        raise RuntimeError("boom")

    tiny = Starlette(routes=[Route("/", boom)], exception_handlers={500: server_error})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=tiny, raise_app_exceptions=False),
                                 base_url="http://t") as http:
        response = await http.get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 500 and "Server error" in response.text and "boom" not in response.text


@pytest.mark.parametrize("where", ["view", "middleware"])
async def test_database_outage_is_a_503_not_a_500(where: str) -> None:
    """A lost database (e.g. during a restart) answers 503 with Retry-After and a clear page, whether a
    view or a middleware (loading the session's user) noticed it, and the error is not re-raised to
    the server (which would log a crash and drop the keep-alive connection)."""
    import asyncpg
    import httpx
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from portal.errors import DatabaseOutageMiddleware, server_error

    def down() -> None:
        raise asyncpg.exceptions.CannotConnectNowError("the database system is starting up")

    async def view(request: Any) -> Any:
        if where == "view":
            down()
        return PlainTextResponse("up")

    class LoadsUser:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            if where == "middleware":
                down()
            await self.app(scope, receive, send)

    tiny = Starlette(routes=[Route("/", view)], exception_handlers={500: server_error},
                     middleware=[Middleware(DatabaseOutageMiddleware), Middleware(LoadsUser)])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=tiny), base_url="http://t") as http:
        response = await http.get("/")  # raise_app_exceptions: a re-raised error would fail here
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert "base de datos" in response.text


def test_workers_start_without_loading_the_pdf_and_image_libraries() -> None:
    """fpdf2 (about 0.17 s to import) and Pillow load when a PDF or a photo is made, not at every start."""
    import subprocess
    import sys

    code = ("import os, sys; os.environ.setdefault('PORTAL_SECRET_KEY', 'x'); "
            "from portal.app import create_app; from portal.settings import Settings; "
            "create_app(Settings.from_env()); print(sorted(m for m in ('fpdf', 'PIL') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
