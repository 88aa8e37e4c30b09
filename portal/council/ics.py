"""The council's calendar in iCalendar (RFC 5545), built with the `icalendar` library: one file per
session and one feed for the council (docs/council.md, Calendar).

Times are written in UTC (every calendar converts them to the reader's zone); the page shows them in
Chile's time zone. A session appears once it is convened; its UID never changes, so calendars that
subscribed to the feed update it in place.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from portal.council import rules
from portal.council.queries import Session
from portal.i18n import gettext as _

PRODID = "-//SERMIG//Portal Participa consejo//ES"


def calendar(sessions: list[Session], base_url: str, now: datetime) -> bytes:
    """A VCALENDAR with one VEVENT per convened, running or held session."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Consejo de la Sociedad Civil — sesiones"))
    cal.add("x-wr-timezone", "America/Santiago")
    for s in sessions:
        if s.status != rules.DRAFT:
            cal.add_component(_event(s, base_url, now))
    return cal.to_ical()


def _event(s: Session, base_url: str, now: datetime) -> Event:
    event = Event()
    host = base_url.split("://", 1)[-1].split("/", 1)[0] or "participa"
    event.add("uid", f"consejo-sesion-{s.id}@{host}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", s.starts_at.astimezone(UTC))
    event.add("dtend", (s.starts_at + timedelta(minutes=s.minutes)).astimezone(UTC))
    event.add("summary", _("Sesión %(kind)s del Consejo de la Sociedad Civil", kind=_(rules.KINDS[s.kind]).lower()))
    event.add("location", s.place or s.online_url)
    url = f"{base_url.rstrip('/')}/consejo/sesiones/{s.id}"
    event.add("url", url)
    lines = [url] + ([_("Enlace de la reunión: %(url)s", url=s.online_url)] if s.online_url else [])
    event.add("description", "\n".join(lines))
    event.add("status", "CONFIRMED")
    return event
