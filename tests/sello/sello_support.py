"""Sello Migrante test helpers (a module of its own: every test folder's conftest shares one name)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policies.sello import tiny_pdf

VALPARAISO = "05101"
SANTIAGO = "13101"


@dataclass
class SelloWorld:
    db: Any
    liaison: Any
    other: Any
    evaluator: Any
    anon: Any
    liaison_email: str


async def count(db: Any, table: str) -> int:
    return await db.fetch_val(f"SELECT count(*) FROM {table}")


def pdf_file(field: str, name: str = "documento.pdf", text: str = "Evidencia") -> tuple[str, tuple[str, bytes, str]]:
    return field, (name, tiny_pdf(text), "application/pdf")


def evaluation_files(skip: int | None = None) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [pdf_file(f"evidence_{n}", f"evidencia-{n}.pdf") for n in range(1, 6) if n != skip]


def evaluation_reports(skip: int | None = None) -> dict[str, str]:
    return {f"report_{n}": f"Informe del área {n}: acciones realizadas." for n in range(1, 6) if n != skip}


def ratings(*values: str) -> dict[str, str]:
    data = {f"rating_{n}": v for n, v in enumerate(values, start=1)}
    data.update({f"comment_{n}": "Comentario de la evaluadora." for n in range(1, 6)})
    return data


async def adhere(client: Any) -> Any:
    """Submit a valid adhesion as `client`."""
    return await client.post("/mi-municipalidad/adhesion",
                             {"mayor_name": "Camila Nieto", "carta_date": "2026-03-02",
                              "council_agreement": "Acuerdo N° 45/2026"},
                             files=[pdf_file("carta", "carta.pdf", "Carta compromiso")])
