"""Shared test data for the elections tests: the worked quota vectors and small helpers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# In CI the repository is cloned with shared/ beside it; the copy in data/ keeps the tests
# runnable without it.
SHARED_VECTORS = Path(__file__).resolve().parents[3] / "shared" / "elections" / "quota_vectors.json"
COPY_VECTORS = Path(__file__).resolve().parent / "data" / "quota_vectors.json"


def vectors_path() -> Path:
    """The shared vectors file when present, else the copy kept with the tests."""
    return SHARED_VECTORS if SHARED_VECTORS.exists() else COPY_VECTORS


def load_cases() -> list[dict[str, Any]]:
    """Every worked case of quota_vectors.json."""
    return json.loads(vectors_path().read_text(encoding="utf-8"))["cases"]


def allocate_input(case: dict[str, Any]) -> dict[str, Any]:
    """The `allocate` CLI input for one case."""
    keys = ("seats", "candidates", "lottery_order", "lottery_seed")
    return {k: case[k] for k in keys if k in case}
