"""The public registry: filters, Spanish full-text search with prefix matching, one page of rows.

Usually two queries per page: the rows (LIMIT page+1, to know if there is a next page) and, when
they do not all fit on the first page, a count capped at COUNT_CAP. They use the partial index of
listed organizations ordered north → south by name, or the GIN index of `search` (see _rows).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from collections.abc import Mapping

from portal.db import Database, to_dataclasses
from portal.registry import model
from portal.registry.territory import Territory
from portal.txn import atomic

MAX_QUERY = 200
MAX_WORDS = 8
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_OPERATORS = re.compile(r'["\-]|\bor\b', re.IGNORECASE)


@dataclass
class Filters:
    """What the visitor asked for, already checked against the allowed values."""

    q: str = ""
    category: str = ""
    region: str = ""
    comuna: str = ""
    area: str = ""
    status: str = ""
    page: int = 1

    def query_string(self) -> str:
        """The filters as a query string prefix for pagination links (ends with '&')."""
        from urllib.parse import urlencode

        pairs = [(k, v) for k, v in (("q", self.q), ("category", self.category), ("region", self.region),
                                     ("comuna", self.comuna), ("area", self.area), ("status", self.status)) if v]
        return urlencode(pairs) + "&" if pairs else ""

    @property
    def active(self) -> bool:
        return bool(self.q or self.category or self.region or self.comuna or self.area or self.status)


def parse_filters(params: Mapping[str, str], territory: Territory) -> Filters:
    """Unknown or malformed values are dropped, never an error."""
    def pick(name: str, allowed: Any) -> str:
        value = params.get(name, "")
        return value if isinstance(value, str) and value in allowed else ""

    q = params.get("q", "")
    q = q.replace("\x00", "").strip()[:MAX_QUERY] if isinstance(q, str) else ""
    region = pick("region", {r.code for r in territory.regions})
    comuna = pick("comuna", territory.comunas)
    if comuna and region and not territory.comuna_in_region(comuna, region):
        comuna = ""
    elif comuna and not region:
        region = territory.comunas[comuna].region_code  # a link with only ?comuna= shows its region
    try:
        page = min(max(int(params.get("page", "1")), 1), 10_000)
    except (TypeError, ValueError):
        page = 1
    return Filters(q=q, category=pick("category", model.CATEGORIES), region=region, comuna=comuna,
                   area=pick("area", model.AREAS), status=pick("status", model.PUBLIC_STATUSES), page=page)


def fold(text: str) -> str:
    """Lower case without accents (like portal_unaccent, for the words we send)."""
    return "".join(ch for ch in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(ch))


def prefix_tsquery(q: str) -> str:
    """'Fundación Mig' → 'fundacion & mig:*': plain words only, so it cannot be malformed."""
    words = [w for w in _WORD.findall(fold(q)) if w.isalnum()][:MAX_WORDS]
    if not words:
        return ""
    return " & ".join(words[:-1] + [words[-1] + ":*"])


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


def _text_clause(f: Filters, alias: str = "o") -> tuple[str, dict[str, Any]]:
    """The full-text condition on `alias`.search, or '' without a query."""
    if not f.q:
        return "", {}
    tsq = prefix_tsquery(f.q)
    if _OPERATORS.search(f.q) or not tsq:
        # quotes, -negation or "or": the user wrote a web-search query; honour it as written
        return f"{alias}.search @@ websearch_to_tsquery('spanish', portal_unaccent(:q))", {"q": f.q}
    # plain words (search-as-you-type): all of them, the last one as a prefix. This matches
    # everything websearch_to_tsquery would for the same words, and what is being typed.
    return f"{alias}.search @@ to_tsquery('spanish', :tsq)", {"tsq": tsq}


def _filters(f: Filters) -> tuple[str, dict[str, Any]]:
    """The conditions other than the text search (all on columns of organizations_public_order)."""
    clauses = ["o.listed"]
    params: dict[str, Any] = {}
    for name, column in (("category", "category"), ("region", "region_code"), ("comuna", "comuna_code")):
        if getattr(f, name):
            clauses.append(f"o.{column} = :{name}")
            params[name] = getattr(f, name)
    if f.region:  # the same condition on the index's first column: a range scan of that region only
        clauses.append("o.region_rank = portal_region_rank(:region)")
    if f.area:
        clauses.append("o.areas @> ARRAY[CAST(:area AS text)]")
        params["area"] = f.area
    if f.status == "withdrawn":
        clauses.append("o.status = 'withdrawn'")
    elif f.status == "expired":
        clauses.append("o.status <> 'withdrawn' AND o.vigencia_expires_on < current_date")
    elif f.status == "approved":
        clauses.append("o.status <> 'withdrawn' AND NOT (o.vigencia_expires_on < current_date)")
    return " AND ".join(clauses), params


def _where(f: Filters) -> tuple[str, dict[str, Any]]:
    """Every condition of the page, on alias `o`."""
    where, params = _filters(f)
    text, text_params = _text_clause(f)
    return (f"{where} AND {text}" if text else where), {**params, **text_params}


_ROWS = """WITH page AS ({ids})
    SELECT o.id, o.legal_name, o.short_name, o.category, o.region_code, r.name AS region_name,
           o.comuna_code, c.name AS comuna_name, o.areas, o.vigencia_expires_on, o.withdrawn_at,
           left(o.description, 240) AS description,
           CASE WHEN o.status = 'withdrawn' THEN 'withdrawn'
                WHEN o.vigencia_expires_on < current_date THEN 'expired' ELSE 'approved' END AS effective_status
    FROM page p JOIN organizations o ON o.id = p.id JOIN regions r ON r.code = o.region_code
    JOIN comunas c ON c.code = o.comuna_code
    ORDER BY p.region_rank, p.legal_name, p.id"""
# Without a search: the page of ids straight from the order index (index-only).
_IDS_IN_ORDER = """SELECT o.id, o.region_rank, o.legal_name FROM organizations o WHERE {where}
    ORDER BY o.region_rank, o.legal_name, o.id LIMIT :limit OFFSET :offset"""
# With a search, fast path: walk the first SCAN_BUDGET rows in order and keep the matches. When
# that yields a full page it is exactly the right page (the matches of an ordered prefix).
_IDS_SCANNED = """SELECT s.id, s.region_rank, s.legal_name FROM (
        SELECT o.id, o.region_rank, o.legal_name, o.search FROM organizations o WHERE {where}
        ORDER BY o.region_rank, o.legal_name, o.id LIMIT :budget) s
    WHERE {text} ORDER BY s.region_rank, s.legal_name, s.id LIMIT :limit OFFSET :offset"""
# Otherwise the matches are few or sit late in the order (e.g. "fund" among names that start
# with "Asociación…"): take every match through the GIN index and sort them. "+ 0" keeps the
# planner from walking the order index, which would read the whole range to find them.
_IDS_SORTED = """SELECT o.id, o.region_rank, o.legal_name FROM organizations o WHERE {where}
    ORDER BY o.region_rank + 0, o.legal_name, o.id LIMIT :limit OFFSET :offset"""
SCAN_BUDGET = 3000


async def _count(db: Database, f: Filters) -> int:
    """Matches, counted up to COUNT_CAP + 1."""
    where, params = _where(f)
    return await db.fetch_val(f"SELECT count(*) FROM (SELECT 1 FROM organizations o WHERE {where} LIMIT :cap) s",
                              {**params, "cap": model.COUNT_CAP + 1})


async def _fetch(db: Database, ids_sql: str, params: dict[str, Any]) -> list[PublicRow]:
    return to_dataclasses(PublicRow, await db.fetch_all(_ROWS.format(ids=ids_sql), params))


async def public_page(db: Database, f: Filters) -> Page:
    """One page of the public registry, grouped by region north → south, then by name."""
    limit, offset = model.PAGE_SIZE + 1, (f.page - 1) * model.PAGE_SIZE
    paging = {"limit": limit, "offset": offset}
    where, params = _filters(f)
    text, text_params = _text_clause(f, "s")
    if not text:
        found = await _fetch(db, _IDS_IN_ORDER.format(where=where), {**params, **paging})
        total = len(found) if f.page == 1 and len(found) < limit else await _count(db, f)
    else:
        async with atomic(db):
            # A text search is planned for its own words every time. With a generic plan (PostgreSQL's
            # choice after five runs of a prepared statement) the capped count scans every match instead
            # of stopping at the cap. Only here: re-planning every query of every request cost the vote
            # storm a third of its throughput.
            await db.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            # count first: a few matches are sorted directly; many are likely dense in the order
            total = await _count(db, f)
            found = []
            if total > model.COUNT_CAP and offset + limit <= SCAN_BUDGET:
                found = await _fetch(db, _IDS_SCANNED.format(where=where, text=text),
                                     {**params, **text_params, **paging, "budget": SCAN_BUDGET})
            if len(found) < limit:
                full_where, full_params = _where(f)
                found = await _fetch(db, _IDS_SORTED.format(where=full_where), {**full_params, **paging})
    return Page(rows=found[:model.PAGE_SIZE], total=min(total, model.COUNT_CAP), capped=total > model.COUNT_CAP,
                has_next=len(found) > model.PAGE_SIZE)
