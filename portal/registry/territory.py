"""Regions and comunas (reference data loaded by migration 0002), read once per process."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from portal.db import Database
from portal.registry import queries


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    short_name: str
    sort_order: int


@dataclass(frozen=True)
class Comuna:
    code: str
    name: str
    region_code: str


@dataclass
class Territory:
    """Regions north to south, and each region's comunas by name."""

    regions: list[Region] = field(default_factory=list)
    comunas: dict[str, Comuna] = field(default_factory=dict)
    by_region: dict[str, list[Comuna]] = field(default_factory=dict)

    def region(self, code: str | None) -> Region | None:
        return next((r for r in self.regions if r.code == code), None)

    def region_options(self) -> list[tuple[str, str]]:
        return [(r.code, r.name) for r in self.regions]

    def comuna_options(self, region_code: str | None) -> list[tuple[str, str]]:
        return [(c.code, c.name) for c in self.by_region.get(region_code or "", [])]

    def comuna_in_region(self, comuna_code: str | None, region_code: str | None) -> bool:
        comuna = self.comunas.get(comuna_code or "")
        return comuna is not None and comuna.region_code == region_code


_cache: dict[str, Territory] = {}


async def load(db: Database) -> Territory:
    """The territory, cached: it only changes with a migration (and a restart)."""
    if "territory" not in _cache:
        territory = Territory()
        for row in await queries.regions(db):
            territory.regions.append(Region(**row))
            territory.by_region[row["code"]] = []
        for row in await queries.comunas(db):
            comuna = Comuna(**row)
            territory.comunas[comuna.code] = comuna
            territory.by_region[comuna.region_code].append(comuna)
        for comunas in territory.by_region.values():
            comunas.sort(key=lambda c: _fold(c.name))
        _cache["territory"] = territory
    return _cache["territory"]


def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(ch))
