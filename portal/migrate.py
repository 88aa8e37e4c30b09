"""Numbered SQL migrations, applied once each, in order, in a transaction, under an advisory lock.

Two workers starting together both call `apply()`: the advisory lock makes the second wait,
and then find nothing left to do. Each applied file's SHA-256 is recorded; a file changed after
it was applied is refused with `MigrationError` rather than silently diverging.

Least privilege (docs/security.md, Database roles): migrations run as the owner role; the running
portal connects as an app role that owns nothing. After every run as the owner, `apply(url,
app_role=...)` grants the app role what it needs and no more (`grant_app_role`): rows of every
table, but only SELECT and INSERT on the append-only logs. A connection that only may read
`schema_migrations` (the app role) finds nothing pending and changes nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

from portal import ROOT, db as dbmod
from portal.settings import Settings

MIGRATIONS_DIR = ROOT / "migrations"
LOCK_KEY = 7_240_115_002  # any constant shared by every process of this app
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    """A migration cannot be applied safely."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in `directory`, in version order; duplicate numbers are an error."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file name not of the form NNNN_name.sql: {path.name}")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"two migrations numbered {version:04d}: {found[version].name}, {path.name}")
        found[version] = Migration(version, path.name, path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


async def apply(url: str, directory: Path = MIGRATIONS_DIR, app_role: str | None = None) -> list[str]:
    """Apply pending migrations; return the names applied by this call. With `app_role`, the
    app role's privileges are (re)applied afterwards, whether or not anything was pending."""
    conn = await asyncpg.connect(_asyncpg_url(url))
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
        try:
            try:
                done = await _apply_locked(conn, discover(directory))
            except asyncpg.exceptions.InsufficientPrivilegeError as exc:
                raise MigrationError(
                    f"{exc}: migrations are pending and this role may not apply them; run `portal migrate` "
                    "with MIGRATION_DATABASE_URL set to the owner role (docs/security.md)") from exc
            if app_role is not None:
                await grant_app_role(conn, app_role)
            return done
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)
    finally:
        await conn.close()


async def _apply_locked(conn: asyncpg.Connection, migrations: list[Migration]) -> list[str]:
    if await conn.fetchval("SELECT to_regclass('schema_migrations') IS NULL"):
        await conn.execute(
            """CREATE TABLE schema_migrations (
                   version integer PRIMARY KEY,
                   name text NOT NULL,
                   checksum text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now())"""
        )
    applied = {r["version"]: r for r in await conn.fetch("SELECT version, name, checksum FROM schema_migrations")}
    done: list[str] = []
    for migration in migrations:
        row = applied.get(migration.version)
        if row is not None:
            if row["checksum"] != migration.checksum:
                raise MigrationError(
                    f"migration {migration.name} was changed after it was applied "
                    f"(recorded {row['checksum'][:12]}…, file {migration.checksum[:12]}…); "
                    "add a new migration instead of editing an applied one"
                )
            continue
        async with conn.transaction():
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                migration.version, migration.name, migration.checksum,
            )
        done.append(migration.name)
    return done


def _asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


# ----- database roles -----

APPEND_ONLY = ("audit_log", "election_log", "audit_anchors", "election_record")
# Rows the app changes but never removes: without its row a council would silently fall back to the
# default rules (docs/council.md), bypassing the audited form that changes them.
NEVER_DELETED = ("council_settings",)
GRANTS = """
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
        GRANT USAGE ON SCHEMA public TO {role};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role};
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role};
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO {role};
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON schema_migrations FROM {role};"""
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _role(name: str) -> str:
    """A role name safe to write into DDL (roles cannot be bound parameters)."""
    if not _ROLE.match(name):
        raise MigrationError(f"role name not of the form [a-z_][a-z0-9_]*: {name!r}")
    return name


async def grant_app_role(conn: asyncpg.Connection, role: str) -> None:
    """Rows of every table, sequences and functions for `role`, also for the tables later migrations
    create (default privileges); then the append-only logs and the migration record taken back to
    read (and insert, for the logs), and deletion taken back where rows must stay (NEVER_DELETED).
    The role owns nothing, so it cannot ALTER, DISABLE TRIGGER or TRUNCATE anything."""
    r = _role(role)
    await conn.execute(GRANTS.replace("{role}", r))
    for table in APPEND_ONLY:
        if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", table):
            await conn.execute(f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {table} FROM {r}")
    for table in NEVER_DELETED:
        if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", table):
            await conn.execute(f"REVOKE DELETE, TRUNCATE ON {table} FROM {r}")


async def ensure_app_role(owner_url: str, role: str, password: str) -> str:
    """Create (or reset) the app role on the owner's server and return the app's URL: a login role
    with no attribute beyond LOGIN (not superuser, no CREATEDB/CREATEROLE/REPLICATION/BYPASSRLS, no
    membership in pg_read_server_files), so it cannot read the server's files or WAL."""
    r = _role(role)
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,200}", password):
        raise MigrationError("the app role's password must be 16+ URL-safe characters")
    attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"
    conn = await asyncpg.connect(_asyncpg_url(owner_url))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
        verb = "ALTER" if exists else "CREATE"
        await conn.execute(f"{verb} ROLE {r} {attributes} PASSWORD '{password}'")
        # memberships (pg_read_server_files, pg_read_all_data, the owner ...) are taken back
        for (granted,) in await conn.fetch(
                "SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid "
                "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1", role):
            await conn.execute(f'REVOKE "{granted}" FROM {r}')
    finally:
        await conn.close()
    return with_user(owner_url, role, password)


def with_user(url: str, user: str, password: str) -> str:
    """The same server and database as `url`, signed in as `user`."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def url_user(url: str) -> str | None:
    """The user name in a database URL, if it names one."""
    return urlsplit(url).username


def stored_password(path: Path) -> str:
    """A random password generated once and kept (mode 600) in the data folder."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.touch(0o600)
    path.write_text(value)
    return value


@dataclass(frozen=True)
class Targets:
    """Where the portal connects (`app`), where migrations run (`owner`), and whose privileges the
    migrations set (`app_role`; None when one role does both, the single-role layout)."""

    app: str
    owner: str
    app_role: str | None


async def targets(settings: Settings) -> Targets:
    """DATABASE_URL is the app role and MIGRATION_DATABASE_URL the owner; with only DATABASE_URL, one
    role does both (least privilege not in effect). Embedded (no DATABASE_URL): the server's superuser
    is the owner, and the app role is created with a password kept in the data folder."""
    if settings.database_url:
        owner = settings.migration_database_url
        if not owner:
            return Targets(settings.database_url, settings.database_url, None)
        role = url_user(settings.database_url)
        return Targets(settings.database_url, owner, role if role and role != url_user(owner) else None)
    owner = settings.migration_database_url or dbmod.embedded_url(settings.pgdata)
    password = stored_password(settings.data_dir / "app_role_password")
    app = await ensure_app_role(owner, settings.app_role, password)
    return Targets(app, owner, settings.app_role)


async def prepare(settings: Settings) -> Targets:
    """Resolve the URLs, then apply pending migrations as the owner (granting the app role)."""
    found = await targets(settings)
    await apply(found.owner, app_role=found.app_role)
    return found
