"""SQL of the public registry's list: filters, Spanish full-text search with prefix matching, one page.

Usually two queries per page: the rows (LIMIT page+1, to know if there is a next page) and, when
they do not all fit on the first page, a count capped at COUNT_CAP. They use the partial index of
listed organizations ordered north → south by name, or the GIN index of `search` (see public_page).
A search first sends one statement (_start_search), then the page and the count at once (_searched).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from portal import clock
from portal.db import Database, PoolBusy, to_dataclasses
from portal.registry import model
from portal.registry.search import SCAN_BUDGET, Filters, is_web_search, prefix_tsquery, walk_first
from portal.txn import atomic
from portal.where import Where


@dataclass
class PublicRow:
    id: int
    legal_name: str
    short_name: str
    category: str
    region_code: str
    region_name: str
    comuna_code: str
    comuna_name: str
    areas: list[str]
    effective_status: str
    vigencia_expires_on: date | None
    withdrawn_at: datetime | None
    description: str = ""


@dataclass
class Page:
    rows: list[PublicRow] = field(default_factory=list)
    total: int = 0
    capped: bool = False
    has_next: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // model.PAGE_SIZE))


# Custom plans for the rest of the transaction (see _start_search).
_CUSTOM_PLANS = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"


async def _start_search(db: Database, f: Filters) -> tuple[str, float]:
    """The search as a literal query, the planner's share of organizations it matches, and custom plans for
    the rest of the transaction, in one round trip.

    Plain words (search-as-you-type): all of them, the last one as a prefix. This matches everything
    websearch_to_tsquery would for the same words, and what is being typed. The prefix is spelled out as
    the lexemes it stands for (portal_expand_prefixes, migrations/0130): the same matches, and the GIN
    index finds exact lexemes several times faster than a prefix ('fundacion haiti': 6.8 → 2.9 ms for the
    capped count at 100,000 organizations). A web-search query (quotes, -, or) is honoured as written.
    Sent back as a literal, so each query of the page is planned for these very lexemes.

    The share (portal_search_share, migrations/0132) is an estimate from the column's statistics; it only
    chooses how the page is looked for (search.walk_first), never what it holds.

    Custom plans: a text search is planned for its own words every time. With a generic plan (PostgreSQL's
    choice after five runs of a prepared statement) the capped count scans every match instead of stopping
    at the cap. Only here (set_config(…, true) is SET LOCAL): re-planning every query of every request cost
    the vote storm a third of its throughput. The expansion, evaluated first, keeps the default."""
    words = "" if is_web_search(f.q) else prefix_tsquery(f.q)
    row = (await db.fetch_all(
        """WITH e AS MATERIALIZED (
               SELECT CASE WHEN :words = '' THEN websearch_to_tsquery('spanish', portal_unaccent(:q))
                           ELSE portal_expand_prefixes(to_tsquery('spanish', :words)) END AS tsq)
           SELECT e.tsq::text, portal_search_share(e.tsq), set_config('plan_cache_mode', 'force_custom_plan', true)
           FROM e""", {"words": words, "q": f.q}))[0]
    return str(row[0]), float(row[1])


_STATUS = {  # the public status filter, judged on :today (docs/registry.md, Public view)
    "withdrawn": "o.status = 'withdrawn'",
    "expired": "o.status <> 'withdrawn' AND o.vigencia_expires_on < :today",
    "approved": "o.status <> 'withdrawn' AND NOT (o.vigencia_expires_on < :today)",
}


def _filters(f: Filters) -> Where:
    """The conditions other than the text search (all on columns of organizations_public_order)."""
    where = (Where("o.listed")
             .when(f.category, "o.category = :category", "category")
             .when(f.region, "o.region_code = :region", "region")
             .when(f.comuna, "o.comuna_code = :comuna", "comuna")
             # the region again on the index's first column: a range scan of that region only
             .when(f.region, "o.region_rank = portal_region_rank(:region)")
             .when(f.area, "o.areas @> ARRAY[CAST(:area AS text)]", "area"))
    if f.status == "withdrawn":
        where.add(_STATUS[f.status])
    elif f.status:
        where.add(_STATUS[f.status], today=clock.today())
    return where


# The columns in PublicRow's order, so its rows are built by position (portal.db.to_dataclasses).
_ROWS = """WITH page AS ({ids})
    SELECT o.id, o.legal_name, o.short_name, o.category, o.region_code, r.name AS region_name,
           o.comuna_code, c.name AS comuna_name, o.areas,
           registry_public_status(o.status, o.vigencia_expires_on, :today) AS effective_status,
           o.vigencia_expires_on, o.withdrawn_at, left(o.description, 240) AS description
    FROM page p JOIN organizations o ON o.id = p.id JOIN regions r ON r.code = o.region_code
    JOIN comunas c ON c.code = o.comuna_code
    ORDER BY p.region_rank, p.legal_name, p.id"""
# Without a search: the page of ids straight from the order index (index-only).
_IDS_IN_ORDER = """SELECT o.id, o.region_rank, o.legal_name FROM organizations o {where}
    ORDER BY o.region_rank, o.legal_name, o.id LIMIT :limit OFFSET :offset"""
# With a search, fast path: walk the first SCAN_BUDGET rows in order and keep the matches. When
# that yields a full page it is exactly the right page (the matches of an ordered prefix).
_IDS_SCANNED = """SELECT s.id, s.region_rank, s.legal_name FROM (
        SELECT o.id, o.region_rank, o.legal_name, o.search FROM organizations o {where}
        ORDER BY o.region_rank, o.legal_name, o.id LIMIT :budget) s
    WHERE s.search @@ CAST(:tsq AS tsquery) ORDER BY s.region_rank, s.legal_name, s.id LIMIT :limit OFFSET :offset"""
# Otherwise the matches are few or sit late in the order (e.g. "fund" among names that start
# with "Asociación…"): take every match through the GIN index and sort them. "+ 0" keeps the
# planner from walking the order index, which would read the whole range to find them.
_IDS_SORTED = """SELECT o.id, o.region_rank, o.legal_name FROM organizations o {where}
    ORDER BY o.region_rank + 0, o.legal_name, o.id LIMIT :limit OFFSET :offset"""


async def _count(db: Database, where: Where) -> int:
    """Matches, counted up to COUNT_CAP + 1. Nothing is selected: when the index answers the whole WHERE
    (a text search: migrations/0132), the matches on all-visible pages are counted without reading them."""
    total: int = await db.fetch_val(
        f"SELECT count(*) FROM (SELECT FROM organizations o {where.sql} LIMIT :cap) s",  # noqa: S608 (only constant clauses are interpolated; values are parameters)
        {**where.params, "cap": model.COUNT_CAP + 1})
    return total


async def _fetch(db: Database, ids_sql: str, params: dict[str, Any]) -> list[PublicRow]:
    rows = await db.fetch_all(_ROWS.format(ids=ids_sql), {**params, "today": clock.today()})
    return to_dataclasses(PublicRow, rows)


async def public_page(db: Database, f: Filters) -> Page:
    """One page of the public registry, grouped by region north → south, then by name."""
    limit, offset = model.PAGE_SIZE + 1, (f.page - 1) * model.PAGE_SIZE
    paging = {"limit": limit, "offset": offset}
    where = _filters(f)
    if not f.q:
        async with db.connection():  # one pool checkout for the page and its count
            found = await _fetch(db, _IDS_IN_ORDER.format(where=where.sql), {**where.params, **paging})
            total = len(found) if f.page == 1 and len(found) < limit else await _count(db, where)
    else:
        async with atomic(db):
            tsq, share = await _start_search(db, f)
            found, total = await _searched(db, where, paging, tsq, share)
    return Page(rows=found[:model.PAGE_SIZE], total=min(total, model.COUNT_CAP), capped=total > model.COUNT_CAP,
                has_next=len(found) > model.PAGE_SIZE)


async def _searched(db: Database, where: Where, paging: dict[str, int], tsq: str,
                    share: float) -> tuple[list[PublicRow], int]:
    """A page of a text search and its capped count (inside public_page's transaction, after _start_search).

    Neither needs the other, so the count runs beside the page on a second connection when one is free at
    that moment ('fundacion haiti' at 100,000 organizations: 2 ms of the count's 2 and the page's 3–5 ms
    overlap); otherwise, as under load, after it on this one."""
    full = Where(*where.clauses, **where.params).add("o.search @@ CAST(:tsq AS tsquery)", tsq=tsq)
    counting = asyncio.create_task(_count_beside(db, full))
    try:
        found = await _search_page(db, where, full, paging, tsq, share)
    except BaseException:
        counting.cancel()
        await asyncio.gather(counting, return_exceptions=True)
        raise
    total = await counting
    if total is None:
        total = await _count(db, full)
    return found, total


async def _search_page(db: Database, where: Where, full: Where, paging: dict[str, int], tsq: str,
                       share: float) -> list[PublicRow]:
    """The page: by walking the list when matches are expected to be dense in it, else (or when the walk
    falls short) by sorting every match. Either way exactly the right rows."""
    found: list[PublicRow] = []
    if walk_first(share, paging["offset"], paging["limit"]):
        found = await _fetch(db, _IDS_SCANNED.format(where=where.sql),
                             {**where.params, **paging, "tsq": tsq, "budget": SCAN_BUDGET})
    if len(found) < paging["limit"]:
        found = await _fetch(db, _IDS_SORTED.format(where=full.sql), {**full.params, **paging})
    return found


async def _count_beside(db: Database, where: Where) -> int | None:
    """The capped count in a transaction of its own on a connection of its own, or None when no connection
    is free right now (the caller holds one: waiting for a second could deadlock the pool)."""
    try:
        async with db.connection(wait=False), atomic(db):
            await db.execute(_CUSTOM_PLANS)
            return await _count(db, where)
    except PoolBusy:
        return None
