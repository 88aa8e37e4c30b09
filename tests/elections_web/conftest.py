"""Elections web fixtures."""

from __future__ import annotations

from typing import Any

import pytest

from cosoc_world import OpenElection, build_open_election


@pytest.fixture
def secret(settings: Any) -> str:
    """The app's secret key: the portal's per-election sealing key derives from it."""
    return str(settings.secret_key)


@pytest.fixture
async def open_election(db: Any, secret: str) -> OpenElection:
    return await build_open_election(db, secret)
