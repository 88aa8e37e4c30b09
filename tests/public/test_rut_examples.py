"""Every RUT or RUN example a form shows passes the form's own check (issue 16, item 10)."""

from __future__ import annotations

import re
from pathlib import Path

from portal import rut

ROOT = Path(__file__).resolve().parents[2]
# "12.345.678-5", "65123456-5": a body of 7–8 digits (dots optional), a hyphen and a check digit
EXAMPLE = re.compile(r"\b\d{1,2}\.?\d{3}\.?\d{3}-[0-9Kk]\b")


def test_every_rut_example_shown_is_valid() -> None:
    found = {}
    sources = [*sorted((ROOT / "templates").rglob("*.html")), ROOT / "portal/registry/opendata.py"]
    for path in sources:
        for example in EXAMPLE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(example, []).append(path.relative_to(ROOT).as_posix())
    assert "65.123.456-5" in found  # the registry's record form
    invalid = {example: where for example, where in found.items() if not rut.is_valid(example)}
    assert not invalid, f"RUT examples that fail rut.is_valid: {invalid}"


def test_the_registry_form_accepts_its_own_example() -> None:
    assert rut.normalize("65.123.456-5") == "65123456-5"
    assert rut.normalize("65.123.456-7") is None  # the example it used to show
