"""Every SQL statement of the certificates service (docs/certificates.md)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from portal.db import Database


async def insert(db: Database, *, code: str, kind: str, subject_type: str, subject_id: str, subject_name: str,
                 title: str, details: dict[str, Any], valid_from: date, valid_until: date | None) -> None:
    await db.execute(
        """INSERT INTO certificates (code, kind, subject_type, subject_id, subject_name, title, details,
                                     valid_from, valid_until)
           VALUES (:code, :kind, :st, :sid, :name, :title, CAST(:details AS jsonb), :vf, :vu)""",
        {"code": code, "kind": kind, "st": subject_type, "sid": subject_id, "name": subject_name,
         "title": title, "details": json.dumps(details), "vf": valid_from, "vu": valid_until},
    )


async def row(db: Database, code: str) -> dict[str, Any] | None:
    found = await db.fetch_one(
        """SELECT code, kind, subject_type, subject_id, subject_name, title, details, issued_at, valid_from,
                  valid_until, status, revoked_at, revoked_reason
           FROM certificates WHERE code = :c""", {"c": code})
    if found is None:
        return None
    data = dict(found._mapping)
    if isinstance(data["details"], str):
        data["details"] = json.loads(data["details"])
    return data


async def codes_for_subject(db: Database, subject_type: str, subject_id: str) -> list[str]:
    rows = await db.fetch_all(
        "SELECT code FROM certificates WHERE subject_type = :t AND subject_id = :i ORDER BY issued_at DESC",
        {"t": subject_type, "i": subject_id},
    )
    return [r["code"] for r in rows]


async def registry_org(db: Database, org_id: int) -> dict[str, Any] | None:
    """What the registry membership certificate states about an organization (the registry's public view)."""
    found = await db.fetch_one(
        """SELECT id, legal_name, rut, effective_status, vigencia_issued_on, vigencia_expires_on
           FROM organizations_effective WHERE id = :i""", {"i": org_id})
    return None if found is None else dict(found._mapping)
