"""SQL of the registry's public figures: organizations in force (registry_effective_status 'approved' on
the portal's date) by category and by region (docs/registry.md, Public view)."""

from __future__ import annotations

from datetime import date
from typing import Any

from portal.db import Database, as_dicts

_IN_FORCE = "o.listed AND registry_public_status(o.status, o.vigencia_expires_on, :today) = 'approved'"


async def in_force_by_category(db: Database, today: date) -> dict[str, int]:
    """Organizations in force per category (every category present, zero included)."""
    rows = await db.fetch_all(
        f"SELECT o.category, count(*) AS n FROM organizations o WHERE {_IN_FORCE} GROUP BY o.category",  # noqa: S608 (only constant clauses are interpolated; values are parameters)
        {"today": today})
    counts = {"A": 0, "B": 0, "C": 0}
    counts.update({r["category"]: int(r["n"]) for r in rows})
    return counts


async def in_force_by_region(db: Database, today: date) -> list[dict[str, Any]]:
    """Every region north to south with its organizations in force (zero included)."""
    rows = await db.fetch_all(
        f"""SELECT r.code, r.short_name AS name, count(o.id) AS n FROM regions r
            LEFT JOIN organizations o ON o.region_code = r.code AND {_IN_FORCE}
            GROUP BY r.code, r.short_name, r.sort_order ORDER BY r.sort_order""",  # noqa: S608 (only constant clauses are interpolated; values are parameters)
        {"today": today})
    return as_dicts(rows)
