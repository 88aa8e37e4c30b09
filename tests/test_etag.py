"""Anonymous pages revalidate: a weak ETag, then 304 without a body while the page is unchanged
(portal/etag.py). Signed-in pages, other methods, errors and pages that set a cookie get no tag."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, StreamingResponse
from starlette.routing import Route

from factories import create_user
from portal.etag import ETagMiddleware


async def test_an_anonymous_page_revalidates_with_304(client: Any) -> None:
    first = await client.get("/organizaciones")
    tag = first.headers["etag"]
    assert first.status_code == 200 and tag.startswith('W/"') and "set-cookie" not in first.headers
    again = await client.get("/organizaciones", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert "content-security-policy" in again.headers  # the security headers stay
    several = await client.get("/organizaciones", headers={"If-None-Match": f'"other", {tag.removeprefix("W/")}'})
    assert several.status_code == 304  # weak comparison, one of several tags
    stale = await client.get("/organizaciones", headers={"If-None-Match": 'W/"0000"'})
    assert stale.status_code == 200 and stale.headers["etag"] == tag and "Organizaciones" in stale.text


async def test_another_language_is_another_page(client: Any) -> None:
    es = await client.get("/sello-migrante")
    en = await client.get("/sello-migrante", headers={"Accept-Language": "en", "If-None-Match": es.headers["etag"]})
    assert en.status_code == 200 and en.headers["etag"] != es.headers["etag"]


async def test_signed_in_pages_and_unsafe_methods_get_no_tag(client: Any, db: Any) -> None:
    await create_user(db, "persona@prueba.cl")
    await client.login("persona@prueba.cl")
    page = await client.get("/organizaciones")
    assert page.status_code == 200 and "etag" not in page.headers
    missing = await client.get("/no-existe")
    assert missing.status_code == 404 and "etag" not in missing.headers


async def _through(app: Starlette, headers: dict[str, str] | None = None) -> httpx.Response:
    wrapped = ETagMiddleware(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wrapped), base_url="http://t") as http:
        return await http.get("/", headers=headers or {})


async def test_streams_cookies_and_no_store_pass_untouched() -> None:
    async def stream(request: Any) -> StreamingResponse:
        async def parts() -> Any:
            yield b"<p>uno</p>"
            yield b"<p>dos</p>"
        return StreamingResponse(parts(), media_type="text/html")

    async def cookie(request: Any) -> HTMLResponse:
        response = HTMLResponse("<p>hola</p>")
        response.set_cookie("idioma", "es")
        return response

    async def private(request: Any) -> HTMLResponse:
        return HTMLResponse("<p>código</p>", headers={"Cache-Control": "no-store"})

    for endpoint, body in ((stream, "<p>uno</p><p>dos</p>"), (cookie, "<p>hola</p>"), (private, "<p>código</p>")):
        response = await _through(Starlette(routes=[Route("/", endpoint)]), {"If-None-Match": "*"})
        assert response.status_code == 200 and response.text == body and "etag" not in response.headers


async def test_a_plain_page_is_tagged_and_star_matches() -> None:
    async def page(request: Any) -> HTMLResponse:
        return HTMLResponse("<p>hola</p>")

    app = Starlette(routes=[Route("/", page)])
    tagged = await _through(app)
    assert tagged.headers["etag"].startswith('W/"') and tagged.text == "<p>hola</p>"
    assert (await _through(app, {"If-None-Match": "*"})).status_code == 304
