"""Helpers for the registry tests (imported by name; not a conftest, whose module name others share): a valid record form, uploads, a draft ready to submit."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from factories import next_rut
from portal import clock, rut
from portal.registry.samples import tiny_pdf

PDF = tiny_pdf("Documento de prueba", ("Contenido de prueba",))
_LINK = re.compile(r"https?://[^\s]+")


def org_form(**overrides: Any) -> list[tuple[str, str]]:
    """A valid record form (pairs, so 'areas' can repeat); None in overrides drops a field."""
    values: dict[str, Any] = {
        "rut": rut.display(next_rut(60_000_000)), "legal_name": "Fundación Manos Unidas por la Migración",
        "short_name": "FMU", "legal_form": "fundacion", "category": "B", "region_code": "05",
        "comuna_code": "05101", "address": "Avenida Brasil 1234, Valparaíso", "public_email": "contacto@fmu.cl",
        "phone": "+56 32 234 5678", "website": "fmu.cl",
        "description": "Acompañamos a familias venezolanas y haitianas en su regularización migratoria.",
        "areas": ["regularizacion", "salud"], "founded_on": "2015-03-10", "members": "40",
        "migrant_share": "", "legal_rep_name": "María Pérez Soto", "legal_rep_run": "12.345.678-5",
    }
    values.update(overrides)
    pairs: list[tuple[str, str]] = []
    for key, value in values.items():
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item))
    return pairs


async def upload(client: Any, kind: str, content: bytes = PDF, issued_on: date | None = None,
                 filename: str = "doc.pdf", url: str = "/mi-organizacion/documentos") -> Any:
    data: dict[str, str] = {"kind": kind}
    if kind == "vigencia" or url.endswith("renovar"):
        data["issued_on"] = (issued_on or clock.today() - timedelta(days=5)).isoformat()
    return await client.post(url, data, files={"file": (filename, content, "application/pdf")})


async def upload_all(client: Any, category: str = "B") -> None:
    kinds = ["vigencia", "estatutos", "directorio"] + {"A": ["mayoria_migrante"], "C": ["reconocimiento_estado"]}.get(category, [])
    for kind in kinds:
        response = await upload(client, kind)
        assert response.status_code == 303, (kind, response.status_code, response.text[:500])


def link_in(body: str, path_part: str) -> str:
    """The path of the first link in an email body that contains `path_part`."""
    for url in _LINK.findall(body):
        if path_part in url:
            return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])
    raise AssertionError(f"no link with {path_part!r} in {body!r}")


async def count(db: Any, table: str) -> int:
    return await db.fetch_val(f"SELECT count(*) FROM {table}")
