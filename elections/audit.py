"""Offline verification of an election's public record: chain, keys, checkpoints, mix, tally.

``check_record(record, saved=None) -> RecordReport`` walks the events of a ``cosoc-record/1``
(see ``record``) and checks, with the standard library alone (PyNaCl only speeds it up):

* the hash chain (``record.check_chain``) and, if given, that a checkpoint saved earlier is still in it;
* every trustee's key proof, distinct keys, all published before voting opened, at least two trustees;
* checkpoints numbered 1, 2, ... with running totals, closed by ``voting_closed`` with the same total;
* ``sealed_ballots``: grouped as the checkpoints were (counts and sorted-set hashes match), every item
  sealed and signed by the portal for position 1, no duplicates;
* each ``trustee_step`` in order against the previous batch (``seal.check_step``): counts, hashes,
  the trustee's signature, the portal's signature on every output item, no duplicates, sorted;
* the reveal (every final item a ballot text of this election), then the ``tally`` bulletin:
  its ballots are exactly the revealed ones, its election, padrón, seats, candidates and sorteo
  are the record's, and its totals and allocation recompute (``verify.check``);
* ``allocation`` equals the bulletin's.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import record as rec
from .bulletin import write_bulletin
from .seal import SEAL_FORMAT, Item, SealError, SealParams, check_batch, check_key_proof, check_step, fingerprint, \
    items_from_json, reveal
from .verify import check as check_bulletin


@dataclass
class RecordReport:
    """What record verification found; `stage` is the last stage the record reaches."""

    problems: list[str] = field(default_factory=list)
    events: int = 0
    ballots: int = 0
    checkpoints: int = 0
    steps: int = 0
    stage: str = "empty"

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.problems

    def summary(self) -> str:
        """One line for people."""
        return (f"{self.events} events, chain intact; stage: {self.stage}; {self.checkpoints} checkpoint(s); "
                f"{self.ballots} sealed ballot(s); {self.steps} trustee step(s)")


class _Walk:
    """State carried from event to event."""

    def __init__(self, record: dict[str, Any], report: RecordReport):
        self.eid: str = record["election_id"]
        self.report = report
        self.problems = report.problems
        self.setup: dict[str, Any] | None = None
        self.facts: dict[str, Any] = {}
        self.portal_key = b""
        self.trustees: list[bytes] = []
        self.opened = self.closed = False
        self.checkpoints: list[dict[str, Any]] = []
        self.closed_total: int | None = None
        self.items: list[Item] | None = None
        self.params: SealParams | None = None
        self.revealed: list[dict[str, Any]] | None = None
        self.bulletin: dict[str, Any] | None = None

    def fail(self, height: int, kind: str, text: str) -> None:
        self.problems.append(f"event {height} ({kind}): {text}")

    # -- setup and facts --------------------------------------------------------------------------
    def setup_event(self, h: int, p: Any) -> None:
        seal = p.get("seal") if isinstance(p, dict) else None
        if h != 0 or self.setup is not None:
            self.fail(h, "setup", "setup must be the first event, and only once")
            return
        if not isinstance(seal, dict) or seal.get("format") != SEAL_FORMAT or p.get("election_id") != self.eid:
            self.fail(h, "setup", f"needs election_id {self.eid!r} and seal parameters of format {SEAL_FORMAT!r}")
            return
        try:
            self.portal_key = bytes.fromhex(seal["portal_key"])
        except (KeyError, TypeError, ValueError):
            self.fail(h, "setup", "seal.portal_key must be hexadecimal")
            return
        self.setup = p
        self.facts["seats"] = p.get("seats")

    def fact(self, h: int, kind: str, p: Any) -> None:
        if not isinstance(p, dict):
            self.fail(h, kind, "the payload must be an object")
            return
        if kind in ("padron_frozen", "candidates_published", "sorteo"):
            self.facts.update(p)

    # -- trustees and voting ----------------------------------------------------------------------
    def trustee_key(self, h: int, p: Any) -> None:
        if self.opened:
            self.fail(h, "trustee_key", "a trustee key published after voting opened cannot have sealed any ballot")
            return
        problems = check_key_proof(p, self.eid)
        if problems:
            self.fail(h, "trustee_key", problems[0])
            return
        key = bytes.fromhex(p["signing_key"])
        if key in self.trustees:
            self.fail(h, "trustee_key", "this key is already another trustee's")
            return
        self.trustees.append(key)

    def voting_opened(self, h: int, p: Any) -> None:
        if len(self.trustees) < 2:
            self.fail(h, "voting_opened", f"{len(self.trustees)} trustee key(s); at least 2 are required")
        if self.setup is None:
            return
        try:
            self.params = SealParams(self.eid, self.portal_key, tuple(self.trustees))
        except SealError as exc:
            self.fail(h, "voting_opened", str(exc))
        self.opened = True

    def checkpoint(self, h: int, p: Any) -> None:
        if not self.opened or self.closed:
            self.fail(h, "checkpoint", "checkpoints belong between voting_opened and voting_closed")
        before = self.checkpoints[-1]["total"] if self.checkpoints else 0
        ok = isinstance(p, dict) and set(p) == {"batch", "count", "total", "set_sha256"} and \
            all(type(p[k]) is int and p[k] >= 0 for k in ("batch", "count", "total"))
        if not ok:
            self.fail(h, "checkpoint", "the payload must be {batch, count, total, set_sha256} with counts")
            return
        if p["batch"] != len(self.checkpoints) + 1:
            self.fail(h, "checkpoint", f"batch {p['batch']}, expected {len(self.checkpoints) + 1} "
                      "(a checkpoint removed or repeated)")
        if p["total"] != before + p["count"]:
            self.fail(h, "checkpoint", f"total {p['total']} is not {before} + {p['count']}")
        self.checkpoints.append(p)
        self.report.checkpoints = len(self.checkpoints)

    def voting_closed(self, h: int, p: Any) -> None:
        total = self.checkpoints[-1]["total"] if self.checkpoints else 0
        if not self.opened or self.closed:
            self.fail(h, "voting_closed", "voting must be open (and close once)")
        if not isinstance(p, dict) or p.get("total") != total:
            self.fail(h, "voting_closed", f"total must equal the last checkpoint's total, {total}")
        self.closed, self.closed_total = True, total

    def sealed_ballots(self, h: int, p: Any) -> None:
        if not self.closed or self.params is None or self.items is not None:
            self.fail(h, "sealed_ballots", "sealed ballots are published once, after voting_closed")
            return
        try:
            items = items_from_json(p.get("items") if isinstance(p, dict) else None)
        except SealError as exc:
            self.fail(h, "sealed_ballots", str(exc))
            return
        counts = [c["count"] for c in self.checkpoints]
        if p.get("batches") != counts or len(items) != sum(counts):
            self.fail(h, "sealed_ballots", f"{len(items)} items in batches {p.get('batches')!r}; the checkpoints "
                      f"published batches of {counts} (a ballot dropped, added or moved)")
        start = 0
        for cp in self.checkpoints:
            group = [fingerprint(item) for item in items[start:start + cp["count"]]]
            start += cp["count"]
            if group != sorted(group) or rec.set_sha256(group) != cp["set_sha256"]:
                self.fail(h, "sealed_ballots", f"batch {cp['batch']} is not the set checkpoint {cp['batch']} "
                          "published (sorted fingerprints hash differently)")
        for problem in check_batch(self.params, 1, items, where="sealed ballots"):
            self.fail(h, "sealed_ballots", problem)
        self.items = items
        self.report.ballots = len(items)

    def trustee_step(self, h: int, p: Any) -> None:
        if self.items is None or self.params is None or self.revealed is not None:
            self.fail(h, "trustee_step", "a step needs the sealed ballots first, and none follows the last trustee")
            return
        expected = self.report.steps + 1
        problems, output = check_step(self.params, self.items, p, expected_trustee=expected)
        for problem in problems:
            self.fail(h, "trustee_step", problem)
        if problems:  # later steps cannot be checked against a broken batch: say so once
            self.items = None
            self.problems.append(f"trustee steps after event {h} are not checked")
            return
        self.items = output
        self.report.steps = expected
        if expected == len(self.params.trustees):
            problems, self.revealed = reveal(self.params, output)
            for problem in problems:
                self.fail(h, "trustee_step", problem)

    # -- count ------------------------------------------------------------------------------------
    def tally(self, h: int, p: Any) -> None:
        if self.revealed is None:
            self.fail(h, "tally", "the tally needs every trustee's step first")
            return
        if not isinstance(p, dict) or not isinstance(p.get("ballots"), list):
            self.fail(h, "tally", "the payload must be a bulletin")
            return
        self.bulletin = p
        if p["ballots"] != self.revealed:
            self.fail(h, "tally", f"the bulletin's {len(p['ballots'])} ballots are not the {len(self.revealed)} "
                      "revealed by the last trustee (sorted by tracking code)")
        for key, fact in (("election_id", self.eid), ("seats", self.facts.get("seats")),
                          ("padron_sha256", self.facts.get("padron_sha256")),
                          ("candidates", self.facts.get("candidates")),
                          ("lottery_seed", self.facts.get("lottery_seed")),
                          ("lottery_order", self.facts.get("lottery_order"))):
            if fact is not None and p.get(key) != fact:
                self.fail(h, "tally", f"the bulletin's {key} is not the one published earlier in the record")
        text = io.StringIO()
        write_bulletin(p, text)
        text.seek(0)
        for problem in check_bulletin(text).problems:
            self.fail(h, "tally", problem)

    def allocation(self, h: int, p: Any) -> None:
        if self.bulletin is None or p != self.bulletin.get("allocation"):
            self.fail(h, "allocation", "the allocation is not the tally bulletin's")


_STAGES = {"setup": "setup", "voting_opened": "voting open", "voting_closed": "voting closed",
           "sealed_ballots": "mixing", "tally": "tallied", "proclamation": "proclaimed"}


def check_record(record: Any, saved: Any = None) -> RecordReport:
    """Verify a parsed record (and optionally a checkpoint saved earlier); see the module doc."""
    return _run(record, saved)[0]


def next_batch(record: Any) -> tuple[RecordReport, SealParams | None, int, list[Item] | None]:
    """After verifying `record`: (report, params, position of the next trustee, its input batch);
    the batch is None unless the record verifies and awaits a trustee's step."""
    report, walk = _run(record, None)
    if not report.ok or walk is None or walk.params is None or walk.items is None or walk.revealed is not None:
        return report, walk.params if walk else None, 0, None
    return report, walk.params, report.steps + 1, walk.items


def _run(record: Any, saved: Any) -> tuple[RecordReport, _Walk | None]:
    report = RecordReport()
    problems = rec.check_chain(record)
    report.problems += problems
    if problems:
        return report, None
    if saved is not None:
        report.problems += rec.check_saved(record, saved)
    walk = _Walk(record, report)
    handlers: dict[str, Callable[[int, Any], None]] = {
        "setup": walk.setup_event, "trustee_key": walk.trustee_key, "voting_opened": walk.voting_opened,
        "checkpoint": walk.checkpoint, "voting_closed": walk.voting_closed, "sealed_ballots": walk.sealed_ballots,
        "trustee_step": walk.trustee_step, "tally": walk.tally, "allocation": walk.allocation}
    for event in record["events"]:
        kind, height, payload = event["type"], event["height"], event["payload"]
        handler = handlers.get(kind)
        if handler is not None:
            handler(height, payload)
        else:
            walk.fact(height, kind, payload)
        report.events += 1
        report.stage = _STAGES.get(kind, report.stage)
    return report, walk
