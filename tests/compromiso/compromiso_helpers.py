"""Helpers for Compromiso Migrante tests: a valid adhesion form, file fields, row counts."""

from __future__ import annotations

from typing import Any

from factories import next_rut

TABLES = ("compromiso_companies", "compromiso_contacts", "compromiso_cycles", "compromiso_report_items",
          "compromiso_evidence", "compromiso_scores", "stored_files", "certificates", "outbox")


def adhesion_data(rut: str | None = None, **overrides: Any) -> list[tuple[str, str]]:
    """A complete, valid adhesion form (without the carta file)."""
    data = {
        "rut": rut or next_rut(), "name": "Constructora Andina SpA", "kind": "empresa", "size": "mediana",
        "sector": "construccion", "region_code": "05", "comuna_code": "05101",
        "national_women": "40", "national_men": "120", "national_other": "0",
        "foreign_women": "8", "foreign_men": "30", "foreign_other": "1",
        "contact_name": "Paula Rojas", "contact_email": "paula.rojas@andina.cl", "contact_phone": "+56 9 1234 5678",
    }
    data.update(overrides)
    return list(data.items()) + [("accept", str(n)) for n in range(1, 6)]


def carta(content: bytes, name: str = "carta.pdf") -> dict[str, Any]:
    return {"carta": (name, content, "application/pdf")}


async def counts(db: Any) -> dict[str, int]:
    """Rows in every table the workflow writes, to prove a refusal stored nothing."""
    return {t: await db.fetch_val(f"SELECT count(*) FROM {t}") for t in TABLES}
