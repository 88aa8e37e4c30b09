"""What the public pages that belong to no domain read: the home page's live figures, gathered from each
domain's api module (docs/architecture.md, Layers), and the health check's ping."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.compromiso import api as compromiso
from portal.db import Database
from portal.elections_web import api as elections
from portal.registry import api as registry
from portal.sello import api as sello


@dataclass
class HomeFigures:
    organizations: dict[str, int]  # in force, per category A, B, C
    councillors: int               # in office now
    election: dict[str, Any] | None  # the election under way: phase and its next date
    certified_municipalities: int
    compromiso: dict[str, Any]     # this year's call and recognitions

    @property
    def organizations_total(self) -> int:
        return sum(self.organizations.values())


async def home_figures(db: Database) -> HomeFigures:
    summary = await elections.public_summary(db)
    return HomeFigures(organizations=await registry.in_force_by_category(db), councillors=summary["councillors"],
                       election=summary["election"], certified_municipalities=await sello.certified_count(db),
                       compromiso=await compromiso.year_summary(db))


async def ping(db: Database) -> None:
    """Raises when the database does not answer."""
    await db.fetch_val("SELECT 1")
