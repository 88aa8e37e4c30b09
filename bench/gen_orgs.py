"""Generate N realistic organizations for the registry benchmarks (deterministic with a seed).

Usage:
    python bench/gen_orgs.py --count 100000 --seed 2024 --database-url postgresql://…
    python bench/gen_orgs.py --count 100000 --pgdata /tmp/x/pgdata   # embedded server, kept running

The rows follow domain.md §3: Chilean / migrant-community names, Spanish descriptions with accents,
areas, categories A/B/C, the legal forms of migrations/0010_registry.sql, regions weighted like the
migrant population (RM heavy) with comunas of that region, valid unique RUTs, statuses mostly
approved with some expired (vigencia in the past), withdrawn, and a few still in the workflow.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import date, datetime, timedelta, UTC
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import rut  # noqa: E402

# Codes as stored in organizations.areas (domain.md §3); checked against portal.registry when it has them.
AREAS = ("regularizacion", "derechos_humanos", "trabajo", "salud", "educacion", "vivienda", "genero",
         "ninez", "refugio", "interculturalidad", "investigacion")

COLUMNS = ("rut", "legal_name", "short_name", "legal_form", "category", "region_code", "comuna_code",
           "address", "public_email", "phone", "website", "description", "areas", "founded_on", "members",
           "migrant_share", "legal_rep_name", "legal_rep_run", "status", "vigencia_issued_on",
           "vigencia_expires_on", "submitted_at", "approved_at", "withdrawn_at", "created_at", "updated_at")

# Share of each region, roughly like the foreign-born population (INE/SERMIG estimates): RM heavy.
REGION_WEIGHTS = {"13": 58, "02": 9, "05": 7, "01": 6, "15": 3, "04": 3, "08": 3, "06": 2.5, "07": 2.5,
                  "10": 1.5, "03": 1.5, "09": 1, "12": 1, "16": 0.5, "14": 0.5, "11": 0.3}
# Comunas where migrant organizations concentrate get extra weight inside their region.
HOT_COMUNAS = {"13101": 12, "13108": 8, "13106": 7, "13127": 6, "13125": 4, "13105": 3, "13122": 3,
               "02101": 8, "02201": 4, "01101": 6, "01107": 5, "15101": 10, "05101": 5, "05109": 3}

# (adjective m. pl., adjective f. pl., adjective m. sg., country)
NATIONALITIES = (
    ("haitianos", "haitianas", "haitiano", "Haití"), ("venezolanos", "venezolanas", "venezolano", "Venezuela"),
    ("peruanos", "peruanas", "peruano", "Perú"), ("bolivianos", "bolivianas", "boliviano", "Bolivia"),
    ("colombianos", "colombianas", "colombiano", "Colombia"), ("ecuatorianos", "ecuatorianas", "ecuatoriano", "Ecuador"),
    ("dominicanos", "dominicanas", "dominicano", "República Dominicana"),
    ("argentinos", "argentinas", "argentino", "Argentina"), ("cubanos", "cubanas", "cubano", "Cuba"),
    ("paraguayos", "paraguayas", "paraguayo", "Paraguay"), ("chinos", "chinas", "chino", "China"),
    ("senegaleses", "senegalesas", "senegalés", "Senegal"), ("sirios", "sirias", "sirio", "Siria"),
)
NAT_WEIGHTS = (14, 22, 14, 9, 12, 4, 4, 3, 3, 2, 1, 1, 1)

VALUES = ("Esperanza", "Puentes", "Raíces", "Encuentro", "Acogida", "Horizonte", "Sin Fronteras", "Manos Unidas",
          "Nuevo Camino", "Caminantes", "Solidaridad", "Dignidad", "Integración", "Vínculos", "Tierra Común",
          "Semillas", "Arcoíris", "Convivencia", "Abrazo", "Futuro Compartido")
TOPICS = ("Migraciones", "Movilidad Humana", "Migración y Frontera", "Interculturalidad", "Derechos Humanos",
          "Estudios Migratorios", "Políticas Públicas y Migración", "Trabajo y Migración", "Refugio y Asilo")
UNIVERSITIES = ("Universidad Católica del Norte", "Universidad de Tarapacá", "Universidad de Santiago",
                "Universidad de Valparaíso", "Universidad de Concepción", "Universidad Austral",
                "Universidad Arturo Prat", "Universidad de Antofagasta", "Universidad de La Frontera",
                "Universidad Alberto Hurtado", "Universidad Diego Portales", "Universidad de Chile")
FIRST = ("María", "José", "Jean", "Wilner", "Rosa", "Carmen", "Luis", "Ana", "Yolanda", "Mónica", "Ángel",
         "Daniela", "Jesús", "Nathalie", "Pierre", "Lucía", "Andrés", "Sofía", "Héctor", "Valentina")
LAST = ("González", "Muñoz", "Pérez", "Joseph", "Rodríguez", "Jean-Baptiste", "Quispe", "Mamani", "Álvarez",
        "Hernández", "Díaz", "Castillo", "Rojas", "Fernández", "Louis", "Gutiérrez", "Pierre", "Núñez", "Soto")
STREETS = ("Avenida Independencia", "Calle San Pablo", "Avenida Recoleta", "Pasaje Los Aromos", "Calle Bandera",
           "Avenida Matta", "Calle Esperanza", "Avenida Grecia", "Calle Sotomayor", "Avenida Argentina")

AREA_PHRASES = {
    "regularizacion": "orientamos en trámites de regularización migratoria, visas y permanencia definitiva",
    "derechos_humanos": "promovemos y defendemos los derechos humanos de las personas migrantes",
    "trabajo": "apoyamos la inserción laboral, el emprendimiento y la validación de títulos",
    "salud": "facilitamos el acceso a la salud primaria y la inscripción en FONASA",
    "educacion": "acompañamos la matrícula escolar y la nivelación de estudios",
    "vivienda": "asesoramos en arriendos, campamentos y subsidios habitacionales",
    "genero": "trabajamos con mujeres migrantes contra la violencia de género",
    "ninez": "protegemos a niños, niñas y adolescentes migrantes y sus familias",
    "refugio": "acompañamos a solicitantes de refugio y asilo",
    "interculturalidad": "organizamos encuentros interculturales, gastronomía y música",
    "investigacion": "investigamos las migraciones contemporáneas y publicamos estudios",
}
OPENINGS = ("Desde {year}", "Hace más de una década", "Con el apoyo de voluntarios", "En coordinación con el municipio",
            "Junto a la comunidad")


def rut_bodies(rng: random.Random, count: int) -> list[int]:
    """`count` distinct RUT bodies in 65.000.000–65.999.999 (the range of Chilean non-profits)."""
    if count > 1_000_000:
        raise ValueError("at most 1,000,000 organizations")
    return rng.sample(range(65_000_000, 66_000_000), count)


def _name(rng: random.Random, place: str, category: str, nationality: tuple[str, ...]) -> tuple[str, str, str]:
    """(legal_name, short_name, legal_form) for one organization of `category`."""
    plural_m, plural_f, single, country = nationality
    value = rng.choice(VALUES)
    if category == "C":
        kind = rng.random()
        if kind < 0.45:
            topic = rng.choice(TOPICS)
            initials = "".join(w[0] for w in topic.split() if w[0].isupper())
            return f"Centro de Estudios de {topic} {place}", "CE" + initials, "centro_estudios"
        if kind < 0.75:
            uni = rng.choice(UNIVERSITIES)
            return f"{uni} — Programa de {rng.choice(TOPICS)}", "", "universidad"
        return f"Observatorio de {rng.choice(TOPICS)} de {place}", "", "corporacion"
    if category == "A":
        options = (
            (f"Asociación de Migrantes {plural_m.capitalize()} de {place}", "asociacion"),
            (f"Agrupación de Mujeres {plural_f.capitalize()} {value}", "organizacion_funcional"),
            (f"Comunidad {single.capitalize()} en {place}", "organizacion_funcional"),
            (f"Asociación Cultural {country}–Chile {value}", "asociacion"),
            (f"Club Deportivo {single.capitalize()} {place}", "organizacion_funcional"),
        )
    else:
        options = (
            (f"Fundación {value} {place}", "fundacion"),
            (f"Fundación Amigos de {country}", "fundacion"),
            (f"Corporación {value} para la Integración", "corporacion"),
            (f"Corporación de Apoyo al Migrante {place}", "corporacion"),
            (f"ONG {value} con Personas Migrantes", "otra"),
        )
    legal_name, form = rng.choice(options)
    short = "".join(w[0] for w in legal_name.split() if w[:1].isupper())[:8] if rng.random() < 0.4 else ""
    return legal_name, short, form


def _description(rng: random.Random, areas: Sequence[str], place: str, founded: date,
                 nationality: tuple[str, ...]) -> str:
    plural_m, plural_f, _, country = nationality
    opening = rng.choice(OPENINGS).format(year=founded.year)
    phrases = [AREA_PHRASES[a] for a in areas]
    text = f"{opening}, {'; '.join(phrases)}."
    if rng.random() < 0.6:  # not every organization names one community
        text += (f" Atendemos principalmente a familias {plural_f} y {plural_m} de {place}, con especial "
                 f"atención a quienes llegaron desde {country} en los últimos años.")
    else:
        text += f" Atendemos a personas migrantes y refugiadas de {place} y comunas vecinas."
    if rng.random() < 0.3:
        text += " Ofrecemos atención gratuita los sábados y clases de español para hablantes de creole."
    return text


def _weighted_comunas(comunas: dict[str, list[tuple[str, str]]]) -> dict[str, tuple[list[tuple[str, str]], list[float]]]:
    return {region: (items, [HOT_COMUNAS.get(code, 1.0) for code, _ in items]) for region, items in comunas.items()}


def generate(count: int, seed: int, comunas: dict[str, list[tuple[str, str]]],
             today: date | None = None) -> Iterator[tuple]:
    """`count` organization records (values in COLUMNS order) for comunas {region: [(code, name)]}."""
    rng = random.Random(seed)
    today = today or date.today()
    regions = [r for r in REGION_WEIGHTS if r in comunas]
    weights = [REGION_WEIGHTS[r] for r in regions]
    by_region = _weighted_comunas(comunas)
    for body in rut_bodies(rng, count):
        region = rng.choices(regions, weights)[0]
        items, item_weights = by_region[region]
        comuna_code, place = rng.choices(items, item_weights)[0]
        yield _record(rng, body, region, comuna_code, place, today)


def _record(rng: random.Random, body: int, region: str, comuna: str, place: str, today: date) -> tuple:
    category = rng.choices("ABC", (55, 38, 7))[0]
    nationality = rng.choices(NATIONALITIES, NAT_WEIGHTS)[0]
    legal_name, short, form = _name(rng, place, category, nationality)
    areas = sorted(rng.sample(AREAS, rng.randint(1, 4)))
    if category == "C" and "investigacion" not in areas:
        areas = sorted([*areas, "investigacion"])
    founded = today - timedelta(days=rng.randint(200, 30 * 365))
    status, issued, expires, submitted, approved, withdrawn = _workflow(rng, today)
    created = submitted or datetime.combine(today - timedelta(days=rng.randint(1, 60)), datetime.min.time(), UTC)
    rep_body = rng.randint(8_000_000, 27_000_000)
    slug = "".join(c for c in rut.display(f"{body}-{rut.check_digit(body)}") if c.isdigit())[:8]
    return (
        f"{body}-{rut.check_digit(body)}", legal_name[:300], short, form, category, region, comuna,
        f"{rng.choice(STREETS)} {rng.randint(10, 4999)}, {place}", f"contacto{slug}@organizacion.cl",
        f"+56 9 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
        f"https://org{slug}.cl" if rng.random() < 0.5 else "", _description(rng, areas, place, founded, nationality), areas,
        founded, rng.randint(5, 800), rng.randint(51, 100) if category == "A" else None,
        f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}", f"{rep_body}-{rut.check_digit(rep_body)}",
        status, issued, expires, submitted, approved, withdrawn, created, approved or withdrawn or created,
    )


def _workflow(rng: random.Random, today: date) -> tuple:
    """(status, vigencia issued, vigencia expires, submitted_at, approved_at, withdrawn_at)."""
    roll = rng.random()
    submitted_day = today - timedelta(days=rng.randint(30, 3 * 365))
    submitted = datetime.combine(submitted_day, datetime.min.time(), UTC) + timedelta(minutes=rng.randint(480, 1080))
    issued = submitted_day - timedelta(days=rng.randint(1, 60))
    approved = submitted + timedelta(days=rng.randint(3, 40))
    if roll < 0.80:  # approved and in force: vigencia renewed within the last year
        issued = today - timedelta(days=rng.randint(0, 360))
        return "approved", issued, issued + timedelta(days=365), submitted, approved, None
    if roll < 0.88:  # approved but the vigencia certificate lapsed → 'expired' when read
        expires = today - timedelta(days=rng.randint(1, 400))
        return "approved", expires - timedelta(days=365), expires, submitted, approved, None
    if roll < 0.92:
        withdrawn = approved + timedelta(days=rng.randint(30, 300))
        return "withdrawn", issued, issued + timedelta(days=365), submitted, approved, withdrawn
    status = rng.choice(("draft", "submitted", "in_review", "observed", "rejected"))
    return status, issued, issued + timedelta(days=365), None if status == "draft" else submitted, None, None


async def load_comunas(conn) -> dict[str, list[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    """{region_code: [(comuna_code, name)]} from the comunas table."""
    out: dict[str, list[tuple[str, str]]] = {}
    for row in await conn.fetch("SELECT code, name, region_code FROM comunas ORDER BY code"):
        out.setdefault(row["region_code"], []).append((row["code"], row["name"]))
    return out


async def insert(url: str, count: int, seed: int, connections: int = 2, rebuild_indexes: bool = True) -> float:
    """COPY `count` generated organizations into the database at `url`, then ANALYZE; seconds taken.

    The secondary indexes (the full-text GIN above all) are dropped during the COPY and rebuilt
    after it (unless `rebuild_indexes` is false, for a database others use), and the COPY runs on
    `connections` connections: computing the tsvector column is what costs.
    """
    import asyncpg

    started = time.monotonic()
    conn = await asyncpg.connect(url)
    try:
        # explicit ids keep the rows' ids deterministic although two connections COPY at once
        first = await conn.fetchval("SELECT coalesce(max(id), 0) + 1 FROM organizations")
        records = [(first + i, *r) for i, r in enumerate(generate(count, seed, await load_comunas(conn)))]
        indexes = await _secondary_indexes(conn) if rebuild_indexes else []
        for row in indexes:
            await conn.execute(f'DROP INDEX "{row["indexname"]}"')
        await asyncio.gather(*(_copy(url, records[i::connections]) for i in range(connections)))
        for row in indexes:
            await conn.execute(row["indexdef"])
        await conn.execute("SELECT setval(pg_get_serial_sequence('organizations', 'id'), max(id)) FROM organizations")
        await conn.execute("VACUUM ANALYZE organizations")
    finally:
        await conn.close()
    return time.monotonic() - started


async def _secondary_indexes(conn) -> list:  # type: ignore[no-untyped-def]
    """Indexes of organizations other than those of constraints (primary key, unique RUT)."""
    return await conn.fetch(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.schemaname = 'public' AND i.tablename = 'organizations'
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""")


async def _copy(url: str, records: list[tuple]) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.copy_records_to_table("organizations", records=records, columns=("id", *COLUMNS))
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--database-url")
    where.add_argument("--pgdata", type=Path, help="embedded PostgreSQL folder (created if missing)")
    args = parser.parse_args(argv)
    from portal import db as dbmod, migrate

    url = args.database_url or dbmod.embedded_url(args.pgdata)
    asyncio.run(migrate.apply(url))
    seconds = asyncio.run(insert(url, args.count, args.seed))
    print(f"inserted {args.count} organizations in {seconds:.1f} s into {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
