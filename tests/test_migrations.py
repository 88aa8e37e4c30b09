"""Migrations: applied once, in order, recorded with a checksum; changed files refused; no race."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from portal import migrate
from portal.db import with_database


@pytest.fixture
async def scratch_url(database_url: str) -> Any:
    name = "scratch_" + secrets.token_hex(4)
    conn = await asyncpg.connect(database_url)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    yield with_database(database_url, name)
    conn = await asyncpg.connect(database_url)
    await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    await conn.close()


def _write(folder: Path, name: str, sql: str) -> None:
    (folder / name).write_text(sql, encoding="utf-8")


async def test_applies_in_order_once_with_checksums(scratch_url: str, tmp_path: Path) -> None:
    _write(tmp_path, "0002_b.sql", "INSERT INTO t VALUES (2);")
    _write(tmp_path, "0001_a.sql", "CREATE TABLE t (x int);")
    assert await migrate.apply(scratch_url, tmp_path) == ["0001_a.sql", "0002_b.sql"]
    assert await migrate.apply(scratch_url, tmp_path) == []
    conn = await asyncpg.connect(scratch_url)
    rows = await conn.fetch("SELECT version, checksum FROM schema_migrations ORDER BY version")
    values = await conn.fetch("SELECT x FROM t")
    await conn.close()
    assert [r["version"] for r in rows] == [1, 2]
    assert rows[0]["checksum"] == migrate.Migration(1, "0001_a.sql", "CREATE TABLE t (x int);").checksum
    assert [v["x"] for v in values] == [2]


async def test_changed_applied_migration_is_refused(scratch_url: str, tmp_path: Path) -> None:
    _write(tmp_path, "0001_a.sql", "CREATE TABLE t (x int);")
    await migrate.apply(scratch_url, tmp_path)
    _write(tmp_path, "0001_a.sql", "CREATE TABLE t (x bigint);")
    with pytest.raises(migrate.MigrationError, match="changed after it was applied"):
        await migrate.apply(scratch_url, tmp_path)


async def test_failed_migration_rolls_back_entirely(scratch_url: str, tmp_path: Path) -> None:
    _write(tmp_path, "0001_a.sql", "CREATE TABLE t (x int); INSERT INTO nope VALUES (1);")
    with pytest.raises(asyncpg.PostgresError):
        await migrate.apply(scratch_url, tmp_path)
    conn = await asyncpg.connect(scratch_url)
    exists = await conn.fetchval("SELECT to_regclass('public.t') IS NOT NULL")
    recorded = await conn.fetchval("SELECT count(*) FROM schema_migrations")
    await conn.close()
    assert not exists and recorded == 0


async def test_concurrent_starts_do_not_race(scratch_url: str, tmp_path: Path) -> None:
    """Four workers start together: the advisory lock lets one apply; the others find nothing to do."""
    _write(tmp_path, "0001_a.sql", "CREATE TABLE t (x int); SELECT pg_sleep(0.2);")
    _write(tmp_path, "0002_b.sql", "INSERT INTO t VALUES (1);")
    results = await asyncio.gather(*(migrate.apply(scratch_url, tmp_path) for _ in range(4)))
    assert sorted(len(r) for r in results) == [0, 0, 0, 2]
    conn = await asyncpg.connect(scratch_url)
    count = await conn.fetchval("SELECT count(*) FROM t")
    await conn.close()
    assert count == 1


def test_badly_named_or_duplicate_files_are_refused(tmp_path: Path) -> None:
    _write(tmp_path, "0001_a.sql", "")
    _write(tmp_path, "0001_b.sql", "")
    with pytest.raises(migrate.MigrationError, match="two migrations"):
        migrate.discover(tmp_path)
    (tmp_path / "0001_b.sql").unlink()
    _write(tmp_path, "2_bad name.sql", "")
    with pytest.raises(migrate.MigrationError, match="NNNN_name"):
        migrate.discover(tmp_path)


def test_project_migrations_are_well_formed() -> None:
    versions = [m.version for m in migrate.discover()]
    assert versions == sorted(versions) and versions[0] == 1
