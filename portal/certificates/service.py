"""Issuing, checking and revoking public certificates; every domain calls these (inside its
transaction). See docs/certificates.md.

A certificate has a short random code (XXXX-XXXX-XXXX-XXXX, no ambiguous characters) printed on
the PDF with a QR code pointing to /certificados/{code}, where anyone can confirm it.

The service knows no domain: what a revocation withdraws in a domain (a Sello Migrante
certification, …) is a hook the domain registers with `on_revocation(subject_type, hook)`; `revoke()`
calls each hook for the certificate's subject type inside its own transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal import audit, clock, i18n
from portal.certificates import queries
from portal.db import Database
from portal.txn import atomic
from portal.workflow import ALLOWED, Check, Machine, moves, refuse, transition

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I

# Stored states (migrations/0053_certificate_status.sql); 'expired' is derived from valid_until.
ISSUED, REVOKED = "issued", "revoked"
MACHINE = Machine(table="certificates", object_type="certificate", moves=moves(revoked=(ISSUED,)),
                  key="code", audit_prefix="certificate")


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
    status: str
    revoked_at: datetime | None
    revoked_reason: str | None

    def state(self, today: date | None = None) -> str:
        """'valid', 'expired' or 'revoked' — derived, so no job has to run."""
        today = today or clock.today()
        if self.status == REVOKED:
            return "revoked"
        if self.valid_until is not None and self.valid_until < today:
            return "expired"
        return "valid"


# ----- what a revocation withdraws in the domains -----

RevocationHook = Callable[[Database, Certificate, Any], Awaitable[None]]
_HOOKS: dict[str, list[RevocationHook]] = {}


def on_revocation(subject_type: str, hook: RevocationHook) -> None:
    """Call `hook(db, certificate, actor)` inside every revocation of a certificate about `subject_type`
    ('organization', 'municipality', 'company'); registering the same hook twice has no effect."""
    hooks = _HOOKS.setdefault(subject_type, [])
    if hook not in hooks:
        hooks.append(hook)


# ----- issuing, reading, revoking -----

async def issue(db: Database, *, kind: str, subject_type: str, subject_id: Any, subject_name: str, title: str,
                valid_from: date, valid_until: date | None, actor: Any, details: dict[str, Any] | None = None) -> str:
    """Create a certificate and audit it; returns its code."""
    code = new_code()
    await queries.insert(db, code=code, kind=kind, subject_type=subject_type, subject_id=str(subject_id),
                         subject_name=subject_name, title=title, details=details or {},
                         valid_from=valid_from, valid_until=valid_until)
    await audit.record(db, actor=actor, action="certificate.issued", object_type="certificate", object_id=code,
                       after={"kind": kind, "subject": f"{subject_type}:{subject_id}", "title": title,
                              "valid_until": valid_until})
    return code


def revocable(cert: Certificate) -> Check:
    """A certificate may be revoked once."""
    if cert.status == REVOKED:
        return refuse(already_revoked())
    return ALLOWED


def already_revoked() -> str:
    return i18n.gettext("Este certificado ya fue revocado.")


async def revoke(db: Database, code: str, reason: str, actor: Any) -> None:
    """Revoke the certificate (valid or expired) and let the domain withdraw what it certified, all in
    one transaction. Raises Conflict when it is already revoked."""
    async with atomic(db):
        await transition(db, MACHINE, code, REVOKED, actor=actor, sets={"revoked_at": "now()", "revoked_reason": ":r"},
                         params={"r": reason}, after={"reason": reason}, refusal=already_revoked())
        cert = await get(db, code)
        if cert is None:  # cannot happen: transition() found and locked the row
            return
        for hook in _HOOKS.get(cert.subject_type, []):
            await hook(db, cert, actor)


async def get(db: Database, code: str) -> Certificate | None:
    data = await queries.row(db, code)
    return None if data is None else Certificate(**data)


async def for_subject(db: Database, subject_type: str, subject_id: Any) -> list[Certificate]:
    codes = await queries.codes_for_subject(db, subject_type, str(subject_id))
    return [c for c in [await get(db, code) for code in codes] if c is not None]
