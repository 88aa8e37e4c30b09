"""SQL of the live turnout (live.py): the elections in their voting phase, and the NOTIFY that carries
their figures to every process (docs/elections.md, Voting)."""

from __future__ import annotations

from portal.db import Database


async def voting_elections(db: Database) -> list[int]:
    """The elections whose turnout is live (phase voting_open)."""
    rows = await db.fetch_all("SELECT id FROM elections WHERE phase = 'voting_open' ORDER BY id")
    return [int(r["id"]) for r in rows]


async def notify(db: Database, channel: str, payload: str) -> None:
    """pg_notify: delivered to every LISTENing connection when the surrounding transaction commits."""
    await db.execute("SELECT pg_notify(:c, :p)", {"c": channel, "p": payload})
