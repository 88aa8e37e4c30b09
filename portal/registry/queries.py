"""SQL for organizations: the record, its representatives, its history, its documents, the staff
queue, open data and the territory (the public search is in search_queries.py).

Whether a registration has expired is judged on the portal's date (clock.today(), passed as
:today), never on the database server's (docs/registry.md, Record).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import asyncpg

from portal import clock, uploads
from portal.db import Database, to_dataclass, to_dataclasses
from portal.txn import atomic
from portal.where import Where


class DuplicateRut(Exception):
    """Another organization already has this RUT (the UNIQUE constraint said so)."""


class AlreadyRepresentative(Exception):
    """The person already represents an organization (one per person)."""


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
    pending_legal_name: str | None = None  # a new name awaiting review (docs/registry.md, Workflow)
    pending_short_name: str | None = None

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


# The effective status on :today (migration 0050's function, the rule of docs/registry.md, Record).
_EFFECTIVE = "registry_effective_status(o.status, o.review_kind, o.vigencia_expires_on, :today)"
_ORG_SELECT = f"""SELECT o.*, {_EFFECTIVE} AS effective_status, r.name AS region_name, c.name AS comuna_name
                  FROM organizations o
                  JOIN regions r ON r.code = o.region_code JOIN comunas c ON c.code = o.comuna_code"""  # noqa: S608 (a constant expression is interpolated)
_WRITABLE = ("rut", "legal_name", "short_name", "legal_form", "category", "region_code", "comuna_code",
             "address", "public_email", "phone", "website", "description", "areas", "founded_on",
             "members", "migrant_share", "legal_rep_name", "legal_rep_run")


async def get_org(db: Database, org_id: int, *, for_update: bool = False) -> Org | None:
    """One organization with its effective status (today, in Chile) and place names."""
    if for_update:  # lock the row first, so concurrent decisions queue up
        await db.execute("SELECT 1 FROM organizations WHERE id = :id FOR UPDATE", {"id": org_id})
    row = await db.fetch_one(_ORG_SELECT + " WHERE o.id = :id", {"id": org_id, "today": clock.today()})
    return to_dataclass(Org, row)


async def get_public_org(db: Database, org_id: int) -> Org | None:
    """An organization visible in the public registry, else None."""
    row = await db.fetch_one(_ORG_SELECT + " WHERE o.id = :id AND o.listed", {"id": org_id, "today": clock.today()})
    return to_dataclass(Org, row)


async def create_org(db: Database, record: dict[str, Any], user_id: int) -> int:
    """A draft with `user_id` as its legal representative (call inside a transaction)."""
    values = {k: record.get(k) for k in _WRITABLE}
    columns = ", ".join(_WRITABLE)
    params = ", ".join(f":{k}" for k in _WRITABLE)
    try:
        async with atomic(db):  # a savepoint: a duplicate RUT leaves the outer transaction usable
            org_id: int = await db.fetch_val(
                f"INSERT INTO organizations ({columns}) VALUES ({params}) RETURNING id",  # noqa: S608 (only constant column names are interpolated; values are parameters)
                values)
    except asyncpg.UniqueViolationError as exc:
        raise DuplicateRut() from exc
    if not await db.fetch_val(
            """INSERT INTO org_representatives (org_id, user_id, is_legal) VALUES (:o, :u, true)
               ON CONFLICT DO NOTHING RETURNING user_id""", {"o": org_id, "u": user_id}):
        raise AlreadyRepresentative()
    return org_id


async def rut_taken(db: Database, rut: str, except_id: int | None = None) -> bool:
    """Whether another organization already has this RUT."""
    return bool(await db.fetch_val(
        "SELECT 1 FROM organizations WHERE rut = :r AND id <> COALESCE(CAST(:e AS bigint), 0)",
        {"r": rut, "e": except_id}))


async def update_record(db: Database, org_id: int, record: dict[str, Any]) -> None:
    """Save the record's fields present in `record` (RUT and category only before registration)."""
    names = [k for k in _WRITABLE if k in record]
    sets = ", ".join(f"{k} = :{k}" for k in names)
    try:
        async with atomic(db):
            await db.execute(
                f"UPDATE organizations SET {sets}, updated_at = now() WHERE id = :id",  # noqa: S608 (only constant column names are interpolated; values are parameters)
                {**{k: record[k] for k in names}, "id": org_id})
    except asyncpg.UniqueViolationError as exc:
        raise DuplicateRut() from exc


async def set_pending_identity(db: Database, org_id: int, legal_name: str, short_name: str) -> None:
    """A corrected new name while an identity change is observed (the approved one stays public)."""
    await db.execute(
        """UPDATE organizations SET pending_legal_name = :ln, pending_short_name = :sn, updated_at = now()
           WHERE id = :id AND review_kind = 'identity_change'""",
        {"ln": legal_name, "sn": short_name, "id": org_id})


async def add_event(db: Database, org_id: int, kind: str, *, actor: int | None, public: bool = False,
                    message: str = "", details: dict[str, Any] | None = None) -> None:
    """One entry of the organization's history (public ones show on its public page)."""
    await db.execute(
        """INSERT INTO org_events (org_id, kind, public, message, details, actor_id)
           VALUES (:o, :k, :p, :m, CAST(:d AS jsonb), :a)""",
        {"o": org_id, "k": kind, "p": public, "m": message, "d": json.dumps(details or {}, default=str),
         "a": actor})


async def events(db: Database, org_id: int, *, public_only: bool = False) -> list[Event]:
    """The organization's history, oldest first (people unnamed when public)."""
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
        if event.kind in ("observed", "rejected", "renewal_rejected", "category_change_rejected",
                          "identity_change_rejected"):
            return event
        if event.kind in ("submitted", "renewal_requested", "category_change_requested",
                          "identity_change_requested", "approved"):
            return None
    return None


async def representatives(db: Database, org_id: int) -> list[Representative]:
    """The organization's representatives, the legal one first."""
    rows = await db.fetch_all(
        """SELECT r.user_id, u.name, u.email, r.is_legal, r.added_at FROM org_representatives r
           JOIN users u ON u.id = r.user_id WHERE r.org_id = :o ORDER BY r.is_legal DESC, r.added_at""",
        {"o": org_id})
    return to_dataclasses(Representative, rows)


async def representative_emails(db: Database, org_id: int) -> list[str]:
    """Where the organization's notices go."""
    return [r.email for r in await representatives(db, org_id)]


async def add_representative(db: Database, org_id: int, user_id: int) -> bool:
    """False when the person already represents an organization (one per person)."""
    added = await db.fetch_val(
        """INSERT INTO org_representatives (org_id, user_id, is_legal) VALUES (:o, :u, false)
           ON CONFLICT DO NOTHING RETURNING user_id""", {"o": org_id, "u": user_id})
    return added is not None


# ----- documents -----

@dataclass
class Document:
    id: int
    org_id: int
    kind: str
    issued_on: date | None
    uploaded_at: datetime
    superseded_at: datetime | None
    filename: str
    size: int
    sha256: str
    uploader: str = ""
    file_id: str = ""


async def store_document(db: Database, *, org_id: int, kind: str, content: bytes, filename: str, user_id: int,
                         issued_on: date | None = None) -> int:
    """Store the PDF and make it the current document of its kind (call inside a transaction)."""
    file_id = await uploads.store(db, uploads.CheckedFile(uploads.safe_filename(filename, kind), content), user_id)
    await db.execute(
        """UPDATE org_documents SET superseded_at = now()
           WHERE org_id = :o AND kind = :k AND superseded_at IS NULL""", {"o": org_id, "k": kind})
    doc_id: int = await db.fetch_val(
        """INSERT INTO org_documents (org_id, kind, file_id, issued_on, uploaded_by)
           VALUES (:o, :k, :f, :issued, :by) RETURNING id""",
        {"o": org_id, "k": kind, "f": file_id, "issued": issued_on, "by": user_id})
    return doc_id


_DOC_SELECT = """SELECT d.id, d.org_id, d.kind, d.issued_on, d.uploaded_at, d.superseded_at, f.filename, f.size,
                        f.sha256, COALESCE(u.name, '') AS uploader, d.file_id::text AS file_id
                 FROM org_documents d JOIN stored_files f ON f.id = d.file_id
                 LEFT JOIN users u ON u.id = d.uploaded_by"""


async def documents(db: Database, org_id: int, *, current_only: bool = False) -> list[Document]:
    """An organization's documents, current first, newest first."""
    rows = await db.fetch_all(
        _DOC_SELECT + """ WHERE d.org_id = :o AND (d.superseded_at IS NULL OR NOT CAST(:c AS boolean))
                          ORDER BY d.superseded_at IS NOT NULL, d.uploaded_at DESC, d.id DESC""",
        {"o": org_id, "c": current_only})
    return to_dataclasses(Document, rows)


async def current_documents(db: Database, org_id: int) -> dict[str, Document]:
    """The current document of each kind."""
    return {d.kind: d for d in await documents(db, org_id, current_only=True)}


async def document(db: Database, doc_id: int) -> Document | None:
    """One document (any organization's), or None."""
    return to_dataclass(Document, await db.fetch_one(_DOC_SELECT + " WHERE d.id = :id", {"id": doc_id}))


# ----- staff queue -----

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
    where = (Where("o.status = ANY(:statuses)", statuses=statuses)
             .when(category, "o.category = :category", "category")
             .when(region, "o.region_code = :region", "region"))
    total: int = await db.fetch_val(
        f"SELECT count(*) FROM organizations o {where.sql}",  # noqa: S608 (only constant clauses are interpolated; values are parameters)
        where.params)
    rows = await db.fetch_all(
        f"""SELECT o.id, o.legal_name, o.rut, o.category, o.status, {_EFFECTIVE} AS effective_status,
                   o.review_kind, r.name AS region_name, o.submitted_at, o.updated_at
            FROM organizations o JOIN regions r ON r.code = o.region_code
            {where.sql} ORDER BY o.submitted_at NULLS LAST, o.id
            LIMIT :limit OFFSET :offset""",  # noqa: S608 (only constant clauses are interpolated; values are parameters)
        {**where.params, "today": clock.today(), "limit": page_size, "offset": (page - 1) * page_size})
    return to_dataclasses(QueueRow, rows), total


# ----- open data and territory -----

async def listed_count(db: Database) -> int:
    """How many organizations the public registry shows."""
    count: int = await db.fetch_val("SELECT count(*) FROM organizations WHERE listed")
    return count


async def open_data_batch(db: Database, after_id: int, size: int) -> list[dict[str, Any]]:
    """Up to `size` listed organizations with id > `after_id`, by id, as open-data rows."""
    rows = await db.fetch_all(
        """SELECT o.id, o.rut, o.legal_name, o.short_name, o.legal_form, o.category, o.region_code,
                  r.name AS region_name, o.comuna_code, c.name AS comuna_name, o.address, o.public_email,
                  o.phone, o.website, o.description, o.areas, o.founded_on, o.members, o.migrant_share,
                  registry_public_status(o.status, o.vigencia_expires_on, :today) AS status,
                  o.approved_at, o.vigencia_expires_on, o.withdrawn_at
           FROM organizations o JOIN regions r ON r.code = o.region_code
           JOIN comunas c ON c.code = o.comuna_code
           WHERE o.listed AND o.id > :last ORDER BY o.id LIMIT :n""",
        {"last": after_id, "n": size, "today": clock.today()})
    return [dict(r._mapping) for r in rows]


async def regions(db: Database) -> list[dict[str, Any]]:
    """Regions north to south."""
    rows = await db.fetch_all("SELECT code, name, short_name, sort_order FROM regions ORDER BY sort_order")
    return [dict(r._mapping) for r in rows]


async def comunas(db: Database) -> list[dict[str, Any]]:
    """Every comuna with its region."""
    rows = await db.fetch_all('SELECT code, name, region_code FROM comunas ORDER BY name COLLATE "C"')
    return [dict(r._mapping) for r in rows]
