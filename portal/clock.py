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

def _system() -> datetime:
    return datetime.now(UTC)


# The clock's source, in a one-element list so that frozen()/set_source() swap it in place.
_source: list[Callable[[], datetime]] = [_system]


def now() -> datetime:
    """The current instant, aware, in Chile's time zone."""
    return _source[0]().astimezone(TZ)


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
    if moment.tzinfo is None:
        raise ValueError("frozen() needs an aware datetime")
    before = set_source(lambda: moment)
    try:
        yield
    finally:
        set_source(before)


def set_source(source: Callable[[], datetime]) -> Callable[[], datetime]:
    """Replace the clock's source (a simulation advancing time); returns the previous one."""
    before, _source[0] = _source[0], source
    return before
