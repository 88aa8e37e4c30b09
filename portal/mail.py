"""Email through an outbox table: queued in the same transaction as the change that causes it.

With `SMTP_URL` (smtp://user:pass@host:port, or smtps://… for TLS) a sender delivers pending
messages with retries and back-off; without it messages stay in the outbox, readable by admins
at /staff/correo, so the embedded default needs no mail server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import unquote, urlparse

from portal.db import Database
from portal.txn import atomic

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


async def queue(db: Database, to: str | list[str], subject: str, body: str, *,
                redacted_body: str | None = None, headers: dict[str, str] | None = None,
                per_hour: int | None = None) -> int:
    """Queue one message per recipient (call inside the change's transaction); the number queued.

    `redacted_body` replaces `body` once the message is sent or given up, for messages that carry a
    secret the database must not keep (and it is all the staff outbox page ever shows). `headers` are
    added to the message as they are (List-Unsubscribe for reminders). `per_hour` caps mail that
    anyone can trigger (a reset link, a verification link): a recipient who already has that many
    messages from the last hour gets no more (docs/security.md, Throttling).
    """
    queued = 0
    for addr in [to] if isinstance(to, str) else to:
        if per_hour is not None and await sent_last_hour(db, addr) >= per_hour:
            log.warning("mail cap reached for one recipient; message not queued")
            continue
        await db.execute(
            """INSERT INTO outbox (to_addr, subject, body, redacted_body, headers)
               VALUES (:to, :subject, :body, :redacted, CAST(:headers AS jsonb))""",
            {"to": addr, "subject": subject, "body": body, "redacted": redacted_body,
             "headers": json.dumps(headers or {})},
        )
        queued += 1
    return queued


async def sent_last_hour(db: Database, to: str) -> int:
    """Messages queued for `to` within the last hour (a transaction-level lock on the address makes
    concurrent requests count one after the other)."""
    await db.execute("SELECT pg_advisory_xact_lock(hashtext('outbox:' || lower(:to)))", {"to": to})
    return int(await db.fetch_val(
        """SELECT count(*) FROM outbox
           WHERE lower(to_addr) = lower(:to) AND created_at > now() - interval '1 hour'""",
        {"to": to},
    ))


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool
    starttls: bool

    @classmethod
    def from_url(cls, url: str) -> SmtpConfig:
        parts = urlparse(url)
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if tls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
            starttls=parts.scheme == "smtp+starttls",
        )


def _send_blocking(config: SmtpConfig, sender: str, to: str, subject: str, body: str,
                   headers: dict[str, str] | None = None) -> None:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="participa.serviciomigraciones.cl")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    smtp_cls = smtplib.SMTP_SSL if config.tls else smtplib.SMTP
    with smtp_cls(config.host, config.port, timeout=20) as smtp:
        if config.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if config.username:
            smtp.login(config.username, config.password or "")
        smtp.send_message(message)


async def deliver_pending(db: Database, smtp_url: str, sender: str, limit: int = 50) -> dict[str, int]:
    """Send due messages once; failures are retried later with exponential back-off."""
    config = SmtpConfig.from_url(smtp_url)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for _ in range(limit):
        async with atomic(db):
            # SKIP LOCKED lets several workers run senders without sending a message twice.
            row = await db.fetch_one(
                """SELECT id, to_addr, subject, body, attempts, headers FROM outbox
                   WHERE status = 'pending' AND next_attempt_at <= now()
                   ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"""
            )
            if row is None:
                break
            try:
                await asyncio.to_thread(_send_blocking, config, sender, row["to_addr"], row["subject"], row["body"],
                                        json.loads(row["headers"] or "{}"))
            except (OSError, smtplib.SMTPException) as exc:
                attempts = row["attempts"] + 1
                status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
                await db.execute(
                    """UPDATE outbox SET attempts = :a, status = :s, last_error = :e,
                              next_attempt_at = now() + make_interval(secs => :delay),
                              body = CASE WHEN :s = 'failed' THEN COALESCE(redacted_body, body) ELSE body END,
                              redacted_body = CASE WHEN :s = 'failed' THEN NULL ELSE redacted_body END
                       WHERE id = :id""",
                    {"a": attempts, "s": status, "e": str(exc)[:500], "delay": 30 * 2 ** attempts, "id": row["id"]},
                )
                counts["failed" if status == "failed" else "retry"] += 1
                continue
            await db.execute(
                """UPDATE outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1,
                          body = COALESCE(redacted_body, body), redacted_body = NULL
                   WHERE id = :id""",
                {"id": row["id"]},
            )
            counts["sent"] += 1
    return counts


async def run_sender(db: Database, smtp_url: str, sender: str, interval: float = 5.0) -> None:
    """Background loop started by the app's lifespan when SMTP_URL is set."""
    while True:
        try:
            await deliver_pending(db, smtp_url, sender)
        except Exception:  # keep the loop alive; the outbox keeps the messages
            log.exception("outbox sender failed")
        await asyncio.sleep(interval)


async def recent(db: Database, limit: int = 100, to: str | None = None) -> list[dict[str, Any]]:
    """The newest messages, for the staff outbox page and for tests (secrets shown redacted)."""
    rows = await db.fetch_all(
        """SELECT id, created_at, to_addr, subject, COALESCE(redacted_body, body) AS body, status, attempts,
                  last_error, sent_at
           FROM outbox WHERE (CAST(:to AS text) IS NULL OR lower(to_addr) = lower(CAST(:to AS text)))
           ORDER BY id DESC LIMIT :limit""",
        {"limit": limit, "to": to},
    )
    return [dict(r._mapping) for r in rows]
