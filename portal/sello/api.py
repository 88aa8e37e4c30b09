"""Sello Migrante as other parts of the portal see it: only what they need (docs/sello.md, Public).

The home page asks here how many municipalities hold the Sello today.
"""

from __future__ import annotations

from portal import clock
from portal.db import Database
from portal.sello import queries

# The shown states of a municipality whose certification is in force (docs/sello.md, States).
IN_FORCE = ("certified", "revalidation")


async def certified_count(db: Database) -> int:
    """Municipalities whose Sello is in force today (certified, or certified and in revalidation)."""
    today = clock.today()
    return sum(1 for a in await queries.all_adhesions(db) if a.state(today) in IN_FORCE)
