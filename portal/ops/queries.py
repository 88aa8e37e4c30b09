"""Every SQL statement of portal/ops: readiness, scrape-time gauges, and a backup's fingerprint."""

from __future__ import annotations

import hashlib
from typing import Any

from portal.db import Database


async def ping(db: Database) -> None:
    await db.fetch_val("SELECT 1")


async def applied_migrations(db: Database) -> set[int]:
    return {r["version"] for r in await db.fetch_all("SELECT version FROM schema_migrations")}


async def outbox_backlog(db: Database) -> dict[str, int]:
    rows = await db.fetch_all("SELECT status, count(*) AS n FROM outbox WHERE status <> 'sent' GROUP BY status")
    return {r["status"]: r["n"] for r in rows}


async def votes_cast(db: Database) -> int:
    """Ballots cast since the database began (one per organization and election): a counter."""
    return int(await db.fetch_val("SELECT count(*) FROM voters"))


# ----- a database's fingerprint: what a restore must give back unchanged -----

async def table_counts(db: Database) -> dict[str, int]:
    names = [r["tablename"] for r in await db.fetch_all(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
    counts = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        counts[name] = int(await db.fetch_val(f"SELECT count(*) FROM public.{quoted}"))  # noqa: S608 (a catalog name, quoted)
    return counts


async def audit_head(db: Database) -> dict[str, Any]:
    row = await db.fetch_one("SELECT count(*) AS n, (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1) AS head "
                             "FROM audit_log")
    return {"rows": row["n"] if row else 0, "head": row["head"] if row else None}


async def bulletins(db: Database) -> dict[str, dict[str, str]]:
    """Each published bulletin: the hash recorded at the count and the hash of the stored file now."""
    rows = await db.fetch_all(
        """SELECT r.election_id, r.bulletin_sha256, encode(sha256(f.content), 'hex') AS content_sha256
           FROM election_results r JOIN stored_files f ON f.id = r.bulletin_file ORDER BY r.election_id""")
    return {str(r["election_id"]): {"recorded": r["bulletin_sha256"], "content": r["content_sha256"]} for r in rows}


async def padrones(db: Database) -> dict[str, str]:
    rows = await db.fetch_all("SELECT id, padron_sha256 FROM elections WHERE padron_sha256 IS NOT NULL ORDER BY id")
    return {str(r["id"]): r["padron_sha256"] for r in rows}


async def certificates(db: Database) -> dict[str, Any]:
    rows = await db.fetch_all("SELECT code, status FROM certificates ORDER BY code")
    digest = hashlib.sha256("\n".join(f"{r['code']} {r['status']}" for r in rows).encode()).hexdigest()
    return {"count": len(rows), "sha256": digest}


async def stored_files(db: Database) -> dict[str, Any]:
    """Stored files (uploads, bulletins, photos live in the table stored_files): how many, a digest of
    their recorded hashes, and how many have content that no longer matches its recorded hash."""
    rows = await db.fetch_all(
        """SELECT id::text AS id, sha256, encode(sha256(content), 'hex') = sha256 AS intact
           FROM stored_files ORDER BY id""")
    digest = hashlib.sha256("\n".join(f"{r['id']} {r['sha256']}" for r in rows).encode()).hexdigest()
    return {"count": len(rows), "sha256": digest, "damaged": sum(1 for r in rows if not r["intact"])}


async def public_relations(db: Database) -> int:
    """Tables, views and sequences in the schema public: a database to restore into must have none."""
    return int(await db.fetch_val(
        """SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"""))


async def server_major(db: Database) -> int:
    return int(await db.fetch_val("SELECT current_setting('server_version_num')::int / 10000"))


async def snapshot_for_dump(db: Database) -> str:
    """Call first in a transaction: make it one read-only snapshot and export it for pg_dump --snapshot."""
    await db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    return str(await db.fetch_val("SELECT pg_export_snapshot()"))
