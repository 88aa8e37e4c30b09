"""Prefix searches through exact lexemes (migrations/0130): search_lexemes holds every lexeme of
organizations.search, and portal_expand_prefixes() gives a query with the same matches as the prefix."""

from __future__ import annotations

import re
from typing import Any

from factories import create_org
from portal.registry import search

NAMES = ("Fundación Haitiana de Quilicura", "Centro Haití Solidario", "Corporación Venezolanos Unidos",
         "Asociación Venezuela Libre", "Colectivo Peruano", "Fundación Amigos de Haití", "Funda Ñuñoa",
         "Junta de Vecinos O'Higgins", "Red Migrante 2024")
QUERIES = ("fundacion haiti", "haiti", "hai", "venez", "fund", "f", "peru", "o", "ohiggins", "zzzz", "red migrante 20",
           "de", "nunoa")


async def _lexemes(db: Any) -> set[str]:
    return {r["lexeme"] for r in await db.fetch_all("SELECT lexeme FROM search_lexemes")}


async def _corpus(db: Any) -> set[str]:
    rows = await db.fetch_all("SELECT DISTINCT unnest(tsvector_to_array(search)) AS l FROM organizations")
    return {r["l"] for r in rows}


async def test_every_lexeme_is_listed_after_inserts_and_updates(db: Any) -> None:
    org = await create_org(db, name="Fundación Haitiana de Quilicura")
    assert await _corpus(db) <= await _lexemes(db)
    await db.execute("UPDATE organizations SET legal_name = 'Agrupación Dominicana Caribe', "
                     "description = 'Talleres de bachata' WHERE id = :id", {"id": org})
    assert {"dominican", "bachat"} <= await _lexemes(db)
    assert await _corpus(db) <= await _lexemes(db)


async def test_expanded_prefixes_match_what_the_prefix_matches(db: Any) -> None:
    for name in NAMES:
        await create_org(db, name=name, description=f"{name}: apoyo a la comunidad.")
    for q in QUERIES:
        tsq = search.prefix_tsquery(q)
        expanded = await db.fetch_val("SELECT portal_expand_prefixes(to_tsquery('spanish', :t))::text", {"t": tsq})
        by_prefix = await db.fetch_all("SELECT id FROM organizations WHERE search @@ to_tsquery('spanish', :t) "
                                       "ORDER BY id", {"t": tsq})
        by_lexemes = await db.fetch_all("SELECT id FROM organizations WHERE search @@ CAST(:e AS tsquery) "
                                        "ORDER BY id", {"e": expanded})
        assert [r["id"] for r in by_lexemes] == [r["id"] for r in by_prefix], (q, expanded)


async def test_what_is_expanded_and_what_is_left(db: Any) -> None:
    for name in NAMES:
        await create_org(db, name=name)

    async def expand(tsq: str, most: int = 16) -> str:
        return str(await db.fetch_val("SELECT portal_expand_prefixes(to_tsquery('spanish', :t), :m)::text",
                                      {"t": tsq, "m": most}))

    assert await expand("fundacion & haiti:*") == "'fundacion' & ( 'haiti' | 'haitian' )"
    assert await expand("zzzz:*") == "'zzzz':*"                    # matches nothing: left as it is
    assert await expand("haiti:*", most=1) == "'haiti':*"          # more lexemes than allowed: left
    assert await expand("haiti") == "'haiti'"                      # no prefix: nothing to do
    assert await expand("haiti:*A") == "'haiti':*A"                # a weighted prefix: left


async def test_the_list_shows_the_same_matches(db: Any, client: Any) -> None:
    made = {name: await create_org(db, name=name) for name in NAMES}
    page = await client.get("/organizaciones", params={"q": "fundacion hait"})
    shown = {int(x) for x in re.findall(r'href="/organizaciones/(\d+)"', page.text)}
    assert shown == {made["Fundación Haitiana de Quilicura"], made["Fundación Amigos de Haití"]}
