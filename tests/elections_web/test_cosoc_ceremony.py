"""The trustees' steps as uploaded to the portal: a wrong step, a dropped, a replaced or a duplicated
ballot, a step out of turn — each refused with the reason, nothing recorded; checkpoints during the
vote, saved by someone and checked against the final record (docs/ballot-secrecy.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from nacl.signing import SigningKey

from cosoc_helpers import signed_in, upload
from cosoc_world import OpenElection, close_vote, officer_of
from elections import seal
from elections.audit import check_record
from portal.elections_web import queries as q, sealing, vote, workflow


async def _voted_and_closed(db: Any, oe: OpenElection) -> None:
    for cat in "ABC":
        for _u, org_id, _e in oe.reps[cat]:
            await vote.cast_vote(db, oe.id, org_id, oe.candidates[cat][0], secret=oe.secret)
    await close_vote(db, oe)


def _resign(seed: bytes, params: seal.SealParams, step: dict[str, Any], output: list[seal.Item]) -> dict[str, Any]:
    """A dishonest trustee's step: its own output, hashed and signed with its own key (so only the
    portal's checks, not the trustee's signature, can catch it)."""
    output_sha = seal.batch_sha256(output)
    message = seal._step_message(params.election_id, step["trustee"], step["input_sha256"], output_sha)
    return {**step, "output": seal.items_to_json(output), "count": len(output), "output_sha256": output_sha,
            "signature": SigningKey(seed).sign(message).signature.hex()}


async def _honest_step(db: Any, oe: OpenElection, position: int) -> tuple[seal.SealParams, dict[str, Any]]:
    params, items, _ = await sealing.mix_state(db, await q.get_election(db, oe.id))
    return params, seal.trustee_step(oe.seeds[position - 1], params, items)


def _forged(kind: str, seed: bytes, params: seal.SealParams, step: dict[str, Any]) -> dict[str, Any]:
    output = seal.items_from_json(step["output"])
    if kind == "wrong step":  # made on another batch
        return {**step, "input_sha256": "0" * 64}
    if kind == "dropped ballot":
        return _resign(seed, params, step, output[1:])
    if kind == "replaced ballot":  # a ballot the portal never sealed, well formed for position 2
        body = bytes(params.size(2))
        return _resign(seed, params, step, sorted([*output[1:], (body, bytes(64))]))
    if kind == "duplicated ballot":
        return _resign(seed, params, step, sorted([*output[1:], output[1]]))  # one dropped, another twice
    raise AssertionError(kind)


REASONS = {"wrong step": "another input batch", "dropped ballot": "a ballot dropped or added",
           "replaced ballot": "not signed by the portal", "duplicated ballot": "duplicate"}


@pytest.mark.parametrize("kind", list(REASONS))
async def test_a_bad_step_is_refused_with_the_reason(db: Any, open_election: OpenElection, make_client: Any,
                                                     kind: str) -> None:
    oe = open_election
    await _voted_and_closed(db, oe)
    params, step = await _honest_step(db, oe, 1)
    client = await signed_in(make_client, oe.trustees[0].email)
    url = f"/elecciones/{oe.id}/custodios/1"
    r = await upload(client, url, "step", json.dumps(_forged(kind, oe.seeds[0], params, step)).encode())
    assert r.status_code == 409 and "El paso no se aceptó" in r.text and REASONS[kind] in r.text, r.text[-3000:]
    types = [x["type"] for x in await db.fetch_all("SELECT type FROM election_record WHERE election_id = :e",
                                                   {"e": oe.id})]
    assert "trustee_step" not in types
    assert await db.fetch_val("SELECT status FROM election_trustees WHERE position = 1") == "key_in"
    # the honest step is then accepted
    assert (await upload(client, url, "step", json.dumps(step).encode())).status_code == 303


async def test_steps_in_turn_once_each_and_the_count_waits_for_all(db: Any, open_election: OpenElection,
                                                                  make_client: Any) -> None:
    oe = open_election
    await _voted_and_closed(db, oe)
    second = await signed_in(make_client, oe.trustees[1].email)
    _params, step1 = await _honest_step(db, oe, 1)
    assert (await second.get(f"/elecciones/{oe.id}/custodios/2/lote.json")).status_code == 404  # not its turn
    early = await upload(second, f"/elecciones/{oe.id}/custodios/2", "step", json.dumps(step1).encode())
    assert early.status_code == 409 and "turno del custodio 1" in early.text
    first = await signed_in(make_client, oe.trustees[0].email)
    batch = await first.get(f"/elecciones/{oe.id}/custodios/1/lote.json")
    assert batch.status_code == 200 and len(seal.read_batch_file(batch.json())[2]) == 9
    assert (await upload(first, f"/elecciones/{oe.id}/custodios/1", "step", json.dumps(step1).encode())).status_code == 303
    twice = await upload(first, f"/elecciones/{oe.id}/custodios/1", "step", json.dumps(step1).encode())
    assert twice.status_code == 409 and "ya está registrado" in twice.text
    wrong = await upload(second, f"/elecciones/{oe.id}/custodios/2", "step", json.dumps(step1).encode())
    assert wrong.status_code == 409 and "expected now" in wrong.text
    with pytest.raises(Exception, match="pasos de custodios"):
        await workflow.transition(db, oe.id, "tallied", officer_of(oe))
    _params, step2 = await _honest_step(db, oe, 2)
    assert (await upload(second, f"/elecciones/{oe.id}/custodios/2", "step", json.dumps(step2).encode())).status_code == 303
    await workflow.transition(db, oe.id, "tallied", officer_of(oe))
    record = json.loads((await first.get(f"/elecciones/{oe.id}/registro.json")).content)
    report = check_record(record)
    assert report.ok, report.problems and report.steps == 2 and report.ballots == 9


async def test_keys_are_refused_with_a_reason_and_frozen_once_voting_opens(db: Any, open_election: OpenElection,
                                                                          make_client: Any) -> None:
    oe = open_election
    client = await signed_in(make_client, oe.trustees[0].email)
    url = f"/elecciones/{oe.id}/custodios/1"
    page = await client.get(url)
    assert page.status_code == 200 and "las claves no pueden cambiar" in page.text
    _seed, proof = seal.trustee_keygen(str(oe.id), "x")
    r = await upload(client, url, "key", json.dumps(proof).encode())
    assert r.status_code == 409 and "another challenge" in r.text
    challenge = await db.fetch_val("SELECT challenge FROM election_trustees WHERE position = 1")
    _seed, proof = seal.trustee_keygen(str(oe.id), challenge)
    r = await upload(client, url, "key", json.dumps(proof).encode())
    assert r.status_code == 409 and "La votación ya se abrió" in r.text
    proof["signature"] = "00" * 64
    r = await client.post(url, {"kind": "key", "json": "{not json"})
    assert r.status_code == 409 and "no es JSON" in r.text
    # the public progress page; a stranger's trustee page is 404
    assert "Custodio 1" in (await client.get(f"/elecciones/{oe.id}/custodios")).text
    stranger = await signed_in(make_client, oe.reps["A"][0][2])
    assert (await stranger.get(url)).status_code == 404


async def test_a_forged_key_proof_is_refused(db: Any, secret: str, make_client: Any) -> None:
    from cosoc_world import build_open_election

    oe = await build_open_election(db, secret, phase="candidacies_review")
    await db.execute("UPDATE election_trustees SET status = 'named', signing_key = NULL, key_proof = NULL")
    challenge = await db.fetch_val("SELECT challenge FROM election_trustees WHERE position = 2")
    _seed, proof = seal.trustee_keygen(str(oe.id), challenge)
    proof["signature"] = "00" * 64
    client = await signed_in(make_client, oe.trustees[1].email)
    r = await upload(client, f"/elecciones/{oe.id}/custodios/2", "key", json.dumps(proof).encode())
    assert r.status_code == 409 and "does not verify" in r.text
    _seed, good = seal.trustee_keygen(str(oe.id), challenge)
    assert (await upload(client, f"/elecciones/{oe.id}/custodios/2", "key", json.dumps(good).encode())).status_code == 303


async def test_checkpoints_during_the_vote_and_a_saved_copy(db: Any, open_election: OpenElection, make_client: Any,
                                                            monkeypatch: Any) -> None:
    """Every CHECKPOINT_EVERY ballots a checkpoint (count + hash over the sorted fingerprints); a copy of
    the record saved mid-vote is still a prefix of the final record; a rewritten one is reported."""
    oe = open_election
    monkeypatch.setattr(sealing, "CHECKPOINT_EVERY", 4)
    anon = make_client()
    orgs = [org_id for cat in "ABC" for _u, org_id, _e in oe.reps[cat]]
    for org_id in orgs[:5]:
        await vote.cast_vote(db, oe.id, org_id, None, secret=oe.secret)
    saved = json.loads((await anon.get(f"/elecciones/{oe.id}/registro.json")).content)
    checkpoints = [e["payload"] for e in saved["events"] if e["type"] == "checkpoint"]
    assert [c["count"] for c in checkpoints] == [4]
    for org_id in orgs[5:]:
        await vote.cast_vote(db, oe.id, org_id, None, secret=oe.secret)
    await close_vote(db, oe)
    final = json.loads((await anon.get(f"/elecciones/{oe.id}/registro.json")).content)
    assert [e["payload"]["count"] for e in final["events"] if e["type"] == "checkpoint"] == [4, 4, 1]
    assert check_record(final, saved).ok
    rewritten = json.loads(json.dumps(saved))
    rewritten["events"][-1]["payload"]["count"] = 3
    assert not check_record(final, rewritten).ok


async def test_the_record_is_append_only(db: Any, open_election: OpenElection) -> None:
    """Neither the app role nor anyone through the table may rewrite or remove an event (a trigger, as
    for election_log); the chain's own hashes catch a rewrite done around it."""
    for sql in ("UPDATE election_record SET type = 'setup' WHERE height = 1", "DELETE FROM election_record",
                "TRUNCATE election_record"):
        with pytest.raises(Exception, match=r"append-only|permission denied"):
            await db.execute(sql)
    assert await db.fetch_val("SELECT count(*) FROM election_record WHERE election_id = :e", {"e": open_election.id}) > 5
