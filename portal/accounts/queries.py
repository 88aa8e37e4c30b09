"""SQL for people, roles, throttling and the staff second factor."""

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


async def run_taken(db: Database, run: str) -> bool:
    """Whether an account already has this RUN (normalized, 12345678-5): declared at sign-up or vouched
    for by ClaveÚnica. One account per RUN (issue 16)."""
    return bool(await db.fetch_val(
        """SELECT EXISTS (SELECT 1 FROM users WHERE document_type = 'run' AND document_number = :r)
                  OR EXISTS (SELECT 1 FROM claveunica_identities WHERE run = :r)""", {"r": run}))


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


async def staff_users(db: Database) -> list[dict]:
    rows = await db.fetch_all(
        """SELECT u.id, u.email, u.name, u.is_active, array_agg(r.role ORDER BY r.role) AS roles,
                  u.totp_confirmed_at IS NOT NULL AS second_factor
           FROM users u JOIN user_roles r ON r.user_id = u.id
           GROUP BY u.id ORDER BY u.name"""
    )
    return [dict(r._mapping) for r in rows]


# ----- throttling (docs/security.md, Throttling) -----

@dataclass
class FailureCounts:
    """Failed sign-ins within the window: for this (account, address), this address (any account)
    and this account (any address); the pair and account counts start after the account's last
    success (a sign-in or a password reset). Each with the time of its latest failure."""

    pair: int
    pair_last: datetime | None
    address: int
    address_last: datetime | None
    account: int
    account_last: datetime | None


async def login_failures(db: Database, email_key: str, ip: str, now: datetime, hours: int) -> FailureCounts:
    row = await db.fetch_one(
        """WITH since AS (
             SELECT GREATEST(CAST(:now AS timestamptz) - make_interval(hours => :h),
                             COALESCE(max(at), '-infinity')) AS t
             FROM login_attempts WHERE kind = 'login' AND email_key = :k AND succeeded),
           f AS (
             SELECT email_key, ip, at FROM login_attempts
             WHERE kind = 'login' AND NOT succeeded AND at > CAST(:now AS timestamptz) - make_interval(hours => :h)
               AND (email_key = :k OR ip = :ip))
           SELECT count(*) FILTER (WHERE email_key = :k AND ip = :ip AND at > since.t) AS pair,
                  max(at) FILTER (WHERE email_key = :k AND ip = :ip AND at > since.t) AS pair_last,
                  count(*) FILTER (WHERE ip = :ip) AS address,
                  max(at) FILTER (WHERE ip = :ip) AS address_last,
                  count(*) FILTER (WHERE email_key = :k AND at > since.t) AS account,
                  max(at) FILTER (WHERE email_key = :k AND at > since.t) AS account_last
           FROM f, since""",
        {"k": email_key, "ip": ip, "now": now, "h": hours},
    )
    if row is None:  # an aggregate always returns a row
        raise RuntimeError("no aggregate row")
    return FailureCounts(**dict(row._mapping))


async def requests_since(db: Database, kind: str, email_key: str, ip: str, since: datetime) -> tuple[int, int, datetime | None]:
    """Requests of `kind` (sign-up, reset, verification mail) since `since`: for this email, from
    this address, and the address's latest."""
    row = await db.fetch_one(
        """SELECT count(*) FILTER (WHERE email_key = :k) AS for_email,
                  count(*) FILTER (WHERE ip = :ip) AS from_address,
                  max(at) FILTER (WHERE ip = :ip) AS address_last
           FROM login_attempts WHERE kind = :kind AND at > CAST(:since AS timestamptz) AND (email_key = :k OR ip = :ip)""",
        {"kind": kind, "k": email_key, "ip": ip, "since": since},
    )
    if row is None:  # an aggregate always returns a row
        raise RuntimeError("no aggregate row")
    return row["for_email"], row["from_address"], row["address_last"]


async def record_request(db: Database, kind: str, email_key: str, ip: str, now: datetime,
                         succeeded: bool = False) -> None:
    """One attempt of `kind` (a sign-in, or a request that may send mail), stamped by the portal's clock."""
    await db.execute(
        "INSERT INTO login_attempts (kind, email_key, ip, succeeded, at) VALUES (:kind, :k, :ip, :ok, :now)",
        {"kind": kind, "k": email_key.lower(), "ip": ip, "ok": succeeded, "now": now},
    )


# ----- second factor (docs/security.md, Second factor for staff) -----

@dataclass
class SecondFactor:
    user_id: int
    email: str
    sealed: bytes | None
    confirmed: bool
    last_step: int | None


async def second_factor(db: Database, user_id: int) -> SecondFactor | None:
    row = await db.fetch_one(
        """SELECT id, email, totp_sealed, totp_confirmed_at IS NOT NULL AS confirmed, totp_last_step
           FROM users WHERE id = :id""",
        {"id": user_id},
    )
    if row is None:
        return None
    sealed = row["totp_sealed"]
    return SecondFactor(row["id"], row["email"], bytes(sealed) if sealed is not None else None,
                        row["confirmed"], row["totp_last_step"])


async def start_enrolment(db: Database, user_id: int, sealed: bytes) -> None:
    """A new, unconfirmed secret (only while none is confirmed)."""
    await db.execute(
        """UPDATE users SET totp_sealed = :s, totp_last_step = NULL
           WHERE id = :id AND totp_confirmed_at IS NULL""",
        {"s": sealed, "id": user_id},
    )


async def accept_step(db: Database, user_id: int, step: int) -> bool:
    """Record the step of an accepted code (and confirm the enrolment); False if a concurrent
    request already used this step or a later one."""
    done = await db.fetch_val(
        """UPDATE users SET totp_last_step = :step, totp_confirmed_at = COALESCE(totp_confirmed_at, now())
           WHERE id = :id AND (totp_last_step IS NULL OR totp_last_step < :step) RETURNING 1""",
        {"step": step, "id": user_id},
    )
    return bool(done)


async def replace_recovery_codes(db: Database, user_id: int, hashes: Iterable[str]) -> None:
    await db.execute("DELETE FROM recovery_codes WHERE user_id = :u", {"u": user_id})
    for code_hash in hashes:
        await db.execute("INSERT INTO recovery_codes (user_id, code_hash) VALUES (:u, :h)", {"u": user_id, "h": code_hash})


async def unused_recovery_codes(db: Database, user_id: int) -> list[tuple[int, str]]:
    rows = await db.fetch_all(
        "SELECT id, code_hash FROM recovery_codes WHERE user_id = :u AND used_at IS NULL ORDER BY id", {"u": user_id})
    return [(r["id"], r["code_hash"]) for r in rows]


async def use_recovery_code(db: Database, code_id: int) -> bool:
    """Spend a recovery code; False if it was spent meanwhile."""
    return bool(await db.fetch_val(
        "UPDATE recovery_codes SET used_at = now() WHERE id = :id AND used_at IS NULL RETURNING 1", {"id": code_id}))


async def reset_second_factor(db: Database, user_id: int) -> None:
    """Forget the secret and the recovery codes: the person enrols again at the next sign-in; every
    session of the account ends."""
    await db.execute(
        """UPDATE users SET totp_sealed = NULL, totp_confirmed_at = NULL, totp_last_step = NULL,
                            auth_version = auth_version + 1 WHERE id = :id""",
        {"id": user_id},
    )
    await db.execute("DELETE FROM recovery_codes WHERE user_id = :u", {"u": user_id})


async def has_staff_role(db: Database, user_id: int) -> bool:
    return bool(await db.fetch_val("SELECT 1 FROM user_roles WHERE user_id = :u LIMIT 1", {"u": user_id}))
