"""`portal backup DIR` and `portal restore DIR` (docs/runbook.md, Backup and restore).

A backup is a folder:
- `database.dump`: pg_dump's custom format of the whole database, taken in one snapshot. Stored files
  (uploaded PDFs, bulletins, photos) live in the database's table stored_files, so they are in it.
- `manifest.json`: when, from which server and schema version, the SHA-256 and size of the dump, and the
  database's fingerprint taken in the same snapshot (row counts of every table, the audit chain's head,
  every bulletin's and padrón's hash, the certificates and stored files) for the restore to compare.
- `SHA256SUMS`: both files' hashes, for `sha256sum -c` anywhere.

The dump leaves out owners and privileges, so it restores under any role names; `portal restore`
then runs the migrations as the owner, which grants the app role its rights again. The secret key is
not in a backup: keep PORTAL_SECRET_KEY apart (the audit chain's signed anchors need it to verify).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portal import clock, db as dbmod, migrate
from portal.ops import pgtools, queries
from portal.txn import atomic

FORMAT = 1
DUMP = "database.dump"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"


class BackupError(RuntimeError):
    """A backup cannot be taken or restored; the message says why."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


async def fingerprint(db: dbmod.Database) -> dict[str, Any]:
    """What a restore must give back unchanged (docs/runbook.md, Backup and restore)."""
    return {"tables": await queries.table_counts(db), "audit": await queries.audit_head(db),
            "bulletins": await queries.bulletins(db), "padrones": await queries.padrones(db),
            "certificates": await queries.certificates(db), "stored_files": await queries.stored_files(db)}


async def _run(program: Path, args: list[str], env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(str(program), *args, env=env, stdout=subprocess.PIPE,
                                                   stderr=subprocess.PIPE)
    out, err = await process.communicate()
    if process.returncode != 0:
        raise BackupError(f"{program.name} failed ({process.returncode}): {(err or out).decode(errors='replace')[-2000:]}")


def _empty_folder(folder: Path) -> None:
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: a backup goes into a new folder")
    folder.mkdir(parents=True, exist_ok=True)


async def backup(url: str, folder: Path) -> dict[str, Any]:
    """Dump the database at `url` (the owner's) into `folder` (new or empty); returns the manifest."""
    _empty_folder(folder)
    db = await dbmod.connect(url, 1, 1)
    try:
        major = await queries.server_major(db)
        pg_dump = pgtools.find("pg_dump", major)
        target, env = pgtools.libpq_target(url)
        async with atomic(db):
            snapshot = await queries.snapshot_for_dump(db)
            await _run(pg_dump, ["--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                                 f"--file={folder / DUMP}", f"--dbname={target}"], env)
            prints = await fingerprint(db)
            schema = max(await queries.applied_migrations(db), default=0)
    finally:
        await db.disconnect()
    manifest: dict[str, Any] = {"format": FORMAT, "created_at": clock.now().isoformat(timespec="seconds"),
                "server_major": major, "pg_dump": f"{pg_dump} ({pgtools.version(pg_dump)})", "schema_version": schema,
                "files": {DUMP: {"sha256": file_sha256(folder / DUMP), "bytes": (folder / DUMP).stat().st_size}},
                "fingerprint": prints}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    sums = [f"{manifest['files'][DUMP]['sha256']}  {DUMP}", f"{file_sha256(folder / MANIFEST)}  {MANIFEST}"]
    (folder / SUMS).write_text("\n".join(sums) + "\n", encoding="utf-8")
    return manifest


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest, after checking every file against SHA256SUMS and the manifest's own hashes."""
    try:
        sums: dict[str, str] = {}
        for line in (folder / SUMS).read_text().splitlines():
            digest, _, name = line.partition("  ")
            sums[name] = digest
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} is not a backup made by `portal backup`: {exc}") from exc
    for name in (DUMP, MANIFEST):
        if sums.get(name) != file_sha256(folder / name):
            raise BackupError(f"{folder / name} does not match its SHA-256 in {SUMS}: the backup is damaged")
    if manifest["files"][DUMP]["sha256"] != sums[DUMP] or manifest.get("format") != FORMAT:
        raise BackupError(f"{folder / MANIFEST} does not describe {DUMP} (or is of another format)")
    return manifest


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    migrations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def restore(folder: Path, owner_url: str, app_role: str | None) -> RestoreReport:
    """Restore the backup in `folder` into the EMPTY database at `owner_url`, compare its fingerprint
    with the manifest's, then run the migrations (which grant `app_role` its rights)."""
    manifest = read_manifest(folder)
    db = await dbmod.connect(owner_url, 1, 1)
    try:
        found = await queries.public_relations(db)
        if found:
            raise BackupError(f"the database is not empty ({found} tables, views or sequences in schema public): "
                              "restore only into a new, empty database (createdb -O <owner role> <name>)")
        pg_restore = pgtools.find("pg_restore", max(manifest["server_major"], await queries.server_major(db)))
        target, env = pgtools.libpq_target(owner_url)
        await _run(pg_restore, ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                                f"--dbname={target}", str(folder / DUMP)], env)
        report = RestoreReport(manifest, compare(manifest["fingerprint"], await fingerprint(db)))
    finally:
        await db.disconnect()
    report.migrations = await migrate.apply(owner_url, app_role=app_role)
    return report


def compare(expected: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """Every difference between two fingerprints, plus damage a fingerprint shows by itself."""
    problems = [f"{key}: backup {expected.get(key)!r}, restored {found.get(key)!r}"
                for key in sorted(set(expected) | set(found)) if expected.get(key) != found.get(key)]
    problems += [f"bulletin of election {eid}: stored file hash {b['content']} differs from the recorded "
                 f"{b['recorded']}" for eid, b in found.get("bulletins", {}).items() if b["content"] != b["recorded"]]
    if found.get("stored_files", {}).get("damaged"):
        problems.append(f"{found['stored_files']['damaged']} stored files no longer match their SHA-256")
    return problems
