"""The registry's region map (issue 16, item 7): organizations in force per region, each region a link, the
same figures as a table; counted at most once a minute per process (the list itself is never cached)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from factories import create_org

from portal import clock
from portal.registry import views_public


@pytest.mark.parametrize("lang", ["es", "en"])
async def test_registry_map_counts_organizations_in_force_per_region(db: Any, client: Any, lang: str) -> None:
    views_public._map_cache.clear()
    await create_org(db, region="13", comuna="13101")
    await create_org(db, region="13", comuna="13101")
    await create_org(db, region="05", comuna="05101")
    await create_org(db, region="05", comuna="05101", vigencia_expires_on=clock.today() - timedelta(days=1))
    client.http.cookies.set("lang", lang)
    text = (await client.get("/organizaciones")).text
    caption = "Organizaciones vigentes por región" if lang == "es" else "Organizations in force by region"
    assert f'<caption id="mapa-registro-table">{caption}</caption>' in text
    assert '<a href="/organizaciones?region=13">Metropolitana de Santiago</a></th><td>2</td>' in text
    assert '<a href="/organizaciones?region=05">Valparaíso</a></th><td>1</td>' in text  # the expired one is out
    svg = text[text.index('<svg class="sello-chart__svg"'):]
    assert svg[:svg.index("</svg>")].count("<a href=") == await db.fetch_val("SELECT count(*) FROM regions")


async def test_registry_map_is_counted_once_a_minute(db: Any, client: Any) -> None:
    views_public._map_cache.clear()
    await create_org(db, region="13", comuna="13101")
    await client.get("/organizaciones")
    await create_org(db, region="13", comuna="13101")
    cached = (await client.get("/organizaciones")).text
    assert '<a href="/organizaciones?region=13">Metropolitana de Santiago</a></th><td>1</td>' in cached
    assert "2 organizaciones" in cached  # the list itself is current
    views_public._map_cache.clear()
    fresh = (await client.get("/organizaciones")).text
    assert '<a href="/organizaciones?region=13">Metropolitana de Santiago</a></th><td>2</td>' in fresh
