"""The outbox: queued in the change's transaction, delivered over real SMTP (aiosmtpd) with retries."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from portal import mail


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server() -> Any:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


async def test_queued_messages_are_delivered_once(db: Any, smtp_server: Any) -> None:
    controller, inbox = smtp_server
    async with db.transaction():
        await mail.queue(db, ["a@x.cl", "b@x.cl"], "Asunto ñ", "Cuerpo con acentos: región")
    counts = await mail.deliver_pending(db, f"smtp://127.0.0.1:{controller.port}", "Portal <p@x.cl>")
    assert counts == {"sent": 2, "retry": 0, "failed": 0}
    assert sorted(e.rcpt_tos[0] for e in inbox.messages) == ["a@x.cl", "b@x.cl"]
    assert "regi" in inbox.messages[0].content.decode("utf-8", "replace")
    again = await mail.deliver_pending(db, f"smtp://127.0.0.1:{controller.port}", "Portal <p@x.cl>")
    assert again["sent"] == 0 and len(inbox.messages) == 2
    statuses = {r["status"] for r in await mail.recent(db)}
    assert statuses == {"sent"}


async def test_unreachable_server_is_retried_later(db: Any) -> None:
    async with db.transaction():
        await mail.queue(db, "a@x.cl", "s", "b")
    counts = await mail.deliver_pending(db, f"smtp://127.0.0.1:{_free_port()}", "p@x.cl")
    assert counts["retry"] == 1
    row = (await mail.recent(db))[0]
    assert row["status"] == "pending" and row["attempts"] == 1 and row["last_error"]
    # not due yet: a second pass sends nothing
    assert (await mail.deliver_pending(db, f"smtp://127.0.0.1:{_free_port()}", "p@x.cl"))["retry"] == 0


async def test_rolled_back_change_sends_nothing(db: Any) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await mail.queue(db, "a@x.cl", "s", "b")
            raise RuntimeError
    assert await mail.recent(db) == []


def test_smtp_url_parsing() -> None:
    config = mail.SmtpConfig.from_url("smtps://user%40x:p%3Ass@mail.example.cl")
    assert (config.host, config.port, config.username, config.password, config.tls) == (
        "mail.example.cl", 465, "user@x", "p:ss", True)


async def test_secret_in_a_message_is_scrubbed_once_sent(db: Any, smtp_server: Any) -> None:
    """A receipt's tracking code leaves in the email, then the outbox keeps only the redacted text."""
    controller, inbox = smtp_server
    async with db.transaction():
        await mail.queue(db, "v@x.cl", "Voto registrado", "Código: ABC123SECRET", redacted_body="Código: (no se guarda)")
    assert "ABC123SECRET" not in (await mail.recent(db))[0]["body"]  # the staff page never shows it
    await mail.deliver_pending(db, f"smtp://127.0.0.1:{controller.port}", "p@x.cl")
    assert "ABC123SECRET" in inbox.messages[0].content.decode()
    stored = await db.fetch_val("SELECT body || coalesce(redacted_body, '') FROM outbox")
    assert "ABC123SECRET" not in stored and "no se guarda" in stored
