"""Fixtures of the council tests: a proclaimed council of 20 (tests/council/council_world.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import council_world


@pytest.fixture
async def world(db: Any) -> council_world.CouncilWorld:
    return await council_world.build(db)
