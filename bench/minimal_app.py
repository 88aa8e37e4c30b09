"""The yardstick for the registry benchmark: the smallest Starlette + asyncpg + Jinja2 app that serves
the same first page of the public registry as the portal.

Same table, same WHERE / ORDER BY / LIMIT as `portal.registry.search.public_page` (the rows query
and the capped count), the same optional full-text `?q=`, and similar HTML (a filter form and a
table of 50 rows grouped by region). No sessions, CSRF, i18n, user loading or base layout: what
the portal costs above this is the price of its middleware and templates.

Run:  DATABASE_URL=postgresql://… uvicorn --factory bench.minimal_app:create_app --workers 2 --port 8101
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import unicodedata
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from jinja2 import Environment
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

# The registry's own constants, so the yardstick cannot drift from them (its SQL is mirrored below).
from portal.registry.model import COUNT_CAP, PAGE_SIZE
from portal.registry.search import SCAN_BUDGET

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Mirrors portal/registry/search_queries.py public_page (no filter, or plain words in q): a page of ids,
# then their rows; without q the capped count only when the first page overflows; with q, in one
# transaction with custom plans as the portal's (without them, PostgreSQL's generic plan for the capped
# count scans every match: the yardstick would be slower than the portal for a reason the portal does
# not have), the matches among the first SCAN_BUDGET rows in order when the planner's share says they
# are dense, else (or when that falls short) every match sorted; the capped count beside the page on a
# second connection when one is free at that moment, else after it.
ROWS_SQL = """
WITH page AS ({ids})
SELECT o.id, o.legal_name, o.short_name, o.category, o.region_code, r.name AS region_name,
       o.comuna_code, c.name AS comuna_name, o.areas, o.vigencia_expires_on, o.withdrawn_at,
       left(o.description, 240) AS description,
       CASE WHEN o.status = 'withdrawn' THEN 'withdrawn'
            WHEN o.vigencia_expires_on < current_date THEN 'expired' ELSE 'approved' END AS effective_status
FROM page p JOIN organizations o ON o.id = p.id JOIN regions r ON r.code = o.region_code
JOIN comunas c ON c.code = o.comuna_code
ORDER BY p.region_rank, p.legal_name, p.id"""
IDS_IN_ORDER = """SELECT o.id, o.region_rank, o.legal_name FROM organizations o WHERE o.listed
    ORDER BY o.region_rank, o.legal_name, o.id LIMIT $1 OFFSET 0"""
IDS_SCANNED = """SELECT s.id, s.region_rank, s.legal_name FROM (
        SELECT o.id, o.region_rank, o.legal_name, o.search FROM organizations o WHERE o.listed
        ORDER BY o.region_rank, o.legal_name, o.id LIMIT $3) s
    WHERE s.search @@ CAST($2 AS tsquery) ORDER BY s.region_rank, s.legal_name, s.id LIMIT $1 OFFSET 0"""
IDS_SORTED = """SELECT o.id, o.region_rank, o.legal_name FROM organizations o
    WHERE o.listed AND o.search @@ CAST($2 AS tsquery)
    ORDER BY o.region_rank + 0, o.legal_name, o.id LIMIT $1 OFFSET 0"""
COUNT_SQL = "SELECT count(*) FROM (SELECT FROM organizations o WHERE {where} LIMIT $1) s"
SEARCH = "o.search @@ CAST($2 AS tsquery)"
# As the portal starts a search (search_queries._start_search): the last word's prefix spelled out as its
# lexemes (migrations/0130), and custom plans for the rest of the transaction.
START_SEARCH = """WITH e AS MATERIALIZED (SELECT portal_expand_prefixes(to_tsquery('spanish', $1)) AS tsq)
    SELECT e.tsq::text, portal_search_share(e.tsq), set_config('plan_cache_mode', 'force_custom_plan', true) FROM e"""
CUSTOM_PLANS = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"

PAGE = Environment(autoescape=True).from_string("""<!doctype html>
<html lang="es-CL"><head><meta charset="utf-8"><title>Organizaciones · Portal Participa</title>
<link rel="stylesheet" href="/static/css/portal.css"></head>
<body><main id="contenido" class="container">
<h1>Registro de organizaciones</h1>
<form method="get" action="/organizaciones" class="filters">
  <label for="q">Buscar</label> <input id="q" name="q" value="{{ q }}">
  <label for="region">Región</label>
  <select id="region" name="region"><option value="">Todas</option>
  {% for code, name in regions %}<option value="{{ code }}">{{ name }}</option>{% endfor %}</select>
  <button type="submit" class="button">Buscar</button>
</form>
<p>{{ total }}{% if capped %}+{% endif %} organizaciones</p>
{% for region, rows in groups %}
<h2>{{ region }}</h2>
<table class="table"><caption>{{ region }}</caption>
<thead><tr><th scope="col">Organización</th><th scope="col">Categoría</th><th scope="col">Comuna</th>
<th scope="col">Áreas</th><th scope="col">Estado</th></tr></thead><tbody>
{% for o in rows %}<tr>
<th scope="row"><a href="/organizaciones/{{ o.id }}">{{ o.legal_name }}</a>{% if o.short_name %} ({{ o.short_name }}){% endif %}
<p>{{ o.description }}</p></th>
<td><span class="badge">{{ o.category }}</span></td><td>{{ o.comuna_name }}</td>
<td>{{ o.areas | join(", ") }}</td>
<td><span class="status status--{{ o.effective_status }}">{{ o.effective_status }}</span>
{% if o.vigencia_expires_on %}<br>{{ o.vigencia_expires_on.strftime("%d-%m-%Y") }}{% endif %}</td>
</tr>{% endfor %}</tbody></table>
{% endfor %}
{% if has_next %}<a href="/organizaciones?page=2">Siguiente</a>{% endif %}
</main></body></html>""")


def prefix_tsquery(q: str) -> str:
    """'Fundación Mig' → 'fundacion & mig:*' (as the portal does)."""
    folded = "".join(ch for ch in unicodedata.normalize("NFD", q.lower()) if not unicodedata.combining(ch))
    words = [w for w in _WORD.findall(folded) if w.isalnum()][:8]
    return " & ".join([*words[:-1], words[-1] + ":*"]) if words else ""


async def count_beside(app: Any, tsq: str) -> int | None:
    """The capped search count on a second connection if one is free now (as portal.db's connection(wait=False))."""
    gate: asyncio.Semaphore = app.state.gate
    if gate.locked():
        return None
    async with gate, app.state.pool.acquire() as conn:
        await conn.execute("BEGIN")  # as below: plain statements
        try:
            await conn.execute(CUSTOM_PLANS)
            total: int = await conn.fetchval(COUNT_SQL.format(where=f"o.listed AND {SEARCH}"), COUNT_CAP + 1, tsq)
        finally:
            await conn.execute("COMMIT")
        return total


async def organizaciones(request: Request) -> HTMLResponse:
    pool: asyncpg.Pool = request.app.state.pool
    q = request.query_params.get("q", "").strip()[:200]
    tsq = prefix_tsquery(q)
    limit = PAGE_SIZE + 1
    async with request.app.state.gate, pool.acquire() as conn:
        if not tsq:
            rows = await conn.fetch(ROWS_SQL.format(ids=IDS_IN_ORDER), limit)
            total = len(rows)
            if total >= limit:
                total = await conn.fetchval(COUNT_SQL.format(where="o.listed"), COUNT_CAP + 1)
        else:
            # BEGIN/COMMIT as plain statements: this yardstick cannot use portal.txn.atomic, and
            # tests/test_architecture.py keeps `.transaction()` to the portal's database layer.
            await conn.execute("BEGIN")
            try:
                tsq, share, _ = await conn.fetchrow(START_SEARCH, tsq)
                counting = asyncio.create_task(count_beside(request.app, tsq))
                rows = []
                if share * SCAN_BUDGET >= limit:
                    rows = await conn.fetch(ROWS_SQL.format(ids=IDS_SCANNED), limit, tsq, SCAN_BUDGET)
                if len(rows) < limit:
                    rows = await conn.fetch(ROWS_SQL.format(ids=IDS_SORTED), limit, tsq)
                counted = await counting
                total = counted if counted is not None else await conn.fetchval(
                    COUNT_SQL.format(where=f"o.listed AND {SEARCH}"), COUNT_CAP + 1, tsq)
            finally:
                await conn.execute("COMMIT")  # read-only: after an error, COMMIT ends the failed transaction too
    groups: list[tuple[str, list[Any]]] = []
    for row in rows[:PAGE_SIZE]:
        if not groups or groups[-1][0] != row["region_name"]:
            groups.append((row["region_name"], []))
        groups[-1][1].append(row)
    html = PAGE.render(q=q, regions=request.app.state.regions, groups=groups, total=min(total, COUNT_CAP),
                       capped=total > COUNT_CAP, has_next=len(rows) > PAGE_SIZE)
    return HTMLResponse(html)


def create_app(url: str | None = None) -> Starlette:
    """The minimal app on DATABASE_URL (or `url`)."""
    dsn = url or os.environ["DATABASE_URL"]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(dsn, min_size=2, max_size=10)
        app.state.gate = asyncio.Semaphore(10)  # every checkout passes it, so `locked()` means none is free
        async with app.state.pool.acquire() as conn:
            app.state.regions = [(r["code"], r["name"]) for r in
                                 await conn.fetch("SELECT code, name FROM regions ORDER BY sort_order")]
        try:
            yield
        finally:
            await app.state.pool.close()

    return Starlette(routes=[Route("/organizaciones", organizaciones)], lifespan=lifespan)

