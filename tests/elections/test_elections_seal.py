"""Sealed ballots, trustees' steps and the public record (issue 15): round trips, and every
tampering the design promises to catch is caught with a reason."""

from __future__ import annotations

import copy
import json
import os
import stat
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("nacl")

from elections import ed25519
from elections.audit import check_record
from elections.ceremony import Simulation, simulate
from elections.record import Record, check_saved, event_hash, payload_hash, write_record
from elections.seal import (
    STEP_FORMAT, Item, SealError, Sealer, SealParams, _step_message, batch_sha256, check_key_proof, check_step,
    items_from_json, items_to_json, key_proof, portal_keygen, trustee_keygen, trustee_step)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sim2() -> Simulation:
    return simulate(60, trustees=2, seed=2, batch=25)


@pytest.fixture(scope="module")
def sim3() -> Simulation:
    return simulate(45, trustees=3, seed=3, batch=20)


def _events(sim: Simulation, kind: str) -> list[dict[str, Any]]:
    return [e for e in sim.record.events if e["type"] == kind]


def _sealed(sim: Simulation) -> list[Item]:
    return items_from_json(_events(sim, "sealed_ballots")[0]["payload"]["items"])


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "elections", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False, env=env)


# --- round trips -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sim2", "sim3"])
def test_round_trip(name: str, request: pytest.FixtureRequest) -> None:
    """Every voter's tracking code is in the bulletin with the choice they made; the totals are the
    choices cast; the record verifies end to end."""
    sim: Simulation = request.getfixturevalue(name)
    report = check_record(sim.record.to_dict())
    assert report.ok, report.problems
    assert report.steps == len(sim.trustee_seeds) and report.ballots == len(sim.cast) and report.stage == "proclaimed"
    bulletin = _events(sim, "tally")[0]["payload"]
    published = {b["code"]: (b["category"], b["choice"]) for b in bulletin["ballots"]}
    assert published == {c["code"]: (c["category"], c["choice"]) for c in sim.cast}
    cast = Counter((c["category"], c["choice"]) for c in sim.cast if c["choice"])
    for (cat, choice), n in cast.items():
        assert bulletin["totals"]["categories"][cat]["votes"][choice] == n


def test_sealed_ballots_all_look_alike(sim2: Simulation) -> None:
    """A blank ballot, a short and a long choice seal to bodies of one size, different every time."""
    sealer = Sealer(sim2.params, sim2.portal_seed)
    items = [sealer.seal("A", None), sealer.seal("A", "A01"), sealer.seal("A", "A01"),
             sealer.seal("B", "a-much-longer-candidate-identifier-0001")]
    assert len({len(s.item[0]) for s in items}) == 1 and len({s.item[0] for s in items}) == 4
    assert items[1].code != items[2].code  # fresh nonces
    assert len(items[0].item[0]) == sim2.params.size(1) == 256 + 2 * 112


def test_the_stored_ballot_names_no_choice(sim2: Simulation) -> None:
    """Neither the stored item nor its fingerprint contains the choice or the tracking code."""
    sealed = Sealer(sim2.params, sim2.portal_seed).seal("C", "C03")
    blob = sealed.item[0] + sealed.item[1] + sealed.fingerprint.encode()
    assert b"C03" not in blob and sealed.code.encode() not in blob and bytes.fromhex(sealed.code) not in blob


# --- a trustee's wrong step ----------------------------------------------------------------------------

def _forged(sim: Simulation, inputs: list[Item], output: list[Item], trustee: int = 1) -> dict[str, Any]:
    """A step whose trustee signs whatever output it likes (a dishonest trustee, valid signature)."""
    from nacl.signing import SigningKey

    output = sorted(output)
    key = SigningKey(sim.trustee_seeds[trustee - 1])
    in_sha, out_sha = batch_sha256(inputs), batch_sha256(output)
    return {"format": STEP_FORMAT, "election_id": sim.params.election_id, "trustee": trustee,
            "signing_key": bytes(key.verify_key).hex(), "input_sha256": in_sha, "count": len(output),
            "output_sha256": out_sha, "output": items_to_json(output),
            "signature": key.sign(_step_message(sim.params.election_id, trustee, in_sha, out_sha)).signature.hex()}


@pytest.fixture(scope="module")
def honest(sim2: Simulation) -> tuple[list[Item], list[Item]]:
    inputs = _sealed(sim2)
    problems, output = check_step(sim2.params, inputs, trustee_step(sim2.trustee_seeds[0], sim2.params, inputs))
    assert problems == []
    return inputs, output


def test_honest_step_checks(sim2: Simulation, honest: tuple[list[Item], list[Item]]) -> None:
    inputs, output = honest
    assert check_step(sim2.params, inputs, _forged(sim2, inputs, output))[0] == []


def test_dropped_ballot(sim2: Simulation, honest: tuple[list[Item], list[Item]]) -> None:
    inputs, output = honest
    problems, _ = check_step(sim2.params, inputs, _forged(sim2, inputs, output[1:]))
    assert problems == [f"trustee 1's step: {len(inputs) - 1} items out for {len(inputs)} in "
                        "(a ballot dropped or added)"]


def test_replaced_ballot(sim2: Simulation, honest: tuple[list[Item], list[Item]]) -> None:
    """The trustee swaps in a ballot of its own making (it holds the next trustee's public key, so it can
    seal anything), or one sealed by another election's portal: neither carries this portal's signature."""
    inputs, output = honest
    other = simulate(3, trustees=2, seed=9, election_id=sim2.params.election_id)
    strangers = items_from_json(_events(other, "trustee_step")[0]["payload"]["output"])
    from nacl.public import PublicKey, SealedBox

    second = SealedBox(PublicKey(ed25519.to_x25519(sim2.params.trustees[1]) or b""))
    homemade = (second.encrypt(bytes(64) + output[0][0][-256:]), output[0][1])
    for fake in (homemade, strangers[0]):
        problems, _ = check_step(sim2.params, inputs, _forged(sim2, inputs, [fake, *output[1:]]))
        assert len(problems) == 1 and "is not signed by the portal for position 2" in problems[0], problems
        assert "replaced, invented or garbage" in problems[0]


def test_duplicated_ballot(sim2: Simulation, honest: tuple[list[Item], list[Item]]) -> None:
    inputs, output = honest
    problems, _ = check_step(sim2.params, inputs, _forged(sim2, inputs, [output[1], *output[1:]]))
    assert len(problems) == 1 and "is a duplicate of an earlier item" in problems[0]


def test_garbage_step(sim2: Simulation, honest: tuple[list[Item], list[Item]]) -> None:
    inputs, _ = honest
    garbage = [(os.urandom(sim2.params.size(2)), os.urandom(64)) for _ in inputs]
    problems, _ = check_step(sim2.params, inputs, _forged(sim2, inputs, garbage))
    assert problems and all("not signed by the portal" in p or "more item(s)" in p for p in problems)
    assert check_step(sim2.params, inputs, {"nonsense": 1})[0][0].startswith("the step must have exactly")
    short = [(b"x", b"y") for _ in inputs]
    assert "not a ballot sealed for this election" in check_step(
        sim2.params, inputs, _forged(sim2, inputs, short))[0][0]


def test_wrong_keys(sim2: Simulation, honest: tuple[list[Item], list[Item]]) -> None:
    """A key that is not a trustee's, or trustee 2 taking trustee 1's turn, makes no step; a step
    signed by someone else, or for another turn, or on another input, is refused."""
    inputs, output = honest
    stranger, _ = trustee_keygen(sim2.params.election_id, "c")
    with pytest.raises(SealError, match="not one of the election's trustees"):
        trustee_step(stranger, sim2.params, inputs)
    with pytest.raises(SealError, match="input batch is not valid"):
        trustee_step(sim2.trustee_seeds[1], sim2.params, inputs)
    step = _forged(sim2, inputs, output)
    assert check_step(sim2.params, inputs, {**step, "signing_key": "00" * 32})[0] == [
        "trustee 1's step: signed with a key that is not trustee 1's"]
    assert check_step(sim2.params, inputs, step, expected_trustee=2)[0] == [
        "this is trustee 1's step; trustee 2's is expected now"]
    assert "made on another input batch" in check_step(sim2.params, inputs[1:], step)[0][0]
    bad_sig = {**step, "signature": "ab" * 64}
    assert check_step(sim2.params, inputs, bad_sig)[0] == ["trustee 1's step: the trustee's signature does not verify"]


def test_input_with_a_foreign_ballot_is_refused(sim2: Simulation, honest: tuple[list[Item], list[Item]]) -> None:
    """A trustee never opens a batch holding an item the portal did not seal (or a copy: a replay
    would reveal a voter's choice through the duplicate's plaintext)."""
    inputs, _ = honest
    with pytest.raises(SealError, match="duplicate"):
        trustee_step(sim2.trustee_seeds[0], sim2.params, [inputs[0], *inputs])


# --- key proofs -------------------------------------------------------------------------------------

def test_key_proof() -> None:
    seed, proof = trustee_keygen("cosoc-2025", "ch-41")
    assert check_key_proof(proof, "cosoc-2025", "ch-41") == []
    assert check_key_proof(proof, "cosoc-2025") == []
    assert check_key_proof(proof, "cosoc-2025", "ch-42") == [
        "the key proof answers another challenge (generate it with this election's challenge)"]
    assert check_key_proof(proof, "cosoc-2026", "ch-41")[0].startswith("the key proof is for election")
    _, other = trustee_keygen("cosoc-2025", "ch-41")
    assert check_key_proof({**proof, "public_key": other["public_key"]}, "cosoc-2025") == [
        "public_key is not the X25519 key of signing_key"]
    copied = {**other, "signing_key": proof["signing_key"], "public_key": proof["public_key"]}
    assert check_key_proof(copied, "cosoc-2025") == [
        "the signature does not verify: this proof was not made with the private key"]
    assert key_proof(seed, "cosoc-2025", "ch-41") == proof  # deterministic
    assert check_key_proof([], "x") == ["the key proof must be a JSON object"]


# --- the record ----------------------------------------------------------------------------------------

def _rechain(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a forger with write access does: recompute every hash after a change."""
    out: list[dict[str, Any]] = []
    for e in events:
        e = {**e, "height": len(out), "parent": out[-1]["hash"] if out else "0" * 64,
             "payload_hash": payload_hash(e["payload"])}
        e["hash"] = event_hash(e)
        out.append(e)
    return out


def test_record_tampering_with_any_event_fails(sim3: Simulation) -> None:
    record = sim3.record.to_dict()
    assert check_record(record).ok
    for i in range(len(record["events"])):
        for change in ("payload", "type", "hash", "drop", "at"):
            bad = copy.deepcopy(record)
            event = bad["events"][i]
            if change == "payload":
                event["payload"] = {**event["payload"], "x": 1} if isinstance(event["payload"], dict) else 1
            elif change == "type":
                event["type"] = "proclamation" if event["type"] != "proclamation" else "sorteo"
            elif change == "hash":
                event["hash"] = "f" * 64
            elif change == "at":
                event["at"] = "2025-01-01"
            else:
                del bad["events"][i]
            # Dropping the last event leaves a shorter valid record: a saved copy (or head) catches it.
            saved = record if (change == "drop" and i == len(record["events"]) - 1) else None
            assert not check_record(bad, saved).ok, (i, change)


@pytest.mark.parametrize("forgery, reason", [
    ("checkpoint count", "total"),
    ("sealed item", "sealed ballots"),
    ("tally", "totals.categories"),
    ("late key", "cannot have sealed any ballot"),
])
def test_rechained_forgeries_fail_on_content(sim2: Simulation, forgery: str, reason: str) -> None:
    """A forger who recomputes every hash keeps the chain valid; the content checks still fail."""
    events = copy.deepcopy(sim2.record.events)
    kinds = [e["type"] for e in events]
    if forgery == "checkpoint count":
        events[kinds.index("checkpoint")]["payload"]["count"] += 1
    elif forgery == "sealed item":
        items = events[kinds.index("sealed_ballots")]["payload"]["items"]
        items[3] = items_to_json([(os.urandom(sim2.params.size(1)), os.urandom(64))])[0]
    elif forgery == "tally":
        votes = events[kinds.index("tally")]["payload"]["totals"]["categories"]["A"]["votes"]
        votes["A01"] += 1
    else:
        events.insert(kinds.index("voting_opened") + 1, events.pop(kinds.index("trustee_key")))
    report = check_record({"format": "cosoc-record/1", "election_id": sim2.params.election_id,
                           "events": _rechain(events)})
    assert not report.ok and any(reason in p for p in report.problems), report.problems


def test_saved_checkpoint(sim2: Simulation) -> None:
    """A prefix someone saved during voting is still in the final record; a record missing it or
    rewritten before it (even with a valid chain) is caught."""
    record = sim2.record.to_dict()
    kinds = [e["type"] for e in record["events"]]
    cut = kinds.index("checkpoint") + 1
    saved = {**record, "events": copy.deepcopy(record["events"][:cut])}
    assert check_saved(record, saved) == [] and check_record(record, saved).ok
    assert check_saved(record, {"height": cut - 1, "hash": record["events"][cut - 1]["hash"]}) == []
    truncated = {**record, "events": record["events"][:cut - 1]}
    assert check_saved(truncated, saved)[0].startswith(f"saved checkpoint: event {cut - 1} is missing")
    events = copy.deepcopy(record["events"])
    events[kinds.index("sorteo")]["payload"] = {"lottery_seed": "another"}
    rewritten = {**record, "events": _rechain(events)}
    assert check_saved(rewritten, saved)[0].startswith(f"saved checkpoint: event {cut - 1} was rewritten")
    altered = copy.deepcopy(saved)
    altered["events"][-1]["payload"]["count"] = 0
    assert "altered after saving" in check_saved(record, altered)[0]


# --- the verifier without PyNaCl -----------------------------------------------------------------------

def test_pure_ed25519_agrees_with_libsodium() -> None:
    from nacl.signing import SigningKey

    key = SigningKey.generate()
    public = bytes(key.verify_key)
    verifier = ed25519.Verifier(public)
    try:
        ed25519.use_accelerated(False)
        for n in range(20):
            message = os.urandom(n * 7)
            signature = key.sign(message).signature
            assert ed25519.verify(public, message, signature) and verifier.verify(message, signature)
            bad = bytearray(signature)
            bad[n] ^= 1
            assert not ed25519.verify(public, message, bytes(bad)) and not verifier.verify(message, bytes(bad))
        s = int.from_bytes(signature[32:], "little") + ed25519.L  # S >= L: malleated, refused
        assert not verifier.verify(message, signature[:32] + s.to_bytes(32, "little"))
        identity = (1).to_bytes(32, "little")  # a small-order key
        assert not ed25519.verify(identity, b"", identity + bytes(32))
        assert ed25519.to_x25519(public) == bytes(key.verify_key.to_curve25519_public_key())
    finally:
        ed25519.use_accelerated(True)


def test_verifier_with_pure_python_1000_ballots(capsys: pytest.CaptureFixture[str]) -> None:
    """A 1,000-organization election with 2 trustees verifies on the pure path in < 20 s (the issue asks < 60 s)."""
    sim = simulate(1000, trustees=2, seed=7)
    record = sim.record.to_dict()
    try:
        assert not ed25519.use_accelerated(False)
        started = time.perf_counter()
        report = check_record(record)
        seconds = time.perf_counter() - started
    finally:
        ed25519.use_accelerated(True)
    with capsys.disabled():
        print(f"\n[pure-Python record verification, 1,000 ballots, 2 trustees: {seconds:.1f} s]")
    assert report.ok and report.ballots == 1000, report.problems
    assert seconds < 20


BLOCK_NACL = ("import sys\n"
              "class Block:\n"
              "    def find_spec(self, name, path=None, target=None):\n"
              "        if name == 'nacl' or name.startswith('nacl.'):\n"
              "            raise ImportError('PyNaCl hidden for this test')\n"
              "sys.meta_path.insert(0, Block())\n"
              "import runpy; sys.argv = ['elections'] + sys.argv[1:]\n"
              "runpy.run_module('elections', run_name='__main__')\n")


def test_cli_verify_without_pynacl(sim3: Simulation, tmp_path: Path) -> None:
    """`python -m elections verify` with PyNaCl unimportable: OK on the record, FAILED on a tampered one,
    and the saved checkpoint option."""
    path = tmp_path / "registro.json"
    with path.open("w", encoding="utf-8") as fp:
        sim3.record.write(fp)
    run = [sys.executable, "-c", BLOCK_NACL, "verify", str(path)]
    proc = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and proc.stdout.startswith("OK: ") and "pure Python" in proc.stdout, proc.stderr
    record = sim3.record.to_dict()
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps({**record, "events": record["events"][:8]}), encoding="utf-8")
    proc = subprocess.run([*run, "--checkpoint", str(saved)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout
    record["events"][5]["payload"]["challenge"] = "changed"
    with path.open("w", encoding="utf-8") as fp:
        write_record(record, fp)
    proc = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and "event 5" in proc.stdout and "payload changed" in proc.stdout


# --- the trustee's commands -------------------------------------------------------------------------

def test_cli_keygen_and_step(tmp_path: Path) -> None:
    """keygen writes a 0600 key and a proof the portal accepts; `trustee step` on the published record
    (up to the sealed ballots) makes a step the portal's check accepts; the wrong trustee is refused."""
    proc = _cli("trustee", "keygen", "--out", str(tmp_path / "t"), "--election", "cosoc-cli", "--challenge", "ch-7")
    assert proc.returncode == 0, proc.stderr
    key = tmp_path / "t" / "trustee.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    proof = json.loads((tmp_path / "t" / "trustee-public.json").read_text(encoding="utf-8"))
    assert proof == json.loads(proc.stdout) and check_key_proof(proof, "cosoc-cli", "ch-7") == []
    again = _cli("trustee", "keygen", "--out", str(tmp_path / "t"), "--election", "cosoc-cli", "--challenge", "x")
    assert again.returncode == 2 and "refusing to overwrite" in again.stderr

    sim = simulate(12, trustees=2, seed=5, batch=5)
    events = sim.record.events
    upto = next(i for i, e in enumerate(events) if e["type"] == "trustee_step")
    partial = tmp_path / "registro.json"
    with partial.open("w", encoding="utf-8") as fp:
        Record(sim.params.election_id, events[:upto]).write(fp)
    for k, seed in enumerate(sim.trustee_seeds, 1):
        (tmp_path / f"k{k}").write_text(seed.hex() + "\n", encoding="ascii")
    wrong = _cli("trustee", "step", "--key", str(tmp_path / "k2"), "--input", str(partial), "--out", str(tmp_path / "o"))
    assert wrong.returncode == 2 and "this key is trustee 2's; the batch is for trustee 1" in wrong.stderr
    proc = _cli("trustee", "step", "--key", str(tmp_path / "k1"), "--input", str(partial), "--out",
                str(tmp_path / "step1.json"))
    assert proc.returncode == 0, proc.stderr
    step = json.loads((tmp_path / "step1.json").read_text(encoding="utf-8"))
    assert check_step(sim.params, _sealed(sim), step, expected_trustee=1)[0] == []


def test_portal_key_must_match() -> None:
    seed, public = portal_keygen()
    other_seed, _ = portal_keygen()
    _, proof = trustee_keygen("e", "c")
    params = SealParams("e", public, (bytes.fromhex(proof["signing_key"]),))
    with pytest.raises(SealError, match="does not match"):
        Sealer(params, other_seed)
    with pytest.raises(SealError, match="same key"):
        SealParams("e", public, (params.trustees[0], params.trustees[0]))
    assert Sealer(params, seed).seal("A", None).code
