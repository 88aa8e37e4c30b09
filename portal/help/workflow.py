"""A contact message's one move: new → answered, by email (docs/help.md, Contact).

`answer()` changes the state through portal.workflow.transition (row lock, state check, audit event)
and queues the email in the same transaction: the answer is recorded if and only if it is sent.
"""

from __future__ import annotations

from portal import i18n, mail
from portal.db import Database
from portal.help import queries
from portal.help.rules import ANSWERED, NEW
from portal.security import CurrentUser
from portal.txn import atomic
from portal.workflow import Machine, moves, transition

MESSAGES = Machine(table="contact_messages", object_type="contact_message", audit_prefix="contact",
                   moves=moves(answered=(NEW,)))


def already_answered() -> str:
    return i18n.gettext("Este mensaje ya fue respondido: recargue la página para ver la respuesta.")


async def answer(db: Database, message: queries.Message, text: str, staff: CurrentUser) -> None:
    """Record the answer and queue it to the sender, in the language they wrote in."""
    async with atomic(db):
        await transition(db, MESSAGES, message.id, ANSWERED, actor=staff, refusal=already_answered(),
                         sets={"answer": ":answer", "answered_at": "now()", "answered_by": ":by"},
                         params={"answer": text, "by": staff.id}, after={"topic": message.topic})
        subject, body = _email(message, text)
        await mail.queue(db, message.email, subject, body)


def _email(message: queries.Message, text: str) -> tuple[str, str]:
    token = i18n.set_language(message.lang)
    try:
        subject = i18n.gettext("Respuesta a su mensaje al Portal Participa")
        intro = i18n.gettext("Hola, %(name)s:", name=message.name)
        quoted = i18n.gettext("Su mensaje del %(date)s:", date=i18n.fmt_date(message.created_at))
        sign = i18n.gettext("Servicio Nacional de Migraciones · Portal Participa")
    finally:
        i18n.reset_language(token)
    original = "\n".join("> " + line for line in message.message.splitlines())
    return subject, f"{intro}\n\n{text}\n\n{quoted}\n{original}\n\n— {sign}\n"
