"""Issuing and checking public certificates; every domain calls these (inside its transaction).

A certificate has a short random code (XXXX-XXXX-XXXX-XXXX, no ambiguous characters) printed on
the PDF with a QR code pointing to /certificados/{code}, where anyone can confirm it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal import audit, i18n
from portal.db import Database
from portal.sello import queries as sello

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def normalize_code(value: str) -> str | None:
    """Accept lower case, spaces and missing dashes; None when it cannot be a code."""
    cleaned = "".join(ch for ch in value.upper() if ch.isalnum())
    if len(cleaned) != 16 or any(ch not in ALPHABET for ch in cleaned):
        return None
    return "-".join(cleaned[i:i + 4] for i in range(0, 16, 4))


# The heading of each kind of certificate (the page and the PDF say it).
KIND_HEADINGS = {
    "registry": i18n.N_("Certificado de pertenencia al Registro de Organizaciones Sociales"),
    "sello": i18n.N_("Certificado Sello Migrante"),
    "compromiso": i18n.N_("Certificado de reconocimiento Compromiso Migrante"),
}

@dataclass
class Certificate:
    code: str
    kind: str
    subject_type: str
    subject_id: str
    subject_name: str
    title: str
    details: dict[str, Any]
    issued_at: datetime
    valid_from: date
    valid_until: date | None
    revoked_at: datetime | None
    revoked_reason: str | None

    def state(self, today: date | None = None) -> str:
        """'valid', 'expired' or 'revoked' — derived, so no job has to run."""
        today = today or date.today()
        if self.revoked_at is not None:
            return "revoked"
        if self.valid_until is not None and self.valid_until < today:
            return "expired"
        return "valid"


async def issue(db: Database, *, kind: str, subject_type: str, subject_id: Any, subject_name: str, title: str,
                valid_from: date, valid_until: date | None, actor: Any, details: dict[str, Any] | None = None) -> str:
    """Create a certificate and audit it; returns its code."""
    code = new_code()
    await db.execute(
        """INSERT INTO certificates (code, kind, subject_type, subject_id, subject_name, title, details,
                                     valid_from, valid_until)
           VALUES (:code, :kind, :st, :sid, :name, :title, CAST(:details AS jsonb), :vf, :vu)""",
        {"code": code, "kind": kind, "st": subject_type, "sid": str(subject_id), "name": subject_name,
         "title": title, "details": json.dumps(details or {}), "vf": valid_from, "vu": valid_until},
    )
    await audit.record(db, actor=actor, action="certificate.issued", object_type="certificate", object_id=code,
                       after={"kind": kind, "subject": f"{subject_type}:{subject_id}", "title": title,
                              "valid_until": valid_until})
    return code


async def revoke(db: Database, code: str, reason: str, actor: Any) -> None:
    """Revoke the certificate (call inside a transaction) and withdraw what it certified where the
    domain keeps it: a Sello Migrante municipality is no longer shown as certified."""
    kind = await db.fetch_val(
        """UPDATE certificates SET revoked_at = now(), revoked_reason = :r WHERE code = :c AND revoked_at IS NULL
           RETURNING kind""", {"c": code, "r": reason},
    )
    await audit.record(db, actor=actor, action="certificate.revoked", object_type="certificate", object_id=code,
                       after={"reason": reason})
    if kind == "sello":
        comuna = await sello.withdraw_certification(db, code)
        if comuna:
            await audit.record(db, actor=actor, action="sello.certification_withdrawn",
                               object_type="sello_municipality", object_id=comuna,
                               after={"certificate": code, "reason": reason})


async def get(db: Database, code: str) -> Certificate | None:
    row = await db.fetch_one("SELECT * FROM certificates WHERE code = :c", {"c": code})
    if row is None:
        return None
    data = dict(row._mapping)
    if isinstance(data["details"], str):
        data["details"] = json.loads(data["details"])
    return Certificate(**data)


async def for_subject(db: Database, subject_type: str, subject_id: Any) -> list[Certificate]:
    rows = await db.fetch_all(
        "SELECT code FROM certificates WHERE subject_type = :t AND subject_id = :i ORDER BY issued_at DESC",
        {"t": subject_type, "i": str(subject_id)},
    )
    return [c for c in [await get(db, r["code"]) for r in rows] if c is not None]
