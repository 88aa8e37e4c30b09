"""Smoke run of the vote storm benchmark at a tiny scale: its own PostgreSQL, `portal serve --workers 2`,
both storms (the second with the database restart) with sealed ballots and two trustees, the count's
portal path after each, and the invariants it checks afterwards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_vote_storm_runs_and_its_invariants_hold() -> None:
    run = subprocess.run([sys.executable, "bench/bench_vote_storm.py", "--orgs", "60", "--clients", "4",
                          "--no-write", "--deadline", "240"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         check=False)
    out = run.stdout
    assert run.returncode == 0, out[-3000:] + run.stderr[-3000:]
    assert out.rstrip().endswith("OK")
    assert "'ballots': 60, 'voters': 60, 'distinct_orgs': 60" in out
    assert "'receipts_missing_from_ballots': 0" in out and "database restarted" in out
    assert "'revealed': 60" in out and "'record_verifies': True" in out  # sealed, counted, verified
    assert "close + steps + count" in out
    assert "votes/s" in out and "CPU used during the storm" in out
    assert "its processes left: 0" in out  # the run stopped its own PostgreSQL
