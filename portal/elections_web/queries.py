"""Elections, their append-only log, phase facts, candidacies and turnout: SQL with named parameters
(the padrón's is in padron_queries.py, the vote's in vote_queries.py, the count's in count_queries.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal import clock
from portal.db import Database, as_dict, as_dicts, to_dataclass, to_dataclasses
from portal.elections_web import phases
from portal.i18n import gettext as _
from portal.where import Where

SETTINGS_FIELDS = ("name", "term_start", "term_end", "seats_a", "seats_b", "seats_c", "territorial_share",
                   "gender_share", "call_on", "padron_cutoff", "padron_claims_until", "candidacies_from",
                   "candidacies_until", "voting_starts_at", "voting_ends_at", "results_claims_until",
                   "proclamation_on")
RULE_FIELDS = ("seats_a", "seats_b", "seats_c", "territorial_share", "gender_share")


@dataclass
class Election:
    """One COSOC election: settings, calendar, phase and what was frozen along the way."""

    id: int
    name: str
    term_start: date
    term_end: date
    seats_a: int
    seats_b: int
    seats_c: int
    territorial_share: str
    gender_share: str
    phase: str
    call_on: date | None
    padron_cutoff: date | None
    padron_claims_until: date | None
    candidacies_from: date | None
    candidacies_until: date | None
    voting_starts_at: datetime | None
    voting_ends_at: datetime | None
    results_claims_until: date | None
    proclamation_on: date | None
    padron_sha256: str | None
    padron_size: Any
    lottery_seed: str | None
    lottery_order: Any
    sorteo_fixed_at: datetime | None
    acta_file: Any
    created_at: datetime

    def __post_init__(self) -> None:
        # jsonb arrives as text through `databases`
        if isinstance(self.padron_size, str):
            self.padron_size = json.loads(self.padron_size)
        if isinstance(self.lottery_order, str):
            self.lottery_order = json.loads(self.lottery_order)

    @property
    def seats(self) -> dict[str, int]:
        return {"A": self.seats_a, "B": self.seats_b, "C": self.seats_c}

    @property
    def rules(self) -> dict[str, str]:
        """The quota rules as `elections.Rules.from_dict` reads them."""
        return {"territorial_share": self.territorial_share, "gender_share": self.gender_share}

    @property
    def bulletin_id(self) -> str:
        """The election id written in tracking codes and the bulletin."""
        return str(self.id)

    @property
    def phase_label(self) -> str:
        return phases.PHASE_LABELS[self.phase]


_COLUMNS = ", ".join(f.name for f in Election.__dataclass_fields__.values())


async def list_elections(db: Database, *, public_only: bool = False) -> list[Election]:
    """Every election, newest first (public lists skip drafts)."""
    where = Where("phase <> 'draft'") if public_only else Where()
    rows = await db.fetch_all(f"SELECT {_COLUMNS} FROM elections {where.sql} ORDER BY term_start DESC, id DESC")  # noqa: S608 (only constant clauses are interpolated; values are parameters)
    return to_dataclasses(Election, rows)


async def get_election(db: Database, election_id: int, *, lock: bool = False) -> Election | None:
    """One election (FOR UPDATE inside a transaction when `lock`)."""
    suffix = " FOR UPDATE" if lock else ""
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM elections WHERE id = :id{suffix}",  # noqa: S608 (only constant clauses are interpolated; values are parameters)
                             {"id": election_id})
    return to_dataclass(Election, row)


async def create_election(db: Database, values: dict[str, Any]) -> int:
    """Insert an election in draft; returns its id."""
    cols = [f for f in SETTINGS_FIELDS if f in values]
    # column names come from SETTINGS_FIELDS (constants); values are parameters
    sql = f"INSERT INTO elections ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)}) RETURNING id"  # noqa: S608 (column names are constants; values are parameters)
    election_id: int = await db.fetch_val(sql, {c: values[c] for c in cols})
    return election_id


async def update_election(db: Database, election_id: int, values: dict[str, Any]) -> None:
    """Update the given settings (only names from SETTINGS_FIELDS)."""
    cols = [f for f in SETTINGS_FIELDS if f in values]
    if not cols:
        return
    sets = ", ".join(f"{c} = :{c}" for c in cols)
    await db.execute(f"UPDATE elections SET {sets}, updated_at = now() WHERE id = :id",  # noqa: S608 (column names are constants; values are parameters)
                     {**{c: values[c] for c in cols}, "id": election_id})


async def log_event(db: Database, election_id: int, actor: Any, event: str, *, detail: Any = None,
                    from_phase: str | None = None, to_phase: str | None = None) -> None:
    """Append to the election's own log (docs/elections.md, Trail); call inside the change's transaction."""
    await db.execute(
        """INSERT INTO election_log (election_id, actor_id, actor_label, event, from_phase, to_phase, detail)
           VALUES (:e, :a, :l, :ev, :f, :t, CAST(:d AS jsonb))""",
        {"e": election_id, "a": getattr(actor, "id", None), "l": getattr(actor, "email", "system"),
         "ev": event, "f": from_phase, "t": to_phase,
         "d": None if detail is None else json.dumps(detail, default=str)})


async def proclamation_detail(db: Database, election_id: int) -> dict[str, Any]:
    """What the log recorded at the proclamation (the ministro de fe's name, the acta file)."""
    detail = await db.fetch_val(
        """SELECT detail::text FROM election_log WHERE election_id = :e AND to_phase = 'proclaimed'
           ORDER BY id DESC LIMIT 1""", {"e": election_id})
    return json.loads(detail) if detail else {}


async def set_acta(db: Database, election_id: int, file_id: str, proclaimed_on: date) -> None:
    """Attach the signed acta and the proclamation date."""
    await db.execute("UPDATE elections SET acta_file = CAST(:f AS uuid), proclamation_on = :d WHERE id = :e",
                     {"f": file_id, "d": proclaimed_on, "e": election_id})


async def council_election(db: Database) -> Election | None:
    """The election of the current council: the latest proclaimed or constituted one."""
    row = await db.fetch_one(
        f"""SELECT {_COLUMNS} FROM elections WHERE phase IN ('proclaimed', 'constituted')
            ORDER BY proclamation_on DESC NULLS LAST, id DESC LIMIT 1""")  # noqa: S608 (only constant clauses are interpolated; values are parameters)
    return to_dataclass(Election, row)


async def election_log(db: Database, election_id: int) -> list[dict[str, Any]]:
    """The election's log, oldest first."""
    rows = await db.fetch_all(
        """SELECT at, actor_label, event, from_phase, to_phase, detail::text AS detail
           FROM election_log WHERE election_id = :e ORDER BY id""", {"e": election_id})
    return as_dicts(rows)


async def facts(db: Database, e: Election) -> phases.Facts:
    """Counts the transition checks need, in one round trip."""
    found = await db.fetch_one(
        """SELECT
             (SELECT count(*) FROM padron_entries WHERE election_id = :e) AS padron_total,
             (SELECT count(*) FROM election_claims WHERE election_id = :e AND kind = 'padron'
                AND status = 'pending') AS padron_pending,
             (SELECT count(*) FROM election_claims WHERE election_id = :e AND kind = 'results'
                AND status = 'pending') AS results_pending,
             (SELECT count(*) FROM candidates WHERE election_id = :e) AS cand_total,
             (SELECT count(*) FROM candidates WHERE election_id = :e AND status = 'submitted') AS cand_pending,
             (SELECT count(*) FROM election_results WHERE election_id = :e) AS results,
             (SELECT count(*) FROM election_trustees WHERE election_id = :e) AS trustees,
             (SELECT count(*) FROM election_trustees WHERE election_id = :e AND status <> 'named') AS keyed,
             (SELECT count(*) FROM election_trustees WHERE election_id = :e AND status = 'step_in') AS steps,
             EXISTS (SELECT 1 FROM election_trustees t JOIN user_roles r ON r.user_id = t.user_id
                     WHERE t.election_id = :e AND r.role = 'ministro_de_fe') AS ministro""", {"e": e.id})
    row = as_dict(found) or {}
    admissible = await admissible_counts(db, e.id)
    f = phases.Facts(election=e, now=clock.now(), padron_total=row["padron_total"],
                     padron_claims_pending=row["padron_pending"], results_claims_pending=row["results_pending"],
                     candidacies_total=row["cand_total"], candidacies_pending=row["cand_pending"],
                     admissible=admissible, has_results=row["results"] > 0, has_acta=e.acta_file is not None,
                     trustees=row["trustees"], trustees_keyed=row["keyed"], steps_in=row["steps"],
                     ministro_trustee=row["ministro"])
    f.sorteo_problem = await sorteo_problem(db, e)
    return f


async def admissible_counts(db: Database, election_id: int) -> dict[str, int]:
    rows = await db.fetch_all(
        """SELECT category, count(*) AS n FROM candidates WHERE election_id = :e AND status = 'admissible'
           GROUP BY category""", {"e": election_id})
    return {r["category"]: r["n"] for r in rows}


async def sorteo_problem(db: Database, e: Election) -> str | None:
    """Why the fixed sorteo cannot order the admissible candidates (None when it can)."""
    if e.lottery_order is None:
        return None
    ids = {str(c.id) for c in await list_candidates(db, e.id, status="admissible")}
    drawn = [str(x) for x in e.lottery_order]
    if set(drawn) != ids or len(drawn) != len(ids):
        return _("El orden del sorteo debe nombrar exactamente una vez a cada candidatura admisible.")
    return None


async def election_in_progress(db: Database, lock_phases: tuple[str, ...], today: date) -> str | None:
    """The name of the first election in one of `lock_phases`, or still calling but past its padrón
    cut-off on `today`; None when there is none."""
    name: str | None = await db.fetch_val(
        """SELECT name FROM elections
           WHERE phase = ANY(:phases) OR (phase = 'call_open' AND padron_cutoff <= :today)
           ORDER BY id LIMIT 1""", {"phases": list(lock_phases), "today": today})
    return name


# ----- candidacies -----

@dataclass
class Candidacy:
    """A person nominated by a padrón organization in its own category."""

    id: int
    election_id: int
    org_id: int
    org_name: str
    category: str
    name: str
    document_type: str
    document_number: str
    gender: str
    region_code: str
    region_name: str
    bio: str
    status: str
    review_reason: str | None
    updated_at: datetime
    photo_file: Any = None  # stored_files id of the photo (optional)


_CAND_SELECT = """SELECT c.id, c.election_id, c.org_id, p.name AS org_name, c.category, c.name, c.document_type,
       c.document_number, c.gender, c.region_code, coalesce(r.name, c.region_code) AS region_name, c.bio,
       c.status, c.review_reason, c.updated_at, c.photo_file
  FROM candidates c
  JOIN padron_entries p ON p.election_id = c.election_id AND p.org_id = c.org_id
  LEFT JOIN regions r ON r.code = c.region_code"""


async def list_candidates(db: Database, election_id: int, *, status: str | None = None,
                          category: str | None = None) -> list[Candidacy]:
    """Candidacies of an election by category and id, optionally filtered."""
    where = Where("c.election_id = :e", e=election_id).when(status, "c.status = :s", "s").when(
        category, "c.category = :c", "c")
    rows = await db.fetch_all(f"{_CAND_SELECT} {where.sql} ORDER BY c.category, c.id", where.params)
    return to_dataclasses(Candidacy, rows)


async def get_candidate(db: Database, election_id: int, candidate_id: int) -> Candidacy | None:
    row = await db.fetch_one(f"{_CAND_SELECT} WHERE c.election_id = :e AND c.id = :id",
                             {"e": election_id, "id": candidate_id})
    return to_dataclass(Candidacy, row)


async def candidate_of_org(db: Database, election_id: int, org_id: int) -> Candidacy | None:
    row = await db.fetch_one(f"{_CAND_SELECT} WHERE c.election_id = :e AND c.org_id = :o",
                             {"e": election_id, "o": org_id})
    return to_dataclass(Candidacy, row)


async def save_candidate(db: Database, election_id: int, org_id: int, category: str, region: str,
                         values: dict[str, Any]) -> int:
    """Insert or replace the organization's candidacy (back to 'submitted'); returns its id."""
    return await db.fetch_val(
        """INSERT INTO candidates (election_id, org_id, category, region_code, name, document_type,
                                   document_number, gender, bio, accepted)
           VALUES (:e, :o, :cat, :reg, :name, :dt, :dn, :g, :bio, true)
           ON CONFLICT (election_id, org_id) DO UPDATE SET name = EXCLUDED.name,
               document_type = EXCLUDED.document_type, document_number = EXCLUDED.document_number,
               gender = EXCLUDED.gender, bio = EXCLUDED.bio, status = 'submitted', review_reason = NULL,
               updated_at = now()
           RETURNING id""",
        {"e": election_id, "o": org_id, "cat": category, "reg": region, "name": values["name"],
         "dt": values["document_type"], "dn": values["document_number"], "g": values["gender"],
         "bio": values["bio"]})


async def set_candidate_photo(db: Database, candidate_id: int, file_id: str | None) -> None:
    """Attach a stored photo to the candidacy, or remove it (None)."""
    await db.execute("UPDATE candidates SET photo_file = CAST(:f AS uuid), updated_at = now() WHERE id = :id",
                     {"f": file_id, "id": candidate_id})


async def review_candidate(db: Database, candidate_id: int, status: str, reason: str | None, actor_id: int) -> None:
    await db.execute(
        """UPDATE candidates SET status = :s, review_reason = :r, reviewed_by = :a, reviewed_at = now()
           WHERE id = :id""", {"s": status, "r": reason or None, "a": actor_id, "id": candidate_id})


async def set_sorteo(db: Database, election_id: int, seed: str | None, order: list[str] | None) -> None:
    await db.execute(
        """UPDATE elections SET lottery_seed = :s, lottery_order = CAST(:o AS jsonb), sorteo_fixed_at = now(),
                  updated_at = now() WHERE id = :id""",
        {"s": seed, "o": None if order is None else json.dumps(order), "id": election_id})


# ----- turnout -----

async def turnout(db: Database, election_id: int) -> dict[str, Any]:
    """Voters over padrón by category and by region (public during voting; no ballot is read)."""
    rows = await db.fetch_all(
        """SELECT p.category, p.region_code, coalesce(r.name, p.region_code) AS region_name,
                  coalesce(r.sort_order, 99) AS sort_order, count(*) AS padron, count(v.org_id) AS voted
           FROM padron_entries p
           LEFT JOIN voters v ON v.election_id = p.election_id AND v.org_id = p.org_id
           LEFT JOIN regions r ON r.code = p.region_code
           WHERE p.election_id = :e
           GROUP BY p.category, p.region_code, r.name, r.sort_order""", {"e": election_id})
    by_cat: dict[str, dict[str, int]] = {}
    by_region: dict[str, dict[str, Any]] = {}
    for r in rows:
        c = by_cat.setdefault(r["category"], {"padron": 0, "voted": 0})
        c["padron"] += r["padron"]
        c["voted"] += r["voted"]
        g = by_region.setdefault(r["region_code"], {"name": r["region_name"], "sort": r["sort_order"],
                                                    "padron": 0, "voted": 0})
        g["padron"] += r["padron"]
        g["voted"] += r["voted"]
    total_p = sum(c["padron"] for c in by_cat.values())
    total_v = sum(c["voted"] for c in by_cat.values())
    share = (lambda v, p: v / p if p else 0.0)  # noqa: E731
    return {
        "categories": [{"category": k, **v, "share": share(v["voted"], v["padron"])} for k, v in sorted(by_cat.items())],
        "regions": [{"code": k, **v, "share": share(v["voted"], v["padron"])}
                    for k, v in sorted(by_region.items(), key=lambda kv: kv[1]["sort"])],
        "padron": total_p, "voted": total_v, "share": share(total_v, total_p),
    }
