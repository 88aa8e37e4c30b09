"""Screen readers hear htmx result counts: partials update the page's one persistent live region."""

from __future__ import annotations

from typing import Any

import pytest

from factories import create_org


@pytest.mark.parametrize("url", ["/organizaciones?q=prueba", "/sello-migrante", "/compromiso-migrante/organizaciones"])
async def test_partial_updates_the_persistent_live_region(client: Any, db: Any, url: str) -> None:
    await create_org(db, name="Organización de Prueba Norte")
    page = await client.get(url)
    assert page.text.count('id="live-status"') == 1  # the full page has exactly one region, empty
    assert 'role="status" aria-live="polite"' in page.text
    partial = await client.get(url, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert '<div id="live-status" hx-swap-oob="innerHTML">' in partial.text
    assert "<html" not in partial.text
