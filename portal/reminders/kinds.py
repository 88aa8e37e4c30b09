"""The registry of reminder kinds: the extension point for every programme's deadlines.

A kind says whom to remind of what and when: its `find` reads the deadlines that still matter
(the action not done, the subject not withdrawn) and returns one `Due` per recipient. A topic groups
kinds for people's choices (/cuenta/recordatorios) and for the one-click unsubscribe.

Adding kinds for a new domain (the council: "session in 48 h", "draft acta to review"):

    from portal.reminders.kinds import Due, Finder, Kind, Topic, register_kind, register_topic

    register_topic(Topic("council_sessions", N_("Sesiones del Consejo")))
    register_kind(Kind("council.session", "council_sessions", find_sessions,
                       subject=N_("Sesión del Consejo: %(label)s"),
                       body=N_("La sesión «%(label)s» es el %(deadline)s. …")))

where `find_sessions(db, context)` returns the `Due` list, with its SQL in that module's queries.
The module must be imported by `portal.reminders.tasks` (add it to `KIND_MODULES` there).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from portal.db import Database
from portal.reminders.timing import Timing


@dataclass(frozen=True)
class Context:
    """What a finder needs: the moment (from portal.clock), the timing settings, the planning horizon."""

    now: datetime
    timing: Timing

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def horizon_end(self) -> datetime:
        return self.now + self.timing.horizon

    def plannable(self, send_at: datetime, until: datetime) -> bool:
        """Worth planning now: due within the horizon and not yet too late."""
        return send_at <= self.horizon_end and self.now < until


@dataclass(frozen=True)
class Due:
    """One reminder for one person: the unique key is (kind, step, user, subject, deadline)."""

    kind: str
    user_id: int
    subject_type: str
    subject_id: str
    deadline: datetime
    send_at: datetime
    until: datetime
    label: str
    link: str
    step: str = ""
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, int, str, str, datetime]:
        return key(self.kind, self.step, self.user_id, self.subject_type, self.subject_id, self.deadline)


def key(kind: str, step: str, user_id: int, subject_type: str, subject_id: str,
        deadline: datetime) -> tuple[str, str, int, str, str, datetime]:
    """The unique key, its instant in UTC: an aware time in a daylight-saving gap (Chile's midnight on the
    first Sunday of September) compares unequal to the same instant in another zone (PEP 495)."""
    return (kind, step, user_id, subject_type, subject_id, deadline.astimezone(UTC))


Finder = Callable[[Database, Context], Awaitable[list[Due]]]


@dataclass(frozen=True)
class Topic:
    code: str
    label: str          # Spanish, marked with N_; translated where shown
    programme: str = ""  # heading it is grouped under on the preferences page


@dataclass(frozen=True)
class Kind:
    code: str
    topic: str
    find: Finder
    subject: str        # email subject, N_-marked, with %(label)s
    body: str           # email text, N_-marked, with %(label)s, %(deadline)s and any of the Due's facts
    title: str = ""     # short name for staff (N_-marked)


TOPICS: dict[str, Topic] = {}
KINDS: dict[str, Kind] = {}


def register_topic(topic: Topic) -> Topic:
    TOPICS[topic.code] = topic
    return topic


def register_kind(kind: Kind) -> Kind:
    if kind.topic not in TOPICS:
        raise ValueError(f"reminder kind {kind.code}: unknown topic {kind.topic!r} (register_topic first)")
    KINDS[kind.code] = kind
    return kind
