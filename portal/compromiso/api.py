"""Compromiso Migrante as other parts of the portal see it: only what they need (docs/compromiso.md).

The home page asks here how many organizations were recognized this year, and what the open call is:
the current year's cycle, whose reports and applications are received until 31 December
(docs/compromiso.md, Differences, 3).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from portal import clock
from portal.compromiso import public_queries, rules
from portal.db import Database


async def year_summary(db: Database) -> dict[str, Any]:
    """This year's figures: `year`, `recognized` (recognitions standing), `applied`, `adhered` (cumulative)
    and `closes_on`, the last day to report and apply."""
    year = rules.open_year(clock.today())
    figures = {f.year: f for f in await public_queries.figures(db)}
    this = figures.get(year)
    latest = figures[max(figures)] if figures else None
    return {"year": year, "closes_on": date(year, 12, 31),
            "recognized": this.recognized if this else 0, "applied": this.applied if this else 0,
            "adhered": this.total if this else (latest.total if latest else 0)}
