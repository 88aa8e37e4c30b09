"""Every SQL statement of the reminders: read-only reads of the domains' deadlines (the reminders
service changes no domain's data), and the reminders' own tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal.db import Database, Row, to_dataclasses
from portal.where import Where

PAGE_SIZE = 50
ACTIVE_USER = "JOIN users u ON u.id = r.user_id AND u.is_active"
ORG_LABEL = "COALESCE(NULLIF(o.short_name, ''), o.legal_name)"
# Registered now, and not waiting for a renewal (asking for one is the action a vigencia reminder asks for).
REGISTERED_NOT_RENEWING = ("(o.status = 'approved' OR (o.status IN ('submitted', 'in_review', 'observed') "
                           "AND o.review_kind = 'category_change'))")


# ---- the domains' deadlines (docs/registry.md, docs/sello.md, docs/compromiso.md, docs/elections.md) ----

async def vigencias_ending(db: Database, first: date, last: date) -> list[Row]:
    """Representatives of registered organizations whose vigencia ends between `first` and `last`."""
    return await db.fetch_all(
        f"""SELECT o.id, {ORG_LABEL} AS label, o.vigencia_expires_on AS day, r.user_id
            FROM organizations o JOIN org_representatives r ON r.org_id = o.id {ACTIVE_USER}
            WHERE {REGISTERED_NOT_RENEWING} AND o.vigencia_expires_on BETWEEN :first AND :last
            ORDER BY o.id, r.user_id""",  # noqa: S608 (only constant fragments are interpolated)
        {"first": first, "last": last})


async def observed_applications(db: Database) -> list[Row]:
    """Representatives of organizations waiting on their answer to an observation, with its moment."""
    return await db.fetch_all(
        f"""SELECT o.id, {ORG_LABEL} AS label, r.user_id,
                   (SELECT max(e.at) FROM org_events e WHERE e.org_id = o.id AND e.kind = 'observed') AS observed_at
            FROM organizations o JOIN org_representatives r ON r.org_id = o.id {ACTIVE_USER}
            WHERE o.status = 'observed' ORDER BY o.id, r.user_id""")  # noqa: S608 (constant fragments only)


async def lapsing_before_cutoff(db: Database, first: date, last: date) -> list[Row]:
    """For each election whose padrón cut-off is between `first` and `last` and still ahead, the
    representatives of registered organizations whose vigencia ends before that cut-off."""
    return await db.fetch_all(
        f"""SELECT e.id AS election_id, e.padron_cutoff AS day, o.id, {ORG_LABEL} AS label, r.user_id,
                   o.vigencia_expires_on
            FROM elections e
            JOIN organizations o ON {REGISTERED_NOT_RENEWING} AND o.vigencia_expires_on < e.padron_cutoff
            JOIN org_representatives r ON r.org_id = o.id {ACTIVE_USER}
            WHERE e.phase IN ('draft', 'call_open') AND e.padron_cutoff BETWEEN :first AND :last
            ORDER BY e.id, o.id, r.user_id""",  # noqa: S608 (only constant fragments are interpolated)
        {"first": first, "last": last})


async def sello_certifications_ending(db: Database, first: date, last: date) -> list[Row]:
    """Liaisons of municipalities whose certification ends between `first` and `last` and that have not
    asked for a revalidation (an open evaluation changes the status)."""
    return await db.fetch_all(
        """SELECT a.comuna_code AS id, c.name AS label, a.valid_until AS day, r.user_id
           FROM sello_adhesions a JOIN comunas c ON c.code = a.comuna_code
           JOIN sello_liaisons r ON r.comuna_code = a.comuna_code
           JOIN users u ON u.id = r.user_id AND u.is_active
           WHERE a.status IN ('certified', 'implementing') AND a.valid_until BETWEEN :first AND :last
           ORDER BY a.comuna_code, r.user_id""",
        {"first": first, "last": last})


async def compromiso_contacts(db: Database, year: int) -> list[Row]:
    """Contacts of every adhered organization, with the state of its cycle for `year` (NULL: none yet)."""
    return await db.fetch_all(
        """SELECT co.id, co.name AS label, r.user_id, cy.status
           FROM compromiso_companies co JOIN compromiso_contacts r ON r.company_id = co.id
           JOIN users u ON u.id = r.user_id AND u.is_active
           LEFT JOIN compromiso_cycles cy ON cy.company_id = co.id AND cy.year = :year
           WHERE co.adhered_on IS NOT NULL ORDER BY co.id, r.user_id""",
        {"year": year})


@dataclass(frozen=True)
class ElectionDates:
    id: int
    name: str
    phase: str
    padron_cutoff: date | None
    padron_claims_until: date | None
    candidacies_until: date | None
    voting_starts_at: datetime | None
    voting_ends_at: datetime | None
    results_claims_until: date | None
    tallied_at: datetime | None


async def elections(db: Database, phases: tuple[str, ...]) -> list[ElectionDates]:
    rows = await db.fetch_all(
        """SELECT e.id, e.name, e.phase, e.padron_cutoff, e.padron_claims_until, e.candidacies_until,
                  e.voting_starts_at, e.voting_ends_at, e.results_claims_until, r.tallied_at
           FROM elections e LEFT JOIN election_results r ON r.election_id = e.id
           WHERE e.phase = ANY(:phases) ORDER BY e.id""",
        {"phases": list(phases)})
    return to_dataclasses(ElectionDates, rows)


async def council_sessions_starting(db: Database, election_id: int, first: datetime, last: datetime) -> list[Row]:
    """The council's convened sessions starting between `first` and `last` (docs/council.md, Sessions)."""
    return await db.fetch_all(
        """SELECT id, starts_at FROM council_sessions
           WHERE election_id = :e AND status = 'convened' AND starts_at BETWEEN :first AND :last ORDER BY id""",
        {"e": election_id, "first": first, "last": last})


async def organization_representatives(db: Database, org_ids: list[int]) -> list[Row]:
    """Representatives of the organizations (withdrawn ones left out): they act for a councillor."""
    return await db.fetch_all(
        f"""SELECT o.id, {ORG_LABEL} AS label, r.user_id
            FROM organizations o JOIN org_representatives r ON r.org_id = o.id {ACTIVE_USER}
            WHERE o.id = ANY(CAST(:orgs AS bigint[])) AND o.status <> 'withdrawn'
            ORDER BY o.id, r.user_id""",  # noqa: S608 (only constant fragments are interpolated)
        {"orgs": org_ids})


async def actas_to_review(db: Database, today: date) -> list[Row]:
    """For each circulated acta whose comment deadline is not past, the representatives of each
    councillor present at its session who has not commented yet (docs/council.md, Actas)."""
    return await db.fetch_all(
        f"""SELECT a.id, a.comments_until AS day, a.updated_at AS circulated_at, s.starts_at AS session,
                   {ORG_LABEL} AS label, r.user_id
            FROM council_actas a JOIN council_sessions s ON s.id = a.session_id
            JOIN council_attendance t ON t.session_id = a.session_id AND t.status = 'present'
            JOIN candidates c ON c.id = t.member_id JOIN organizations o ON o.id = c.org_id
            JOIN org_representatives r ON r.org_id = c.org_id {ACTIVE_USER}
            WHERE a.status = 'circulated' AND a.comments_until >= :today
              AND NOT EXISTS (SELECT 1 FROM council_acta_comments k WHERE k.acta_id = a.id AND k.member_id = t.member_id)
            ORDER BY a.id, o.id, r.user_id""",  # noqa: S608 (only constant fragments are interpolated)
        {"today": today})


async def padron_representatives(db: Database, election_id: int, *, not_voted: bool = False,
                                 without_candidacy: bool = False) -> list[Row]:
    """Representatives of the election's padrón organizations (withdrawn ones left out). With
    `not_voted`, only organizations with no has-voted row: nothing of any ballot is read."""
    return await db.fetch_all(
        f"""SELECT p.org_id AS id, {ORG_LABEL} AS label, r.user_id
            FROM padron_entries p JOIN organizations o ON o.id = p.org_id AND o.status <> 'withdrawn'
            JOIN org_representatives r ON r.org_id = p.org_id {ACTIVE_USER}
            WHERE p.election_id = :election
              AND (NOT :not_voted OR NOT EXISTS (SELECT 1 FROM voters v
                                                 WHERE v.election_id = p.election_id AND v.org_id = p.org_id))
              AND (NOT :without OR NOT EXISTS (SELECT 1 FROM candidates c
                                               WHERE c.election_id = p.election_id AND c.org_id = p.org_id))
            ORDER BY p.org_id, r.user_id""",  # noqa: S608 (only constant fragments are interpolated)
        {"election": election_id, "not_voted": not_voted, "without": without_candidacy})


async def registered_representatives(db: Database) -> list[Row]:
    """Representatives of every registered organization (the padrón's claims are open to all of them)."""
    return await db.fetch_all(
        f"""SELECT o.id, {ORG_LABEL} AS label, r.user_id
            FROM organizations o JOIN org_representatives r ON r.org_id = o.id {ACTIVE_USER}
            WHERE o.status = 'approved' OR (o.status IN ('submitted', 'in_review', 'observed')
                                            AND o.review_kind <> 'registration')
            ORDER BY o.id, r.user_id""")  # noqa: S608 (only constant fragments are interpolated)


# ---- the reminders' own tables ----

@dataclass(frozen=True)
class Planned:
    id: int
    kind: str
    step: str
    user_id: int
    subject_type: str
    subject_id: str
    deadline: datetime


async def scheduled(db: Database) -> list[Planned]:
    rows = await db.fetch_all(
        """SELECT id, kind, step, user_id, subject_type, subject_id, deadline FROM reminders
           WHERE status = 'scheduled' ORDER BY id FOR UPDATE SKIP LOCKED""")
    return to_dataclasses(Planned, rows)


_PLANNED_COLUMNS = {"kind": "text", "step": "text", "user_id": "bigint", "subject_type": "text", "subject_id": "text",
                   "deadline": "timestamptz", "send_at": "timestamptz", "until": "timestamptz", "language": "text",
                   "label": "text"}


async def plan_all(db: Database, rows: list[dict[str, Any]]) -> None:
    """Plan many reminders in one statement (one array per column): a run at 10,000 organizations finds
    tens of thousands of due reminders, and one INSERT each took minutes. A reminder whose key (kind, step,
    user, subject, deadline) exists in any state is left alone (reminders_once)."""
    if not rows:
        return
    arrays = ", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in _PLANNED_COLUMNS.items())
    await db.execute(
        f"""INSERT INTO reminders ({", ".join(_PLANNED_COLUMNS)})
            SELECT * FROM unnest({arrays})
            ON CONFLICT ON CONSTRAINT reminders_once DO NOTHING""",  # noqa: S608 (only constant column names)
        {name: [row[name] for row in rows] for name in _PLANNED_COLUMNS})


async def skip(db: Database, reminder_id: int, reason: str, now: datetime) -> None:
    await db.execute(
        """UPDATE reminders SET status = 'skipped', skip_reason = :reason, decided_at = :now
           WHERE id = :id AND status = 'scheduled'""",
        {"id": reminder_id, "reason": reason, "now": now})


@dataclass(frozen=True)
class Outgoing:
    id: int
    kind: str
    step: str
    user_id: int
    subject_type: str
    subject_id: str
    deadline: datetime
    until: datetime
    language: str
    label: str
    email: str


async def due(db: Database, now: datetime, limit: int) -> list[Outgoing]:
    """Scheduled reminders whose time has come, locked for this transaction (others skip them)."""
    rows = await db.fetch_all(
        """SELECT m.id, m.kind, m.step, m.user_id, m.subject_type, m.subject_id, m.deadline, m.until,
                  m.language, m.label, u.email
           FROM reminders m JOIN users u ON u.id = m.user_id
           WHERE m.status = 'scheduled' AND m.send_at <= :now
           ORDER BY m.send_at, m.id LIMIT :limit FOR UPDATE OF m SKIP LOCKED""",
        {"now": now, "limit": limit})
    return to_dataclasses(Outgoing, rows)


async def mark_sent(db: Database, reminder_id: int, now: datetime) -> None:
    await db.execute("UPDATE reminders SET status = 'sent', decided_at = :now WHERE id = :id",
                     {"id": reminder_id, "now": now})


async def languages(db: Database) -> dict[int, str]:
    """Each person's language for reminders: their choice here, else their account's."""
    rows = await db.fetch_all(
        """SELECT u.id, COALESCE(s.language, u.locale) AS language
           FROM users u LEFT JOIN reminder_settings s ON s.user_id = u.id""")
    return {r["id"]: r["language"] for r in rows}


async def optouts(db: Database) -> set[tuple[int, str]]:
    rows = await db.fetch_all("SELECT user_id, topic FROM reminder_optouts")
    return {(r["user_id"], r["topic"]) for r in rows}


async def user_optouts(db: Database, user_id: int) -> set[str]:
    rows = await db.fetch_all("SELECT topic FROM reminder_optouts WHERE user_id = :u", {"u": user_id})
    return {r["topic"] for r in rows}


async def opt_out(db: Database, user_id: int, topic: str) -> None:
    await db.execute("""INSERT INTO reminder_optouts (user_id, topic) VALUES (:u, :t)
                        ON CONFLICT DO NOTHING""", {"u": user_id, "t": topic})


async def set_optouts(db: Database, user_id: int, topics: set[str]) -> None:
    await db.execute("DELETE FROM reminder_optouts WHERE user_id = :u", {"u": user_id})
    for topic in sorted(topics):
        await opt_out(db, user_id, topic)


async def language_choice(db: Database, user_id: int) -> str | None:
    value: str | None = await db.fetch_val("SELECT language FROM reminder_settings WHERE user_id = :u",
                                           {"u": user_id})
    return value


async def set_language(db: Database, user_id: int, language: str | None) -> None:
    await db.execute("""INSERT INTO reminder_settings (user_id, language) VALUES (:u, :l)
                        ON CONFLICT (user_id) DO UPDATE SET language = EXCLUDED.language""",
                     {"u": user_id, "l": language})


async def user_exists(db: Database, user_id: int) -> bool:
    return bool(await db.fetch_val("SELECT EXISTS (SELECT 1 FROM users WHERE id = :u)", {"u": user_id}))


# ---- the staff page ----

@dataclass(frozen=True)
class Listed:
    id: int
    kind: str
    step: str
    status: str
    skip_reason: str | None
    send_at: datetime
    deadline: datetime
    decided_at: datetime | None
    label: str
    subject_type: str
    subject_id: str
    recipient: str
    email: str


def staff_filter(status: str | None, kind: str | None, start: date | None, end: date | None) -> Where:
    return (Where()
            .when(status, "m.status = :status", "status")
            .when(kind, "m.kind = :kind", "kind")
            .when(start, "m.send_at >= CAST(:start AS date)", "start")
            .when(end, "m.send_at < CAST(:end AS date) + 1", "end"))


async def staff_list(db: Database, where: Where, page: int) -> tuple[list[Listed], int]:
    sql = where.sql
    rows = await db.fetch_all(
        f"""SELECT m.id, m.kind, m.step, m.status, m.skip_reason, m.send_at, m.deadline, m.decided_at, m.label,
                   m.subject_type, m.subject_id, u.name AS recipient, u.email
            FROM reminders m JOIN users u ON u.id = m.user_id {sql}
            ORDER BY (m.status = 'scheduled') DESC,
                     CASE WHEN m.status = 'scheduled' THEN m.send_at END ASC, m.decided_at DESC NULLS LAST, m.id DESC
            LIMIT :limit OFFSET :offset""",  # noqa: S608 (only constant clauses are interpolated; values are parameters)
        {**where.params, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE})
    total = await db.fetch_val(f"SELECT count(*) FROM reminders m {sql}", where.params)  # noqa: S608 (as above)
    return to_dataclasses(Listed, rows), int(total or 0)


async def staff_counts(db: Database, where: Where) -> list[Row]:
    """How many reminders per kind and status, under the same filters."""
    return await db.fetch_all(
        f"""SELECT m.kind, m.status, count(*) AS n FROM reminders m {where.sql}
            GROUP BY m.kind, m.status ORDER BY m.kind, m.status""",  # noqa: S608 (constant clauses; values are parameters)
        where.params)


async def sent_counts(db: Database) -> dict[tuple[str, str], int]:
    """Sent reminders per (kind, step): for tests and the simulation."""
    rows = await db.fetch_all(
        "SELECT kind, step, count(*) AS n FROM reminders WHERE status = 'sent' GROUP BY kind, step")
    return {(r["kind"], r["step"]): r["n"] for r in rows}
