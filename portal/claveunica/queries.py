"""SQL for ClaveÚnica: identities (RUN ↔ account), the attempts log, representatives' RUN checks
and who acted for an organization (docs/claveunica.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portal.db import Database


@dataclass(frozen=True)
class Identity:
    user_id: int
    run: str
    linked_at: datetime
    last_sign_in_at: datetime


@dataclass(frozen=True)
class Account:
    """The account a RUN signs in to: what the sign-in needs to decide."""

    id: int
    auth_version: int
    is_active: bool
    is_staff: bool


@dataclass(frozen=True)
class RepresentativeRun:
    """A representative of an organization as staff see it in the review."""

    user_id: int
    name: str
    is_legal: bool
    document_type: str
    document_number: str
    claveunica_run: str | None
    claveunica_at: datetime | None
    checked_run: str | None
    checked_at: datetime | None
    checked_by: str | None


@dataclass(frozen=True)
class Act:
    election_id: int
    election_name: str
    action: str
    acted_on: date
    user_name: str


async def identity_of(db: Database, user_id: int) -> Identity | None:
    row = await db.fetch_one(
        "SELECT user_id, run, linked_at, last_sign_in_at FROM claveunica_identities WHERE user_id = :u",
        {"u": user_id})
    return None if row is None else Identity(**dict(row._mapping))


async def account_for_run(db: Database, run: str) -> Account | None:
    """The account this RUN is linked to (locked until the end of the transaction)."""
    row = await db.fetch_one(
        """SELECT u.id, u.auth_version, u.is_active,
                  EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id) AS is_staff
           FROM claveunica_identities i JOIN users u ON u.id = i.user_id
           WHERE i.run = :run FOR UPDATE OF i""",
        {"run": run})
    return None if row is None else Account(**dict(row._mapping))


async def account(db: Database, user_id: int) -> Account | None:
    row = await db.fetch_one(
        """SELECT u.id, u.auth_version, u.is_active,
                  EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id) AS is_staff
           FROM users u WHERE u.id = :u FOR UPDATE""",
        {"u": user_id})
    return None if row is None else Account(**dict(row._mapping))


async def link(db: Database, user_id: int, run: str, sub: str) -> bool:
    """Tie the RUN to the account; False when either already has a link (the unique keys decide)."""
    inserted = await db.fetch_val(
        """INSERT INTO claveunica_identities (user_id, run, sub) VALUES (:u, :run, :sub)
           ON CONFLICT DO NOTHING RETURNING user_id""",
        {"u": user_id, "run": run, "sub": sub[:200]})
    if inserted is None:
        return False
    await db.execute("UPDATE users SET document_type = 'run', document_number = :run WHERE id = :u",
                     {"u": user_id, "run": run})
    return True


async def signed_in(db: Database, user_id: int) -> None:
    await db.execute("UPDATE claveunica_identities SET last_sign_in_at = now() WHERE user_id = :u", {"u": user_id})


async def log_attempt(db: Database, result: str, user_id: int | None, ip: str) -> None:
    await db.execute("INSERT INTO claveunica_attempts (result, user_id, ip) VALUES (:r, :u, :ip)",
                     {"r": result, "u": user_id, "ip": ip[:64]})


async def recent_bad_passwords(db: Database, user_id: int, minutes: int) -> int:
    """Wrong passwords given on the linking page by this account within the window."""
    return int(await db.fetch_val(
        """SELECT count(*) FROM claveunica_attempts
           WHERE user_id = :u AND result = 'bad_password' AND at > now() - make_interval(mins => :m)""",
        {"u": user_id, "m": minutes}))


# ----- representatives (read by the registry's review) -----

async def representatives(db: Database, org_id: int) -> list[RepresentativeRun]:
    """The organization's representatives with their document, their ClaveÚnica RUN and staff's check."""
    rows = await db.fetch_all(
        """SELECT u.id AS user_id, u.name, rep.is_legal, u.document_type, u.document_number,
                  i.run AS claveunica_run, i.last_sign_in_at AS claveunica_at,
                  c.run AS checked_run, c.checked_at, s.name AS checked_by
           FROM org_representatives rep
           JOIN users u ON u.id = rep.user_id
           LEFT JOIN claveunica_identities i ON i.user_id = u.id
           LEFT JOIN representative_run_checks c ON c.org_id = rep.org_id AND c.user_id = u.id
           LEFT JOIN users s ON s.id = c.checked_by
           WHERE rep.org_id = :o
           ORDER BY rep.is_legal DESC, rep.added_at, u.id""",
        {"o": org_id})
    return [RepresentativeRun(**dict(r._mapping)) for r in rows]


async def record_check(db: Database, org_id: int, user_id: int, run: str, staff_id: int) -> bool:
    """Staff checked this representative's ClaveÚnica RUN against the directorio; False if not a
    representative of the organization."""
    done = await db.fetch_val(
        """INSERT INTO representative_run_checks (org_id, user_id, run, checked_by)
           SELECT rep.org_id, rep.user_id, :run, :s FROM org_representatives rep
           WHERE rep.org_id = :o AND rep.user_id = :u
           ON CONFLICT (org_id, user_id) DO UPDATE
             SET run = EXCLUDED.run, checked_by = EXCLUDED.checked_by, checked_at = now()
           RETURNING 1""",
        {"o": org_id, "u": user_id, "run": run, "s": staff_id})
    return done is not None


# ----- who acted for an organization (elections) -----

async def record_act(db: Database, org_id: int, election_id: int, action: str, user_id: int, day: date) -> None:
    """The latest person who voted or nominated for the organization in this election (the day only)."""
    await db.execute(
        """INSERT INTO organization_acts (org_id, election_id, action, user_id, acted_on)
           VALUES (:o, :e, :a, :u, :d)
           ON CONFLICT (org_id, election_id, action) DO UPDATE SET user_id = EXCLUDED.user_id,
                                                                   acted_on = EXCLUDED.acted_on""",
        {"o": org_id, "e": election_id, "a": action, "u": user_id, "d": day})


async def acts(db: Database, org_id: int) -> list[Act]:
    rows = await db.fetch_all(
        """SELECT a.election_id, e.name AS election_name, a.action, a.acted_on,
                  COALESCE(u.name, '') AS user_name
           FROM organization_acts a JOIN elections e ON e.id = a.election_id
           LEFT JOIN users u ON u.id = a.user_id
           WHERE a.org_id = :o ORDER BY a.acted_on DESC, a.election_id DESC, a.action""",
        {"o": org_id})
    return [Act(**dict(r._mapping)) for r in rows]
