"""A backup of the demo data restores into an empty database, and then: the fingerprint is the same,
the audit chain verifies, every bulletin's and padrón's hash is unchanged (the padrón recomputed from
its rows), every certificate's public page verifies it, and people sign in. A non-empty database and
a damaged backup are refused."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import re
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from portal import anchor, db as dbmod, demo, migrate
from portal.app import create_app
from portal.elections_web import padron
from portal.ops import backup, cli as ops_cli
from portal.settings import Settings

pytestmark = pytest.mark.slow
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _create(server_url: str, name: str) -> str:
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return dbmod.with_database(server_url, name)


def _settings(base: Settings, owner: str, app_url: str) -> Settings:
    name = urlsplit(owner).path.lstrip("/")
    return dataclasses.replace(base, migration_database_url=owner, database_url=dbmod.with_database(app_url, name))


async def _padron_hashes(url: str) -> dict[int, tuple[str, str]]:
    """Each frozen padrón: (recorded hash, hash recomputed from its rows now)."""
    db = await dbmod.connect(url, 1, 2)
    try:
        found = {}
        for row in await db.fetch_all("SELECT id, padron_sha256 FROM elections WHERE padron_sha256 IS NOT NULL"):
            items = await padron.entries(db, row["id"])
            found[row["id"]] = (row["padron_sha256"], padron.sha256(padron.canonical_text(row["id"], items)))
        return found
    finally:
        await db.disconnect()


async def _demo_source(settings: Settings, url: str) -> None:
    await migrate.apply(url, app_role=migrate.url_user(settings.database_url or ""))
    db = await dbmod.connect(url, 1, 4)
    try:
        await demo.load_all(db)
        await anchor.make(db, settings)  # a signed anchor, so the restored chain has one to verify
    finally:
        await db.disconnect()


async def _sign_in_and_verify(settings: Settings) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        codes = [r["code"] for r in await app.state.db.fetch_all("SELECT code FROM certificates WHERE status = 'issued'")]
        assert codes, "the demo data has certificates"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
            token = _CSRF.search((await http.get("/ingresar")).text).group(1)  # type: ignore[union-attr]
            signed = await http.post("/ingresar", data={"email": "rep@demo.participa.cl",
                                                        "password": demo.DEMO_PASSWORD, "csrf_token": token})
            assert signed.status_code == 303
            assert (await http.get("/mi-organizacion")).status_code == 200
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
            # staff: the restored password hash passes; the second factor comes next (its secret restored too)
            token = _CSRF.search((await http.get("/ingresar")).text).group(1)  # type: ignore[union-attr]
            staff = await http.post("/ingresar", data={"email": "admin@demo.participa.cl",
                                                       "password": demo.DEMO_PASSWORD, "csrf_token": token})
            assert staff.status_code == 303 and staff.headers["location"].startswith("/ingresar/segundo-factor")
            for code in codes:
                assert (await http.get(f"/certificados/{code}")).status_code == 200


async def test_backup_restores_into_an_empty_database(settings: Settings, database_url: str, app_database_url: str,
                                                      tmp_path: Path) -> None:
    source = await _create(database_url, "ops_backup_source")
    target = await _create(database_url, "ops_backup_target")
    src_settings, dst_settings = (_settings(settings, url, app_database_url) for url in (source, target))
    await _demo_source(src_settings, source)
    before = await _padron_hashes(source)
    assert before and all(recorded == now for recorded, now in before.values())

    folder = tmp_path / "backup"
    assert await asyncio.to_thread(ops_cli.cmd_backup, argparse.Namespace(folder=folder), src_settings) == 0
    manifest = backup.read_manifest(folder)
    assert manifest["fingerprint"]["bulletins"], "the demo data has a published bulletin"
    assert manifest["fingerprint"]["stored_files"]["count"] > 0

    assert await asyncio.to_thread(ops_cli.cmd_restore, argparse.Namespace(folder=folder), dst_settings) == 0
    assert await _padron_hashes(target) == before
    owner = await dbmod.connect(target, 1, 2)
    try:
        chain = await anchor.verify(owner, str(settings.secret_key))
        assert chain.ok and chain.anchors >= 1, chain.problems
        assert backup.compare(manifest["fingerprint"], await backup.fingerprint(owner)) == []
    finally:
        await owner.disconnect()
    await _sign_in_and_verify(dst_settings)

    with pytest.raises(backup.BackupError, match="not empty"):
        await backup.restore(folder, target, None)


async def test_a_damaged_backup_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / backup.DUMP).write_bytes(b"PGDMP not really")
    (folder / backup.MANIFEST).write_text("{}")
    (folder / backup.SUMS).write_text(f"{'0' * 64}  {backup.DUMP}\n{'0' * 64}  {backup.MANIFEST}\n")
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.read_manifest(folder)
    with pytest.raises(backup.BackupError, match="not empty"):
        await backup.backup("postgresql://unused/x", folder)
