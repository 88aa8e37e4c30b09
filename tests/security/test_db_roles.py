"""Least privilege (issue 10, finding 1): the running portal's role cannot ALTER, DISABLE TRIGGER, TRUNCATE
or UPDATE/DELETE the append-only logs, cannot read the server's files (WAL), and owns nothing.

Before the fix the portal connected as the server's superuser, which could do all of this:
`ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log ...`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import pytest

from portal import migrate
from portal.settings import Settings

LOGS = ("audit_log", "election_log", "audit_anchors", "election_record")
LOG_COLUMN = {"election_record": "height"}  # a column to "update" (the others have an id)


async def _refused(db: Any, statement: str) -> str:
    with pytest.raises(asyncpg.PostgresError) as caught:
        await db.execute(statement)
    return str(caught.value)


async def test_the_app_connects_as_a_role_that_is_not_the_owner(db: Any) -> None:
    row = await db.fetch_one(
        """SELECT current_user AS me, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls, r.rolreplication,
                  (SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log') AS owner
           FROM pg_roles r WHERE r.rolname = current_user""")
    assert row["me"] != row["owner"]
    assert not any(row[k] for k in ("rolsuper", "rolcreaterole", "rolcreatedb", "rolbypassrls", "rolreplication"))
    owned = await db.fetch_val("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                               "WHERE r.rolname = current_user")
    assert owned == 0


@pytest.mark.parametrize("table", LOGS)
async def test_the_app_role_cannot_rewrite_a_log(db: Any, table: str) -> None:
    for statement in (f"ALTER TABLE {table} DISABLE TRIGGER USER", f"ALTER TABLE {table} DISABLE TRIGGER ALL",
                      f"TRUNCATE {table}", f"UPDATE {table} SET {LOG_COLUMN.get(table, 'id')} = "
                      f"{LOG_COLUMN.get(table, 'id')}", f"DELETE FROM {table}",
                      f"DROP TABLE {table}", f"ALTER TABLE {table} OWNER TO current_user"):
        message = await _refused(db, statement)
        assert "must be owner" in message or "permission denied" in message, (statement, message)


async def test_the_app_role_cannot_bypass_triggers_or_create_objects(db: Any) -> None:
    assert "permission denied" in await _refused(db, "SET session_replication_role = replica")
    assert "permission denied" in await _refused(db, "CREATE TABLE attacker (x int)")
    assert "permission denied" in await _refused(db, "INSERT INTO schema_migrations VALUES (9999, 'x', 'y')")
    message = await _refused(db, "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'")
    assert "permission denied" in message


async def test_the_app_role_cannot_read_server_files_or_wal(db: Any) -> None:
    member = await db.fetch_val(
        "SELECT bool_or(pg_has_role(current_user, r, 'MEMBER')) FROM unnest(ARRAY['pg_read_server_files', "
        "'pg_read_all_data', 'pg_write_all_data', 'pg_execute_server_program', 'pg_monitor']) AS r")
    assert not member
    for statement in ("SELECT pg_read_binary_file('PG_VERSION')", "SELECT pg_ls_waldir()",
                      "SELECT pg_ls_dir('pg_wal')", "COPY audit_log TO '/tmp/x'"):
        message = await _refused(db, statement)
        assert "permission denied" in message or "must be superuser" in message, (statement, message)


async def test_the_app_role_keeps_its_everyday_rights(db: Any) -> None:
    uid = await db.fetch_val("INSERT INTO users (email, name, password_hash) VALUES ('a@b.cl', 'A', 'x') RETURNING id")
    await db.execute("UPDATE users SET name = 'B' WHERE id = :id", {"id": uid})
    await db.execute("DELETE FROM users WHERE id = :id", {"id": uid})
    await db.execute("INSERT INTO audit_log (at, action, object_type, prev_hash, hash) "
                     "VALUES (now(), 'x', 't', 'p', 'h')")
    assert await db.fetch_val("SELECT count(*) FROM audit_log") == 1


async def test_the_app_role_cannot_delete_a_councils_rules(db: Any) -> None:
    """Without its council_settings row a council would fall back to the defaults unaudited."""
    for statement in ("DELETE FROM council_settings", "TRUNCATE council_settings"):
        assert "permission denied" in await _refused(db, statement), statement


async def test_later_tables_are_covered_and_each_run_reapplies_the_log_restrictions(
        db: Any, owner_db: Any, database_url: str, settings: Settings) -> None:
    role = await db.fetch_val("SELECT current_user")
    try:
        await owner_db.execute("CREATE TABLE later_feature (x int)")  # as a later migration would
        await db.execute("INSERT INTO later_feature VALUES (1)")       # default privileges: the app may use it
        await owner_db.execute(f"GRANT UPDATE, DELETE, TRUNCATE ON audit_log TO {role}")  # a careless migration
        await migrate.apply(database_url, app_role=role)
        assert "permission denied" in await _refused(db, "DELETE FROM audit_log")
        assert "permission denied" in await _refused(db, "TRUNCATE audit_log")
    finally:
        await owner_db.execute("DROP TABLE IF EXISTS later_feature")


async def test_a_pending_migration_as_the_app_role_is_a_clear_error(app_database_url: str, tmp_path: Path) -> None:
    (tmp_path / "9999_later.sql").write_text("CREATE TABLE later (x int);")
    with pytest.raises(migrate.MigrationError, match="MIGRATION_DATABASE_URL"):
        await migrate.apply(app_database_url, tmp_path)


async def test_embedded_layout_creates_the_app_role_with_a_stored_password(database_url: str, tmp_path: Path) -> None:
    """No DATABASE_URL: the embedded server's superuser is the owner; the app role is created (or reset)
    with a password kept in the data folder, never in the database or the code."""
    settings = Settings(migration_database_url=database_url, data_dir=tmp_path, app_role="portal_app_embedded_test")
    targets = await migrate.targets(settings)
    stored = tmp_path / "app_role_password"
    assert targets.app_role == "portal_app_embedded_test" and targets.owner == database_url
    assert stored.stat().st_mode & 0o777 == 0o600
    assert migrate.url_user(targets.app) == "portal_app_embedded_test" and stored.read_text() in targets.app
    conn = await asyncpg.connect(targets.app)
    try:
        assert not await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    finally:
        await conn.close()
    assert (await migrate.targets(settings)).app == targets.app  # the same password next time


def test_role_names_are_checked() -> None:
    with pytest.raises(migrate.MigrationError):
        migrate._role("app; DROP TABLE users")
    assert migrate.with_user("postgresql://postgres:@/postgres?host=/tmp/x", "portal_app", "pw") == \
        "postgresql://portal_app:pw@/postgres?host=/tmp/x"
