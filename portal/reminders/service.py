"""Planning and sending (docs/reminders.md, Once and only when it still matters).

`run(db, settings, timing)` is what the job runner calls every few minutes, inside the job's
transaction: it plans what every kind finds (a unique key per kind, step, recipient, subject and
deadline, so nothing is planned twice), skips planned reminders that no longer apply (the action
done, the subject withdrawn, the deadline moved, the person unsubscribed), then sends those whose
time has come: the email is queued in the outbox and the reminder marked sent in the same
transaction, so a runner killed halfway sends nothing, and its successor sends each reminder once.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from portal import clock, i18n, mail, tokens
from portal.db import Database
from portal.reminders import queries as q
from portal.reminders.kinds import KINDS, Context, Due, key
from portal.reminders.timing import Timing
from portal.settings import Settings

UNSUBSCRIBE = "reminder-unsubscribe"
UNSUBSCRIBE_MAX_AGE = 400 * 24 * 3600  # an unsubscribe link keeps working for more than a year
SEND_LIMIT = 500                        # reminders read per batch; a run sends batch after batch
SEND_SECONDS = 300                      # until this much time has passed (the next run, 15 min later, goes on)


async def find_all(db: Database, ctx: Context) -> list[Due]:
    found: list[Due] = []
    for kind in KINDS.values():
        found += await kind.find(db, ctx)
    return found


async def plan(db: Database, timing: Timing) -> dict[str, int]:
    """Plan what is due within the horizon; skip what no longer applies. Counts for the job's result."""
    ctx = Context(clock.now(), timing)
    optouts = await q.optouts(db)
    found = [d for d in await find_all(db, ctx) if (d.user_id, KINDS[d.kind].topic) not in optouts]
    wanted = {d.key for d in found}
    languages = await q.languages(db)
    await q.plan_all(db, [_row(due, languages.get(due.user_id, i18n.DEFAULT)) for due in found])
    skipped = 0
    for planned in await q.scheduled(db):
        if key(planned.kind, planned.step, planned.user_id, planned.subject_type, planned.subject_id,
               planned.deadline) not in wanted:
            await q.skip(db, planned.id, _why(planned, found, optouts), ctx.now)
            skipped += 1
    return {"found": len(found), "skipped": skipped}


def _row(due: Due, language: str) -> dict[str, Any]:
    values = asdict(due)
    for extra in ("link", "facts"):
        values.pop(extra)
    values["language"] = language
    values["label"] = due.label[:300]
    return values


def _why(planned: q.Planned, found: Iterable[Due], optouts: set[tuple[int, str]]) -> str:
    kind = KINDS.get(planned.kind)
    if kind is not None and (planned.user_id, kind.topic) in optouts:
        return "unsubscribed"
    same = (planned.kind, planned.step, planned.user_id, planned.subject_type, planned.subject_id)
    if any((d.kind, d.step, d.user_id, d.subject_type, d.subject_id) == same for d in found):
        return "deadline_moved"
    return "no_longer_applies"


async def send_due(db: Database, settings: Settings, timing: Timing) -> int:
    """Send the planned reminders whose time has come (those planned again just now, so still true), in
    batches of SEND_LIMIT for up to SEND_SECONDS: one batch per run (500 every 15 minutes) took five
    hours to send one reminder to each of 10,000 organizations (docs/reminders.md, At a measured pace)."""
    now = clock.now()
    facts = {d.key: d for d in await find_all(db, Context(now, timing))}
    sent, started = 0, time.monotonic()
    while batch := await q.due(db, now, SEND_LIMIT):
        for one in batch:
            sent += await _send_or_skip(db, settings, one, facts, now)
        if len(batch) < SEND_LIMIT or time.monotonic() - started > SEND_SECONDS:
            break
    return sent


async def _send_or_skip(db: Database, settings: Settings, one: q.Outgoing, facts: dict[Any, Due],
                        now: datetime) -> int:
    """1 when sent; 0 when skipped (too late, or no longer true)."""
    due = facts.get(key(one.kind, one.step, one.user_id, one.subject_type, one.subject_id, one.deadline))
    if now >= one.until or due is None:
        await q.skip(db, one.id, "too_late" if now >= one.until else "no_longer_applies", now)
        return 0
    await send_one(db, settings, one, due)
    await q.mark_sent(db, one.id, now)
    return 1


async def send_one(db: Database, settings: Settings, one: q.Outgoing, due: Due) -> None:
    """Queue the email in the person's language, with its one-click unsubscribe."""
    kind = KINDS[one.kind]
    link = unsubscribe_url(settings, one.user_id, kind.topic)
    token = i18n.set_language(one.language)
    try:
        values = {**{k: _shown(v) for k, v in due.facts.items()}, "label": one.label,
                  "deadline": _shown(due.facts.get("day", one.deadline)), "link": settings.base_url + due.link}
        subject = i18n.gettext(kind.subject, **values)
        body = "\n\n".join([
            i18n.gettext(kind.body, **values),
            i18n.gettext("Recibe este recordatorio porque representa a %(label)s en el Portal Participa. Para no "
                         "recibir más recordatorios de este tipo: %(unsubscribe)s\nPara elegir qué recordatorios "
                         "recibe: %(preferences)s", label=one.label, unsubscribe=link,
                         preferences=settings.base_url + "/cuenta/recordatorios")])
    finally:
        i18n.reset_language(token)
    await mail.queue(db, one.email, subject, body, headers={
        "List-Unsubscribe": f"<{link}/un-clic>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def _shown(value: object) -> str:
    """A deadline as people read it: a day (deadlines that are days carry it as the fact `day`), or a
    date and time in Chile."""
    if isinstance(value, datetime):
        return i18n.fmt_datetime(clock.local(value), "long").replace(" CLST", "").replace(" CLT", "")
    if isinstance(value, date):
        return i18n.fmt_date(value)
    return str(value)


def unsubscribe_url(settings: Settings, user_id: int, topic: str) -> str:
    token = tokens.make(str(settings.secret_key), UNSUBSCRIBE, {"u": user_id, "t": topic})
    return f"{settings.base_url}/recordatorios/baja/{token}"


def read_unsubscribe(settings: Settings, token: str) -> tuple[int, str] | None:
    """(user id, topic) of a valid unsubscribe token, else None."""
    try:
        payload = tokens.read(str(settings.secret_key), UNSUBSCRIBE, token, max_age=UNSUBSCRIBE_MAX_AGE)
    except tokens.TokenError:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int) or not isinstance(payload.get("t"), str):
        return None
    return payload["u"], payload["t"]


async def run(db: Database, settings: Settings, timing: Timing) -> dict[str, int]:
    """One round: plan, then send. Called by the job runner inside the job's transaction."""
    counts = await plan(db, timing)
    counts["sent"] = await send_due(db, settings, timing)
    return counts
