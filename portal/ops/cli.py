"""`portal backup DIR`, `portal restore DIR`, `portal export-static DIR` (docs/runbook.md).

portal/cli.py adds these with `ops_cli.add_commands(sub)`, and `portal serve` calls
`prepare_multiprocess()` before its workers start (portal/ops/metrics.py says why).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from portal import anchor, db as dbmod, migrate
from portal.settings import Settings

METRICS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def add_commands(sub: Any) -> None:
    backup = sub.add_parser("backup", help="dump the database (stored files included) into a new folder, "
                                           "with a manifest of SHA-256 hashes")
    backup.add_argument("folder", type=Path)
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="restore a backup into an EMPTY database and check it")
    restore.add_argument("folder", type=Path)
    restore.set_defaults(func=cmd_restore)
    export = sub.add_parser("export-static", help="write the static files under their hashed names, for nginx")
    export.add_argument("folder", type=Path)
    export.set_defaults(func=cmd_export_static)


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from portal.ops import backup

    targets = asyncio.run(migrate.targets(settings))
    try:
        manifest = asyncio.run(backup.backup(targets.owner, args.folder))
    except (backup.BackupError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    prints = manifest["fingerprint"]
    print(f"backup in {args.folder}: {manifest['files'][backup.DUMP]['bytes']} bytes, schema version "
          f"{manifest['schema_version']}, {sum(prints['tables'].values())} rows in {len(prints['tables'])} tables, "
          f"{prints['stored_files']['count']} stored files, audit head {prints['audit']['head']}")
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from portal.ops import backup

    targets = asyncio.run(migrate.targets(settings))
    try:
        report = asyncio.run(backup.restore(args.folder, targets.owner, targets.app_role))
    except (backup.BackupError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    chain = asyncio.run(_verify_chain(targets.owner, str(settings.secret_key)))
    print(f"restored {args.folder} (taken {report.manifest['created_at']}); migrations applied since: "
          f"{', '.join(report.migrations) or 'none'}")
    for problem in report.problems + chain.problems:
        print(f"PROBLEM: {problem}")
    if report.ok and chain.ok:
        print(f"OK: every table's rows, bulletin, padrón, certificate and stored file as in the backup; "
              f"audit chain intact ({chain.rows} rows, {chain.anchors} signed anchors)")
        return 0
    return 1


async def _verify_chain(url: str, secret: str) -> Any:
    database = await dbmod.connect(url, 1, 2)
    try:
        return await anchor.verify(database, secret)
    finally:
        await database.disconnect()


def cmd_export_static(args: argparse.Namespace, settings: Settings) -> int:
    from portal import static_files

    files = static_files.manifest()
    written = 0
    for name, asset in files.by_name.items():
        for target, content in ((args.folder / asset.hashed, asset.content),
                                (args.folder / name, (static_files.STATIC_DIR / name).read_bytes())):
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or target.read_bytes() != content:
                target.write_bytes(content)
                written += 1
    print(f"{len(files.by_name)} static files in {args.folder} ({written} written); older hashed names kept "
          "for pages still open")
    return 0


def prepare_multiprocess() -> None:
    """For `portal serve`, before the workers start (and before prometheus-client is imported here): an
    empty folder for the workers' metric files, PROMETHEUS_MULTIPROC_DIR if set, else a temporary one."""
    given = os.environ.get(METRICS_ENV)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.db"):  # a previous run's counters would be added to this one's
            old.unlink()
        return
    folder = Path(tempfile.mkdtemp(prefix="portal-metrics-"))
    os.environ[METRICS_ENV] = str(folder)
    atexit.register(shutil.rmtree, folder, True)
