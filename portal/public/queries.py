"""SQL of the public pages that belong to no domain."""

from __future__ import annotations

from portal.db import Database


async def ping(db: Database) -> None:
    """Raises when the database does not answer."""
    await db.fetch_val("SELECT 1")
