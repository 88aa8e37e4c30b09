"""SQL for the back-office home and the admin pages."""

from __future__ import annotations

from typing import Any

from portal.db import Database


async def audit_page(db: Database, limit: int = 100) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        """SELECT id, at, actor_label, action, object_type, object_id, hash
           FROM audit_log ORDER BY id DESC LIMIT :n""",
        {"n": limit},
    )
    return [dict(r._mapping) for r in rows]
