"""SQL for the public pages: figures per year, featured institutions, track records, open data
(docs/compromiso.md, Public).

Only adhered organizations appear, and never their contacts or staff figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.db import Database, to_dataclasses
from portal.where import Where

PAGE_SIZE = 50


@dataclass
class YearFigures:
    year: int
    new: int
    total: int
    applied: int
    recognized: int


@dataclass
class PublicOrg:
    id: int
    rut: str
    name: str
    kind: str
    size: str
    sector: str
    region_name: str
    comuna_name: str
    adhered_on: date


@dataclass
class Featured:
    id: int
    name: str
    kind: str
    region_name: str
    comuna_name: str
    total_score: int | None
    certificate_code: str | None


@dataclass
class TrackYear:
    year: int
    status: str
    reported: bool
    applied: bool
    recognized: bool
    certificate_code: str | None


# A recognition counts publicly while its certificate stands: one that staff revoked (certificates.status)
# no longer lists the organization among the year's recognized (docs/compromiso.md, Public); this read is
# all a revocation does to Compromiso, so it registers no revocation hook. `k` is the compromiso_cycles row.
_RECOGNIZED = """(k.status = 'recognized' AND NOT EXISTS (
    SELECT 1 FROM certificates ct WHERE ct.code = k.certificate_code AND ct.status = 'revoked'))"""


async def figures(db: Database) -> list[YearFigures]:
    """Per year from the first adhesion to the latest cycle: new, cumulative, applied, recognized."""
    rows = await db.fetch_all(
        f"""WITH years AS (
             SELECT generate_series(
               (SELECT min(extract(year FROM adhered_on))::int FROM compromiso_companies),
               GREATEST((SELECT max(year) FROM compromiso_cycles),
                        (SELECT max(extract(year FROM adhered_on))::int FROM compromiso_companies))) AS year)
           SELECT y.year,
             (SELECT count(*) FROM compromiso_companies c WHERE extract(year FROM c.adhered_on) = y.year) AS new,
             (SELECT count(*) FROM compromiso_companies c WHERE extract(year FROM c.adhered_on) <= y.year) AS total,
             (SELECT count(*) FROM compromiso_cycles k WHERE k.year = y.year
                AND k.status IN ('applied', 'in_evaluation', 'recognized', 'not_recognized')) AS applied,
             (SELECT count(*) FROM compromiso_cycles k WHERE k.year = y.year AND {_RECOGNIZED}) AS recognized
           FROM years y WHERE y.year IS NOT NULL ORDER BY y.year"""  # noqa: S608 (only constant fragments are interpolated; values are parameters)
    )
    return to_dataclasses(YearFigures, rows)


async def recognition_years(db: Database) -> list[int]:
    rows = await db.fetch_all(
        f"SELECT DISTINCT k.year FROM compromiso_cycles k WHERE {_RECOGNIZED} ORDER BY k.year DESC"  # noqa: S608 (only constant fragments are interpolated; values are parameters)
    )
    return [r["year"] for r in rows]


async def featured(db: Database, year: int) -> list[Featured]:
    """The organizations recognized in `year`."""
    rows = await db.fetch_all(
        f"""SELECT c.id, c.name, c.kind, r.name AS region_name, co.name AS comuna_name, k.total_score,
                  k.certificate_code
           FROM compromiso_cycles k JOIN compromiso_companies c ON c.id = k.company_id
           JOIN regions r ON r.code = c.region_code JOIN comunas co ON co.code = c.comuna_code
           WHERE k.year = :y AND {_RECOGNIZED} ORDER BY r.sort_order, c.name""",  # noqa: S608 (only constant fragments are interpolated; values are parameters)
        {"y": year},
    )
    return to_dataclasses(Featured, rows)


_ORG = """SELECT c.id, c.rut, c.name, c.kind, c.size, c.sector, r.name AS region_name, co.name AS comuna_name,
                 c.adhered_on
          FROM compromiso_companies c JOIN regions r ON r.code = c.region_code
          JOIN comunas co ON co.code = c.comuna_code"""


async def public_org(db: Database, company_id: int) -> PublicOrg | None:
    rows = await db.fetch_all(_ORG + " WHERE c.adhered_on IS NOT NULL AND c.id = :id", {"id": company_id})
    found = to_dataclasses(PublicOrg, rows)
    return found[0] if found else None


async def track_record(db: Database, company_id: int) -> list[TrackYear]:
    rows = await db.fetch_all(
        f"""SELECT year, status,
                  status IN ('report_submitted', 'applied', 'in_evaluation', 'recognized', 'not_recognized') AS reported,
                  status IN ('applied', 'in_evaluation', 'recognized', 'not_recognized') AS applied,
                  {_RECOGNIZED} AS recognized, certificate_code
           FROM compromiso_cycles k WHERE company_id = :c ORDER BY year DESC""",  # noqa: S608 (only constant fragments are interpolated; values are parameters)
        {"c": company_id},
    )
    return to_dataclasses(TrackYear, rows)


async def directory(db: Database, *, region: str | None, kind: str | None, page: int) -> tuple[list[PublicOrg], int]:
    """One page of adhered organizations, filtered by region and type, and how many match in all."""
    where = Where("c.adhered_on IS NOT NULL")
    where.when(region, "c.region_code = :region", "region").when(kind, "c.kind = :kind", "kind")
    # only constant clauses are interpolated into these statements; values are parameters
    count_sql = f"SELECT count(*) FROM compromiso_companies c {where.sql}"  # noqa: S608 (constant clauses only)
    page_sql = f"{_ORG} {where.sql} ORDER BY c.name LIMIT :limit OFFSET :offset"
    total = await db.fetch_val(count_sql, where.params)
    rows = await db.fetch_all(page_sql, {**where.params, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE})
    return to_dataclasses(PublicOrg, rows), total


async def export_rows(db: Database) -> list[dict[str, Any]]:
    """One row per adhered organization with its years reported, applied and recognized."""
    rows = await db.fetch_all(
        f"""SELECT c.id, c.rut, c.name, c.kind, c.size, c.sector, c.region_code, r.name AS region,
                  c.comuna_code, co.name AS comuna, c.adhered_on,
                  COALESCE(array_agg(k.year ORDER BY k.year) FILTER (WHERE k.status IN
                    ('report_submitted', 'applied', 'in_evaluation', 'recognized', 'not_recognized')), '{{}}') AS years_reported,
                  COALESCE(array_agg(k.year ORDER BY k.year) FILTER (WHERE k.status IN
                    ('applied', 'in_evaluation', 'recognized', 'not_recognized')), '{{}}') AS years_applied,
                  COALESCE(array_agg(k.year ORDER BY k.year) FILTER (WHERE {_RECOGNIZED}), '{{}}') AS years_recognized
           FROM compromiso_companies c JOIN regions r ON r.code = c.region_code
           JOIN comunas co ON co.code = c.comuna_code
           LEFT JOIN compromiso_cycles k ON k.company_id = c.id
           WHERE c.adhered_on IS NOT NULL
           GROUP BY c.id, r.name, co.name ORDER BY c.id"""  # noqa: S608 (only constant fragments are interpolated; values are parameters)
    )
    return [dict(r._mapping) for r in rows]
