from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from portal import clock
from portal.jobs.runner import JobContext
from reminder_helpers import START, MovingClock


@pytest.fixture
def moving_clock() -> Iterator[MovingClock]:
    source = MovingClock(START)
    before = clock.set_source(source)
    try:
        yield source
    finally:
        clock.set_source(before)


@pytest.fixture
def ctx(db: Any, settings: Any) -> JobContext:
    return JobContext(db, settings)
