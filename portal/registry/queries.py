"""SQL for organizations: the record, its representatives, its history and workflow transitions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import asyncpg

from portal.db import Database, to_dataclass, to_dataclasses

# Election phases between the padrón cut-off and the proclamation (domain.md §4).
ELECTION_LOCK_PHASES = ("padron_provisional", "padron_final", "candidacies_open", "candidacies_review",
                        "voting_open", "voting_closed", "tallied")


class DuplicateRut(Exception):
    """Another organization already has this RUT (the UNIQUE constraint said so)."""


class AlreadyRepresentative(Exception):
    """The person already represents an organization (one per person)."""


class InvalidTransition(Exception):
    """The organization is not in a state that allows this action."""


@dataclass
class Org:
    id: int
    rut: str
    legal_name: str
    short_name: str
    legal_form: str
    category: str
    region_code: str
    comuna_code: str
    address: str
    public_email: str
    phone: str
    website: str
    description: str
    areas: list[str]
    founded_on: date | None
    members: int | None
    migrant_share: int | None
    legal_rep_name: str
    legal_rep_run: str
    status: str
    effective_status: str
    review_kind: str
    pending_category: str | None
    pending_migrant_share: int | None
    vigencia_issued_on: date | None
    vigencia_expires_on: date | None
    submitted_at: datetime | None
    approved_at: datetime | None
    withdrawn_at: datetime | None
    created_at: datetime
    updated_at: datetime
    listed: bool
    region_name: str = ""
    comuna_name: str = ""

    @property
    def registered(self) -> bool:
        """Approved at some point and still public (approved, expired or under re-review)."""
        return self.effective_status in ("approved", "expired")


@dataclass
class Representative:
    user_id: int
    name: str
    email: str
    is_legal: bool
    added_at: datetime


@dataclass
class Event:
    id: int
    at: datetime
    kind: str
    public: bool
    message: str
    actor_label: str = ""
    details: dict[str, Any] = field(default_factory=dict)


_ORG_SELECT = """SELECT o.*, r.name AS region_name, c.name AS comuna_name
                 FROM organizations_effective o
                 JOIN regions r ON r.code = o.region_code JOIN comunas c ON c.code = o.comuna_code"""
_WRITABLE = ("rut", "legal_name", "short_name", "legal_form", "category", "region_code", "comuna_code",
             "address", "public_email", "phone", "website", "description", "areas", "founded_on",
             "members", "migrant_share", "legal_rep_name", "legal_rep_run")


async def get_org(db: Database, org_id: int, *, for_update: bool = False) -> Org | None:
    """One organization with its effective status and place names."""
    if for_update:  # lock the row first, so concurrent decisions queue up
        await db.execute("SELECT 1 FROM organizations WHERE id = :id FOR UPDATE", {"id": org_id})
    row = await db.fetch_one(_ORG_SELECT + " WHERE o.id = :id", {"id": org_id})
    return to_dataclass(Org, row)


async def get_public_org(db: Database, org_id: int) -> Org | None:
    """An organization visible in the public registry, else None."""
    row = await db.fetch_one(_ORG_SELECT + " WHERE o.id = :id AND o.listed", {"id": org_id})
    return to_dataclass(Org, row)


async def create_org(db: Database, record: dict[str, Any], user_id: int) -> int:
    """A draft with `user_id` as its legal representative (call inside a transaction)."""
    values = {k: record.get(k) for k in _WRITABLE}
    columns = ", ".join(_WRITABLE)
    params = ", ".join(f":{k}" for k in _WRITABLE)
    try:
        async with db.transaction():  # a savepoint: a duplicate RUT leaves the outer transaction usable
            org_id = await db.fetch_val(
                f"INSERT INTO organizations ({columns}) VALUES ({params}) RETURNING id", values)
    except asyncpg.UniqueViolationError as exc:
        raise DuplicateRut() from exc
    if not await db.fetch_val(
            """INSERT INTO org_representatives (org_id, user_id, is_legal) VALUES (:o, :u, true)
               ON CONFLICT DO NOTHING RETURNING user_id""", {"o": org_id, "u": user_id}):
        raise AlreadyRepresentative()
    return org_id


async def rut_taken(db: Database, rut: str, except_id: int | None = None) -> bool:
    return bool(await db.fetch_val(
        "SELECT 1 FROM organizations WHERE rut = :r AND id <> COALESCE(CAST(:e AS bigint), 0)",
        {"r": rut, "e": except_id}))


async def update_record(db: Database, org_id: int, record: dict[str, Any]) -> None:
    """Save the record's fields present in `record` (RUT and category only before registration)."""
    names = [k for k in _WRITABLE if k in record]
    sets = ", ".join(f"{k} = :{k}" for k in names)
    try:
        async with db.transaction():
            await db.execute(f"UPDATE organizations SET {sets}, updated_at = now() WHERE id = :id",
                             {**{k: record[k] for k in names}, "id": org_id})
    except asyncpg.UniqueViolationError as exc:
        raise DuplicateRut() from exc


async def transition(db: Database, org_id: int, allowed_from: tuple[str, ...], to: str,
                     extra_sets: str = "", params: dict[str, Any] | None = None) -> None:
    """Move the status if it is one of `allowed_from`, atomically; else InvalidTransition."""
    sets = f"status = :to, updated_at = now(){', ' + extra_sets if extra_sets else ''}"
    done = await db.fetch_val(
        f"UPDATE organizations SET {sets} WHERE id = :id AND status = ANY(:allowed) RETURNING id",
        {"id": org_id, "to": to, "allowed": list(allowed_from), **(params or {})})
    if done is None:
        raise InvalidTransition(to)


async def add_event(db: Database, org_id: int, kind: str, *, actor: int | None, public: bool = False,
                    message: str = "", details: dict[str, Any] | None = None) -> None:
    await db.execute(
        """INSERT INTO org_events (org_id, kind, public, message, details, actor_id)
           VALUES (:o, :k, :p, :m, CAST(:d AS jsonb), :a)""",
        {"o": org_id, "k": kind, "p": public, "m": message, "d": json.dumps(details or {}, default=str),
         "a": actor})


async def events(db: Database, org_id: int, *, public_only: bool = False) -> list[Event]:
    rows = await db.fetch_all(
        """SELECT e.id, e.at, e.kind, e.public, e.message, e.details, COALESCE(u.name, '') AS actor_label
           FROM org_events e LEFT JOIN users u ON u.id = e.actor_id
           WHERE e.org_id = :o AND (e.public OR NOT CAST(:p AS boolean)) ORDER BY e.at, e.id""",
        {"o": org_id, "p": public_only})
    found = []
    for row in rows:
        data = dict(row._mapping)
        data["details"] = json.loads(data["details"]) if isinstance(data["details"], str) else data["details"]
        if public_only:
            data["actor_label"] = ""  # people are not named publicly
        found.append(Event(**data))
    return found


async def latest_message(db: Database, org_id: int) -> Event | None:
    """The newest staff observation or reason, for the organization's status box."""
    for event in reversed(await events(db, org_id)):
        if event.kind in ("observed", "rejected", "renewal_rejected", "category_change_rejected"):
            return event
        if event.kind in ("submitted", "renewal_requested", "category_change_requested", "approved"):
            return None
    return None


async def representatives(db: Database, org_id: int) -> list[Representative]:
    rows = await db.fetch_all(
        """SELECT r.user_id, u.name, u.email, r.is_legal, r.added_at FROM org_representatives r
           JOIN users u ON u.id = r.user_id WHERE r.org_id = :o ORDER BY r.is_legal DESC, r.added_at""",
        {"o": org_id})
    return to_dataclasses(Representative, rows)


async def representative_emails(db: Database, org_id: int) -> list[str]:
    return [r.email for r in await representatives(db, org_id)]


async def add_representative(db: Database, org_id: int, user_id: int) -> bool:
    """False when the person already represents an organization (one per person)."""
    added = await db.fetch_val(
        """INSERT INTO org_representatives (org_id, user_id, is_legal) VALUES (:o, :u, false)
           ON CONFLICT DO NOTHING RETURNING user_id""", {"o": org_id, "u": user_id})
    return added is not None


async def category_change_blocked(db: Database) -> str | None:
    """Why a category change cannot be asked now (an election between padrón cut-off and
    proclamation), or None. Works before the elections tables exist (then nothing blocks);
    once they do, the elections domain's own rule decides."""
    if not await db.fetch_val("SELECT to_regclass('public.elections') IS NOT NULL"):
        return None
    try:
        from portal.elections_web.queries import category_change_blocked as elections_rule
    except ImportError:
        elections_rule = None
    if elections_rule is not None:
        return await elections_rule(db)
    phase = await db.fetch_val("SELECT phase FROM public.elections WHERE phase = ANY(:p) LIMIT 1",
                               {"p": list(ELECTION_LOCK_PHASES)})
    if phase is None:
        return None
    from portal.i18n import gettext

    return gettext("Hay una elección del COSOC en curso (entre el corte del padrón y la proclamación): "
                   "los cambios de categoría se reciben cuando termine.")


@dataclass
class QueueRow:
    id: int
    legal_name: str
    rut: str
    category: str
    status: str
    effective_status: str
    review_kind: str
    region_name: str
    submitted_at: datetime | None
    updated_at: datetime


async def staff_queue(db: Database, *, statuses: list[str], category: str | None, region: str | None,
                      page: int, page_size: int) -> tuple[list[QueueRow], int]:
    """Organizations for the review queue, oldest submission first, and how many match."""
    where = ["o.status = ANY(:statuses)"]
    params: dict[str, Any] = {"statuses": statuses}
    if category:
        where.append("o.category = :category")
        params["category"] = category
    if region:
        where.append("o.region_code = :region")
        params["region"] = region
    clause = " AND ".join(where)
    total = await db.fetch_val(f"SELECT count(*) FROM organizations o WHERE {clause}", params)
    rows = await db.fetch_all(
        f"""SELECT o.id, o.legal_name, o.rut, o.category, o.status, o.effective_status, o.review_kind,
                   r.name AS region_name, o.submitted_at, o.updated_at
            FROM organizations_effective o JOIN regions r ON r.code = o.region_code
            WHERE {clause} ORDER BY o.submitted_at NULLS LAST, o.id
            LIMIT :limit OFFSET :offset""",
        {**params, "limit": page_size, "offset": (page - 1) * page_size})
    return to_dataclasses(QueueRow, rows), total
