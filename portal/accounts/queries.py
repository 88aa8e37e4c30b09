"""SQL for people, roles and login throttling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from collections.abc import Iterable

from portal.db import Database
from portal.security import CurrentUser


@dataclass
class UserRow:
    id: int
    email: str
    name: str
    password_hash: str
    email_verified_at: datetime | None
    is_active: bool
    auth_version: int
    document_type: str = "run"
    document_number: str = ""


async def load_current_user(db: Database, user_id: int, version: int) -> CurrentUser | None:
    """The signed-in user with roles and organization, if the session is still valid."""
    row = await db.fetch_one(
        """SELECT u.id, u.email, u.name, u.email_verified_at, u.auth_version,
                  COALESCE(array_agg(r.role) FILTER (WHERE r.role IS NOT NULL), '{}') AS roles,
                  rep.org_id, COALESCE(rep.is_legal, false) AS is_legal,
                  (SELECT l.comuna_code FROM sello_liaisons l WHERE l.user_id = u.id LIMIT 1) AS comuna_code,
                  (SELECT c.company_id FROM compromiso_contacts c WHERE c.user_id = u.id LIMIT 1) AS company_id
           FROM users u
           LEFT JOIN user_roles r ON r.user_id = u.id
           LEFT JOIN org_representatives rep ON rep.user_id = u.id
           WHERE u.id = :id AND u.is_active AND u.auth_version = :v
           GROUP BY u.id, rep.org_id, rep.is_legal""",
        {"id": user_id, "v": version},
    )
    if row is None:
        return None
    return CurrentUser(
        id=row["id"], email=row["email"], name=row["name"], roles=frozenset(row["roles"]),
        org_id=row["org_id"], org_is_legal=row["is_legal"],
        email_verified=row["email_verified_at"] is not None, auth_version=row["auth_version"],
        comuna_code=row["comuna_code"], company_id=row["company_id"],
    )


async def get_by_email(db: Database, email: str) -> UserRow | None:
    row = await db.fetch_one(
        """SELECT id, email, name, password_hash, email_verified_at, is_active, auth_version,
                  document_type, document_number
           FROM users WHERE lower(email) = lower(:email)""",
        {"email": email},
    )
    return None if row is None else UserRow(**dict(row._mapping))


async def get_by_id(db: Database, user_id: int) -> UserRow | None:
    row = await db.fetch_one(
        """SELECT id, email, name, password_hash, email_verified_at, is_active, auth_version,
                  document_type, document_number
           FROM users WHERE id = :id""",
        {"id": user_id},
    )
    return None if row is None else UserRow(**dict(row._mapping))


async def email_taken(db: Database, email: str) -> bool:
    return bool(await db.fetch_val("SELECT 1 FROM users WHERE lower(email) = lower(:e)", {"e": email}))


async def create_user(db: Database, *, email: str, name: str, password_hash: str,
                      document_type: str = "run", document_number: str = "",
                      verified: bool = False, locale: str = "es") -> int:
    return await db.fetch_val(
        """INSERT INTO users (email, name, password_hash, document_type, document_number,
                              email_verified_at, locale)
           VALUES (:email, :name, :ph, :dt, :dn, CASE WHEN :verified THEN now() END, :locale)
           RETURNING id""",
        {"email": email.lower(), "name": name, "ph": password_hash, "dt": document_type,
         "dn": document_number, "verified": verified, "locale": locale},
    )


async def set_roles(db: Database, user_id: int, roles: Iterable[str]) -> None:
    await db.execute("DELETE FROM user_roles WHERE user_id = :u", {"u": user_id})
    for role in sorted(set(roles)):
        await db.execute("INSERT INTO user_roles (user_id, role) VALUES (:u, :r)", {"u": user_id, "r": role})
    await bump_auth_version(db, user_id)


async def mark_verified(db: Database, user_id: int) -> None:
    await db.execute(
        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()) WHERE id = :id", {"id": user_id}
    )


async def set_password(db: Database, user_id: int, password_hash: str) -> None:
    """New password; every existing session of the user ends."""
    await db.execute(
        "UPDATE users SET password_hash = :ph, auth_version = auth_version + 1 WHERE id = :id",
        {"ph": password_hash, "id": user_id},
    )


async def rehash_password(db: Database, user_id: int, password_hash: str) -> None:
    """The same password under the current hashing parameters (sessions stay valid)."""
    await db.execute("UPDATE users SET password_hash = :h WHERE id = :id", {"h": password_hash, "id": user_id})


async def bump_auth_version(db: Database, user_id: int) -> None:
    await db.execute("UPDATE users SET auth_version = auth_version + 1 WHERE id = :id", {"id": user_id})


async def recent_failures(db: Database, email_key: str, minutes: int) -> int:
    """Failed logins for this email since its last success, within the window."""
    return await db.fetch_val(
        """SELECT count(*) FROM login_attempts
           WHERE email_key = :k AND NOT succeeded AND at > now() - make_interval(mins => :m)
             AND at > COALESCE((SELECT max(at) FROM login_attempts WHERE email_key = :k AND succeeded),
                               '-infinity')""",
        {"k": email_key, "m": minutes},
    )


async def record_attempt(db: Database, email_key: str, ip: str, succeeded: bool) -> None:
    await db.execute(
        "INSERT INTO login_attempts (email_key, ip, succeeded) VALUES (:k, :ip, :ok)",
        {"k": email_key, "ip": ip, "ok": succeeded},
    )


async def staff_users(db: Database) -> list[dict]:
    rows = await db.fetch_all(
        """SELECT u.id, u.email, u.name, u.is_active, array_agg(r.role ORDER BY r.role) AS roles
           FROM users u JOIN user_roles r ON r.user_id = u.id
           GROUP BY u.id ORDER BY u.name"""
    )
    return [dict(r._mapping) for r in rows]
