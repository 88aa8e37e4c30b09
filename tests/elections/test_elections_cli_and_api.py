"""Bad input never gives a traceback; the package imports only the standard library; the trail reads."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from elections import InputError, allocate, replacement_order

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "elections"

GOOD = {"seats": {"A": 2}, "lottery_seed": "s",
        "candidates": [{"id": "A1", "category": "A", "votes": 5, "gender": "F", "region": "13"},
                       {"id": "A2", "category": "A", "votes": 3, "gender": "M", "region": "05"}]}


def _with(**changes: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(GOOD))
    data.update(changes)
    return data


def _cand(**changes: Any) -> list[dict[str, Any]]:
    first = {**GOOD["candidates"][0], **changes}
    return [{k: v for k, v in first.items() if v is not None}, GOOD["candidates"][1]]


BAD_INPUTS = [
    ("unknown category", _with(candidates=_cand(category="Z")), "unknown category 'Z'"),
    ("duplicate ids", _with(candidates=[GOOD["candidates"][0]] * 2), "duplicate candidate id 'A1'"),
    ("negative votes", _with(candidates=_cand(votes=-1)), "votes must be a non-negative integer"),
    ("fractional votes", _with(candidates=_cand(votes=1.5)), "votes must be a non-negative integer"),
    ("missing gender", _with(candidates=_cand(gender=None)), "candidate 'A1': missing gender"),
    ("unknown gender", _with(candidates=_cand(gender="?")), "candidate 'A1': unknown gender"),
    ("unknown region", _with(candidates=_cand(region="Gotham")), "candidate 'A1': unknown region"),
    ("lottery lacks a candidate", {**{k: v for k, v in GOOD.items() if k != "lottery_seed"},
                                   "lottery_order": ["A2"]}, "lottery_order lacks candidate(s) 'A1'"),
    ("lottery names a stranger", {**{k: v for k, v in GOOD.items() if k != "lottery_seed"},
                                  "lottery_order": ["A1", "A2", "Q"]}, "lottery_order names 'Q'"),
    ("lottery twice", _with(lottery_order=["A1", "A2"]), "give exactly one of lottery_order"),
    ("no lottery", {k: v for k, v in GOOD.items() if k != "lottery_seed"}, "give exactly one of lottery_order"),
    ("lottery not a list", {**{k: v for k, v in GOOD.items() if k != "lottery_seed"}, "lottery_order": 3},
     "lottery_order must be a list"),
    ("negative seats", _with(seats={"A": -1}), "seats for category 'A' must be a non-negative integer"),
    ("candidates not a list", _with(candidates=None), "candidates must be a list"),
    ("candidate not an object", _with(candidates=[1]), "a candidate must be an object"),
    ("missing seats", {k: v for k, v in GOOD.items() if k != "seats"}, "the input lacks 'seats'"),
    ("unknown key", _with(extra=1), "unknown key(s) in the input: extra"),
    ("not an object", [1, 2], "the input must be a JSON object"),
]


@pytest.mark.parametrize("name, data, message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_cli_bad_input(name: str, data: Any, message: str) -> None:
    """Exit status 2, the message on stderr, no traceback, nothing on stdout."""
    proc = subprocess.run([sys.executable, "-m", "elections", "allocate", "-"], cwd=ROOT,
                          input=json.dumps(data), capture_output=True, text=True, check=False)
    assert proc.returncode == 2, proc.stdout
    assert message in proc.stderr and "Traceback" not in proc.stderr and proc.stdout == ""


@pytest.mark.parametrize("text, message", [("{", "is not valid JSON"), ("", "is not valid JSON")])
def test_cli_not_json(text: str, message: str) -> None:
    """Invalid JSON: exit 2 with the position."""
    proc = subprocess.run([sys.executable, "-m", "elections", "allocate", "-"], cwd=ROOT, input=text,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_cli_missing_file(tmp_path: Path) -> None:
    """An unreadable input file: exit 2 and a message."""
    proc = subprocess.run([sys.executable, "-m", "elections", "allocate", str(tmp_path / "no.json")],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "cannot read" in proc.stderr


def test_api_raises_input_error() -> None:
    """The API raises InputError (a ValueError) with the same messages."""
    with pytest.raises(InputError, match="duplicate candidate id"):
        allocate({"A": 1}, [GOOD["candidates"][0]] * 2, lottery_seed="s")


def _imports(tree: ast.AST) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return found


def _optional_imports(tree: ast.AST) -> set[str]:
    """Modules imported inside `try: ... except ImportError:` (optional acceleration)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
                isinstance(h.type, ast.Name) and h.type.id == "ImportError" for h in node.handlers):
            for stmt in node.body:
                found.update(name for name, _ in _imports(stmt))
    return found


def test_only_standard_library_imports() -> None:
    """Every module of elections/ imports the standard library or the package itself, nothing else
    (in particular not portal, databases, starlette or asyncpg); PyNaCl only as an optional import
    guarded by `except ImportError` (the verifier runs without it)."""
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) >= 10
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        optional = _optional_imports(tree)
        for name, level in _imports(tree):
            top = name.split(".")[0]
            if top == "nacl":
                assert name in optional, f"{path.name}: {name} must be an optional import"
                continue
            assert level > 0 or top == "elections" or top in sys.stdlib_module_names, f"{path.name}: {name}"


def _council() -> Any:
    """T09-like: a (RM F 50) ties b (RM M 50); a would force s (10), b allows t (40)."""
    cands = [("C01", 500, "F", "15"), ("C02", 400, "M", "13"), ("a", 50, "F", "13"), ("b", 50, "M", "13"),
             ("t", 40, "F", "04"), ("s", 10, "M", "05"), ("u", 5, "X", "13")]
    data = [{"id": i, "category": "C", "votes": v, "gender": g, "region": r} for i, v, g, r in cands]
    return allocate({"C": 4}, data, [c[0] for c in cands]).categories["C"]


def test_replacement_order() -> None:
    """Elected C01 (nonRM F), C02 (RM M), b (RM M), t (nonRM F); min non-RM 2, cap 2.
    C02 leaves: a (RM F) would make F 3 > 2; s (nonRM M) keeps M 2 and non-RM 3; u (RM X) keeps both.
    C01 leaves: non-RM drops to 1, so only a non-RM may enter: s is M, and M would be 3 > 2 -> nobody.
    Then, with s already seated for C02, b leaves: u (RM X) keeps non-RM 3 and X 1."""
    cat = _council()
    assert cat.elected == ["C01", "C02", "b", "t"]
    assert replacement_order(cat, "C02") == ["s", "u"]
    assert replacement_order(cat, "C01") == []
    assert cat.replacements == {"C01": None, "C02": "s", "b": "s", "t": None}
    assert replacement_order(cat, "b", members=["C01", "s", "b", "t"], unavailable=["C02"]) == ["u"]
    with pytest.raises(ValueError):
        replacement_order(cat, "zz")


def test_text_trail_in_both_languages() -> None:
    """The readable trail names bounds, ranking, substitution, reasons, sorteo and vacancies."""
    cat = _council()
    es, en = cat.to_text("es"), cat.to_text("en")
    for needle in ("Categoría C: 4 cupos, 7 candidaturas", "Sustituciones (sale -> entra):",
                   "a (50 votos, RM, F) -> t (40 votos, fuera de la RM, F)", "empate a 50 votos con b;",
                   "Sorteo: no decisivo", "Cupos vacantes: 0", "C02 -> s"):
        assert needle in es
    for needle in ("Category C: 4 seats, 7 candidates", "Substitutions (outgoing -> incoming):",
                   "tied at 50 votes with b;", "Sorteo: not decisive", "Vacant seats: 0"):
        assert needle in en
    result_es = allocate({"C": 4}, [{"id": "x", "category": "C", "votes": 1, "gender": "F", "region": "13"}],
                         ["x"]).to_text("es")
    assert "solo 1 candidaturas para 4 cupos: 3 cupo(s) vacante(s)" in result_es
    assert "Consejo: 1 cupos ocupados; por género F 1" in result_es
    with pytest.raises(ValueError):
        cat.to_text("fr")


def test_trail_for_people_uses_names_words_and_singular() -> None:
    """Three tied at 1 vote for 1 seat: the canonical reason keeps the vectors' list form; the
    human one names the candidates, joins them in words and says '1 vote'."""
    from elections import allocate

    cands = [{"id": i, "category": "C", "votes": 1, "gender": g, "region": r}
             for i, g, r in (("c1", "F", "05"), ("c2", "M", "09"), ("c3", "F", "08"))]
    result = allocate({"C": 1}, cands, lottery_order=["c1", "c2", "c3"])
    canonical = result.to_dict("en")["categories"]["C"]["skipped"]
    human = result.to_dict("en", names={"c1": "Ana", "c2": "Luis", "c3": "Rosa"})["categories"]["C"]["skipped"]
    assert canonical[0]["reason"].startswith("tied at 1 votes with ['c1']")
    assert human[0]["reason"].startswith("tied at 1 vote with Ana;") and "[" not in human[0]["reason"]
    es = result.to_dict("es", names={"c1": "Ana", "c2": "Luis", "c3": "Rosa"})["categories"]["C"]["skipped"]
    assert "1 votos" not in es[0]["reason"] and "Ana" in es[0]["reason"]
