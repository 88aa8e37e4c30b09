"""The public registry: what is shown (and not), search, filters, grouping, pagination, open data."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from datetime import timedelta
from typing import Any

import pytest

from factories import create_org, create_rep
from portal import clock
from portal.registry import model

_IDS = re.compile(r'href="/organizaciones/(\d+)"')


def ids(page: str) -> list[int]:
    return [int(x) for x in _IDS.findall(page)]


async def test_only_public_states_are_listed(db, client) -> None:
    shown = {await create_org(db, status="approved", name="Visible Inscrita"),
             await create_org(db, status="approved", name="Visible Vencida", vigencia_expires_on=clock.today() - timedelta(days=5))}
    hidden = [await create_org(db, status=s, name=f"Oculta {s}") for s in ("draft", "submitted", "in_review", "observed", "rejected")]
    hidden.append(await create_org(db, status="withdrawn", name="Oculta retirada sin inscripción"))
    page = await client.get("/organizaciones")
    assert set(ids(page.text)) == shown and "2 organizaciones" in page.text
    for org_id in hidden:
        assert (await client.get(f"/organizaciones/{org_id}")).status_code == 404
    assert (await client.get("/organizaciones/999999")).status_code == 404
    assert (await client.get("/organizaciones/abc")).status_code == 404
    exported = json.loads((await client.get("/datos/organizaciones.json")).text)["organizations"]
    assert {o["id"] for o in exported} == shown


async def test_no_personal_data_in_public_pages_or_exports(db, client) -> None:
    _, org_id, email = await create_rep(db, status="approved")
    await db.execute("UPDATE organizations SET legal_rep_name = 'Juana Secreta', legal_rep_run = '12345678-5'")
    for url in (f"/organizaciones/{org_id}", "/organizaciones", "/datos/organizaciones.csv", "/datos/organizaciones.json"):
        body = (await client.get(url)).text
        assert "Juana Secreta" not in body and "12345678-5" not in body and email not in body


async def test_search_is_accent_insensitive_with_prefixes(db, client) -> None:
    fundacion = await create_org(db, name="Fundación Haitiana de Quilicura", description="Apoyo a la comunidad haitiana.")
    corp = await create_org(db, name="Corporación Venezolanos Unidos", description="Acompañamiento a migrantes venezolanos.")
    await create_org(db, name="Colectivo Peruano", description="Ollas comunes y cultura andina.")
    for q, expected in (("fundacion", {fundacion}), ("FUNDACIÓN", {fundacion}), ("venezolano", {corp}),
                        ("venez", {corp}), ("haitiana quili", {fundacion}), ('"comunidad haitiana"', {fundacion}),
                        ("migrantes -peruano", {corp}), ("zzzz", set())):
        page = await client.get("/organizaciones", params={"q": q})
        assert page.status_code == 200 and set(ids(page.text)) == expected, q


async def test_filters_and_grouping_north_to_south(db, client) -> None:
    south = await create_org(db, name="Austral", region="12", comuna="12101", category="C")
    north = await create_org(db, name="Nortina", region="15", comuna="15101", category="A")
    center = await create_org(db, name="Capitalina", region="13", comuna="13101", category="B")
    await db.execute("UPDATE organizations SET areas = '{salud}' WHERE id = :i", {"i": center})
    page = await client.get("/organizaciones")
    assert ids(page.text) == [north, center, south]
    assert page.text.index("Arica y Parinacota") < page.text.index("Metropolitana") < page.text.index("Magallanes")
    assert ids((await client.get("/organizaciones?category=C")).text) == [south]
    assert ids((await client.get("/organizaciones?region=13")).text) == [center]
    assert ids((await client.get("/organizaciones?comuna=15101")).text) == [north]
    assert ids((await client.get("/organizaciones?area=salud")).text) == [center]
    # a comuna of another region is dropped rather than contradicting the region
    assert ids((await client.get("/organizaciones?region=13&comuna=15101")).text) == [center]
    # garbage filters are ignored, never an error
    assert ids((await client.get("/organizaciones?category=Z&region=99&area=x&status=draft&page=-4")).text) == [north, center, south]


async def test_pagination_fifty_per_page(db, client) -> None:
    await db.execute(
        """INSERT INTO organizations (rut, legal_name, legal_form, category, region_code, comuna_code, status,
                                      vigencia_expires_on, approved_at)
           SELECT g || '-' || 'K', 'Organización ' || lpad(g::text, 3, '0'), 'otra', 'B', '05', '05101', 'approved',
                  current_date + 100, now()
           FROM generate_series(1, 120) g""")
    first = await client.get("/organizaciones")
    assert len(ids(first.text)) == model.PAGE_SIZE and "120 organizaciones" in first.text
    assert 'rel="next"' in first.text
    third = await client.get("/organizaciones?page=3")
    assert len(ids(third.text)) == 20 and 'rel="next"' not in third.text
    assert len(set(ids(first.text)) | set(ids((await client.get("/organizaciones?page=2")).text)) | set(ids(third.text))) == 120
    assert ids((await client.get("/organizaciones?page=99")).text) == []


async def test_htmx_gets_only_the_results(db, client) -> None:
    await create_org(db, name="Fundación Parcial")
    partial = await client.get("/organizaciones?q=parcial", headers={"HX-Request": "true"})
    assert "Fundación Parcial" in partial.text and "<form" not in partial.text and "<html" not in partial.text
    assert "HX-Request" in partial.headers["vary"]
    full = await client.get("/organizaciones?q=parcial")
    assert 'hx-trigger="input changed delay:300ms, search"' in full.text and 'type="submit"' in full.text


async def test_comunas_for_a_region(db, client) -> None:
    response = await client.get("/territorio/comunas?region_code=05")
    assert "Viña del Mar" in response.text and "Santiago" not in response.text
    assert response.text.count("<option") == 1 + await db.fetch_val("SELECT count(*) FROM comunas WHERE region_code = '05'")
    assert (await client.get("/territorio/comunas?region=zz")).text.count("<option") == 1


async def test_open_data_page_and_files(db, client) -> None:
    await create_org(db, name="Datos Abiertos", status="approved")
    page = await client.get("/datos")
    assert page.status_code == 200 and "CC BY 4.0" in page.text and "vigencia_expires_on" in page.text
    response = await client.get("/datos/organizaciones.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0]["region_name"] == "Región de Valparaíso" and rows[0]["comuna_code"] == "05101"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rows[0]["vigencia_expires_on"])


async def test_region_rank_matches_regions_sort_order(db) -> None:
    rows = await db.fetch_all("SELECT code, sort_order, portal_region_rank(code) AS rank FROM regions")
    assert all(r["sort_order"] == r["rank"] for r in rows) and len(rows) == 16


async def test_export_streams_more_than_one_batch(db, client) -> None:
    from portal.registry import opendata

    await db.execute(
        """INSERT INTO organizations (rut, legal_name, legal_form, category, region_code, comuna_code, status,
                                      vigencia_expires_on, approved_at)
           SELECT g || '-' || 'K', 'Org ' || g, 'otra', 'A', '13', '13101', 'approved', current_date + 10, now()
           FROM generate_series(1, :n) g""", {"n": opendata.BATCH + 5})
    data = json.loads((await client.get("/datos/organizaciones.json")).text)["organizations"]
    assert len(data) == opendata.BATCH + 5 and len({o["id"] for o in data}) == len(data)
    assert sum(1 for _ in csv.reader(io.StringIO((await client.get("/datos/organizaciones.csv")).text))) == len(data) + 1


@pytest.mark.parametrize("walk", [True, False, None], ids=["walk-first", "sort-first", "planner"])
async def test_search_paths_give_the_same_pages(db, client, monkeypatch, walk) -> None:
    """The fast path (matches of an ordered prefix), the sorted fallback and the planner's choice between
    them agree with a plain query."""
    from portal.registry import search, search_queries

    await db.execute(
        """INSERT INTO organizations (rut, legal_name, legal_form, category, region_code, comuna_code, status,
                                      vigencia_expires_on, approved_at, description)
           SELECT g || '-K', CASE WHEN g % 2 = 0 THEN 'Asociación ' ELSE 'Fundación ' END || lpad(g::text, 3, '0'),
                  'otra', 'B', '13', '13101', 'approved', current_date + 10, now(), 'Apoyo a migrantes venezolanos'
           FROM generate_series(1, 160) g""")
    monkeypatch.setattr(model, "COUNT_CAP", 10)
    monkeypatch.setattr(search, "SCAN_BUDGET", 90)  # 80 "Asociación" rows come first: the fast path falls short
    monkeypatch.setattr(search_queries, "SCAN_BUDGET", 90)
    if walk is not None:
        monkeypatch.setattr(search_queries, "walk_first", lambda *_: walk)
    for q, page in (("fundación", 1), ("fund", 2), ("venezolanos", 1), ("venezolanos", 2), ("migrantes", 4),
                    ('"apoyo a migrantes" -fundación', 1)):
        expected = [r["id"] for r in await db.fetch_all(
            """SELECT id FROM organizations
               WHERE search @@ CASE WHEN :web THEN websearch_to_tsquery('spanish', :q) ELSE to_tsquery('spanish', :t) END
               ORDER BY legal_name, id LIMIT 50 OFFSET :o""",
            {"t": search.prefix_tsquery(q), "q": q, "web": search.is_web_search(q), "o": (page - 1) * 50})]
        response = await client.get("/organizaciones", params={"q": q, "page": page})
        got = ids(response.text)
        assert got == expected and got, (q, page)
        assert "Más de 10 organizaciones" in response.text  # the capped count: 80 or 160 matches each


async def test_search_count_runs_beside_the_page_or_after_it_when_the_pool_is_busy(db, client, monkeypatch) -> None:
    """The count takes a second connection only if one is free at that moment; with none free it runs
    after the page on the request's own connection, and the answer is the same."""
    from portal.registry import search_queries

    for n in range(3):
        await create_org(db, status="approved", name=f"Fundación Haití {n}")
    backends: list[tuple[str, int]] = []
    count = search_queries._count

    async def spying_count(database, where):  # type: ignore[no-untyped-def]
        backends.append(("count", await database.fetch_val("SELECT pg_backend_pid()")))
        return await count(database, where)

    fetch = search_queries._fetch

    async def spying_fetch(database, sql, params):  # type: ignore[no-untyped-def]
        backends.append(("page", await database.fetch_val("SELECT pg_backend_pid()")))
        return await fetch(database, sql, params)

    monkeypatch.setattr(search_queries, "_count", spying_count)
    monkeypatch.setattr(search_queries, "_fetch", spying_fetch)
    beside = await client.get("/organizaciones", params={"q": "fundacion hait"})
    assert len(ids(beside.text)) == 3 and "3 organizaciones" in beside.text
    pids = dict(backends)
    assert pids["count"] != pids["page"]  # two connections at once
    backends.clear()
    gate = getattr(db.gate, "gate", db.gate)
    monkeypatch.setattr(gate, "try_acquire", lambda: False)  # no connection free at that moment
    after = await client.get("/organizaciones", params={"q": "fundacion hait"})
    assert ids(after.text) == ids(beside.text) and "3 organizaciones" in after.text
    kinds = [kind for kind, _ in backends]  # the page (a walk, maybe then the sort), then the count
    assert kinds[-1] == "count" and "count" not in kinds[:-1] and len({pid for _, pid in backends}) == 1
    assert gate.free == gate.size


async def test_a_failed_search_page_cancels_its_count_and_frees_both_connections(db, monkeypatch) -> None:
    from portal.registry import search, search_queries

    started = asyncio.Event()
    count = search_queries._count

    async def slow_count(database, where):  # type: ignore[no-untyped-def]
        started.set()
        await database.fetch_val("SELECT pg_sleep(5)")
        return await count(database, where)

    async def failing_page(*_: Any) -> None:
        await started.wait()
        raise ZeroDivisionError

    monkeypatch.setattr(search_queries, "_count", slow_count)
    monkeypatch.setattr(search_queries, "_search_page", failing_page)
    with pytest.raises(ZeroDivisionError):
        await asyncio.wait_for(search_queries.public_page(db, search.Filters(q="fundacion")), 3)
    gate = getattr(db.gate, "gate", db.gate)
    assert gate.free == gate.size and not gate.waiting
    for _ in range(100):  # the count's query is cancelled (asyncpg sends the cancel request on its own)
        if not await db.fetch_val(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' AND state = 'active'"):
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("the count of a failed page kept running")


async def test_search_share_is_the_planners_estimate(db, owner_db) -> None:
    """portal_search_share: a share between 0 and 1, larger for a word most organizations use."""
    await db.execute(
        """INSERT INTO organizations (rut, legal_name, legal_form, category, region_code, comuna_code, status,
                                      vigencia_expires_on, approved_at, description)
           SELECT g || '-K', 'Agrupación ' || g || CASE WHEN g % 50 = 0 THEN ' Haití' ELSE '' END, 'otra', 'B',
                  '13', '13101', 'approved', current_date + 10, now(), 'Apoyo a migrantes'
           FROM generate_series(1, 1000) g""")
    await owner_db.execute("ANALYZE organizations")
    share = {w: await db.fetch_val("SELECT portal_search_share(to_tsquery('spanish', :w))", {"w": w})
             for w in ("migrantes", "haiti", "inexistente")}
    assert 0.9 <= share["migrantes"] <= 1 and 0.005 <= share["haiti"] <= 0.05 and 0 < share["inexistente"] < 0.005


async def test_pages_render_in_english(db, make_client) -> None:
    from factories import create_user

    _, org_id, email = await create_rep(db, status="submitted", category="A")
    await db.execute("UPDATE organizations SET status = 'approved'")
    await create_user(db, "reviewer@prueba.cl", roles=["reviewer"])
    rep, staff, anon = make_client(), make_client(), make_client()
    await rep.login(email)
    await staff.login("reviewer@prueba.cl")
    for c in (rep, staff, anon):
        c.http.cookies.set("lang", "en")
    checks = [(anon, "/organizaciones", "Search by name or description"), (anon, f"/organizaciones/{org_id}", "History in the registry"),
              (anon, "/datos", "Data dictionary"), (rep, "/mi-organizacion", "Registered details"),
              (rep, "/mi-organizacion/editar", "Legal name"), (rep, "/mi-organizacion/documentos", "Uploaded documents"),
              (rep, "/mi-organizacion/renovar", "Submit renewal"), (rep, "/mi-organizacion/retirar", "Withdraw the organization"),
              (staff, "/staff/registro?status=approved", "Registry applications"), (staff, f"/staff/registro/{org_id}", "Organization details")]
    for c, url, text in checks:
        response = await c.get(url)
        assert response.status_code == 200 and text in response.text, url


async def test_region_change_refreshes_the_comuna_filter_in_the_same_response(client: Any, db: Any) -> None:
    """htmx: the results response carries the comuna <select> of the new region out-of-band, and
    drops a comuna of the old region; a plain link with only ?comuna= shows its region."""
    partial = await client.get("/organizaciones?region=13&comuna=05101", headers={"HX-Request": "true"})
    assert '<select id="comuna" name="comuna" aria-describedby="comuna-hint" hx-swap-oob="true">' in partial.text
    assert 'value="13101"' in partial.text and 'value="05101"' not in partial.text
    page = await client.get("/organizaciones?comuna=05101")
    assert page.text.count('id="comuna"') == 1 and "hx-swap-oob" not in page.text.split('id="comuna"')[1][:80]
    assert '<option value="05" selected>' in page.text and '<option value="05101" selected>' in page.text
