"""The append-only public record of an election: a hash chain of events (``cosoc-record/1``).

A record is ``{"format": "cosoc-record/1", "election_id": ..., "events": [event, ...]}``; an event is::

    {"height": 0, "parent": "<64 hex: the previous event's hash; 64 zeros for the first>",
     "type": "setup", "at": "2025-11-02" | null, "payload_hash": "<SHA-256 hex of canonical payload>",
     "hash": "<SHA-256 hex of the canonical {format, height, parent, type, at, payload_hash}>",
     "payload": {...}}

Canonical JSON: keys sorted, no spaces, UTF-8, no NaN (``canonical_json``). Because each hash
covers its parent's, an event saved by anyone (or just its height and hash) pins every event
before it: ``check_saved`` tells whether a saved checkpoint is still in a later record.

Event types (``EVENT_TYPES``) and the payloads ``verify.check_record`` understands:

* ``setup``: ``{"election_id", "seats", "seal": SealParams.to_dict() without trustees or with []}``
  (the portal's per-election signing key and the plaintext size);
* ``padron_frozen``: ``{"padron_sha256", "padron_size"?}``; ``candidates_published``:
  ``{"candidates": [...]}``; ``sorteo``: ``{"lottery_seed"}`` or ``{"lottery_order"}``;
* ``trustee_key``: a key proof (``seal.key_proof``), one per trustee, in peeling order, all before
  ``voting_opened``;
* ``voting_opened``: ``{}``; ``checkpoint``: ``checkpoint_payload(...)``; ``voting_closed``:
  ``{"total": n}``; ``sealed_ballots``: ``{"batches": [count per checkpoint], "items": [...]}`` (the
  stored sealed ballots, grouped as the checkpoints were, each group sorted by fingerprint);
* ``trustee_step``: a step (``seal.trustee_step``), trustees in order;
* ``tally``: the bulletin (``bulletin.make_bulletin`` on the revealed ballots);
  ``allocation``: the bulletin's allocation; ``proclamation``: free (e.g. the acta's SHA-256).

Checkpoints during voting publish, per batch of ballots cast since the previous checkpoint, the
count and a hash over the *sorted* fingerprints (SHA-256 of each sealed ballot): publication order
says nothing about casting order inside a batch.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import IO, Any

RECORD_FORMAT = "cosoc-record/1"
ZERO_HASH = "0" * 64
EVENT_TYPES = ("setup", "padron_frozen", "candidates_published", "sorteo", "trustee_key", "voting_opened",
               "checkpoint", "voting_closed", "sealed_ballots", "trustee_step", "tally", "allocation",
               "proclamation")
EVENT_KEYS = ("height", "parent", "type", "at", "payload_hash", "hash", "payload")
_HEX64 = re.compile(r"[0-9a-f]{64}")


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of a JSON value: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def payload_hash(payload: Any) -> str:
    """SHA-256 hex of a payload's canonical JSON."""
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def event_hash(event: Mapping[str, Any]) -> str:
    """SHA-256 hex of an event's canonical header (everything but the payload, which its hash covers)."""
    header = {"format": RECORD_FORMAT, "height": event["height"], "parent": event["parent"],
              "type": event["type"], "at": event["at"], "payload_hash": event["payload_hash"]}
    return hashlib.sha256(canonical_json(header)).hexdigest()


def new_event(previous: Mapping[str, Any] | None, type_: str, payload: Any, at: str | None = None) -> dict[str, Any]:
    """The event that follows `previous` (None for the first), ready to store and publish.

    `at`, if given, should be coarse (a date, or an hour for checkpoints): it is public."""
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type_!r}")
    event: dict[str, Any] = {"height": 0 if previous is None else previous["height"] + 1,
                             "parent": ZERO_HASH if previous is None else previous["hash"],
                             "type": type_, "at": at, "payload_hash": payload_hash(payload)}
    event["hash"] = event_hash(event)
    event["payload"] = payload
    return event


class Record:
    """An election's record in memory: append events, publish it as JSON."""

    def __init__(self, election_id: str, events: Iterable[dict[str, Any]] = ()):
        self.election_id = election_id
        self.events: list[dict[str, Any]] = list(events)

    @property
    def head(self) -> dict[str, Any] | None:
        """The last event (None while empty)."""
        return self.events[-1] if self.events else None

    def append(self, type_: str, payload: Any, at: str | None = None) -> dict[str, Any]:
        """Append one event and return it."""
        event = new_event(self.head, type_, payload, at)
        self.events.append(event)
        return event

    def to_dict(self) -> dict[str, Any]:
        """The published JSON (``/elecciones/{id}/registro.json``)."""
        return {"format": RECORD_FORMAT, "election_id": self.election_id, "events": self.events}

    def write(self, fp: IO[str]) -> None:
        """Write the record: a short header, then one event per line."""
        write_record(self.to_dict(), fp)


def write_record(record: Mapping[str, Any], fp: IO[str]) -> None:
    """Write a record as JSON with "format" first and one event per line."""
    fp.write(f'{{"format": {json.dumps(record["format"])}, "election_id": '
             f'{json.dumps(record["election_id"], ensure_ascii=False)}, "events": [')
    sep = "\n"
    for event in record["events"]:
        fp.write(sep + json.dumps(event, ensure_ascii=False, separators=(",", ":")))
        sep = ",\n"
    fp.write("\n]}\n")


def check_chain(record: Any) -> list[str]:  # noqa: C901, PLR0912, PLR0915 - one check per field, in order
    """Problems with a record's shape and hash chain (empty: the chain holds)."""
    if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
        return [f"record: not a {RECORD_FORMAT} object"]
    events = record.get("events")
    if not isinstance(events, list):
        return ["record: \"events\" must be a list"]
    if not isinstance(record.get("election_id"), str):
        return ["record: election_id must be a text"]
    problems: list[str] = []
    parent = ZERO_HASH
    for height, event in enumerate(events):
        where = f"event {height}"
        if not isinstance(event, dict) or set(event) != set(EVENT_KEYS):
            problems.append(f"{where}: must be an object with exactly {', '.join(EVENT_KEYS)}")
            break
        if event["height"] != height or type(event["height"]) is not int:
            problems.append(f"{where}: height is {event['height']!r} (events removed, inserted or reordered)")
        if event["parent"] != parent:
            problems.append(f"{where}: parent is not the previous event's hash (the chain is broken here)")
        if event["type"] not in EVENT_TYPES:
            problems.append(f"{where}: unknown type {event['type']!r}")
        if event["at"] is not None and not isinstance(event["at"], str):
            problems.append(f"{where}: at must be a text or null")
        try:
            recomputed = payload_hash(event["payload"])
        except ValueError:
            recomputed = ""
        if event["payload_hash"] != recomputed:
            problems.append(f"{where} ({event['type']}): payload_hash does not match the payload (payload changed)")
        try:
            own = event_hash(event)
        except (TypeError, ValueError):
            own = ""
        if event["hash"] != own:
            problems.append(f"{where} ({event['type']}): hash does not match the event (event changed)")
        parent = event["hash"] if isinstance(event["hash"], str) else ""
    if events and problems == [] and events[0].get("type") != "setup":
        problems.append("event 0: the first event must be setup")
    return problems


def check_saved(record: Any, saved: Any) -> list[str]:
    """Whether an event saved earlier (a whole earlier record, one event, or {"height", "hash"}) is
    still in `record` at its height with the same hash; the chain then pins everything before it."""
    if isinstance(saved, dict) and saved.get("format") == RECORD_FORMAT:
        events = saved.get("events")
        if not isinstance(events, list) or not events:
            return ["saved checkpoint: the saved record has no events"]
        saved = events[-1]
    if not isinstance(saved, dict) or not isinstance(saved.get("height"), int) or \
            not isinstance(saved.get("hash"), str) or not _HEX64.fullmatch(saved["hash"]):
        return ["saved checkpoint: expected a record, an event, or {\"height\", \"hash\"}"]
    if "payload" in saved and "payload_hash" in saved:
        try:
            intact = saved["payload_hash"] == payload_hash(saved["payload"]) and saved["hash"] == event_hash(saved)
        except (KeyError, TypeError, ValueError):
            intact = False
        if not intact:
            return ["saved checkpoint: the saved event does not match its own hash (it was altered after saving)"]
    height, digest = saved["height"], saved["hash"]
    events = record.get("events", []) if isinstance(record, dict) else []
    if height >= len(events):
        return [f"saved checkpoint: event {height} is missing (the record now has {len(events)} events: "
                "events were removed)"]
    if events[height].get("hash") != digest:
        return [f"saved checkpoint: event {height} was rewritten (hash {str(events[height].get('hash'))[:16]}…, "
                f"saved {digest[:16]}…)"]
    return []


def set_sha256(fingerprints: Iterable[str]) -> str:
    """SHA-256 hex over a set of sealed-ballot fingerprints, sorted, one per line."""
    return hashlib.sha256("".join(f"{f}\n" for f in sorted(fingerprints)).encode()).hexdigest()


def checkpoint_payload(batch: int, fingerprints: Iterable[str], total_before: int) -> dict[str, Any]:
    """The payload of checkpoint `batch` (1, 2, ...) over the ballots sealed since the previous one."""
    prints = sorted(fingerprints)
    if len(set(prints)) != len(prints) or not all(_HEX64.fullmatch(f) for f in prints):
        raise ValueError("fingerprints must be distinct 64-character lower-case hex SHA-256 digests")
    return {"batch": batch, "count": len(prints), "total": total_before + len(prints),
            "set_sha256": set_sha256(prints)}
