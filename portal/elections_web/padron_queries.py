"""The padrón's SQL: its snapshot from the registry, its entries, and the claims against it
(docs/elections.md, Padrón)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from portal.db import Database, to_dataclass, to_dataclasses


@dataclass
class Entry:
    """One organization in an election's padrón."""

    org_id: int
    category: str
    region_code: str
    region_name: str
    name: str


@dataclass
class Claim:
    """A claim against the provisional padrón or the provisional results."""

    id: int
    kind: str
    org_id: int | None
    org_name: str | None
    action: str
    claimant: str
    body: str
    status: str
    resolution: str | None
    created_at: datetime
    resolved_at: datetime | None


@dataclass
class Organization:
    """A registered organization as a padrón claim names it."""

    id: int
    legal_name: str
    category: str
    region_code: str


async def snapshot(db: Database, election_id: int, cutoff: date) -> int:
    """Fill the padrón with every organization approved and not expired at the cut-off date."""
    # approved_at on or before the cut-off, and its vigencia certificate still valid that day
    count: int = await db.fetch_val(
        """WITH added AS (
             INSERT INTO padron_entries (election_id, org_id, category, region_code, name)
             SELECT :e, o.id, o.category, o.region_code, o.legal_name FROM organizations o
             -- registered: approved, or approved and now under a renewal/category-change review (it keeps
             -- its registered category until that review ends; see organizations_effective)
             WHERE (o.status = 'approved'
                    OR (o.status IN ('submitted', 'in_review', 'observed') AND o.review_kind <> 'registration'))
               AND (o.approved_at IS NULL OR o.approved_at::date <= :cut)
               AND (o.vigencia_expires_on IS NULL OR o.vigencia_expires_on >= :cut)
             ON CONFLICT DO NOTHING RETURNING 1)
           SELECT count(*) FROM added""", {"e": election_id, "cut": cutoff})
    return count


_ENTRY_SELECT = """SELECT p.org_id, p.category, p.region_code, coalesce(r.name, p.region_code) AS region_name, p.name
  FROM padron_entries p LEFT JOIN regions r ON r.code = p.region_code"""


async def entries(db: Database, election_id: int, *, category: str | None = None) -> list[Entry]:
    """The padrón in canonical order (category, organization id)."""
    rows = await db.fetch_all(
        f"""{_ENTRY_SELECT}
           WHERE p.election_id = :e AND (CAST(:c AS text) IS NULL OR p.category = CAST(:c AS text))
           ORDER BY p.category, p.org_id""", {"e": election_id, "c": category})
    return to_dataclasses(Entry, rows)


async def entry(db: Database, election_id: int, org_id: int) -> Entry | None:
    """The organization's padrón entry, if it is in the padrón."""
    row = await db.fetch_one(f"{_ENTRY_SELECT} WHERE p.election_id = :e AND p.org_id = :o",
                             {"e": election_id, "o": org_id})
    return to_dataclass(Entry, row)


async def set_hash(db: Database, election_id: int, digest: str, size: dict[str, int]) -> None:
    """Record the frozen padrón's SHA-256 and its size per category."""
    await db.execute(
        "UPDATE elections SET padron_sha256 = :h, padron_size = CAST(:s AS jsonb), updated_at = now() WHERE id = :e",
        {"h": digest, "s": json.dumps(size), "e": election_id})


async def org_by_rut(db: Database, rut: str) -> Organization | None:
    """The registered organization a claim names by RUT."""
    row = await db.fetch_one(
        "SELECT id, legal_name, category, region_code FROM organizations WHERE rut = :r", {"r": rut})
    return to_dataclass(Organization, row)


async def org_by_id(db: Database, org_id: int) -> Organization | None:
    """An organization as a padrón entry needs it."""
    row = await db.fetch_one(
        "SELECT id, legal_name, category, region_code FROM organizations WHERE id = :o", {"o": org_id})
    return to_dataclass(Organization, row)


async def add_entry(db: Database, election_id: int, org: Organization) -> None:
    await db.execute(
        """INSERT INTO padron_entries (election_id, org_id, category, region_code, name)
           VALUES (:e, :o, :c, :r, :n) ON CONFLICT DO NOTHING""",
        {"e": election_id, "o": org.id, "c": org.category, "r": org.region_code, "n": org.legal_name})


async def remove_entry(db: Database, election_id: int, org_id: int) -> None:
    await db.execute("DELETE FROM padron_entries WHERE election_id = :e AND org_id = :o",
                     {"e": election_id, "o": org_id})


async def add_claim(db: Database, election_id: int, kind: str, *, org_id: int | None, action: str,
                    claimant: str, body: str, actor_id: int) -> int:
    claim_id: int = await db.fetch_val(
        """INSERT INTO election_claims (election_id, kind, org_id, action, claimant, body, created_by)
           VALUES (:e, :k, :o, :a, :c, :b, :u) RETURNING id""",
        {"e": election_id, "k": kind, "o": org_id, "a": action, "c": claimant, "b": body, "u": actor_id})
    return claim_id


_CLAIM_SELECT = """SELECT c.id, c.kind, c.org_id, o.legal_name AS org_name, c.action, c.claimant, c.body, c.status,
       c.resolution, c.created_at, c.resolved_at
  FROM election_claims c LEFT JOIN organizations o ON o.id = c.org_id"""


async def claims(db: Database, election_id: int, kind: str) -> list[Claim]:
    rows = await db.fetch_all(f"{_CLAIM_SELECT} WHERE c.election_id = :e AND c.kind = :k ORDER BY c.id",
                              {"e": election_id, "k": kind})
    return to_dataclasses(Claim, rows)


async def get_claim(db: Database, election_id: int, claim_id: int, *, lock: bool = False) -> Claim | None:
    suffix = " FOR UPDATE OF c" if lock else ""
    row = await db.fetch_one(f"{_CLAIM_SELECT} WHERE c.election_id = :e AND c.id = :id{suffix}",
                             {"e": election_id, "id": claim_id})
    return to_dataclass(Claim, row)


async def resolve_claim(db: Database, claim_id: int, status: str, resolution: str, actor_id: int) -> None:
    await db.execute(
        """UPDATE election_claims SET status = :s, resolution = :r, resolved_by = :u, resolved_at = now()
           WHERE id = :id""", {"s": status, "r": resolution, "u": actor_id, "id": claim_id})
