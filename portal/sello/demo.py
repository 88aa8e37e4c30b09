"""Demo data: 113 adhered municipalities across every region and state, with visits, Casilla cases
per year (2020–2026), evaluations and certificates, plus a demo liaison for Valparaíso.

2022 follows SERMIG's public account where it can (43 new adhesions, 12,482 Casilla cases, 48 visits);
dates of certifications are relative to today so every state shows whenever the demo is loaded.
Idempotent: it does nothing when the demo liaison already exists.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from portal import clock, passwords, uploads
from portal.accounts import queries as accounts
from portal.certificates import service as certificates
from portal.db import Database
from portal.sello import queries, rules
from portal.txn import atomic

LIAISON_EMAIL = "enlace@demo.participa.cl"
LIAISON_COMUNA = "05101"  # Valparaíso, implementing: the demo liaison can request an evaluation
TOTAL = 113
NEW_PER_YEAR = {2017: 9, 2018: 11, 2019: 14, 2020: 16, 2021: 20, 2022: 43}
CASES_PER_YEAR = {2020: 4120, 2021: 7315, 2022: 12482, 2023: 13904, 2024: 15120, 2025: 16350, 2026: 14205}
VISITS_PER_YEAR = {2020: 21, 2021: 30, 2022: 48, 2023: 44, 2024: 51, 2025: 55, 2026: 39}
# How many municipalities in each shown state (the rest are 'implementing').
STATES = {"adhered": 12, "evaluation_requested": 8, "in_evaluation": 6, "certified": 30, "revalidation": 6, "expired": 14}
STAFF_TEAMS = ["Equipo Sello Migrante SERMIG", "Dirección Regional SERMIG", "Equipo Sello Migrante y Dirección Regional"]


def _pdf(text: str) -> bytes:
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=14)
    doc.multi_cell(0, 10, text)
    return bytes(doc.output())


async def _file(db: Database, name: str, text: str) -> str:
    """One PDF shared by many demo municipalities (each of their liaisons may read it)."""
    return await uploads.store(db, uploads.CheckedFile(name, _pdf(text)), None)


def _adhesion_dates(rng: random.Random, today: date) -> list[date]:
    """One adhesion date per municipality: the yearly counts above, the rest spread after 2022."""
    dates = []
    for year, n in NEW_PER_YEAR.items():
        dates += [date(year, 1, 1) + timedelta(days=rng.randrange(360)) for _ in range(n)]
    span = (today - date(2023, 1, 1)).days
    dates += [date(2023, 1, 1) + timedelta(days=rng.randrange(max(span, 1))) for _ in range(TOTAL - len(dates))]
    return sorted(dates)


def _plan_states() -> list[str]:
    states = [s for s, n in STATES.items() for _ in range(n)]
    states += ["implementing"] * (TOTAL - len(states))
    return states


async def load(db: Database) -> list[str]:
    """Load once; return the console lines."""
    line = f"  sello  {LIAISON_EMAIL:<34} enlace municipal de Valparaíso (Sello Migrante)"
    if await accounts.email_taken(db, LIAISON_EMAIL):
        return [line]
    from portal.demo import DEMO_PASSWORD  # imported here: portal.demo imports this module's package

    rng = random.Random(2015)  # noqa: S311 (repeatable demo data, not a secret)
    today = clock.today()
    async with atomic(db):
        carta = await _file(db, "carta-compromiso.pdf", "Carta compromiso Sello Migrante (documento de demostración)")
        plan = await _file(db, "plan-de-trabajo.pdf", "Plan de trabajo Sello Migrante (documento de demostración)")
        codes = [r["code"] for r in await db.fetch_all("SELECT code FROM comunas ORDER BY code")]
        others = iter(rng.sample([c for c in codes if c != LIAISON_COMUNA], TOTAL - 1))
        dates = _adhesion_dates(rng, today)
        states = _plan_states()
        # the oldest adhesions get the furthest-along states
        order = sorted(range(TOTAL), key=lambda i: ["expired", "certified", "revalidation", "in_evaluation",
                                                    "evaluation_requested", "implementing", "adhered"].index(states[i]))
        liaison_index = next(i for i in order if states[i] == "implementing")
        for position, i in enumerate(order):
            code = LIAISON_COMUNA if i == liaison_index else next(others)
            await _municipality(db, rng, code, states[i], dates[position], today, carta, plan)
        await _visits(db, rng, today)
        await _cases(db, today)
        user_id = await accounts.create_user(db, email=LIAISON_EMAIL, name="Valentina Enlace Municipal", verified=True,
                                             password_hash=passwords.hash_password(DEMO_PASSWORD))
        await queries.add_liaison(db, user_id, LIAISON_COMUNA, None)
    return [line]


async def _municipality(db: Database, rng: random.Random, code: str, state: str, adhered_on: date, today: date,
                        carta: str, plan: str) -> None:
    mayor = rng.choice(["María", "Jorge", "Carolina", "Luis", "Paula", "Rodrigo", "Daniela", "Cristián"]) + " " + \
        rng.choice(["González", "Muñoz", "Rojas", "Díaz", "Pérez", "Soto", "Contreras", "Silva"])
    await db.execute(
        """INSERT INTO sello_adhesions (comuna_code, mayor_name, carta_date, council_agreement, carta_file_id, adhered_on)
           VALUES (:c, :m, :d, :a, CAST(:f AS uuid), :on)""",
        {"c": code, "m": mayor, "d": adhered_on - timedelta(days=rng.randrange(5, 40)),
         "a": f"Acuerdo N° {rng.randrange(10, 400)}/{adhered_on.year}", "f": carta, "on": adhered_on})
    if state == "adhered":
        return
    await db.execute(
        """UPDATE sello_adhesions SET work_plan_file_id = CAST(:f AS uuid), work_plan_on = :d, status = 'implementing'
           WHERE comuna_code = :c""", {"c": code, "f": plan, "d": adhered_on + timedelta(days=60)})
    if state in ("certified", "revalidation", "expired"):
        await _certify_history(db, rng, code, state, today)
    if state in ("evaluation_requested", "in_evaluation", "revalidation"):
        kind = "revalidation" if state == "revalidation" else "certification"
        eval_id = await db.fetch_val(
            """INSERT INTO sello_evaluations (comuna_code, kind, status, requested_at, started_at)
               VALUES (:c, :k, :s, now() - make_interval(days => :ago), CASE WHEN :s = 'in_evaluation' THEN now() END)
               RETURNING id""",
            {"c": code, "k": kind, "s": "in_evaluation" if state == "in_evaluation" else "requested",
             "ago": rng.randrange(3, 40)})
        for area in rules.AREAS:
            await db.execute("INSERT INTO sello_evaluation_areas (evaluation_id, area, report) VALUES (:e, :a, :r)",
                             {"e": eval_id, "a": area, "r": f"Informe del área {area}: acciones del periodo (demostración)."})
            await db.execute("INSERT INTO sello_evidence (evaluation_id, area, file_id) VALUES (:e, :a, CAST(:f AS uuid))",
                             {"e": eval_id, "a": area, "f": plan})
        # demo data is written in its final state (no history of transitions to replay)
        await db.execute("UPDATE sello_adhesions SET status = :s WHERE comuna_code = :c",
                         {"c": code, "s": "in_evaluation" if state == "in_evaluation" else "evaluation_requested"})


async def _certify_history(db: Database, rng: random.Random, code: str, state: str, today: date) -> None:
    """A first certification (and for some a revalidation) whose dates give the wanted state today."""
    if state == "expired":
        resolution = today - timedelta(days=730 + rng.randrange(10, 500))
    elif state == "revalidation":
        resolution = today - timedelta(days=730 - rng.randrange(10, 80))   # ends within 90 days
    else:
        resolution = today - timedelta(days=rng.randrange(20, 700))
    first = resolution
    revalidated = state == "certified" and rng.random() < 0.3 and resolution.year >= 2022
    if revalidated:
        first = resolution - timedelta(days=731)
    name = queries.municipality_name(await db.fetch_val("SELECT name FROM comunas WHERE code = :c", {"c": code}))
    for kind, when in ([("certification", first), ("revalidation", resolution)] if revalidated
                       else [("certification", resolution)]):
        await db.execute(
            """INSERT INTO sello_evaluations (comuna_code, kind, status, requested_at, started_at, decided_at, resolution_date)
               VALUES (:c, :k, 'certified', CAST(:d AS date) - 40, CAST(:d AS date) - 30, CAST(:d AS date), :d)""",
            {"c": code, "k": kind, "d": when})
    valid_until = rules.validity_end(resolution)
    cert = await certificates.issue(db, kind="sello", subject_type="municipality", subject_id=code, subject_name=name,
                                    title=f"Sello Migrante {resolution.year}–{valid_until.year}", valid_from=resolution,
                                    valid_until=valid_until, actor=None, details={"comuna": code, "demo": True})
    await db.execute(
        """UPDATE sello_adhesions SET status = 'certified', first_certified_on = :f, certified_on = :r,
                  valid_until = :v, certificate_code = :cc WHERE comuna_code = :c""",
        {"c": code, "f": first, "r": resolution, "v": valid_until, "cc": cert})


async def _visits(db: Database, rng: random.Random, today: date) -> None:
    adhered = [(r["comuna_code"], r["adhered_on"]) for r in
               await db.fetch_all("SELECT comuna_code, adhered_on FROM sello_adhesions ORDER BY comuna_code")]
    for year, n in VISITS_PER_YEAR.items():
        last = min(date(year, 12, 31), today)
        for _ in range(n):
            on = date(year, 1, 1) + timedelta(days=rng.randrange((last - date(year, 1, 1)).days + 1))
            candidates = [c for c, d in adhered if d <= on] or [adhered[0][0]]
            await db.execute(
                "INSERT INTO sello_visits (comuna_code, visited_on, staff_names, notes) VALUES (:c, :d, :s, :n)",
                {"c": rng.choice(candidates), "d": on, "s": rng.choice(STAFF_TEAMS),
                 "n": "Revisión del plan de trabajo y reunión con la oficina municipal de migrantes."})


async def _cases(db: Database, today: date) -> None:
    """Casilla cases in bulk (one INSERT … SELECT per year), spread over the municipalities adhered by then."""
    topics = list(rules.CASE_TOPICS)
    for year, n in CASES_PER_YEAR.items():
        days = (min(date(year, 12, 31), today) - date(year, 1, 1)).days + 1
        await db.execute(
            """WITH m AS (SELECT array_agg(comuna_code ORDER BY comuna_code) AS codes FROM sello_adhesions
                          WHERE adhered_on <= make_date(:y, 12, 31))
               INSERT INTO sello_cases (comuna_code, topic, opened_on, status, closed_on)
               SELECT m.codes[1 + (i * 7919) % cardinality(m.codes)],
                      (CAST(:topics AS text[]))[1 + (i * 31) % cardinality(CAST(:topics AS text[]))],
                      make_date(:y, 1, 1) + (i * 13) % :days,
                      CASE WHEN i % 9 = 0 AND :y >= 2026 THEN 'open' ELSE 'closed' END,
                      CASE WHEN i % 9 = 0 AND :y >= 2026 THEN NULL
                           ELSE LEAST(make_date(:y, 1, 1) + (i * 13) % :days + 5, CAST(:today AS date)) END
               FROM m, generate_series(1, :n) AS i""",
            {"y": year, "n": n, "days": days, "topics": topics, "today": today})
