"""SQL for companies, their contacts, yearly cycles, reports, evidence and scores (docs/compromiso.md).

A cycle's state changes are not here: they go through portal/compromiso/workflow.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal.compromiso.rules import STAFF_FIELDS
from portal.db import Database, to_dataclass, to_dataclasses

_COMPANY = """SELECT c.*, r.name AS region_name, co.name AS comuna_name
              FROM compromiso_companies c
              JOIN regions r ON r.code = c.region_code JOIN comunas co ON co.code = c.comuna_code"""


@dataclass
class Company:
    id: int
    rut: str
    name: str
    kind: str
    size: str
    sector: str
    region_code: str
    region_name: str
    comuna_code: str
    comuna_name: str
    national_women: int
    national_men: int
    national_other: int
    foreign_women: int
    foreign_men: int
    foreign_other: int
    contact_name: str
    contact_email: str
    contact_phone: str
    carta_file_id: Any
    adhered_on: date | None
    created_at: datetime

    @property
    def adhered(self) -> bool:
        return self.adhered_on is not None

    @property
    def staff_total(self) -> int:
        return sum(getattr(self, f) for f in STAFF_FIELDS)


@dataclass
class Cycle:
    id: int
    company_id: int
    year: int
    status: str
    report_submitted_at: datetime | None
    applied_at: datetime | None
    evaluation_started_at: datetime | None
    decided_at: datetime | None
    total_score: int | None
    certificate_code: str | None


@dataclass
class ReportItem:
    commitment: int
    actions: str
    indicators: str


@dataclass
class Evidence:
    id: int
    cycle_id: int
    commitment: int
    file_id: str
    filename: str
    size: int
    uploaded_at: datetime


@dataclass
class Score:
    commitment: int
    score: int
    comment: str


# ----- territory -----

async def regions(db: Database) -> list[tuple[str, str]]:
    rows = await db.fetch_all("SELECT code, name FROM regions ORDER BY sort_order")
    return [(r["code"], r["name"]) for r in rows]


async def comunas_by_region(db: Database) -> list[tuple[str, list[tuple[str, str]]]]:
    """(region name, [(comuna code, name)]) north to south, for a grouped <select>."""
    rows = await db.fetch_all(
        """SELECT r.code AS rcode, r.name AS rname, c.code, c.name FROM comunas c
           JOIN regions r ON r.code = c.region_code ORDER BY r.sort_order, c.name"""
    )
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for r in rows:
        groups.setdefault(r["rcode"], (r["rname"], []))[1].append((r["code"], r["name"]))
    return list(groups.values())


async def comuna_region(db: Database, comuna_code: str) -> str | None:
    return await db.fetch_val("SELECT region_code FROM comunas WHERE code = :c", {"c": comuna_code})


# ----- companies and contacts -----

async def get_company(db: Database, company_id: int) -> Company | None:
    return to_dataclass(Company, await db.fetch_one(_COMPANY + " WHERE c.id = :id", {"id": company_id}))


async def company_for_user(db: Database, user_id: int) -> Company | None:
    row = await db.fetch_one(
        _COMPANY + " JOIN compromiso_contacts k ON k.company_id = c.id WHERE k.user_id = :u", {"u": user_id}
    )
    return to_dataclass(Company, row)


async def company_id_for_user(db: Database, user_id: int) -> int | None:
    return await db.fetch_val("SELECT company_id FROM compromiso_contacts WHERE user_id = :u", {"u": user_id})


async def rut_taken(db: Database, rut: str) -> bool:
    return bool(await db.fetch_val("SELECT 1 FROM compromiso_companies WHERE rut = :r", {"r": rut}))


_FIELDS = ("name", "kind", "size", "sector", "region_code", "comuna_code", "contact_name", "contact_email",
           "contact_phone", *STAFF_FIELDS)


async def insert_company(db: Database, rut: str, fields: dict[str, Any], created_by: int | None,
                         carta_file_id: str | None, adhered_on: date | None) -> int:
    """A company: adhered (with its carta) or awaiting its invited contact (without)."""
    values = {f: fields.get(f, 0 if f in STAFF_FIELDS else "") for f in _FIELDS}
    columns = ", ".join(_FIELDS)
    params = ", ".join(":" + f for f in _FIELDS)
    return await db.fetch_val(
        f"""INSERT INTO compromiso_companies (rut, {columns}, carta_file_id, adhered_on, created_by)
            VALUES (:rut, {params}, CAST(:carta AS uuid), :adhered_on, :by) RETURNING id""",  # noqa: S608 (only constant fragments are interpolated; values are parameters)
        {**values, "rut": rut, "carta": carta_file_id, "adhered_on": adhered_on, "by": created_by},
    )


async def complete_adhesion(db: Database, company_id: int, fields: dict[str, Any], carta_file_id: str,
                            adhered_on: date) -> bool:
    """Sign the carta of a company created by staff; False if it had already adhered."""
    sets = ", ".join(f"{f} = :{f}" for f in _FIELDS)
    row = await db.fetch_one(
        f"""UPDATE compromiso_companies SET {sets}, carta_file_id = CAST(:carta AS uuid), adhered_on = :on
            WHERE id = :id AND adhered_on IS NULL RETURNING id""",  # noqa: S608 (only constant fragments are interpolated; values are parameters)
        {**{f: fields[f] for f in _FIELDS}, "carta": carta_file_id, "on": adhered_on, "id": company_id},
    )
    return row is not None


async def add_contact(db: Database, company_id: int, user_id: int) -> None:
    await db.execute("INSERT INTO compromiso_contacts (company_id, user_id) VALUES (:c, :u)",
                     {"c": company_id, "u": user_id})


async def contact_emails(db: Database, company_id: int) -> list[str]:
    rows = await db.fetch_all(
        """SELECT u.email FROM compromiso_contacts k JOIN users u ON u.id = k.user_id
           WHERE k.company_id = :c AND u.is_active ORDER BY u.email""",
        {"c": company_id},
    )
    return [r["email"] for r in rows]


async def contacts(db: Database, company_id: int) -> list[dict[str, Any]]:
    rows = await db.fetch_all(
        """SELECT u.name, u.email, k.added_at FROM compromiso_contacts k JOIN users u ON u.id = k.user_id
           WHERE k.company_id = :c ORDER BY k.added_at""",
        {"c": company_id},
    )
    return [dict(r._mapping) for r in rows]


async def companies_page(db: Database, limit: int = 500) -> list[Company]:
    return to_dataclasses(Company, await db.fetch_all(_COMPANY + " ORDER BY c.created_at DESC LIMIT :n",
                                                      {"n": limit}))


# ----- cycles -----

async def ensure_cycle(db: Database, company_id: int, year: int) -> tuple[int, bool]:
    """The company's cycle for `year`: (id, created now?)."""
    new_id = await db.fetch_val(
        """INSERT INTO compromiso_cycles (company_id, year) VALUES (:c, :y)
           ON CONFLICT (company_id, year) DO NOTHING RETURNING id""",
        {"c": company_id, "y": year},
    )
    if new_id is not None:
        return new_id, True
    existing = await db.fetch_val("SELECT id FROM compromiso_cycles WHERE company_id = :c AND year = :y",
                                  {"c": company_id, "y": year})
    return existing, False


async def get_cycle(db: Database, cycle_id: int) -> Cycle | None:
    return to_dataclass(Cycle, await db.fetch_one("SELECT * FROM compromiso_cycles WHERE id = :id", {"id": cycle_id}))


async def cycles_for_company(db: Database, company_id: int) -> list[Cycle]:
    rows = await db.fetch_all("SELECT * FROM compromiso_cycles WHERE company_id = :c ORDER BY year DESC",
                              {"c": company_id})
    return to_dataclasses(Cycle, rows)


# ----- report, evidence, scores -----

async def report_items(db: Database, cycle_id: int) -> dict[int, ReportItem]:
    rows = await db.fetch_all(
        "SELECT commitment, actions, indicators FROM compromiso_report_items WHERE cycle_id = :c", {"c": cycle_id}
    )
    return {r["commitment"]: ReportItem(**dict(r._mapping)) for r in rows}


async def save_report_items(db: Database, cycle_id: int, items: dict[int, tuple[str, str]]) -> None:
    for commitment, (actions, indicators) in items.items():
        await db.execute(
            """INSERT INTO compromiso_report_items (cycle_id, commitment, actions, indicators)
               VALUES (:c, :n, :a, :i)
               ON CONFLICT (cycle_id, commitment) DO UPDATE SET actions = :a, indicators = :i""",
            {"c": cycle_id, "n": commitment, "a": actions, "i": indicators},
        )


async def evidence(db: Database, cycle_id: int) -> list[Evidence]:
    rows = await db.fetch_all(
        """SELECT e.id, e.cycle_id, e.commitment, e.file_id::text AS file_id, f.filename, f.size, e.uploaded_at
           FROM compromiso_evidence e JOIN stored_files f ON f.id = e.file_id
           WHERE e.cycle_id = :c ORDER BY e.commitment, e.id""",
        {"c": cycle_id},
    )
    return to_dataclasses(Evidence, rows)


async def get_evidence(db: Database, evidence_id: int) -> Evidence | None:
    row = await db.fetch_one(
        """SELECT e.id, e.cycle_id, e.commitment, e.file_id::text AS file_id, f.filename, f.size, e.uploaded_at
           FROM compromiso_evidence e JOIN stored_files f ON f.id = e.file_id WHERE e.id = :id""",
        {"id": evidence_id},
    )
    return to_dataclass(Evidence, row)


async def add_evidence(db: Database, cycle_id: int, commitment: int, file_id: str) -> int:
    return await db.fetch_val(
        """INSERT INTO compromiso_evidence (cycle_id, commitment, file_id)
           VALUES (:c, :n, CAST(:f AS uuid)) RETURNING id""",
        {"c": cycle_id, "n": commitment, "f": file_id},
    )


async def delete_evidence(db: Database, item: Evidence) -> None:
    await db.execute("DELETE FROM compromiso_evidence WHERE id = :id", {"id": item.id})
    await db.execute("DELETE FROM stored_files WHERE id = CAST(:f AS uuid)", {"f": item.file_id})


async def scores(db: Database, cycle_id: int) -> dict[int, Score]:
    rows = await db.fetch_all("SELECT commitment, score, comment FROM compromiso_scores WHERE cycle_id = :c",
                              {"c": cycle_id})
    return {r["commitment"]: Score(**dict(r._mapping)) for r in rows}


async def save_scores(db: Database, cycle_id: int, values: dict[int, tuple[int, str]]) -> None:
    for commitment, (score, comment) in values.items():
        await db.execute(
            """INSERT INTO compromiso_scores (cycle_id, commitment, score, comment) VALUES (:c, :n, :s, :m)
               ON CONFLICT (cycle_id, commitment) DO UPDATE SET score = :s, comment = :m""",
            {"c": cycle_id, "n": commitment, "s": score, "m": comment},
        )


async def file_company(db: Database, file_id: str) -> int | None:
    """The company a stored file belongs to, as its carta or as evidence (None: not a Compromiso file)."""
    return await db.fetch_val(
        """SELECT id FROM compromiso_companies WHERE carta_file_id = CAST(:f AS uuid)
           UNION ALL
           SELECT c.company_id FROM compromiso_evidence e JOIN compromiso_cycles c ON c.id = e.cycle_id
           WHERE e.file_id = CAST(:f AS uuid)
           LIMIT 1""",
        {"f": file_id},
    )
