"""The `portal` command: serve, migrate, demo, create-admin, audit verify, audit anchor."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from portal import db as dbmod, migrate
from portal.settings import Settings, served_base_url


def database_targets(settings: Settings) -> migrate.Targets:
    """The app and owner URLs (docs/security.md, Database roles): DATABASE_URL and MIGRATION_DATABASE_URL,
    else the embedded server (started now, stopped when this process exits) and its two roles."""
    targets = asyncio.run(migrate.targets(settings))
    if not settings.database_url:
        # workers spawned by uvicorn connect to the same server, as the app role
        os.environ["DATABASE_URL"] = targets.app
        os.environ["MIGRATION_DATABASE_URL"] = targets.owner
    return targets


async def _with_db(targets: migrate.Targets, work: Any) -> Any:
    await migrate.apply(targets.owner, app_role=targets.app_role)
    database = await dbmod.connect(targets.app, 1, 4)
    try:
        return await work(database)
    finally:
        await database.disconnect()


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    targets = database_targets(settings)
    applied = asyncio.run(migrate.apply(targets.owner, app_role=targets.app_role))
    print("\n".join(f"applied {name}" for name in applied) or "database is up to date")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from portal import demo

    secret = str(settings.secret_key)  # the served app's: the demo's sealed ballots are sealed with a key derived from it
    lines = asyncio.run(_with_db(database_targets(settings), lambda db: demo.load_all(db, secret)))
    print("\n".join(lines))
    return 0


def cmd_create_admin(args: argparse.Namespace, settings: Settings) -> int:
    from portal import demo

    password = args.password or os.environ.get("PORTAL_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    if len(password) < 10:
        print("error: the password needs at least 10 characters", file=sys.stderr)
        return 2

    async def work(database: dbmod.Database) -> str:
        return await demo.create_staff(database, args.email, args.name, password, ["admin"])

    try:
        print(asyncio.run(_with_db(database_targets(settings), work)))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from portal import anchor

    try:
        outside = _read_anchors(args.anchors) if args.anchors else None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"error: cannot read the anchors in {args.anchors}: {exc}", file=sys.stderr)
        return 2

    async def work(database: dbmod.Database) -> Any:
        return await anchor.verify(database, str(settings.secret_key), outside)

    report = asyncio.run(_with_db(database_targets(settings), work))
    if report.ok:
        print(f"OK: {report.rows} audit rows, chain intact, {report.anchors} signed anchors match")
        return 0
    print("\n".join(report.problems))
    return 1


def _read_anchors(source: str) -> list[Any]:
    """Anchors kept outside the database: a saved copy of /transparencia/auditoria.json, or its URL."""
    import json
    import urllib.request

    from portal import anchor

    if source.startswith(("https://", "http://")):
        with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310 (http(s) only, checked above)
            data = json.loads(response.read())
    else:
        data = json.loads(Path(source).read_text(encoding="utf-8"))
    return [anchor.from_json(a) for a in data["anchors"]]


def cmd_anchor(args: argparse.Namespace, settings: Settings) -> int:
    from portal import anchor

    async def work(database: dbmod.Database) -> Any:
        return await anchor.make(database, settings)

    made = asyncio.run(_with_db(database_targets(settings), work))
    print(f"anchored audit row {made.row_id} ({made.row_count} rows), hash {made.row_hash}, "
          f"signed by {made.public_key}")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from portal import serving

    started = time.monotonic()
    if "PORTAL_BASE_URL" not in os.environ and settings.base_url == Settings.base_url:
        # the app (built in each worker from the environment) links to where it is served
        os.environ["PORTAL_BASE_URL"] = served_base_url(args.host, args.port)
    embedded = not settings.database_url
    if embedded:
        serving.become_subreaper()  # before the embedded server starts, so its postmaster is our child
    targets = database_targets(settings)
    asyncio.run(migrate.apply(targets.owner, app_role=targets.app_role))
    if embedded:
        serving.EmbeddedWatch(settings.pgdata).start()  # development default: restart it if it dies
    if args.demo:
        from portal import demo

        secret = str(settings.secret_key)  # the workers' (same environment and data folder): they derive the sealing keys
        print("\n".join(asyncio.run(_with_db(targets, lambda db: demo.load_all(db, secret)))))
    print(f"Portal Participa: http://{args.host}:{args.port}/  (database ready in {time.monotonic() - started:.1f} s)",
          flush=True)
    # uvicorn re-raises SIGTERM with the default handler, which skips atexit, where the embedded
    # PostgreSQL is stopped; exiting normally runs it (systemd, docker stop and kill send SIGTERM).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    from portal.ops.cli import prepare_multiprocess

    prepare_multiprocess()  # the workers' shared metrics folder (portal/ops/metrics.py)
    options = {"app": "portal.app:create_app", "factory": True, "host": args.host, "port": args.port,
               "proxy_headers": True, "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
               "log_level": args.log_level, "access_log": args.access_log}
    if args.workers > 1 and serving.available():
        # one listening socket per worker, so connections are spread evenly (see portal/serving.py)
        return serving.Supervisor(options, args.workers).run()
    uvicorn.run(workers=args.workers, **options)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal", description="Portal Participa (SERMIG).")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web app (embedded PostgreSQL unless DATABASE_URL is set)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="load the demo data first (once) and print credentials")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--no-access-log", dest="access_log", action="store_false")
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply pending migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("demo", help="load the demo data and print the credentials").set_defaults(func=cmd_demo)
    admin = sub.add_parser("create-admin", help="create the first staff administrator")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administración")
    admin.add_argument("--password", help="or PORTAL_ADMIN_PASSWORD, or asked for")
    admin.set_defaults(func=cmd_create_admin)
    audit_p = sub.add_parser("audit", help="audit log tools")
    audit_sub = audit_p.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="recompute the audit log's hash chain and check it against the "
                                                "signed anchors")
    verify.add_argument("--anchors", help="also check these published anchors: a saved auditoria.json or its URL")
    verify.set_defaults(func=cmd_audit)
    audit_sub.add_parser("anchor", help="sign the audit chain's head now and publish it").set_defaults(func=cmd_anchor)
    from portal.ops import cli as ops_cli

    ops_cli.add_commands(sub)  # backup, restore, export-static
    from portal.jobs import cli as jobs_cli

    jobs_cli.add_commands(sub)  # worker: the job runner alone (portal/jobs)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args, Settings.from_env())


if __name__ == "__main__":
    sys.exit(main())
