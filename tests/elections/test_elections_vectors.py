"""Every worked case of shared/elections/quota_vectors.json, through the API and through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from elections import allocate
from elections_testdata import COPY_VECTORS, SHARED_VECTORS, allocate_input, load_cases

ROOT = Path(__file__).resolve().parents[2]
CASES = load_cases()


def _check(case: dict[str, Any], got: dict[str, Any]) -> None:
    for cat, expected in case["expected"].items():
        out = got["categories"][cat]
        for key, value in expected.items():  # elected (set and order), bounds, substitutions, ...
            assert out[key] == value, f"{case['id']} {cat}.{key}"
        trail = case["trail"][cat]
        assert out["notes"] == trail["notes"]
        assert out["skipped"] == trail["skipped"]
        assert out["lottery_losers"] == trail["lottery_losers"]
        assert out["substitutions_detail"] == trail["substitutions"]
        assert out["substitutions"] == [{"out": s["out"], "in": s["in"]} for s in trail["substitutions"]]
    if "expected_council" in case:
        assert got["council"] == case["expected_council"]


def test_vectors_present() -> None:
    """The suite really runs the cases (23 in cosoc-quota-vectors/1)."""
    assert len(CASES) >= 23


def test_copy_matches_shared() -> None:
    """The copy in tests/elections/data is the shared file, byte for byte (refresh it if not)."""
    if not SHARED_VECTORS.exists():
        pytest.skip("shared/ is not beside the repository")
    assert COPY_VECTORS.read_bytes() == SHARED_VECTORS.read_bytes()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_vector_api(case: dict[str, Any]) -> None:
    """The case's `intent` states the arithmetic; expected values come from the vectors file."""
    result = allocate(case["seats"], case["candidates"], case.get("lottery_order"), case.get("lottery_seed"))
    _check(case, result.to_dict())


@pytest.fixture(scope="module")
def cli_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, str]]:
    """Run `python -m elections allocate FILE` for every case at once (subprocesses in parallel)."""
    folder = tmp_path_factory.mktemp("vectors")
    procs = {}
    for case in CASES:
        path = folder / f"{case['id']}.json"
        path.write_text(json.dumps(allocate_input(case)), encoding="utf-8")
        procs[case["id"]] = subprocess.Popen([sys.executable, "-m", "elections", "allocate", str(path)],
                                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                             text=True)
    outputs = {}
    for cid, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        outputs[cid] = (proc.returncode, out, err)
    return outputs


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_vector_cli(case: dict[str, Any], cli_outputs: dict[str, tuple[int, str, str]]) -> None:
    """`python -m elections allocate FILE` prints the same JSON as the API for every case."""
    code, out, err = cli_outputs[case["id"]]
    assert code == 0, err
    _check(case, json.loads(out))


def test_cli_reads_stdin() -> None:
    """`-` reads the input from standard input."""
    case = CASES[0]
    proc = subprocess.run([sys.executable, "-m", "elections", "allocate", "-"], cwd=ROOT,
                          input=json.dumps(allocate_input(case)), capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    _check(case, json.loads(proc.stdout))


def test_cli_reads_a_file_and_prints_text(tmp_path: Path) -> None:
    """FILE as well as stdin; --text in Spanish by default, --lang en in English."""
    case = next(c for c in CASES if c["id"].startswith("T09"))
    path = tmp_path / "input.json"
    path.write_text(json.dumps(allocate_input(case)), encoding="utf-8")
    run = [sys.executable, "-m", "elections", "allocate", str(path)]
    es = subprocess.run(run + ["--text"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    en = subprocess.run(run + ["--text", "--lang", "en"], cwd=ROOT, capture_output=True, text=True,
                        check=True).stdout
    assert "Categoría C: 4 cupos" in es and "Sustituciones" in es and "a (50 votos, RM, F) -> t" in es
    assert "Category C: 4 seats" in en and "vote vector [500, 400, 50, 10] < [500, 400, 50, 40]" in en
    data = json.loads(subprocess.run(run, cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    assert data["categories"]["C"]["elected"] == ["C01", "C02", "b", "t"]
