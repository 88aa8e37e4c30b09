"""The one clock: every "now", "today" and deadline in Chile's time zone (America/Santiago).

Deadlines in the portal are Chilean calendar days; a server whose clock runs in UTC would judge them
a day early or late for three or four hours each night. Every view, query parameter and rule asks
this module, never `date.today()`, `datetime.now()` or the database's `current_date` (connections
are also set to this time zone, for what the database stamps itself). Tests freeze it with `frozen()`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date, datetime, UTC
from zoneinfo import ZoneInfo

TZ_NAME = "America/Santiago"
TZ = ZoneInfo(TZ_NAME)

_source: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731 (swapped by frozen())


def now() -> datetime:
    """The current instant, aware, in Chile's time zone."""
    return _source().astimezone(TZ)


def today() -> date:
    """Today's date in Chile (not the server's)."""
    return now().date()


def local(moment: datetime) -> datetime:
    """An aware instant shown in Chile's time zone (a naive one is taken as UTC, as PostgreSQL stores it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ)


def at_chile(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in Chile as an aware instant (DST rules from the tz database)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


@contextlib.contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    """Run with the clock stopped at `moment` (aware); for tests and simulations."""
    global _source
    if moment.tzinfo is None:
        raise ValueError("frozen() needs an aware datetime")
    before = _source
    _source = lambda: moment  # noqa: E731
    try:
        yield
    finally:
        _source = before


def set_source(source: Callable[[], datetime]) -> Callable[[], datetime]:
    """Replace the clock's source (a simulation advancing time); returns the previous one."""
    global _source
    before, _source = _source, source
    return before
