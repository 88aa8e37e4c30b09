"""Preloading on the registry list (issue 16, item 12): htmx-ext-preload vendored from its npm package,
pinned, with its licence; organization links preload on hover; without JavaScript they are plain links."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from factories import create_org

from portal.static_files import static_url

ROOT = Path(__file__).resolve().parents[2]
VENDORED = "vendor/htmx-ext-preload-2.1.2.min.js"


def test_the_extension_is_vendored_pinned_with_its_licence() -> None:
    script = (ROOT / "static" / VENDORED).read_text(encoding="utf-8")
    assert 'htmx.defineExtension("preload"' in script
    licence = (ROOT / "static/vendor/htmx-ext-preload-2.1.2.LICENSE").read_text(encoding="utf-8")
    assert "BSD Zero Clause License" in licence


async def test_registry_list_preloads_organization_pages(db: Any, client: Any) -> None:
    org_id = await create_org(db, name="Fundación Puentes")
    page = await client.get("/organizaciones")
    assert 'id="resultados" hx-ext="preload"' in page.text
    assert f'<a href="/organizaciones/{org_id}" preload="mouseover">' in page.text
    assert static_url(VENDORED) in page.text
    assert (await client.get(static_url(VENDORED))).status_code == 200
    org_page = await client.get(f"/organizaciones/{org_id}")
    # the preloaded answer is kept a minute in the person's own browser, never in a shared cache
    assert org_page.headers["cache-control"] == "private, max-age=60"
    partial = await client.get("/organizaciones?q=puentes", headers={"HX-Request": "true"})
    assert 'preload="mouseover"' in partial.text and "<script" not in partial.text
