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
    """Expected values come from the vectors file. Per case (n seats; min = ceil(n/2) non-RM;
    cap = max(floor(0.6 n), ceil(n/2)); RM may take at most m - min seats):
    T01 n=4, min 2, cap 2: top 4 = C01 RM F 120, C02 nonRM M 110, C03 nonRM F 90, C04 RM M 80:
        2 non-RM, 2 F, 2 M -> no change.
    T02 top 4 all RM (200 180 150 140) but RM <= 4-2 = 2: keep 200, 180; C05 nonRM 60 and
        C06 nonRM 55 replace C04 140, then C03 150.
    T03 n=6, min 3, cap max(3, 3) = 3: top 6 has 5 F; keep B01 B02 B03 (F = 3) and B05 M 220;
        the next men B07 100, B08 90 replace B06 200, B04 240.
    T04 W1 RM 100, W2 nonRM 90, W3 nonRM 80, M1 RM 70 (F 3 > 2): W1 W2 M1 M2 has non-RM 1 < 2;
        W1 W2 M1 M3 = [100, 90, 70, 50] complies and is the best.
    T05 only C1 (780) and C5 (100) are non-RM, so both sit; C5 is F, so one of C2 560/C3 540 (F);
        fourth seat C4 M 190: [780, 560, 190, 100].
    T06 C1 RM M 830, C2 nonRM F 730, C3 nonRM M 720, C4 RM M 550 (M 3 > 2): C4 gives way to the
        best woman, C5 nonRM 320 > C6 RM 240.
    T07 C04 RM M 70 = C05 nonRM F 70: C04 would be the third M > 2, so the rules (not the lottery) pick C05.
    T08 C04 = C05 (RM M 60) for the last seat: both [100, 90, 80, 60] comply; the draw lists C05 first.
    T09 a RM F 50 = b RM M 50: with a, RM 2 and F 2 are full, so seat 4 is nonRM M s 10
        -> [500, 400, 50, 10]; with b, it is nonRM F t 40 -> [500, 400, 50, 40] wins by votes.
    T10 only men: least c >= 2 with min(c, 6) >= 4 is 4; min 2 non-RM: C04 70, C05 60 replace C03 80.
    T12 3 candidates, 4 seats: m = 3, 1 vacant; no non-RM: min relaxed 2 -> 0.
    T13 no candidates: m = 0, 4 vacant, min 0.
    T16 X nonRM 100, F RM 90, M nonRM 80, M RM 70: non-RM 2, each gender <= 2 -> top 4.
    T19 n=5: min ceil(2.5) = 3, cap max(3, 3) = 3; RM <= 2: D01 100, D02 95; non-RM D05 F 80,
        D06 M 50; D07 F 40 would be F 4 > 3, so D08 M 30.
    T20 n=3: min 2, cap max(floor(1.8) = 1, 2) = 2; RM <= 1: E01 100, E03 nonRM M 80, E05 nonRM F 60.
    T21 n=1: min 1, cap max(0, 1) = 1: G02 nonRM 40 takes the seat from G01 RM 100.
    T23 A (min 5, cap 6): top 10 has RM 6 > 5 and F 7 > 6: A09 F 190 -> A11 M 150, A08 RM 200
        -> A14 nonRM X 100; B (3, 3): 5 RM in the top 6 -> B07 60, B08 50 replace B06 100, B05 110;
        C (2, 2): C01 C02 (both RM M) would need two non-RM women, only C05 exists, so C02 75
        -> C05 40. Council F 11, M 8, X 1: 11 <= max(floor(12), 10) = 12.
    T24 SHA-256(seed|C|id) puts C05 < C06 < C04 < C03 for the four tied at 70; C05 nonRM F and
        C06 RM M win; C04 and C03 form equal committees, so the sorteo decided against them.
    T28 'Región Metropolitana de Santiago', 'RM', 'metropolitana' = 13; mujer F, Hombre M,
        no binario X: three RM in the top 4 > 2, so C03 30 -> C05 Ñuble 20.
    R01-R04 random instances checked by brute force: R02 M x4, F, X for 6 seats: least c >= 3
        with min(c, 4) + 1 + 1 >= 6 is 4; R03 M x6, F for 5: min(c, 6) + 1 >= 5 -> 4; R04 two RM
        women (285, 25) fill F and RM, so seat 4 is the best non-RM non-F: R3_04 X 3."""
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
    """`python -m elections allocate FILE` prints what test_vector_api checks (arithmetic there)."""
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
    es = subprocess.run([*run, "--text"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    en = subprocess.run([*run, "--text", "--lang", "en"], cwd=ROOT, capture_output=True, text=True,
                        check=True).stdout
    assert "Categoría C: 4 cupos" in es and "Sustituciones" in es and "a (50 votos, RM, F) -> t" in es
    assert "Category C: 4 seats" in en and "vote vector (500, 400, 50, 10) < (500, 400, 50, 40)" in en
    data = json.loads(subprocess.run(run, cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    assert data["categories"]["C"]["elected"] == ["C01", "C02", "b", "t"]
