"""Every SQL statement of the council domain (migrations/0120_council.sql, 0122_council_settings.sql;
docs/council.md).

The council itself (who is in office) comes from portal.elections_web.api, never from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal.council.rules import DEFAULT_RULES, CouncilRules, for_session
from portal.db import Database


def _make(cls: Any, row: Any) -> Any:
    return cls(**{k: row[k] for k in cls.__dataclass_fields__})


# ----- the council's rules -----

_RULES = "SELECT quorum_percent, absence_limit, comment_days FROM council_settings WHERE election_id = :e"
_RULES_LOCKED = _RULES + " FOR UPDATE"


async def council_rules(db: Database, election_id: int, *, lock: bool = False) -> CouncilRules:
    """The council's settings (council_settings); the defaults when it has none. `lock` (inside a
    transaction) first writes the defaults' row if missing, so two first changes queue on one row."""
    if lock:
        await db.execute("INSERT INTO council_settings (election_id) VALUES (:e) ON CONFLICT DO NOTHING",
                         {"e": election_id})
    row = await db.fetch_one(_RULES_LOCKED if lock else _RULES, {"e": election_id})
    return _make(CouncilRules, row) if row else DEFAULT_RULES


async def save_rules(db: Database, election_id: int, settings: CouncilRules, actor_id: int) -> None:
    await db.execute(
        """INSERT INTO council_settings (election_id, quorum_percent, absence_limit, comment_days, updated_by)
           VALUES (:e, :q, :a, :c, :by)
           ON CONFLICT (election_id) DO UPDATE SET quorum_percent = :q, absence_limit = :a, comment_days = :c,
                                                   updated_by = :by, updated_at = now()""",
        {"e": election_id, "q": settings.quorum_percent, "a": settings.absence_limit, "c": settings.comment_days,
         "by": actor_id})


# ----- sessions -----

@dataclass(frozen=True)
class Session:
    id: int
    election_id: int
    kind: str
    starts_at: datetime
    minutes: int
    place: str
    online_url: str
    status: str
    in_office: int | None
    quorum_percent: int | None  # the quorum share in force when it opened (None: not opened yet)
    convened_at: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None


_SESSION = """id, election_id, kind, starts_at, minutes, place, online_url, status, in_office, quorum_percent,
              convened_at, opened_at, closed_at"""


async def create_session(db: Database, election_id: int, values: dict[str, Any], actor_id: int) -> int:
    value = await db.fetch_val(
        """INSERT INTO council_sessions (election_id, kind, starts_at, minutes, place, online_url, created_by)
           VALUES (:e, :kind, :starts_at, :minutes, :place, :online_url, :by) RETURNING id""",
        {"e": election_id, "kind": values["kind"], "starts_at": values["starts_at"], "minutes": values["minutes"],
         "place": values["place"], "online_url": values["online_url"], "by": actor_id})
    return int(value)


async def get_session(db: Database, session_id: int, *, lock: bool = False) -> Session | None:
    row = await db.fetch_one(
        f"SELECT {_SESSION} FROM council_sessions WHERE id = :id" + (" FOR UPDATE" if lock else ""),  # noqa: S608 (only constant clauses are interpolated; values are parameters)
        {"id": session_id})
    return _make(Session, row) if row else None


async def sessions_of(db: Database, election_id: int) -> list[Session]:
    """Every session of a council, oldest first."""
    rows = await db.fetch_all(
        f"SELECT {_SESSION} FROM council_sessions WHERE election_id = :e ORDER BY starts_at, id",  # noqa: S608 (only constant clauses are interpolated; values are parameters)
        {"e": election_id})
    return [_make(Session, r) for r in rows]


async def session_rules(db: Database, session: Session) -> CouncilRules:
    """The rules a session runs under: the council's, with the quorum share fixed when it opened."""
    return for_session(await council_rules(db, session.election_id), session.quorum_percent)


async def open_session(db: Database, session_id: int, member_ids: list[int]) -> None:
    """One attendance row per member in office, to be recorded during the session."""
    await db.execute(
        """INSERT INTO council_attendance (session_id, member_id)
           SELECT :s, unnest(CAST(:m AS bigint[])) ON CONFLICT DO NOTHING""", {"s": session_id, "m": member_ids})


# ----- agenda -----

@dataclass(frozen=True)
class AgendaItem:
    id: int
    session_id: int
    position: int
    title: str
    file_id: str | None


async def add_item(db: Database, session_id: int, title: str, file_id: str | None) -> int:
    value = await db.fetch_val(
        """INSERT INTO council_agenda_items (session_id, position, title, file_id)
           VALUES (:s, (SELECT coalesce(max(position), 0) + 1 FROM council_agenda_items WHERE session_id = :s),
                   :title, CAST(:f AS uuid)) RETURNING id""",
        {"s": session_id, "title": title, "f": file_id})
    return int(value)


async def items(db: Database, session_ids: list[int]) -> dict[int, list[AgendaItem]]:
    rows = await db.fetch_all(
        """SELECT id, session_id, position, title, file_id::text AS file_id FROM council_agenda_items
           WHERE session_id = ANY(CAST(:s AS bigint[])) ORDER BY session_id, position""", {"s": session_ids})
    out: dict[int, list[AgendaItem]] = {sid: [] for sid in session_ids}
    for r in rows:
        out[r["session_id"]].append(_make(AgendaItem, r))
    return out


async def get_item(db: Database, session_id: int, item_id: int) -> AgendaItem | None:
    row = await db.fetch_one(
        """SELECT id, session_id, position, title, file_id::text AS file_id FROM council_agenda_items
           WHERE id = :i AND session_id = :s""", {"i": item_id, "s": session_id})
    return _make(AgendaItem, row) if row else None


# ----- attendance -----

async def attendance(db: Database, session_id: int) -> dict[int, str]:
    """member id → status, for one session."""
    rows = await db.fetch_all("SELECT member_id, status FROM council_attendance WHERE session_id = :s",
                              {"s": session_id})
    return {int(r["member_id"]): r["status"] for r in rows}


async def set_attendance(db: Database, session_id: int, marks: dict[int, str], actor_id: int) -> int:
    """Record each member's status; returns how many rows changed (members of the session only)."""
    changed = 0
    for member_id, status in marks.items():
        changed += int(await db.fetch_val(
            """WITH u AS (UPDATE council_attendance SET status = :st, recorded_at = now(), recorded_by = :by
                          WHERE session_id = :s AND member_id = :m AND status <> :st RETURNING 1)
               SELECT count(*) FROM u""", {"s": session_id, "m": member_id, "st": status, "by": actor_id}))
    return changed


async def close_pending(db: Database, session_id: int) -> None:
    """Whoever was not recorded by the close is absent without excuse."""
    await db.execute("""UPDATE council_attendance SET status = 'absent', recorded_at = now()
                        WHERE session_id = :s AND status = 'pending'""", {"s": session_id})


async def histories(db: Database, election_id: int) -> dict[int, list[tuple[int, str]]]:
    """member id → [(session id, status)] over the council's closed sessions, oldest first."""
    rows = await db.fetch_all(
        """SELECT a.member_id, a.session_id, a.status FROM council_attendance a
           JOIN council_sessions s ON s.id = a.session_id
           WHERE s.election_id = :e AND s.status = 'closed' ORDER BY s.starts_at, s.id""", {"e": election_id})
    out: dict[int, list[tuple[int, str]]] = {}
    for r in rows:
        out.setdefault(int(r["member_id"]), []).append((int(r["session_id"]), r["status"]))
    return out


async def member_sessions(db: Database, member_ids: list[int]) -> list[dict[str, Any]]:
    """Each session the members were called to, with their status, newest first."""
    rows = await db.fetch_all(
        """SELECT a.member_id, a.status, s.id AS session_id, s.starts_at, s.kind FROM council_attendance a
           JOIN council_sessions s ON s.id = a.session_id
           WHERE a.member_id = ANY(CAST(:m AS bigint[])) ORDER BY s.starts_at DESC""", {"m": member_ids})
    return [dict(r) for r in rows]


# ----- agreements and the presidency -----

@dataclass(frozen=True)
class Agreement:
    id: int
    session_id: int
    number: int
    text: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    present: int
    adopted: bool


async def agreements(db: Database, session_id: int) -> list[Agreement]:
    rows = await db.fetch_all(
        """SELECT id, session_id, number, text, votes_for, votes_against, votes_abstain, present, adopted
           FROM council_agreements WHERE session_id = :s ORDER BY number""", {"s": session_id})
    return [_make(Agreement, r) for r in rows]


async def add_agreement(db: Database, session_id: int, text: str, votes: tuple[int, int, int], present: int,
                        adopted: bool, actor_id: int) -> int:
    value = await db.fetch_val(
        """INSERT INTO council_agreements (session_id, number, text, votes_for, votes_against, votes_abstain,
                                           present, adopted, recorded_by)
           VALUES (:s, (SELECT coalesce(max(number), 0) + 1 FROM council_agreements WHERE session_id = :s),
                   :text, :f, :a, :x, :present, :adopted, :by) RETURNING number""",
        {"s": session_id, "text": text, "f": votes[0], "a": votes[1], "x": votes[2], "present": present,
         "adopted": adopted, "by": actor_id})
    return int(value)


@dataclass(frozen=True)
class Presidency:
    election_id: int
    session_id: int
    president_id: int
    president_votes: int
    vice_president_id: int
    vice_votes: int
    present: int


async def presidency(db: Database, election_id: int) -> Presidency | None:
    row = await db.fetch_one(
        """SELECT election_id, session_id, president_id, president_votes, vice_president_id, vice_votes, present
           FROM council_presidency WHERE election_id = :e""", {"e": election_id})
    return _make(Presidency, row) if row else None


async def add_presidency(db: Database, p: Presidency, actor_id: int) -> None:
    await db.execute(
        """INSERT INTO council_presidency (election_id, session_id, president_id, president_votes,
                                           vice_president_id, vice_votes, present, recorded_by)
           VALUES (:e, :s, :p, :pv, :v, :vv, :present, :by)""",
        {"e": p.election_id, "s": p.session_id, "p": p.president_id, "pv": p.president_votes,
         "v": p.vice_president_id, "vv": p.vice_votes, "present": p.present, "by": actor_id})


# ----- actas -----

@dataclass(frozen=True)
class Acta:
    id: int
    session_id: int
    status: str
    body: str
    comments_until: date | None
    approved_in_session: int | None
    sha256: str | None
    file_id: str | None
    finalized_at: datetime | None


_ACTA = """id, session_id, status, body, comments_until, approved_in_session, sha256, file_id::text AS file_id,
           finalized_at"""


async def acta_of(db: Database, session_id: int) -> Acta | None:
    row = await db.fetch_one(f"SELECT {_ACTA} FROM council_actas WHERE session_id = :s", {"s": session_id})  # noqa: S608 (only constant clauses are interpolated; values are parameters)
    return _make(Acta, row) if row else None


async def actas_of(db: Database, session_ids: list[int]) -> dict[int, Acta]:
    rows = await db.fetch_all(f"SELECT {_ACTA} FROM council_actas WHERE session_id = ANY(CAST(:s AS bigint[]))",  # noqa: S608 (only constant clauses are interpolated; values are parameters)
                              {"s": session_ids})
    return {int(r["session_id"]): _make(Acta, r) for r in rows}


async def get_acta(db: Database, acta_id: int) -> Acta | None:
    row = await db.fetch_one(f"SELECT {_ACTA} FROM council_actas WHERE id = :id", {"id": acta_id})  # noqa: S608 (only constant clauses are interpolated; values are parameters)
    return _make(Acta, row) if row else None


async def save_acta(db: Database, session_id: int, body: str, actor_id: int) -> int:
    """Write the draft (a final acta is refused by the database's trigger)."""
    value = await db.fetch_val(
        """INSERT INTO council_actas (session_id, body, updated_by) VALUES (:s, :b, :by)
           ON CONFLICT (session_id) DO UPDATE SET body = :b, updated_by = :by, updated_at = now()
           RETURNING id""", {"s": session_id, "b": body, "by": actor_id})
    return int(value)


@dataclass(frozen=True)
class Comment:
    id: int
    acta_id: int
    member_id: int
    author_name: str
    kind: str
    body: str
    created_at: datetime


async def comments(db: Database, acta_id: int) -> list[Comment]:
    rows = await db.fetch_all(
        """SELECT c.id, c.acta_id, c.member_id, u.name AS author_name, c.kind, c.body, c.created_at
           FROM council_acta_comments c JOIN users u ON u.id = c.author_id WHERE c.acta_id = :a ORDER BY c.id""",
        {"a": acta_id})
    return [_make(Comment, r) for r in rows]


async def add_comment(db: Database, acta_id: int, member_id: int, author_id: int, kind: str, body: str) -> int:
    value = await db.fetch_val(
        """INSERT INTO council_acta_comments (acta_id, member_id, author_id, kind, body)
           VALUES (:a, :m, :u, :k, :b) RETURNING id""",
        {"a": acta_id, "m": member_id, "u": author_id, "k": kind, "b": body})
    return int(value)


# ----- vacancy proposals -----

@dataclass(frozen=True)
class Proposal:
    id: int
    election_id: int
    member_id: int
    session_id: int
    status: str
    reason: str | None
    replacement_id: int | None
    absences: int | None  # the run of unexcused absences that made it (None: made before it was kept)
    created_at: datetime


_PROPOSAL = "id, election_id, member_id, session_id, status, reason, replacement_id, absences, created_at"


async def proposals(db: Database, election_id: int) -> list[Proposal]:
    rows = await db.fetch_all(
        f"SELECT {_PROPOSAL} FROM council_vacancy_proposals WHERE election_id = :e ORDER BY status <> 'proposed', id DESC",  # noqa: S608 (only constant clauses are interpolated; values are parameters)
        {"e": election_id})
    return [_make(Proposal, r) for r in rows]


async def get_proposal(db: Database, proposal_id: int) -> Proposal | None:
    row = await db.fetch_one(f"SELECT {_PROPOSAL} FROM council_vacancy_proposals WHERE id = :id",  # noqa: S608 (only constant clauses are interpolated; values are parameters)
                             {"id": proposal_id})
    return _make(Proposal, row) if row else None


async def propose(db: Database, election_id: int, member_id: int, session_id: int, absences: int) -> int | None:
    """A proposal for this member unless one is already waiting; returns its id (None: nothing new)."""
    value = await db.fetch_val(
        """INSERT INTO council_vacancy_proposals (election_id, member_id, session_id, absences)
           SELECT :e, :m, :s, :n WHERE NOT EXISTS (SELECT 1 FROM council_vacancy_proposals
                                                    WHERE member_id = :m AND status = 'proposed')
           ON CONFLICT DO NOTHING RETURNING id""", {"e": election_id, "m": member_id, "s": session_id, "n": absences})
    return int(value) if value is not None else None


async def set_replacement(db: Database, proposal_id: int, replacement_id: int | None) -> None:
    await db.execute("UPDATE council_vacancy_proposals SET replacement_id = :r WHERE id = :id",
                     {"r": replacement_id, "id": proposal_id})
