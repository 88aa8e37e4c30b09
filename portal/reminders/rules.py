"""Pure rules: working days in Chile, when a staged reminder is due, month-day dates.

Working days are Monday to Friday except Chile's public holidays, from the `holidays` package
(the Open World Holidays Framework, country "CL", national holidays).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache

import holidays

from portal import clock


@cache
def _chile(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("CL", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _chile(day.year)


def add_working_days(start: date, count: int) -> date:
    """The working day `count` working days after `start` (the day itself not counted)."""
    day = start
    left = count
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def at(day: date, hour: int = 0) -> datetime:
    """A day at `hour`, Chile's time."""
    return clock.at_chile(day, hour)


def end_of(day: date) -> datetime:
    """The instant a day ends in Chile (the next day's midnight)."""
    return clock.at_chile(day + timedelta(days=1))


def staged(deadline_day: date, offsets: tuple[int, ...], hour: int) -> list[tuple[str, datetime, datetime]]:
    """(step, send at, until) for reminders `offsets` days before the last day `deadline_day`: each is
    sent from its day until the next one's (the last until the day ends), so a runner that was down
    sends only the reminder that still matters."""
    ordered = sorted(set(offsets), reverse=True)
    sends = [at(deadline_day - timedelta(days=n), hour) for n in ordered]
    untils = [*sends[1:], end_of(deadline_day)]
    return [(f"{n}d", send, until) for n, send, until in zip(ordered, sends, untils, strict=True)]


def month_day(year: int, text: str) -> date:
    """"12-31" in `year` (29 February in a common year: 28 February)."""
    month, day = (int(part) for part in text.split("-"))
    try:
        return date(year, month, day)
    except ValueError:
        return date(year, month, day - 1)


def clock_day(moment: datetime) -> date:
    """The day in Chile of a stored instant."""
    return clock.local(moment).date()
