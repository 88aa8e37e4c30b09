"""Council reminders (issue 13; docs/reminders.md, Kinds): a convened session 48 hours ahead, to the
representatives of each councillor's organization, once; a circulated acta, to those of attendees only."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from portal import clock
from reminder_helpers import MovingClock, outbox, round_, sent

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "council"))

import council_world  # the council tests' world, found through the path added above

SEATS = {"A": 2, "B": 1, "C": 1}


@pytest.fixture
def moving_clock() -> Iterator[MovingClock]:
    """The clock from now (the council world's organizations are valid relative to today)."""
    source = MovingClock(clock.now())
    before = clock.set_source(source)
    try:
        yield source
    finally:
        clock.set_source(before)


async def _session(db: Any, election_id: int, starts_in: timedelta, status: str = "convened") -> int:
    return int(await db.fetch_val(
        """INSERT INTO council_sessions (election_id, kind, starts_at, place, status, convened_at)
           VALUES (:e, 'ordinary', :starts, 'Sala del Consejo', :status, now()) RETURNING id""",
        {"e": election_id, "starts": clock.now() + starts_in, "status": status}))


async def test_session_soon_once_to_the_councillors_organizations(db: Any, ctx: Any,
                                                                  moving_clock: MovingClock) -> None:
    world = await council_world.build(db, SEATS, extra=1)
    await _session(db, world.election_id, timedelta(days=5))
    await _session(db, world.election_id, timedelta(days=6), status="draft")   # a draft reminds nobody
    for _hour in range(4 * 24 // 6 + 8):
        await round_(ctx)
        await round_(ctx)   # a second round at the same moment sends nothing more
        moving_clock.advance(timedelta(hours=6))
    assert await sent(db) == {("council.session_soon", ""): len(world.members)}
    mails = [m for m in await outbox(db) if "Sesión del Consejo de la Sociedad Civil" in m["subject"]]
    assert sorted(m["to_addr"] for m in mails) == sorted(world.emails[m] for m in world.members)
    assert not {m["to_addr"] for m in mails} & {world.emails[c] for cs in world.extras.values() for c in cs}


async def test_acta_review_to_attendees_only_until_they_comment(db: Any, ctx: Any,
                                                                moving_clock: MovingClock) -> None:
    world = await council_world.build(db, SEATS, extra=1)
    session = await _session(db, world.election_id, -timedelta(days=3), status="convened")
    present, absent, commented = world.members[0], world.members[1], world.members[2]
    await db.execute("UPDATE council_sessions SET status = 'closed', in_office = :n, opened_at = starts_at, "
                     "closed_at = starts_at + interval '2 hours' WHERE id = :s", {"n": len(world.members), "s": session})
    for member in world.members:
        status = "present" if member in (present, commented) else "absent"
        await db.execute("INSERT INTO council_attendance (session_id, member_id, status) VALUES (:s, :m, :st)",
                         {"s": session, "m": member, "st": status})
    acta = int(await db.fetch_val(
        "INSERT INTO council_actas (session_id, body, status, comments_until) VALUES (:s, 'Borrador del acta.', "
        "'circulated', :until) RETURNING id", {"s": session, "until": clock.today() + timedelta(days=10)}))
    author = await db.fetch_val("SELECT id FROM users WHERE email = :e", {"e": world.emails[commented]})
    await db.execute("INSERT INTO council_acta_comments (acta_id, member_id, author_id, kind, body) "
                     "VALUES (:a, :m, :u, 'comment', 'Una observación.')", {"a": acta, "m": commented, "u": author})
    for _day in range(12):
        await round_(ctx)
        moving_clock.advance(timedelta(days=1))
    assert await sent(db) == {("council.acta_review", ""): 1}
    mails = [m for m in await outbox(db) if "Acta del Consejo" in m["subject"]]
    assert [m["to_addr"] for m in mails] == [world.emails[present]]
    assert absent not in (present, commented)
