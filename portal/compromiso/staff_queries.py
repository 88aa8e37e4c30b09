"""SQL for the back-office queue: cycles filtered by region, state and year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.db import Database, to_dataclasses
from portal.where import Where

PAGE_SIZE = 50
# Without a state filter the queue shows what waits for an evaluator.
WAITING = ("applied", "in_evaluation")


@dataclass
class QueueRow:
    cycle_id: int
    year: int
    status: str
    applied_at: datetime | None
    company_id: int
    company_name: str
    kind: str
    region_name: str
    comuna_name: str
    total_score: int | None


async def queue(db: Database, *, region: str | None, status: str | None, year: int | None,
                page: int) -> tuple[list[QueueRow], int]:
    """One page of cycles matching the filters, and how many match in all."""
    where = Where("y.status = :status", status=status) if status else Where("y.status IN ('applied', 'in_evaluation')")
    where.when(region, "c.region_code = :region", "region").when(year, "y.year = :year", "year")
    base = f"""FROM compromiso_cycles y JOIN compromiso_companies c ON c.id = y.company_id
               JOIN regions r ON r.code = c.region_code JOIN comunas co ON co.code = c.comuna_code
               {where.sql}"""
    params = where.params
    total = await db.fetch_val("SELECT count(*) " + base, params)
    rows = await db.fetch_all(
        f"""SELECT y.id AS cycle_id, y.year, y.status, y.applied_at, c.id AS company_id, c.name AS company_name,
                   c.kind, r.name AS region_name, co.name AS comuna_name, y.total_score
            {base} ORDER BY y.applied_at NULLS LAST, y.year DESC, c.name LIMIT :limit OFFSET :offset""",
        {**params, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE},
    )
    return to_dataclasses(QueueRow, rows), total


async def cycle_years(db: Database) -> list[int]:
    rows = await db.fetch_all("SELECT DISTINCT year FROM compromiso_cycles ORDER BY year DESC")
    return [r["year"] for r in rows]
