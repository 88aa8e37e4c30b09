"""A simulated year of the demo data in fast-forward: the runner's reminder job every six hours from
a fixed start, with the portal's clock injected. Exactly the expected reminders go out (counted by
kind and step), none twice, and every one of them at or after its time."""

from __future__ import annotations

import collections
from datetime import UTC, datetime, timedelta
from typing import Any

from portal import clock, demo
from reminder_helpers import MovingClock, outbox, reminder_rows, round_


async def _run_year(db: Any, ctx: Any, moving_clock: MovingClock) -> None:
    for _step in range(365 * 4):
        await round_(ctx)
        moving_clock.advance(timedelta(hours=6))


async def test_a_simulated_year_of_the_demo(db: Any, ctx: Any, moving_clock: MovingClock) -> None:
    # the demo dates some rows with the database's now(): start the simulation at the real moment
    moving_clock.moment = datetime.now(UTC).replace(second=0, microsecond=0)
    await demo.load_all(db)
    start = moving_clock.moment
    before = await db.fetch_val("SELECT coalesce(max(id), 0) FROM outbox")   # the demo's own emails
    vigencia = await _vigencia_oracle(db, start)
    await _run_year(db, ctx, moving_clock)
    rows = await reminder_rows(db)
    sent = [r for r in rows if r["status"] == "sent"]
    counts = collections.Counter((r["kind"], r["step"]) for r in sent)
    # none twice: one row per key (the database's unique key) and one email per sent reminder
    keys = [(r["kind"], r["step"], r["user_id"], r["subject_type"], r["subject_id"], r["deadline"]) for r in rows]
    assert len(keys) == len(set(keys))
    mails = [m for m in await outbox(db) if m["id"] > before]
    assert len(mails) == len(sent)
    assert all(r["send_at"] <= r["decided_at"] < r["until"] for r in sent)
    assert all(start <= r["decided_at"] for r in sent)
    assert {k: v for k, v in counts.items() if k[0] == "registry.vigencia"} == vigencia
    assert dict(counts) == EXPECTED
    # every email carries its one-click unsubscribe
    assert all(m["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for m in mails)


async def _vigencia_oracle(db: Any, start: datetime) -> dict[tuple[str, str], int]:
    """Independently of the planner: each registered organization's representatives get the 30-, 7- and
    0-day reminders whose window (from 09:00 that day to the next one's) meets the simulated year."""
    rows = await db.fetch_all(
        """SELECT o.vigencia_expires_on AS day FROM organizations o JOIN org_representatives r ON r.org_id = o.id
           WHERE o.status = 'approved' OR (o.status IN ('submitted', 'in_review', 'observed')
                                           AND o.review_kind = 'category_change')""")
    last_round = start + timedelta(hours=6 * (365 * 4 - 1))
    found: collections.Counter[tuple[str, str]] = collections.Counter()
    for row in rows:
        if row["day"] is None:
            continue
        sends = [clock.at_chile(row["day"] - timedelta(days=n), 9) for n in (30, 7, 0)]
        untils = [sends[1], sends[2], clock.at_chile(row["day"] + timedelta(days=1))]
        for n, send, until in zip((30, 7, 0), sends, untils, strict=True):
            if until > start and send <= last_round:
                found["registry.vigencia", f"{n}d"] += 1
    return dict(found)


# The demo data's reminders over one year from any start (its dates are relative to the day it is
# loaded). The demo has no Sello liaison whose municipality is certified, so no Sello reminder;
# its open election is in voting: the padrón organizations that did not vote get "voting open" and
# "voting closes in 24 h" once each; Compromiso's call (1 September to 31 December) comes once.
EXPECTED: dict[tuple[str, str], int] = {
    ("compromiso.call_closing", ""): 2, ("compromiso.call_open", ""): 4, ("compromiso.report", ""): 1,
    ("council.acta_review", ""): 8, ("council.session_soon", ""): 9,
    ("elections.voting_closing", ""): 19, ("elections.voting_open", ""): 19, ("registry.observed", ""): 3,
    ("registry.vigencia", "0d"): 33, ("registry.vigencia", "30d"): 34, ("registry.vigencia", "7d"): 34,
}
