"""Elections web fixtures."""

from __future__ import annotations

from typing import Any

import pytest

from cosoc_world import OpenElection, build_open_election


@pytest.fixture
async def open_election(db: Any) -> OpenElection:
    return await build_open_election(db)
