"""Demo data: ~120 companies, institutions and guilds with their cycles from 2021 to the current year.

The 2022 figures match SERMIG's public account (74 new, 116 adhered, 18 applied, 16 recognized);
the other years are invented in the same proportions. Every cycle state appears in the current
year. Idempotent: it does nothing when the first demo RUT is already there.
"""

from __future__ import annotations

import random
from datetime import date

from portal import clock, passwords, rut
from portal.accounts import queries as accounts
from portal.certificates import service as certificates
from portal.compromiso import rules, seed
from portal.db import Database
from portal.txn import atomic

CONTACT_EMAIL = "empresa@demo.participa.cl"
CONTACT2_EMAIL = "empresa2@demo.participa.cl"
FIRST_YEAR = 2021
NEW_PER_YEAR = {2021: 42, 2022: 74, 2023: 3, 2024: 2, 2025: 2, 2026: 1}
# (applied, recognized) per closed year; 2022 is SERMIG's published figure.
OUTCOMES = {2021: (9, 7), 2022: (18, 16), 2023: (21, 18), 2024: (24, 20), 2025: (27, 23)}
REPORTED_ONLY = 10  # per closed year: sent the report but did not apply
# The demo contact's company: a track record with every kind of year (drawn from the targets above).
CONTACT_HISTORY = {2021: "recognized", 2022: "recognized", 2023: "report_submitted", 2024: "not_recognized",
                   2025: "recognized"}
# The current year, in progress: how many cycles in each state (the rest stay 'adhered').
CURRENT = {"report_submitted": 10, "applied": 8, "in_evaluation": 6, "recognized": 4, "not_recognized": 1}

EMPRESAS = ["Constructora", "Agrícola", "Transportes", "Comercial", "Viña", "Hotelera", "Frutícola", "Salmones",
            "Inmobiliaria", "Servicios", "Minera", "Textil", "Alimentos", "Logística", "Panificadora"]
PLACES = ["Andes", "Pacífico", "Atacama", "Maule", "Biobío", "Los Lagos", "Aconcagua", "Tarapacá", "Elqui",
          "Araucanía", "Patagonia", "Limarí", "Cachapoal", "Colchagua", "Itata", "Loa", "Huasco", "Valdivia"]
SUFFIXES = ["SpA", "S.A.", "Ltda."]
INSTITUTIONS = ["Universidad", "Hospital Clínico", "Instituto Profesional", "Caja de Compensación", "Fundación",
                "Centro de Formación Técnica", "Corporación Municipal"]
GUILDS = ["Asociación Gremial de Productores", "Cámara de Comercio", "Asociación de Exportadores",
          "Cámara Chilena de la Construcción", "Gremio Hotelero", "Asociación de Agricultores"]
SECTOR_BY_WORD = {"Constructora": "construccion", "Agrícola": "agricultura", "Transportes": "transporte",
                  "Comercial": "comercio", "Viña": "agricultura", "Hotelera": "alojamiento", "Frutícola": "agricultura",
                  "Salmones": "agricultura", "Inmobiliaria": "construccion", "Servicios": "administrativo",
                  "Minera": "mineria", "Textil": "manufactura", "Alimentos": "manufactura", "Logística": "transporte",
                  "Panificadora": "manufactura", "Universidad": "educacion", "Hospital Clínico": "salud",
                  "Instituto Profesional": "educacion", "Caja de Compensación": "financiero", "Fundación": "otros",
                  "Centro de Formación Técnica": "educacion", "Corporación Municipal": "publico"}


def demo_rut(i: int) -> str:
    body = 76_100_000 + i * 7_919
    return f"{body}-{rut.check_digit(body)}"


def _name(rng: random.Random, i: int) -> tuple[str, str, str]:
    """(name, kind, sector); the place moves every 15 names so the combinations do not repeat."""
    place = PLACES[(i // 15 + i) % len(PLACES)]
    if i % 9 == 4:
        word = INSTITUTIONS[(i // 9) % len(INSTITUTIONS)]
        return f"{word} {place}", "institucion", SECTOR_BY_WORD[word]
    if i % 11 == 7:
        word = GUILDS[(i // 11) % len(GUILDS)]
        return f"{word} de {place} A.G.", "gremio", rng.choice(list(rules.SECTORS))
    word = EMPRESAS[i % len(EMPRESAS)]
    return f"{word} {place} {SUFFIXES[(i // 3) % 3]}", "empresa", SECTOR_BY_WORD[word]


def _scores(rng: random.Random, recognized: bool) -> dict[int, int]:
    """Scores consistent with the outcome (checked against the rule itself)."""
    while True:
        if recognized:
            values = [rng.choice((2, 2, 3)) for _ in range(5)]
        else:
            values = [rng.choice((0, 1, 2, 2, 3)) for _ in range(5)]
        if rules.decide(values).recognized == recognized:
            return dict(enumerate(values, start=1))


async def _contact(db: Database, email: str, name: str) -> int:
    existing = await accounts.get_by_email(db, email)
    if existing:
        return existing.id
    from portal.demo import DEMO_PASSWORD  # imported here: portal.demo imports this module's package lazily

    return await accounts.create_user(db, email=email, name=name, verified=True,
                                      password_hash=passwords.hash_password(DEMO_PASSWORD))


def _plan(rng: random.Random, company_years: dict[int, int], last_year: int) -> dict[tuple[int, int], str]:
    """(company index, year) → state, hitting the per-year targets."""
    plan: dict[tuple[int, int], str] = {}
    for year in range(FIRST_YEAR, last_year + 1):
        members = [i for i, y in company_years.items() if y <= year and i not in (0, 1)]
        rng.shuffle(members)
        if year in OUTCOMES:
            applied, recognized = OUTCOMES[year]
            states = (["recognized"] * recognized + ["not_recognized"] * (applied - recognized)
                      + ["report_submitted"] * REPORTED_ONLY)
        else:
            states = [s for s, n in CURRENT.items() for _ in range(n)]
        if year in CONTACT_HISTORY:
            states.remove(CONTACT_HISTORY[year])
            plan[(0, year)] = CONTACT_HISTORY[year]
        for i, state in zip(members, states, strict=False):
            plan[(i, year)] = state
    return plan


def _company_years(last_year: int) -> dict[int, int]:
    """Company number → the year it adhered (up to `last_year`)."""
    company_years = {}
    n = 0
    for year, count in NEW_PER_YEAR.items():
        for _ in range(count):
            if year <= last_year:
                company_years[n] = year
                n += 1
    return company_years


async def load(db: Database) -> list[str]:
    """Load the demo companies once; return the console lines."""
    if await db.fetch_val("SELECT 1 FROM compromiso_companies WHERE rut = :r", {"r": demo_rut(0)}):
        return [f"  compromiso  already loaded; contacts {CONTACT_EMAIL}, {CONTACT2_EMAIL}"]
    rng = random.Random(2022)  # noqa: S311 (reproducible demo data, not security)
    last_year = max(rules.open_year(), FIRST_YEAR)
    company_years = _company_years(last_year)
    plan = _plan(rng, company_years, last_year)
    async with atomic(db):
        recognized = await _companies(db, rng, company_years, plan, last_year)
        for j in range(2):  # created by staff, waiting for the invited contact's signed carta
            await seed.create_company(db, rut=demo_rut(500 + j), name=f"Empresa Invitada {PLACES[j]} SpA",
                                      adhered_on=None, region="13", comuna="13101")
    return [
        f"  compromiso  {len(company_years)} organizations, {len(plan)} evaluated or reported cycles, "
        f"{recognized} recognitions",
        f"  compromiso  contact  {CONTACT_EMAIL:<34} (report for {last_year} open)",
        f"  compromiso  contact  {CONTACT2_EMAIL:<34} (report sent, can apply)",
    ]


async def _companies(db: Database, rng: random.Random, company_years: dict[int, int],
                     plan: dict[tuple[int, int], str], last_year: int) -> int:
    """The adhered companies with their cycles, two with demo contacts; returns the recognitions."""
    comunas = await db.fetch_all("SELECT code, region_code FROM comunas ORDER BY code")
    rm = [c for c in comunas if c["region_code"] == "13"]
    pdf = seed.sample_pdf("Carta de Compromiso Migrante (demo)")
    evidence_pdf = seed.sample_pdf("Medio de verificacion (demo)")
    contacts = {0: await _contact(db, CONTACT_EMAIL, "Camila Contacto Empresa"),
                1: await _contact(db, CONTACT2_EMAIL, "Diego Contacto Institución")}
    recognized = 0
    for i, year in company_years.items():
        name, kind, sector = _name(rng, i)
        place = rng.choice(rm if rng.random() < 0.45 else comunas)
        company_id = await seed.create_company(
            db, rut=demo_rut(i), name=name, kind=kind, sector=sector, region=place["region_code"],
            comuna=place["code"], size=rng.choice(list(rules.SIZES)), contact_user_id=contacts.get(i),
            adhered_on=min(date(year, rng.randint(1, 10), rng.randint(1, 28)), clock.today()), pdf=pdf,
            staff=tuple(rng.randint(0, 400) if k % 3 != 2 else rng.randint(0, 3) for k in range(6)))
        for cycle_year in range(year, last_year + 1):
            state = plan.get((i, cycle_year), "adhered")
            if i == 1 and cycle_year == last_year:
                state = "report_submitted"  # the second demo contact can apply right away
            recognized += await _cycle(db, rng, company_id, name, cycle_year, state,
                                       evidence_pdf if i in (0, 1) else None)
    return recognized


async def _cycle(db: Database, rng: random.Random, company_id: int, name: str, year: int, state: str,
                 evidence: bytes | None) -> int:
    """One cycle; recognized ones get their certificate. Returns 1 for a recognition."""
    scores = _scores(rng, state == "recognized") if state in ("recognized", "not_recognized") else None
    code = None
    if state == "recognized":
        valid_from, valid_until = rules.certificate_validity(year, date(year, 11, 5))
        code = await certificates.issue(
            db, kind="compromiso", subject_type="company", subject_id=company_id, subject_name=name,
            title=f"Reconocida {year}", valid_from=valid_from, valid_until=valid_until, actor=None,
            details={"year": year, "total": sum(scores.values()) if scores else None})
    await seed.create_cycle(db, company_id, year, state, scores=scores, certificate_code=code,
                            evidence_pdf=evidence if state != "adhered" else None)
    return 1 if state == "recognized" else 0
