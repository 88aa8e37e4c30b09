"""Chilean RUT / RUN: check digit, normalization and display (docs/registry.md, RUT and RUN)."""

from __future__ import annotations

import re

_CLEAN = re.compile(r"[.\s-]")
_SHAPE = re.compile(r"^(\d{1,8})([0-9K])$")


def check_digit(body: str | int) -> str:
    """Weights 2,3,4,5,6,7,2,3… from the right; r = 11 − (sum mod 11); 11 → 0, 10 → K."""
    total = 0
    for i, digit in enumerate(reversed(str(body))):
        total += int(digit) * (2 + i % 6)
    r = 11 - total % 11
    return "0" if r == 11 else "K" if r == 10 else str(r)


def normalize(value: str) -> str | None:
    """'12.345.678-5' / '123456785' / '60803000-k' → '12345678-5' (None if not a valid RUT)."""
    if not isinstance(value, str):
        return None
    cleaned = _CLEAN.sub("", value).upper()
    match = _SHAPE.match(cleaned)
    if not match:
        return None
    body, digit = match.groups()
    body = body.lstrip("0") or "0"
    if body == "0" or check_digit(body) != digit:
        return None
    return f"{body}-{digit}"


def is_valid(value: str) -> bool:
    return normalize(value) is not None


def display(normalized: str) -> str:
    """'12345678-5' → '12.345.678-5'."""
    body, _, digit = normalized.partition("-")
    groups: list[str] = []
    while body:
        groups.insert(0, body[-3:])
        body = body[:-3]
    return ".".join(groups) + "-" + digit
