"""Objects for tests, inserted straight into the real database."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from portal import passwords, rut
from portal.accounts import queries as accounts
from portal.db import Database

TEST_PASSWORD = "contraseña-de-prueba-1"
_seq = itertools.count(1)
_hash_cache: dict[str, str] = {}


def next_rut(start: int = 70_000_000) -> str:
    """A fresh valid RUT (normalized form)."""
    body = start + next(_seq) * 7
    return f"{body}-{rut.check_digit(body)}"


def _hash(password: str) -> str:
    if password not in _hash_cache:
        _hash_cache[password] = passwords.hash_password(password)
    return _hash_cache[password]


async def create_user(db: Database, email: str | None = None, *, name: str = "Persona de Prueba",
                      roles: tuple[str, ...] | list[str] = (), verified: bool = True,
                      password: str = TEST_PASSWORD) -> int:
    email = email or f"persona{next(_seq)}@prueba.cl"
    user_id = await accounts.create_user(db, email=email, name=name, password_hash=_hash(password),
                                         verified=verified)
    if roles:
        await accounts.set_roles(db, user_id, roles)
    return user_id


async def create_org(db: Database, *, owner: int | None = None, status: str = "approved", category: str = "A",
                     region: str = "05", comuna: str = "05101", name: str | None = None,
                     vigencia_expires_on: date | None = None, **fields: Any) -> int:
    """An organization in any workflow state, optionally with `owner` as its legal representative."""
    n = next(_seq)
    values = {
        "rut": fields.pop("rut", None) or next_rut(),
        "legal_name": name or f"Organización de Prueba {n}",
        "short_name": fields.pop("short_name", ""),
        "legal_form": fields.pop("legal_form", "asociacion"),
        "category": category, "region": region, "comuna": comuna, "status": status,
        "description": fields.pop("description", "Trabajamos por los derechos de las personas migrantes."),
        "issued": date.today() - timedelta(days=10),
        "expires": vigencia_expires_on or (date.today() + timedelta(days=355)),
        "approved": status == "approved",
    }
    assert not fields, f"unknown fields: {sorted(fields)}"
    org_id = await db.fetch_val(
        """INSERT INTO organizations (rut, legal_name, short_name, legal_form, category, region_code,
                                      comuna_code, description, status, vigencia_issued_on,
                                      vigencia_expires_on, submitted_at, approved_at)
           VALUES (:rut, :legal_name, :short_name, :legal_form, :category, :region, :comuna, :description,
                   :status, :issued, :expires, CASE WHEN :status <> 'draft' THEN now() END,
                   CASE WHEN :approved THEN now() END)
           RETURNING id""",
        values,
    )
    if owner is not None:
        await add_representative(db, org_id, owner, legal=True)
    return org_id


async def add_representative(db: Database, org_id: int, user_id: int, legal: bool = False) -> None:
    await db.execute(
        "INSERT INTO org_representatives (org_id, user_id, is_legal) VALUES (:o, :u, :l)",
        {"o": org_id, "u": user_id, "l": legal},
    )


async def create_rep(db: Database, **org_fields: Any) -> tuple[int, int, str]:
    """A verified user representing a new organization: (user_id, org_id, email)."""
    email = f"rep{next(_seq)}@org.cl"
    user_id = await create_user(db, email)
    org_id = await create_org(db, owner=user_id, **org_fields)
    return user_id, org_id, email
