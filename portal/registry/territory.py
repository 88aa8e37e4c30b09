"""Regions and comunas (reference data loaded by migration 0002), read once per process."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.db import Database


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


_cache: Territory | None = None


async def load(db: Database) -> Territory:
    """The territory, cached: it only changes with a migration (and a restart)."""
    global _cache
    if _cache is None:
        territory = Territory()
        for row in await db.fetch_all("SELECT code, name, short_name, sort_order FROM regions ORDER BY sort_order"):
            territory.regions.append(Region(**dict(row._mapping)))
            territory.by_region[row["code"]] = []
        for row in await db.fetch_all("SELECT code, name, region_code FROM comunas ORDER BY name COLLATE \"C\""):
            comuna = Comuna(**dict(row._mapping))
            territory.comunas[comuna.code] = comuna
            territory.by_region[comuna.region_code].append(comuna)
        for comunas in territory.by_region.values():
            comunas.sort(key=lambda c: _fold(c.name))
        _cache = territory
    return _cache


def _fold(text: str) -> str:
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(ch))
