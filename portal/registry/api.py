"""The registry as other parts of the portal see it: only what they need (docs/registry.md, Public view).

The home page asks here how many organizations are in force, by category.
"""

from __future__ import annotations

from portal import clock
from portal.db import Database
from portal.registry import figures_queries, model

CATEGORY_LABELS = model.CATEGORY_LABELS


async def in_force_by_category(db: Database) -> dict[str, int]:
    """Organizations in force today (approved and not expired), per category A, B, C."""
    return await figures_queries.in_force_by_category(db, clock.today())
