"""SQL for Sello Migrante: adhesions, liaisons, visits, Casilla cases, evaluations, public figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.db import Database, as_dict, as_dicts, to_dataclass, to_dataclasses
from portal.sello import rules


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
        return rules.display_state(self.status, self.valid_until, today or date.today())


def municipality_name(comuna_name: str) -> str:
    return f"Municipalidad de {comuna_name}"


_ADHESION_SELECT = """
    SELECT a.*, c.name AS comuna_name, c.region_code, r.short_name AS region_name, r.sort_order
    FROM sello_adhesions a JOIN comunas c ON c.code = a.comuna_code JOIN regions r ON r.code = c.region_code
"""


async def comuna(db: Database, code: str) -> dict[str, Any] | None:
    """A comuna with its region, or None."""
    row = await db.fetch_one(
        """SELECT c.code, c.name, c.region_code, r.short_name AS region_name
           FROM comunas c JOIN regions r ON r.code = c.region_code WHERE c.code = :c""", {"c": code})
    return as_dict(row)


async def comunas_by_region(db: Database) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        """SELECT c.code, c.name, c.region_code, r.short_name AS region_name FROM comunas c
           JOIN regions r ON r.code = c.region_code ORDER BY r.sort_order, c.name""")
    return as_dicts(rows)


async def regions(db: Database) -> list[dict[str, Any]]:
    return as_dicts(await db.fetch_all("SELECT code, short_name AS name FROM regions ORDER BY sort_order"))


async def adhesion(db: Database, code: str) -> Adhesion | None:
    return to_dataclass(Adhesion, await db.fetch_one(_ADHESION_SELECT + " WHERE a.comuna_code = :c", {"c": code}))


async def all_adhesions(db: Database, region: str | None = None) -> list[Adhesion]:
    """Every adhered municipality, north to south, then by name."""
    rows = await db.fetch_all(
        _ADHESION_SELECT + " WHERE (CAST(:r AS text) IS NULL OR c.region_code = CAST(:r AS text))"
        " ORDER BY r.sort_order, c.name", {"r": region})
    return to_dataclasses(Adhesion, rows)


async def create_adhesion(db: Database, *, code: str, mayor: str, carta_date: date, agreement: str,
                          file_id: str, by: int) -> bool:
    """Insert the adhesion; False when the comuna already has one."""
    created = await db.fetch_val(
        """INSERT INTO sello_adhesions (comuna_code, mayor_name, carta_date, council_agreement, carta_file_id, created_by)
           VALUES (:c, :m, :d, :a, CAST(:f AS uuid), :by) ON CONFLICT (comuna_code) DO NOTHING RETURNING comuna_code""",
        {"c": code, "m": mayor, "d": carta_date, "a": agreement, "f": file_id, "by": by})
    return created is not None


async def lock_adhesion(db: Database, code: str) -> Adhesion | None:
    """Read the adhesion and lock its row until the transaction ends (state changes in one order)."""
    await db.execute("SELECT 1 FROM sello_adhesions WHERE comuna_code = :c FOR UPDATE", {"c": code})
    return await adhesion(db, code)


async def set_work_plan(db: Database, code: str, file_id: str) -> None:
    await db.execute(
        """UPDATE sello_adhesions SET work_plan_file_id = CAST(:f AS uuid), work_plan_on = current_date,
                  status = CASE WHEN status = 'adhered' THEN 'implementing' ELSE status END, updated_at = now()
           WHERE comuna_code = :c""", {"c": code, "f": file_id})


async def set_status(db: Database, code: str, status: str) -> None:
    await db.execute("UPDATE sello_adhesions SET status = :s, updated_at = now() WHERE comuna_code = :c",
                     {"c": code, "s": status})


async def certify(db: Database, code: str, resolution: date, valid_until: date, certificate_code: str) -> None:
    await db.execute(
        """UPDATE sello_adhesions SET status = 'certified', certified_on = :r, valid_until = :v,
                  first_certified_on = COALESCE(first_certified_on, :r), certificate_code = :cc, updated_at = now()
           WHERE comuna_code = :c""", {"c": code, "r": resolution, "v": valid_until, "cc": certificate_code})



async def withdraw_certification(db: Database, certificate_code: str) -> str | None:
    """A revoked certificate that is the municipality's current one withdraws the certification: it is
    implementing again (first_certified_on, its history, stays), shows so publicly, and may request a
    new certification. An evaluation already requested goes on. Returns the comuna, or None when the
    certificate was not the current one (an older, superseded certificate)."""
    return await db.fetch_val(
        """UPDATE sello_adhesions SET status = CASE WHEN status = 'certified' THEN 'implementing' ELSE status END,
                  certified_on = NULL, valid_until = NULL, certificate_code = NULL, updated_at = now()
           WHERE certificate_code = :cc RETURNING comuna_code""", {"cc": certificate_code})

# ----- liaisons -----

async def liaison_comuna(db: Database, user_id: int) -> str | None:
    return await db.fetch_val("SELECT comuna_code FROM sello_liaisons WHERE user_id = :u", {"u": user_id})


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
    return await db.fetch_val(
        """INSERT INTO sello_visits (comuna_code, visited_on, staff_names, notes, recorded_by)
           VALUES (:c, :d, :s, :n, :by) RETURNING id""",
        {"c": code, "d": visited_on, "s": staff_names, "n": notes, "by": by})


async def visits(db: Database, code: str) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        "SELECT id, visited_on, staff_names, notes FROM sello_visits WHERE comuna_code = :c ORDER BY visited_on DESC, id DESC",
        {"c": code})
    return as_dicts(rows)


async def add_case(db: Database, code: str, topic: str, opened_on: date, by: int) -> int:
    return await db.fetch_val(
        """INSERT INTO sello_cases (comuna_code, topic, opened_on, created_by) VALUES (:c, :t, :d, :by)
           RETURNING id""", {"c": code, "t": topic, "d": opened_on, "by": by})


async def case(db: Database, case_id: int) -> dict[str, Any] | None:
    return as_dict(await db.fetch_one("SELECT * FROM sello_cases WHERE id = :i", {"i": case_id}))


async def close_case(db: Database, case_id: int) -> bool:
    done = await db.fetch_val(
        """UPDATE sello_cases SET status = 'closed', closed_on = current_date
           WHERE id = :i AND status = 'open' RETURNING id""", {"i": case_id})
    return done is not None


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
    eval_id = await db.fetch_val(
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
    files = await db.fetch_all(
        """SELECT e.area, f.id, f.filename, f.size FROM sello_evidence e JOIN stored_files f ON f.id = e.file_id
           WHERE e.evaluation_id = :e ORDER BY e.id""", {"e": eval_id})
    for area in areas:
        area["files"] = [dict(f._mapping) for f in files if f["area"] == area["area"]]
    return areas


async def start_evaluation(db: Database, eval_id: int, evaluator: int) -> None:
    await db.execute(
        """UPDATE sello_evaluations SET status = 'in_evaluation', started_at = now(), evaluator_id = :u
           WHERE id = :e""", {"e": eval_id, "u": evaluator})


async def record_decision(db: Database, eval_id: int, *, ratings: dict[int, str], comments: dict[int, str],
                          outcome: str, resolution: date | None, observations: str, evaluator: int) -> None:
    for area, rating in ratings.items():
        await db.execute(
            "UPDATE sello_evaluation_areas SET rating = :r, comment = :c WHERE evaluation_id = :e AND area = :a",
            {"e": eval_id, "a": area, "r": rating, "c": comments.get(area, "")})
    await db.execute(
        """UPDATE sello_evaluations SET status = :s, decided_at = now(), resolution_date = :d,
                  observations = :o, evaluator_id = :u WHERE id = :e""",
        {"e": eval_id, "s": outcome, "d": resolution, "o": observations, "u": evaluator})


async def evaluations(db: Database, code: str) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        """SELECT e.*, u.name AS evaluator_name FROM sello_evaluations e LEFT JOIN users u ON u.id = e.evaluator_id
           WHERE e.comuna_code = :c ORDER BY e.requested_at DESC, e.id DESC""", {"c": code})
    return as_dicts(rows)


async def file_comuna(db: Database, file_id: str) -> str | None:
    """The municipality an uploaded Sello file belongs to (carta, work plan or evidence)."""
    return await db.fetch_val(
        """SELECT comuna_code FROM sello_adhesions
           WHERE carta_file_id = CAST(:f AS uuid) OR work_plan_file_id = CAST(:f AS uuid)
           UNION ALL
           SELECT v.comuna_code FROM sello_evidence e JOIN sello_evaluations v ON v.id = e.evaluation_id
           WHERE e.file_id = CAST(:f AS uuid) LIMIT 1""", {"f": file_id})


async def stored_file(db: Database, file_id: str) -> dict[str, Any] | None:
    return as_dict(await db.fetch_one(
        "SELECT id, filename, content_type, content, size FROM stored_files WHERE id = CAST(:f AS uuid)",
        {"f": file_id}))


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

