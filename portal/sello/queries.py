"""SQL for Sello Migrante: adhesions, liaisons, visits, Casilla cases, evaluations, files, public figures.

Every statement of the domain lives here, with named parameters. State changes of an adhesion are
made by portal.sello.workflow through portal.workflow.transition(); the `*_SETS` mappings below are
the columns such a change writes with the new state (SQL expressions over named parameters).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from portal import clock
from portal.db import Database, as_dict, as_dicts, to_dataclass, to_dataclasses
from portal.sello import rules
from portal.where import Where


@dataclass
class Adhesion:
    comuna_code: str
    comuna_name: str
    region_code: str
    region_name: str
    status: str
    mayor_name: str
    carta_date: date
    council_agreement: str
    carta_file_id: Any
    adhered_on: date
    work_plan_file_id: Any
    work_plan_on: date | None
    first_certified_on: date | None
    certified_on: date | None
    valid_until: date | None
    certificate_code: str | None

    @property
    def municipality(self) -> str:
        return municipality_name(self.comuna_name)

    def state(self, today: date | None = None) -> str:
        """The state shown (docs/sello.md, States): 'expired' and 'revalidation' are read from the dates."""
        return rules.display_state(self.status, self.valid_until, today or clock.today())


def municipality_name(comuna_name: str) -> str:
    return f"Municipalidad de {comuna_name}"


_ADHESION_SELECT = """
    SELECT a.*, c.name AS comuna_name, c.region_code, r.short_name AS region_name, r.sort_order
    FROM sello_adhesions a JOIN comunas c ON c.code = a.comuna_code JOIN regions r ON r.code = c.region_code
"""

# ----- what a state change writes besides the state (portal.workflow.transition `sets`) -----

WORK_PLAN_SETS = {"work_plan_file_id": "CAST(:file AS uuid)", "work_plan_on": ":today", "updated_at": "now()"}
CERTIFY_SETS = {"certified_on": ":resolution", "valid_until": ":valid_until",
                "first_certified_on": "COALESCE(first_certified_on, :resolution)",
                "certificate_code": ":certificate", "updated_at": "now()"}
# A withdrawn certification: the dates and certificate go; first_certified_on (history) stays.
WITHDRAW_SETS = {"certified_on": "NULL", "valid_until": "NULL", "certificate_code": "NULL", "updated_at": "now()"}
TOUCH_SETS = {"updated_at": "now()"}
CLOSE_CASE_SETS = {"closed_on": ":today"}


# ----- comunas and regions -----

async def comuna(db: Database, code: str) -> dict[str, Any] | None:
    """A comuna with its region, or None."""
    row = await db.fetch_one(
        """SELECT c.code, c.name, c.region_code, r.short_name AS region_name
           FROM comunas c JOIN regions r ON r.code = c.region_code WHERE c.code = :c""", {"c": code})
    return as_dict(row)


async def comunas_by_region(db: Database, region: str | None = None) -> list[dict[str, Any]]:
    """Every comuna (of one region when given), north to south, then by name."""
    where = Where().when(region, "c.region_code = :region", "region")
    rows = await db.fetch_all(
        f"""SELECT c.code, c.name, c.region_code, r.short_name AS region_name FROM comunas c
            JOIN regions r ON r.code = c.region_code {where.sql}
            ORDER BY r.sort_order, c.name""",  # noqa: S608 (only constant clauses are interpolated; values are parameters)
        where.params)
    return as_dicts(rows)


async def regions(db: Database) -> list[dict[str, Any]]:
    return as_dicts(await db.fetch_all("SELECT code, short_name AS name FROM regions ORDER BY sort_order"))


# ----- adhesions -----

async def adhesion(db: Database, code: str) -> Adhesion | None:
    return to_dataclass(Adhesion, await db.fetch_one(_ADHESION_SELECT + " WHERE a.comuna_code = :c", {"c": code}))


async def all_adhesions(db: Database, region: str | None = None) -> list[Adhesion]:
    """Every adhered municipality (of one region when given), north to south, then by name."""
    where = Where().when(region, "c.region_code = :region", "region")
    rows = await db.fetch_all(_ADHESION_SELECT + where.sql + " ORDER BY r.sort_order, c.name", where.params)
    return to_dataclasses(Adhesion, rows)


async def create_adhesion(db: Database, *, code: str, mayor: str, carta_date: date, agreement: str,
                          file_id: str, by: int, today: date) -> bool:
    """Insert the adhesion; False when the comuna already has one."""
    created = await db.fetch_val(
        """INSERT INTO sello_adhesions (comuna_code, mayor_name, carta_date, council_agreement, carta_file_id,
                                        created_by, adhered_on)
           VALUES (:c, :m, :d, :a, CAST(:f AS uuid), :by, :today)
           ON CONFLICT (comuna_code) DO NOTHING RETURNING comuna_code""",
        {"c": code, "m": mayor, "d": carta_date, "a": agreement, "f": file_id, "by": by, "today": today})
    return created is not None


async def lock_adhesion(db: Database, code: str) -> Adhesion | None:
    """Read the adhesion and lock its row until the transaction ends (state changes in one order)."""
    return to_dataclass(Adhesion, await db.fetch_one(
        _ADHESION_SELECT + " WHERE a.comuna_code = :c FOR UPDATE OF a", {"c": code}))


async def lock_certified_by(db: Database, certificate_code: str) -> Adhesion | None:
    """The adhesion whose current certificate is `certificate_code`, locked (None when that
    certificate is not the current one of any municipality, e.g. superseded by a revalidation)."""
    return to_dataclass(Adhesion, await db.fetch_one(
        _ADHESION_SELECT + " WHERE a.certificate_code = :cc FOR UPDATE OF a", {"cc": certificate_code}))


async def set_work_plan(db: Database, code: str, file_id: str, today: date) -> None:
    """Replace the work plan without a change of state."""
    await db.execute(
        """UPDATE sello_adhesions SET work_plan_file_id = CAST(:file AS uuid), work_plan_on = :today, updated_at = now()
           WHERE comuna_code = :c""", {"c": code, "file": file_id, "today": today})


async def clear_certification(db: Database, code: str) -> None:
    """Withdraw the certification dates without a change of state (an evaluation is under way)."""
    await db.execute(
        """UPDATE sello_adhesions SET certified_on = NULL, valid_until = NULL, certificate_code = NULL,
                  updated_at = now() WHERE comuna_code = :c""", {"c": code})


# ----- liaisons -----

async def add_liaison(db: Database, user_id: int, code: str, by: int | None) -> bool:
    done = await db.fetch_val(
        """INSERT INTO sello_liaisons (user_id, comuna_code, created_by) VALUES (:u, :c, :by)
           ON CONFLICT (user_id) DO NOTHING RETURNING user_id""", {"u": user_id, "c": code, "by": by})
    return done is not None


async def liaisons(db: Database, code: str) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        """SELECT u.id, u.name, u.email, l.created_at FROM sello_liaisons l JOIN users u ON u.id = l.user_id
           WHERE l.comuna_code = :c ORDER BY u.name""", {"c": code})
    return as_dicts(rows)


async def user_is_busy(db: Database, user_id: int) -> bool:
    """True when the account already has another role (staff, representative or liaison)."""
    return bool(await db.fetch_val(
        """SELECT EXISTS (SELECT 1 FROM user_roles WHERE user_id = :u)
               OR EXISTS (SELECT 1 FROM org_representatives WHERE user_id = :u)
               OR EXISTS (SELECT 1 FROM sello_liaisons WHERE user_id = :u)""", {"u": user_id}))


# ----- visits and Casilla cases -----

async def add_visit(db: Database, code: str, visited_on: date, staff_names: str, notes: str, by: int) -> int:
    visit_id: int = await db.fetch_val(
        """INSERT INTO sello_visits (comuna_code, visited_on, staff_names, notes, recorded_by)
           VALUES (:c, :d, :s, :n, :by) RETURNING id""",
        {"c": code, "d": visited_on, "s": staff_names, "n": notes, "by": by})
    return visit_id


async def visits(db: Database, code: str) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        "SELECT id, visited_on, staff_names, notes FROM sello_visits WHERE comuna_code = :c ORDER BY visited_on DESC, id DESC",
        {"c": code})
    return as_dicts(rows)


async def add_case(db: Database, code: str, topic: str, opened_on: date, by: int) -> int:
    case_id: int = await db.fetch_val(
        """INSERT INTO sello_cases (comuna_code, topic, opened_on, created_by) VALUES (:c, :t, :d, :by)
           RETURNING id""", {"c": code, "t": topic, "d": opened_on, "by": by})
    return case_id


async def case(db: Database, case_id: int) -> dict[str, Any] | None:
    return as_dict(await db.fetch_one("SELECT * FROM sello_cases WHERE id = :i", {"i": case_id}))


async def lock_case(db: Database, case_id: int) -> dict[str, Any] | None:
    """A Casilla case, its row locked until the transaction ends."""
    return as_dict(await db.fetch_one("SELECT * FROM sello_cases WHERE id = :i FOR UPDATE", {"i": case_id}))


async def recent_cases(db: Database, code: str, limit: int = 20) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        """SELECT id, topic, opened_on, status, closed_on FROM sello_cases WHERE comuna_code = :c
           ORDER BY opened_on DESC, id DESC LIMIT :n""", {"c": code, "n": limit})
    return as_dicts(rows)


async def case_counts(db: Database, code: str) -> list[dict[str, Any]]:
    """Cases per year for one municipality: total, open, closed."""
    rows = await db.fetch_all(
        """SELECT CAST(extract(year FROM opened_on) AS int) AS year, count(*) AS total,
                  count(*) FILTER (WHERE status = 'open') AS open, count(*) FILTER (WHERE status = 'closed') AS closed
           FROM sello_cases WHERE comuna_code = :c GROUP BY 1 ORDER BY 1 DESC""", {"c": code})
    return as_dicts(rows)


# ----- evaluations -----

async def create_evaluation(db: Database, code: str, kind: str, by: int, reports: dict[int, str]) -> int:
    eval_id: int = await db.fetch_val(
        """INSERT INTO sello_evaluations (comuna_code, kind, requested_by) VALUES (:c, :k, :by) RETURNING id""",
        {"c": code, "k": kind, "by": by})
    for area, report in sorted(reports.items()):
        await db.execute(
            "INSERT INTO sello_evaluation_areas (evaluation_id, area, report) VALUES (:e, :a, :r)",
            {"e": eval_id, "a": area, "r": report})
    return eval_id


async def add_evidence(db: Database, eval_id: int, area: int, file_id: str) -> None:
    await db.execute(
        "INSERT INTO sello_evidence (evaluation_id, area, file_id) VALUES (:e, :a, CAST(:f AS uuid))",
        {"e": eval_id, "a": area, "f": file_id})


async def open_evaluation(db: Database, code: str) -> dict[str, Any] | None:
    row = await db.fetch_one(
        "SELECT * FROM sello_evaluations WHERE comuna_code = :c AND status IN ('requested', 'in_evaluation')",
        {"c": code})
    return as_dict(row)


async def evaluation_areas(db: Database, eval_id: int) -> list[dict[str, Any]]:
    """Each area's report, rating and comment, with its evidence files."""
    areas = as_dicts(await db.fetch_all(
        "SELECT area, report, rating, comment FROM sello_evaluation_areas WHERE evaluation_id = :e ORDER BY area",
        {"e": eval_id}))
    files = as_dicts(await db.fetch_all(
        """SELECT e.area, f.id, f.filename, f.size FROM sello_evidence e JOIN stored_files f ON f.id = e.file_id
           WHERE e.evaluation_id = :e ORDER BY e.id""", {"e": eval_id}))
    for area in areas:
        area["files"] = [f for f in files if f["area"] == area["area"]]
    return areas


async def start_evaluation(db: Database, eval_id: int, evaluator: int) -> bool:
    """The requested evaluation is taken by `evaluator`; False when it was not 'requested'."""
    done = await db.fetch_val(
        """UPDATE sello_evaluations SET status = 'in_evaluation', started_at = now(), evaluator_id = :u
           WHERE id = :e AND status = 'requested' RETURNING id""", {"e": eval_id, "u": evaluator})
    return done is not None


async def record_decision(db: Database, eval_id: int, *, ratings: dict[int, str], comments: dict[int, str],
                          outcome: str, resolution: date | None, observations: str, evaluator: int) -> bool:
    """Store the ratings and the outcome of an open evaluation; False when it was no longer open."""
    decided = await db.fetch_val(
        """UPDATE sello_evaluations SET status = :s, decided_at = now(), resolution_date = :d,
                  observations = :o, evaluator_id = :u
           WHERE id = :e AND status IN ('requested', 'in_evaluation') RETURNING id""",
        {"e": eval_id, "s": outcome, "d": resolution, "o": observations, "u": evaluator})
    if decided is None:
        return False
    for area, rating in ratings.items():
        await db.execute(
            "UPDATE sello_evaluation_areas SET rating = :r, comment = :c WHERE evaluation_id = :e AND area = :a",
            {"e": eval_id, "a": area, "r": rating, "c": comments.get(area, "")})
    return True


async def evaluations(db: Database, code: str) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        """SELECT e.*, u.name AS evaluator_name FROM sello_evaluations e LEFT JOIN users u ON u.id = e.evaluator_id
           WHERE e.comuna_code = :c ORDER BY e.requested_at DESC, e.id DESC""", {"c": code})
    return as_dicts(rows)


# ----- uploaded files -----

async def file_comunas(db: Database, file_id: str) -> set[str]:
    """Every municipality an uploaded Sello file belongs to (carta, work plan or evidence): one stored
    file may serve several (the same PDF uploaded once and referenced twice, the demo's shared files)."""
    rows = await db.fetch_all(
        """SELECT comuna_code FROM sello_adhesions
           WHERE carta_file_id = CAST(:f AS uuid) OR work_plan_file_id = CAST(:f AS uuid)
           UNION
           SELECT v.comuna_code FROM sello_evidence e JOIN sello_evaluations v ON v.id = e.evaluation_id
           WHERE e.file_id = CAST(:f AS uuid)""", {"f": file_id})
    return {r["comuna_code"] for r in rows}


# ----- staff queue and public figures -----

async def awaiting_evaluation(db: Database) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        """SELECT e.id, e.comuna_code, e.kind, e.status, e.requested_at, c.name AS comuna_name,
                  r.short_name AS region_name
           FROM sello_evaluations e JOIN comunas c ON c.code = e.comuna_code JOIN regions r ON r.code = c.region_code
           WHERE e.status IN ('requested', 'in_evaluation') ORDER BY e.requested_at""")
    return as_dicts(rows)


async def expiring(db: Database, today: date, until: date) -> list[Adhesion]:
    rows = await db.fetch_all(
        _ADHESION_SELECT + " WHERE a.valid_until BETWEEN :t AND :u ORDER BY a.valid_until, c.name",
        {"t": today, "u": until})
    return to_dataclasses(Adhesion, rows)


async def yearly_figures(db: Database) -> list[dict[str, Any]]:
    """Per year: new adhesions, first certifications, revalidations, Casilla cases, technical visits."""
    rows = await db.fetch_all(
        """WITH facts AS (
             SELECT extract(year FROM adhered_on) AS y, 'adhesions' AS k, count(*) AS n FROM sello_adhesions GROUP BY 1
             UNION ALL SELECT extract(year FROM first_certified_on), 'first_certifications', count(*)
               FROM sello_adhesions WHERE first_certified_on IS NOT NULL GROUP BY 1
             UNION ALL SELECT extract(year FROM resolution_date), 'revalidations', count(*)
               FROM sello_evaluations WHERE kind = 'revalidation' AND status = 'certified' GROUP BY 1
             UNION ALL SELECT extract(year FROM opened_on), 'cases', count(*) FROM sello_cases GROUP BY 1
             UNION ALL SELECT extract(year FROM visited_on), 'visits', count(*) FROM sello_visits GROUP BY 1)
           SELECT CAST(y AS int) AS year, k, CAST(sum(n) AS int) AS n FROM facts GROUP BY 1, 2 ORDER BY 1""")
    by_year: dict[int, dict[str, Any]] = {}
    for r in rows:
        entry = by_year.setdefault(r["year"], {"year": r["year"], "adhesions": 0, "first_certifications": 0,
                                                "revalidations": 0, "cases": 0, "visits": 0})
        entry[r["k"]] = r["n"]
    return [by_year[y] for y in sorted(by_year)]


# ----- one municipality's public page -----

async def municipality_figures(db: Database, code: str) -> list[dict[str, Any]]:
    """Per year for one municipality: Casilla cases opened and closed, technical visits."""
    rows = await db.fetch_all(
        """WITH facts AS (
             SELECT extract(year FROM opened_on) AS y, 'cases' AS k, count(*) AS n FROM sello_cases
               WHERE comuna_code = :c GROUP BY 1
             UNION ALL SELECT extract(year FROM closed_on), 'closed', count(*) FROM sello_cases
               WHERE comuna_code = :c AND closed_on IS NOT NULL GROUP BY 1
             UNION ALL SELECT extract(year FROM visited_on), 'visits', count(*) FROM sello_visits
               WHERE comuna_code = :c GROUP BY 1)
           SELECT CAST(y AS int) AS year, k, CAST(sum(n) AS int) AS n FROM facts GROUP BY 1, 2 ORDER BY 1""",
        {"c": code})
    by_year: dict[int, dict[str, Any]] = {}
    for r in rows:
        by_year.setdefault(r["year"], {"year": r["year"], "cases": 0, "closed": 0, "visits": 0})[r["k"]] = r["n"]
    return [by_year[y] for y in sorted(by_year)]


async def public_evaluations(db: Database, code: str) -> list[dict[str, Any]]:
    """A municipality's evaluations as the public sees them: kind, dates and outcome, no names."""
    rows = await db.fetch_all(
        """SELECT kind, status, CAST(requested_at AS date) AS requested_on, resolution_date
           FROM sello_evaluations WHERE comuna_code = :c ORDER BY requested_at DESC, id DESC""", {"c": code})
    return as_dicts(rows)
