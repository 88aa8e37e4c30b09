"""A whole sealed election played in memory: for tests, the demo and ``python -m elections bench``.

``simulate(ballots, trustees=2, seed=1, batch=250) -> Simulation`` builds the record an honest portal
and honest trustees would publish (setup, padrón, candidates, sorteo, keys, checkpoints, sealed
ballots, every trustee's step, tally, allocation, proclamation) and times each part. It is also the
reference for the order of calls the web layer makes. Needs PyNaCl (it seals and opens).
"""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass, field
from typing import Any

from .allocation import parse_candidates
from .bulletin import make_bulletin
from .record import Record, checkpoint_payload
from .seal import Item, Sealer, SealParams, items_from_json, items_to_json, portal_keygen, reveal, trustee_keygen, \
    trustee_step

SEATS = {"A": 10, "B": 6, "C": 4}
CANDIDATES_PER_CATEGORY = {"A": 16, "B": 10, "C": 7}


@dataclass
class Simulation:
    """The record, the secrets an honest run used, the ballots as cast and the time of each part."""

    record: Record
    params: SealParams
    portal_seed: bytes
    trustee_seeds: list[bytes]
    cast: list[dict[str, Any]]  # {"code", "category", "choice"} per voter (what each receipt shows)
    seconds: dict[str, float] = field(default_factory=dict)


def candidates(seed: int = 1) -> list[dict[str, Any]]:
    """A council's candidates, normalized as a bulletin lists them."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    raw = [{"id": f"{cat}{i:02d}", "category": cat, "gender": rng.choice("FFMMX"),
            "region": rng.choice(["13", "13", "05", "08", "09", "15"])}
           for cat, n in CANDIDATES_PER_CATEGORY.items() for i in range(1, n + 1)]
    parsed = parse_candidates(SEATS, raw, votes_required=False)
    return [c.to_dict(with_votes=False) for group in parsed.values() for c in group]


def simulate(ballots: int, trustees: int = 2, seed: int = 1, batch: int = 250,
             election_id: str = "cosoc-sim") -> Simulation:
    """Play an election of `ballots` voters with `trustees` trustees; see the module doc."""
    cands = candidates(seed)
    padron = "".join(f"65.{i:06d};{'ABC'[i % 3]}\n" for i in range(ballots)).encode()
    sim = _setup(election_id, cands, padron, trustees, seed)
    stored = _vote(sim, cands, ballots, seed, batch)
    sim.record.append("voting_closed", {"total": ballots})
    _publish_sealed(sim.record, stored, batch)
    _count(sim, [item for _, item in _grouped(stored, batch)], cands, padron, seed)
    return sim


def _setup(election_id: str, cands: list[dict[str, Any]], padron: bytes, trustees: int, seed: int) -> Simulation:
    """Setup, padrón, candidates, sorteo and the trustees' keys, up to the opening of the vote."""
    record = Record(election_id)
    portal_seed, portal_key = portal_keygen()
    record.append("setup", {"election_id": election_id, "seats": SEATS,
                            "seal": {"format": "cosoc-seal/1", "portal_key": portal_key.hex(), "plaintext_size": 256}})
    record.append("padron_frozen", {"padron_sha256": hashlib.sha256(padron).hexdigest()})
    record.append("candidates_published", {"candidates": cands})
    record.append("sorteo", {"lottery_seed": f"SORTEO|{seed}"})
    seeds = []
    for k in range(1, trustees + 1):
        trustee_seed, proof = trustee_keygen(election_id, f"challenge-{k}")
        seeds.append(trustee_seed)
        record.append("trustee_key", proof)
    params = SealParams(election_id, portal_key, tuple(bytes.fromhex(e["payload"]["signing_key"])
                                                        for e in record.events if e["type"] == "trustee_key"))
    record.append("voting_opened", {})
    return Simulation(record, params, portal_seed, seeds, [])


def _vote(sim: Simulation, cands: list[dict[str, Any]], ballots: int, seed: int, batch: int) -> list[tuple[str, Item]]:
    """Every voter's sealed ballot, with a checkpoint every `batch` ballots; returns what the ballots table holds."""
    rng = random.Random(seed)  # noqa: S311 - which candidate simulated voters pick, not secrets
    by_category: dict[str, list[str]] = {}
    for c in cands:
        by_category.setdefault(c["category"], []).append(c["id"])
    sealer = Sealer(sim.params, sim.portal_seed)
    stored: list[tuple[str, Item]] = []  # (fingerprint, item)
    pending: list[str] = []
    started = time.perf_counter()
    for i in range(ballots):
        category = "ABC"[i % 3]
        choice = None if rng.random() < 0.03 else rng.choice(by_category[category])
        sealed = sealer.seal(category, choice)
        sim.cast.append({"code": sealed.code, "category": category, "choice": choice})
        stored.append((sealed.fingerprint, sealed.item))
        pending.append(sealed.fingerprint)
        if len(pending) == batch:
            _checkpoint(sim.record, pending)
    sim.seconds["seal"] = time.perf_counter() - started
    if pending or not any(e["type"] == "checkpoint" for e in sim.record.events):
        _checkpoint(sim.record, pending)
    return stored


def _count(sim: Simulation, items: list[Item], cands: list[dict[str, Any]], padron: bytes, seed: int) -> None:
    """Each trustee's step in turn, the reveal, the tally, the allocation and the proclamation."""
    for k, trustee_seed in enumerate(sim.trustee_seeds, 1):
        started = time.perf_counter()
        step = trustee_step(trustee_seed, sim.params, items)
        sim.seconds[f"step {k}"] = time.perf_counter() - started
        sim.record.append("trustee_step", step)
        items = items_from_json(step["output"])
    started = time.perf_counter()
    _, revealed = reveal(sim.params, items)
    bulletin = make_bulletin(election_id=sim.record.election_id, padron_sha256=hashlib.sha256(padron).hexdigest(),
                             seats=SEATS, candidates=cands, ballots=revealed, lottery_seed=f"SORTEO|{seed}")
    sim.seconds["reveal and count"] = time.perf_counter() - started
    sim.record.append("tally", bulletin)
    sim.record.append("allocation", bulletin["allocation"])
    sim.record.append("proclamation", {"acta_sha256": hashlib.sha256(b"acta").hexdigest()})


def _checkpoint(record: Record, pending: list[str]) -> None:
    previous = [e["payload"] for e in record.events if e["type"] == "checkpoint"]
    total = previous[-1]["total"] if previous else 0
    record.append("checkpoint", checkpoint_payload(len(previous) + 1, pending, total))
    pending.clear()


def _grouped(stored: list[tuple[str, Item]], batch: int) -> list[tuple[str, Item]]:
    """The stored ballots in checkpoint batches (casting order), each batch sorted by fingerprint."""
    out: list[tuple[str, Item]] = []
    for start in range(0, len(stored), batch):
        out += sorted(stored[start:start + batch])
    return out


def _publish_sealed(record: Record, stored: list[tuple[str, Item]], batch: int) -> None:
    counts = [e["payload"]["count"] for e in record.events if e["type"] == "checkpoint"]
    record.append("sealed_ballots", {"batches": counts, "items": items_to_json(i for _, i in _grouped(stored, batch))})
