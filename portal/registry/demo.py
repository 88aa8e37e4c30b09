"""Demo data for the registry: ~60 organizations in all 16 regions, three categories and every
workflow state, each with a representative, documents (tiny real PDFs) and its review history."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, UTC
from typing import Any

from portal import audit, clock, passwords, rut
from portal.accounts import queries as accounts
from portal.db import Database
from portal.registry import model, queries
from portal.registry.demo_data import OBSERVATIONS, ORGS, REJECTIONS, REP_NAMES
from portal.registry.samples import tiny_pdf
from portal.txn import atomic

MARKER = "rep@demo.participa.cl"  # the first approved organization's representative
REVIEWER = "revisor@demo.participa.cl"


def _rut(i: int) -> str:
    body = 65_100_000 + i * 7_919
    return f"{body}-{rut.check_digit(body)}"


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


async def load(db: Database) -> list[str]:
    """Idempotent: nothing happens when the demo representative already exists."""
    from portal.demo import DEMO_PASSWORD

    if await accounts.email_taken(db, MARKER):
        return [f"  registry: demo organizations already loaded (e.g. {MARKER})"]
    reviewer = await db.fetch_val("SELECT id FROM users WHERE lower(email) = :e", {"e": REVIEWER})
    password_hash = passwords.hash_password(DEMO_PASSWORD)
    today = clock.today()
    credentials: dict[str, str] = {}
    async with atomic(db):
        for i, spec in enumerate(ORGS):
            email, state = await _one(db, i, spec, password_hash, reviewer, today)
            credentials.setdefault(state, email)
    lines = [f"  registry: {len(ORGS)} organizations in 16 regions, every workflow state"]
    for state in ("approved", "draft", "observed", "expired", "submitted"):
        if state in credentials:
            lines.append(f"  rep    {credentials[state]:<34} organization {state}")
    return lines


async def _one(db: Database, i: int, spec: tuple[Any, ...], password_hash: str, reviewer: int | None,
               today: date) -> tuple[str, str]:
    comuna, category, legal_form, name, short, areas, description, state = spec
    first_approved = state == "approved" and not await accounts.email_taken(db, MARKER)
    email = MARKER if first_approved else f"org{i + 1:02d}@demo.participa.cl"
    rep_name = REP_NAMES[i % len(REP_NAMES)]
    user_id = await accounts.create_user(db, email=email, name=rep_name, password_hash=password_hash, verified=True,
                                         document_type="run", document_number=_rut(500 + i))
    record = _record(i, comuna, category, legal_form, name, short, areas, description, rep_name, today)
    org_id = await db.fetch_val(
        """INSERT INTO organizations (rut, legal_name, short_name, legal_form, category, region_code, comuna_code,
               address, public_email, phone, website, description, areas, founded_on, members, migrant_share,
               legal_rep_name, legal_rep_run, created_at)
           SELECT :rut, :legal_name, :short_name, :legal_form, :category, region_code, code, :address,
                  :public_email, :phone, :website, :description, :areas, :founded_on, :members, :migrant_share,
                  :legal_rep_name, :legal_rep_run, :created_at
           FROM comunas WHERE code = :comuna RETURNING id""", record)
    await db.execute("INSERT INTO org_representatives (org_id, user_id, is_legal) VALUES (:o, :u, true)",
                     {"o": org_id, "u": user_id})
    await _history(db, org_id, i, state, category, user_id, reviewer, today)
    return email, state


def _record(i: int, comuna: str, category: str, legal_form: str, name: str, short: str, areas: tuple[str, ...],
            description: str, rep_name: str, today: date) -> dict[str, Any]:
    slug = "".join(ch for ch in (short or name.split()[-1]).lower() if ch.isalnum())[:20] or f"org{i}"
    return {
        "rut": _rut(i), "legal_name": name, "short_name": short, "legal_form": legal_form, "category": category,
        "comuna": comuna, "address": f"Calle {['Los Aromos', 'Baquedano', 'O’Higgins', 'Prat', 'Serrano'][i % 5]} {100 + i * 17}",
        "public_email": f"contacto@{slug}.cl", "phone": f"+56 9 {6000_0000 + i * 1237:08d}"[:16],
        "website": f"https://{slug}.cl" if i % 3 else "", "description": description, "areas": list(areas),
        "founded_on": date(2005 + i % 17, 1 + i % 12, 1 + i % 27), "members": 15 + (i * 37) % 400,
        "migrant_share": 60 + (i * 7) % 40 if category == "A" else None,
        "legal_rep_name": rep_name, "legal_rep_run": rut.display(_rut(500 + i)),
        "created_at": _at(today - timedelta(days=400 - i)),
    }


async def _docs(db: Database, org_id: int, category: str, user_id: int, issued: date,
                kinds: tuple[str, ...] | None = None) -> None:
    for kind in kinds or model.required_documents(category):
        await queries.store_document(db, org_id=org_id, kind=kind, user_id=user_id, filename=f"{kind}.pdf",
                                     content=tiny_pdf(str(model.DOC_LABELS[kind]), ("Documento de demostración",)),
                                     issued_on=issued if kind == "vigencia" else None)


async def _event(db: Database, org_id: int, kind: str, at: datetime, actor: int | None, public: bool = False,
                 message: str = "", details: dict[str, Any] | None = None) -> None:
    await db.execute(
        """INSERT INTO org_events (org_id, at, kind, public, message, details, actor_id)
           VALUES (:o, :at, :k, :p, :m, CAST(:d AS jsonb), :a)""",
        {"o": org_id, "at": at, "k": kind, "p": public, "m": message, "d": json.dumps(details or {}), "a": actor})


async def _history(db: Database, org_id: int, i: int, state: str, category: str, user_id: int,
                   reviewer: int | None, today: date) -> None:
    """Put the organization in `state` with the documents, events and audit rows that lead there."""
    created = today - timedelta(days=400 - i)
    await _event(db, org_id, "created", _at(created), user_id)
    if state == "draft":
        await _docs(db, org_id, category, user_id, today - timedelta(days=5), ("estatutos",))
        return
    old = state in ("approved", "expired", "withdrawn", "renewal", "category_change")
    issued = today - timedelta(days=(420 + i) if state == "expired" else (30 + 5 * i) % 300 if old else 10)
    await _docs(db, org_id, category, user_id, issued)
    submitted = issued + timedelta(days=2) if old else today - timedelta(days=3)
    await _event(db, org_id, "submitted", _at(submitted), user_id)
    sets: dict[str, Any] = {"status": "submitted", "submitted_at": _at(submitted)}
    if state in ("in_review", "observed", "rejected") or old:
        await _event(db, org_id, "taken", _at(submitted + timedelta(days=1)), reviewer)
        sets["status"] = "in_review"
    sets.update(await _decision(db, org_id, i, state, category, user_id, reviewer, today, submitted, issued))
    await db.execute(
        "UPDATE organizations SET " + ", ".join(f"{k} = :{k}" for k in sets) + " WHERE id = :id",  # noqa: S608 (only constant column names are interpolated; values are parameters)
        {**sets, "id": org_id})


async def _decision(db: Database, org_id: int, i: int, state: str, category: str, user_id: int,
                    reviewer: int | None, today: date, submitted: date, issued: date) -> dict[str, Any]:
    """The reviewer's decision that leads to `state` (columns to set; none while still in review)."""
    old = state in ("approved", "expired", "withdrawn", "renewal", "category_change")
    if state == "observed":
        message = OBSERVATIONS[i % len(OBSERVATIONS)]
        await _event(db, org_id, "observed", _at(submitted + timedelta(days=1), 15), reviewer, message=message)
        await audit.record(db, actor=reviewer, action="registry.observed", object_type="organization",
                           object_id=org_id, after={"status": "observed", "message": message})
        return {"status": "observed"}
    if state == "rejected":
        reason = REJECTIONS[i % len(REJECTIONS)]
        await _event(db, org_id, "rejected", _at(submitted + timedelta(days=2)), reviewer, message=reason)
        await audit.record(db, actor=reviewer, action="registry.rejected", object_type="organization",
                           object_id=org_id, after={"status": "rejected", "reason": reason})
        return {"status": "rejected"}
    if old:
        approved = submitted + timedelta(days=4)
        await _event(db, org_id, "approved", _at(approved), reviewer, public=True,
                     details={"vigencia_expires_on": model.vigencia_expiry(issued).isoformat()})
        await audit.record(db, actor=reviewer, action="registry.approved", object_type="organization",
                           object_id=org_id, after={"status": "approved"})
        return {"status": "approved", "approved_at": _at(approved), "vigencia_issued_on": issued,
                "vigencia_expires_on": model.vigencia_expiry(issued),
                **await _after_approval(db, org_id, state, category, user_id, today)}
    return {}


async def _after_approval(db: Database, org_id: int, state: str, category: str, user_id: int,
                          today: date) -> dict[str, Any]:
    """Withdrawal, or a pending renewal / category change, after an approval."""
    if state == "withdrawn":
        await _event(db, org_id, "withdrawn", _at(today - timedelta(days=20)), user_id, public=True,
                     message="Disolución acordada en asamblea.")
        return {"status": "withdrawn", "withdrawn_at": _at(today - timedelta(days=20))}
    if state == "renewal":
        await _docs(db, org_id, category, user_id, today - timedelta(days=4), ("vigencia",))
        await _event(db, org_id, "renewal_requested", _at(today - timedelta(days=3)), user_id)
        return {"status": "submitted", "review_kind": "renewal", "submitted_at": _at(today - timedelta(days=3))}
    if state == "category_change":
        await _event(db, org_id, "category_change_requested", _at(today - timedelta(days=2)), user_id,
                     details={"category": "B"})
        return {"status": "submitted", "review_kind": "category_change", "pending_category": "B",
                "submitted_at": _at(today - timedelta(days=2))}
    return {}
