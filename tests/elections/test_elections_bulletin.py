"""Bulletins: produced by the tally they verify; any single change is found and named."""

from __future__ import annotations

import copy
import io
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from elections import BulletinError, InputError, make_ballot, make_bulletin, read_bulletin, verify_bulletin, write_bulletin
from elections_testdata import load_cases

ROOT = Path(__file__).resolve().parents[2]
ELECTION = "cosoc-2025"
PADRON = b"rut;categoria\n65.000.001-1;A\n"
COUNCIL = next(c for c in load_cases() if c["id"].startswith("T23"))
# One ballot per 10 votes, plus 5 blank ballots in A (see _ballots).
BALLOTS = sum(c["votes"] // 10 for c in COUNCIL["candidates"]) + 5


def _ballots(seed: int = 1) -> list[dict[str, Any]]:
    """One ballot per 10 votes of the T23 council (A01 310 -> 31 ballots ...), 5 blank in A, shuffled."""
    rng = random.Random(seed)
    ballots = [make_ballot(ELECTION, c["category"], c["id"], nonce=f"{rng.getrandbits(128):032x}")
               for c in COUNCIL["candidates"] for _ in range(c["votes"] // 10)]
    ballots += [make_ballot(ELECTION, "A", None, nonce=f"{rng.getrandbits(128):032x}") for _ in range(5)]
    rng.shuffle(ballots)
    return ballots


def _bulletin(**overrides: Any) -> dict[str, Any]:
    import hashlib

    args: dict[str, Any] = dict(election_id=ELECTION, padron_sha256=hashlib.sha256(PADRON).hexdigest(),
                                seats=COUNCIL["seats"], candidates=COUNCIL["candidates"], ballots=_ballots(),
                                lottery_seed="SORTEO-COSOC-2025|12-34-56-78", padron_size={"A": 400, "B": 100, "C": 50})
    args.update(overrides)
    return make_bulletin(**args)


def _write(bulletin: dict[str, Any], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fp:
        write_bulletin(bulletin, fp)
    return path


@pytest.fixture(scope="module")
def bulletin() -> dict[str, Any]:
    """The T23 council counted from its ballots."""
    return _bulletin()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "elections", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)


def test_bulletin_shape(bulletin: dict[str, Any]) -> None:
    """Totals follow from the ballots (A01: 310 votes -> 31 ballots; A: 289 ballots + 5 blank = 294);
    ballots come last, sorted by tracking code; the allocation is the T23 one (equal vote ratios)."""
    assert list(bulletin)[-1] == "ballots"
    codes = [b["code"] for b in bulletin["ballots"]]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    a = bulletin["totals"]["categories"]["A"]
    assert a["votes"]["A01"] == 31 and a["blank"] == 5
    assert a["ballots"] == sum(c["votes"] // 10 for c in COUNCIL["candidates"] if c["category"] == "A") + 5
    for cat, expected in COUNCIL["expected"].items():
        assert bulletin["allocation"]["categories"][cat]["elected"] == expected["elected"]
    assert "votes" not in bulletin["candidates"][0]


def test_bulletin_verifies(bulletin: dict[str, Any], tmp_path: Path) -> None:
    """API and CLI: no problems, exit status 0, "OK"; the padrón file matches its hash."""
    path = _write(bulletin, tmp_path / "boletin.json")
    (tmp_path / "padron.csv").write_bytes(PADRON)
    assert verify_bulletin(path) == []
    assert verify_bulletin(path, padron=tmp_path / "padron.csv") == []
    with path.open("rb") as fp:  # an open binary file works too
        assert verify_bulletin(fp) == []
    proc = _cli("verify", str(path), "--padron", str(tmp_path / "padron.csv"))
    assert proc.returncode == 0 and proc.stdout.startswith(f"OK: {BALLOTS} ballots"), proc.stdout + proc.stderr
    piped = subprocess.run([sys.executable, "-m", "elections", "verify", "-"], cwd=ROOT, check=False,
                           input=path.read_bytes(), capture_output=True)
    assert piped.returncode == 0 and piped.stdout.startswith(b"OK"), piped.stderr
    (tmp_path / "padron.csv").write_bytes(PADRON + b"65.000.002-K;B\n")
    assert verify_bulletin(path, padron=tmp_path / "padron.csv")[0].startswith("padron_sha256: published ")


def test_changed_ballot(bulletin: dict[str, Any], tmp_path: Path) -> None:
    """Ballot #3 switched from its choice to another candidate of its category: its code no
    longer matches, and the two candidates' totals are off by one each way."""
    changed = copy.deepcopy(bulletin)
    ballot = changed["ballots"][2]
    old = ballot["choice"] or "blank"
    new = next(c["id"] for c in COUNCIL["candidates"] if c["category"] == ballot["category"] and c["id"] != old)
    ballot["choice"] = new
    problems = verify_bulletin(_write(changed, tmp_path / "b.json"))
    assert problems[0].startswith(f"ballot #3: tracking code '{ballot['code']}' does not match its content")
    cat = ballot["category"]
    published = bulletin["totals"]["categories"][cat]["votes"]
    assert f"totals.categories.{cat}.votes.{new}: published {published[new]}, recomputed {published[new] + 1}" \
        in problems
    proc = _cli("verify", str(tmp_path / "b.json"))
    assert proc.returncode == 1 and proc.stdout.startswith("FAILED") and "ballot #3" in proc.stdout


def test_changed_total(bulletin: dict[str, Any], tmp_path: Path) -> None:
    """B01 has 150 votes -> 15 ballots; publishing 16 is named exactly."""
    changed = copy.deepcopy(bulletin)
    changed["totals"]["categories"]["B"]["votes"]["B01"] = 16
    assert verify_bulletin(_write(changed, tmp_path / "b.json")) == [
        "totals.categories.B.votes.B01: published 16, recomputed 15"]


def test_changed_tracking_code(bulletin: dict[str, Any], tmp_path: Path) -> None:
    """One code replaced (keeping the sort order): that ballot, and nothing else, is reported."""
    changed = copy.deepcopy(bulletin)
    ballot = changed["ballots"][0]
    right, ballot["code"] = ballot["code"], "0" * 64
    assert verify_bulletin(_write(changed, tmp_path / "b.json")) == [
        f"ballot #1: tracking code '{'0' * 64}' does not match its content (recomputed {right})"]


def test_changed_seed(bulletin: dict[str, Any], tmp_path: Path) -> None:
    """Another seed gives other lottery orders, which the published allocation does not follow."""
    changed = copy.deepcopy(bulletin)
    changed["lottery_seed"] = "another seed"
    problems = verify_bulletin(_write(changed, tmp_path / "b.json"))
    assert problems and all(p.startswith("allocation.categories.") for p in problems)
    assert any(p.startswith("allocation.categories.A.lottery_order: published [")
               and p.endswith("(the sorteo order does not follow from the bulletin's lottery seed or order)")
               for p in problems)


def test_changed_allocation(bulletin: dict[str, Any], tmp_path: Path) -> None:
    """A published council that is not the recomputed one is named field by field."""
    changed = copy.deepcopy(bulletin)
    changed["allocation"]["categories"]["C"]["elected"] = ["C01", "C02", "C03", "C04"]
    changed["allocation"]["council"]["filled"] = 19
    assert verify_bulletin(_write(changed, tmp_path / "b.json")) == [
        "allocation.categories.C.elected: published ['C01', 'C02', 'C03', 'C04'], "
        "recomputed ['C01', 'C03', 'C04', 'C05']",
        "allocation.council.filled: published 19, recomputed 20"]


def test_duplicate_ballot(bulletin: dict[str, Any], tmp_path: Path) -> None:
    """A ballot published twice breaks the strict code order (and adds one vote)."""
    changed = copy.deepcopy(bulletin)
    changed["ballots"].insert(1, changed["ballots"][0])
    problems = verify_bulletin(_write(changed, tmp_path / "b.json"))
    assert problems[0] == (f"ballot #2: tracking code {changed['ballots'][0]['code']} is not after the previous "
                           "one (a duplicate, or ballots not sorted by tracking code)")
    assert f"totals.ballots: published {BALLOTS}, recomputed {BALLOTS + 1}" in problems


def test_more_ballots_than_padron(tmp_path: Path) -> None:
    """Category C has one ballot per 10 votes, 80 75 70 66 40 35 -> 8+7+7+6+4+3 = 35 ballots,
    more than a padrón of 30 organizations could cast."""
    b = _bulletin(padron_size={"A": 500, "B": 500, "C": 30})
    assert verify_bulletin(_write(b, tmp_path / "b.json")) == [
        "category C: 35 countable ballots for a padrón of 30 organizations"]


def test_rejected_ballots_are_published_and_verify(tmp_path: Path) -> None:
    """A ballot for a candidate of another category is rejected, listed with its reason, and verifies."""
    bad = {"nonce": "f" * 32, "category": "A", "choice": "B01"}
    b = _bulletin(ballots=[*_ballots(), bad])
    assert b["totals"]["rejected"][0]["reason"] == "choice 'B01' is a candidate of category B, not A"
    assert b["totals"]["ballots"] == BALLOTS + 1
    assert verify_bulletin(_write(b, tmp_path / "b.json")) == []


def test_streaming_reader(bulletin: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader hands out the header and then one ballot at a time, across any chunk boundary,
    and the verifier never json-loads the whole file."""
    buf = io.StringIO()
    write_bulletin(bulletin, buf)
    text = buf.getvalue()
    for chunk in (1, 7, 64, 1 << 20):
        header, ballots = read_bulletin(io.StringIO(text), chunk=chunk)
        assert header["totals"] == bulletin["totals"]
        assert list(ballots) == bulletin["ballots"]

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the verifier must stream, not load the whole bulletin")

    monkeypatch.setattr(json, "load", refuse)
    monkeypatch.setattr(json, "loads", refuse)
    assert verify_bulletin(io.StringIO(text)) == []


@pytest.mark.parametrize("text, message", [
    ("", "bulletin unreadable: expected '{'"),
    ("[1, 2]", "bulletin unreadable: expected '{'"),
    ('{"format": "cosoc-bulletin/1"}', 'bulletin unreadable: the bulletin has no "ballots" list'),
    ('{"format": "cosoc-bulletin/1", "ballots": []}', "header: missing key(s) election_id"),
    ('{"format": "x", "ballots": []}', "header: missing key(s) election_id"),
])
def test_unreadable_bulletins(text: str, message: str) -> None:
    """Broken files give a problem, never a traceback."""
    problems = verify_bulletin(io.StringIO(text))
    assert problems and problems[0].startswith(message), problems


@pytest.mark.parametrize("data", [b'{"format": "\xff\xfe"', b'{"format": ' + b"[" * 100000])
def test_undecodable_bulletins(data: bytes) -> None:
    """Bytes that are not UTF-8, or JSON nested beyond reason, are problems too."""
    problems = verify_bulletin(io.BytesIO(data))
    assert len(problems) == 1 and problems[0].startswith("bulletin unreadable"), problems


@pytest.mark.parametrize("tail, message", [
    ('[], "format": "x"}', 'bulletin unreadable: "ballots" must be the last key'),
    ('[{"code": 1}', "bulletin unreadable: invalid ballot near character"),
    ("[1 2]}", "bulletin unreadable: expected ',' or ']' in the ballots list near character"),
    ("[1]}", "ballot #1: malformed (not an object)"),
    ("{}}", "bulletin unreadable: expected '['"),
])
def test_broken_ballot_lists(bulletin: dict[str, Any], tail: str, message: str) -> None:
    """A valid header followed by a broken ballots list: the problem says where."""
    buf = io.StringIO()
    write_bulletin({**bulletin, "ballots": []}, buf)
    head = buf.getvalue()
    text = head[:head.rindex('"ballots": ') + len('"ballots": ')] + tail
    problems = verify_bulletin(io.StringIO(text))
    assert problems and problems[0].startswith(message), problems


def test_read_bulletin_api(bulletin: dict[str, Any]) -> None:
    """read_bulletin(fp) -> (header, iterator over ballots)."""
    buf = io.StringIO()
    write_bulletin(bulletin, buf)
    buf.seek(0)
    header, ballots = read_bulletin(buf)
    assert header["election_id"] == ELECTION and next(iter(ballots)) == bulletin["ballots"][0]
    with pytest.raises(BulletinError):
        read_bulletin(io.StringIO("nope"))


def test_cli_verify_bad_paths(tmp_path: Path) -> None:
    """A missing file: exit 2 and a message; a non-JSON file: exit 1 and the problem."""
    proc = _cli("verify", str(tmp_path / "missing.json"))
    assert proc.returncode == 2 and "cannot read" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "x.json").write_text("not json", encoding="utf-8")
    proc = _cli("verify", str(tmp_path / "x.json"))
    assert proc.returncode == 1 and "bulletin unreadable" in proc.stdout


def test_only_ballot_fields_are_published() -> None:
    """Whatever else a stored ballot carries (a voter, a time) never reaches the bulletin; a stored
    code that does not match the ballot stops the bulletin instead of being published."""
    ballot = {**make_ballot(ELECTION, "C", "C05"), "voter": "65.000.001-1", "cast_at": "2025-11-02T10:00"}
    b = _bulletin(ballots=[ballot])
    assert b["ballots"] == [{k: ballot[k] for k in ("code", "nonce", "category", "choice")}]
    assert b["totals"]["categories"]["C"]["votes"]["C05"] == 1
    with pytest.raises(InputError, match="stored tracking code does not match"):
        _bulletin(ballots=[{**ballot, "code": "f" * 64}])
    with pytest.raises(InputError, match="padron_sha256"):
        _bulletin(padron_sha256="not a hash")
