"""Every SQL statement of the help domain (contact_messages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.db import Database
from portal.where import Where

PAGE_SIZE = 50


@dataclass(frozen=True)
class Message:
    """One message sent through /contacto."""

    id: int
    created_at: datetime
    name: str
    email: str
    topic: str
    message: str
    lang: str
    status: str
    answer: str | None
    answered_at: datetime | None
    answered_by_name: str | None


_COLUMNS = """m.id, m.created_at, m.name, m.email, m.topic, m.message, m.lang, m.status, m.answer, m.answered_at,
              u.name AS answered_by_name"""


def _message(row: Any) -> Message:
    return Message(**{k: row[k] for k in Message.__dataclass_fields__})


async def add_message(db: Database, *, name: str, email: str, topic: str, message: str, lang: str,
                      client_hash: str) -> int:
    value = await db.fetch_val(
        """INSERT INTO contact_messages (name, email, topic, message, lang, client_hash)
           VALUES (:name, :email, :topic, :message, :lang, :client_hash) RETURNING id""",
        {"name": name, "email": email, "topic": topic, "message": message, "lang": lang,
         "client_hash": client_hash})
    return int(value)


async def recent_counts(db: Database, *, client_hash: str, email: str, since: datetime) -> tuple[int, int]:
    """How many messages came from this address, and for this email, since `since`."""
    row = await db.fetch_one(
        """SELECT count(*) FILTER (WHERE client_hash = :client_hash) AS from_client,
                  count(*) FILTER (WHERE email = :email) AS to_email
             FROM contact_messages
            WHERE created_at > :since AND (client_hash = :client_hash OR email = :email)""",
        {"client_hash": client_hash, "email": email, "since": since})
    return (int(row["from_client"]), int(row["to_email"])) if row else (0, 0)


def inbox_filter(status: str | None, topic: str | None, q: str | None) -> Where:
    """The inbox's filters: state, topic, and words in the name, email or message."""
    return (Where()
            .when(status, "m.status = :status", "status")
            .when(topic, "m.topic = :topic", "topic")
            .when(f"%{q}%" if q else None, "(m.name ILIKE :q OR m.email ILIKE :q OR m.message ILIKE :q)", "q"))


async def list_messages(db: Database, where: Where, page: int) -> tuple[list[Message], int]:
    """One page of messages, newest first, and how many match."""
    params = {**where.params, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    rows = await db.fetch_all(
        f"""SELECT {_COLUMNS} FROM contact_messages m LEFT JOIN users u ON u.id = m.answered_by
            {where.sql} ORDER BY m.created_at DESC, m.id DESC LIMIT :limit OFFSET :offset""",  # noqa: S608 (only constant clauses are interpolated; values are parameters)
        params)
    total = await db.fetch_val(
        f"SELECT count(*) FROM contact_messages m {where.sql}", where.params)  # noqa: S608 (as above)
    return [_message(r) for r in rows], int(total or 0)


async def get_message(db: Database, message_id: int) -> Message | None:
    row = await db.fetch_one(
        f"""SELECT {_COLUMNS} FROM contact_messages m LEFT JOIN users u ON u.id = m.answered_by
            WHERE m.id = :id""",  # noqa: S608 (only constant columns are interpolated)
        {"id": message_id})
    return _message(row) if row else None


async def count_in_state(db: Database, status: str) -> int:
    return int(await db.fetch_val("SELECT count(*) FROM contact_messages WHERE status = :status", {"status": status}) or 0)
