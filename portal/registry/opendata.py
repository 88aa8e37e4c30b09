"""Open data: the public registry as CSV and JSON, streamed in keyset batches (never all in memory)."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, UTC
from typing import Any
from collections.abc import AsyncIterator

from portal import clock, csvsafe
from portal.db import Database
from portal.i18n import N_
from portal.registry import queries

BATCH = 1000
LICENSE = "CC BY 4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/deed.es"

# (name, type, Spanish description, English description) — the field dictionary on /datos.
FIELDS: list[tuple[str, str, str, str]] = [
    ("id", "integer", N_("Identificador estable de la organización en el registro."),
     "Stable identifier of the organization in the registry."),
    ("rut", "string", N_("RUT de la persona jurídica, sin puntos y con guion (ej. 65123456-5)."),
     "Tax id (RUT) of the legal person, no dots, with hyphen."),
    ("legal_name", "string", N_("Nombre legal."), "Legal name."),
    ("short_name", "string", N_("Nombre corto o sigla (puede estar vacío)."), "Short name or acronym (may be empty)."),
    ("legal_form", "string",
     N_("Forma jurídica: asociacion, fundacion, corporacion, organizacion_funcional, universidad, centro_estudios, otra."),
     "Legal form (code)."),
    ("category", "string",
     N_("Categoría: A (mayoritariamente migrante), B (trabaja con comunidades migrantes), C (universidad o centro de "
        "estudios)."),
     "Category: A (mostly migrants), B (works with migrant communities), C (university or research centre)."),
    ("region_code", "string", N_("Código CUT de la región (2 dígitos)."), "CUT code of the region (2 digits)."),
    ("region_name", "string", N_("Nombre de la región."), "Region name."),
    ("comuna_code", "string", N_("Código CUT de la comuna (5 dígitos)."), "CUT code of the comuna (5 digits)."),
    ("comuna_name", "string", N_("Nombre de la comuna."), "Comuna name."),
    ("address", "string", N_("Dirección pública de la organización."), "Public address of the organization."),
    ("public_email", "string", N_("Correo público de la organización."), "Public email of the organization."),
    ("phone", "string", N_("Teléfono público."), "Public phone."),
    ("website", "string", N_("Sitio web."), "Website."),
    ("description", "string", N_("Descripción del trabajo de la organización."), "Description of the organization's work."),
    ("areas", "list of strings", N_("Áreas de trabajo (códigos; en CSV separados por «;»)."),
     "Areas of work (codes; ';'-separated in CSV)."),
    ("founded_on", "date (ISO 8601)", N_("Fecha de constitución."), "Founding date."),
    ("members", "integer", N_("Número de integrantes."), "Number of members."),
    ("migrant_share", "integer", N_("Porcentaje de integrantes migrantes (solo categoría A)."),
     "Percentage of migrant members (category A only)."),
    ("status", "string", N_("Estado público: approved (inscrita), expired (vigencia vencida) o withdrawn (retirada)."),
     "Public status: approved, expired or withdrawn."),
    ("approved_at", "date (ISO 8601)", N_("Fecha de la primera inscripción."), "Date of first registration."),
    ("vigencia_expires_on", "date (ISO 8601)", N_("Fin de la vigencia del certificado de persona jurídica."),
     "End of validity of the legal-person certificate."),
    ("withdrawn_at", "date (ISO 8601)", N_("Fecha de retiro (si corresponde)."), "Withdrawal date (if any)."),
]
FIELD_NAMES = [f[0] for f in FIELDS]


async def batches(db: Database) -> AsyncIterator[list[dict[str, Any]]]:
    """The public registry by id, BATCH rows per query (keyset pagination)."""
    last = 0
    while True:
        rows = await queries.open_data_batch(db, last, BATCH)
        if not rows:
            return
        batch = [_clean(row) for row in rows]
        last = batch[-1]["id"]
        yield batch


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    """ISO dates, lists as lists, nothing else."""
    for key, value in row.items():
        if isinstance(value, datetime):
            row[key] = value.astimezone(UTC).date().isoformat()
        elif isinstance(value, date):
            row[key] = value.isoformat()
    row["areas"] = list(row["areas"] or [])
    return {name: row[name] for name in FIELD_NAMES}


async def csv_stream(db: Database) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer, lineterminator="\r\n")  # no cell read as a formula
    yield "\ufeff"  # a BOM so spreadsheet programs read UTF-8 accents right
    writer.writerow(FIELD_NAMES)
    async for batch in batches(db):
        for row in batch:
            writer.writerow(["" if row[n] is None else (";".join(row[n]) if n == "areas" else row[n])
                             for n in FIELD_NAMES])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


async def json_stream(db: Database, base_url: str) -> AsyncIterator[str]:
    head = {
        "dataset": "Registro de Organizaciones Sociales — Servicio Nacional de Migraciones",
        "license": LICENSE, "license_url": LICENSE_URL, "documentation": base_url + "/datos",
        "generated_at": clock.now().astimezone(UTC).isoformat(timespec="seconds"),
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "organizations": ['
    first = True
    async for batch in batches(db):
        parts = [json.dumps(row, ensure_ascii=False) for row in batch]
        yield ("" if first else ",") + ",".join(parts)
        first = False
    yield "]}"
