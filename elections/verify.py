"""Offline verification of a bulletin: tracking codes, totals and allocation, recomputed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from collections.abc import Iterator

from .allocation import allocate, parse_candidates
from .bulletin import BULLETIN_FORMAT, HEADER_KEYS, SHA256_PATTERN, BulletinError, open_text, read_bulletin
from .model import Candidate, InputError
from .rules import Rules
from .tally import BALLOT_FORMAT, NONCE_PATTERN, BallotRules, Tally, ballot_code

_REQUIRED = ("format", "election_id", "padron_sha256", "rules", "seats", "candidates", "totals", "allocation")
_SHOWN = 10  # per kind of ballot problem; the rest are summarized so a broken bulletin stays readable


@dataclass
class Report:
    """What verification found: the problems (empty when everything matches) and the ballot count."""

    problems: list[str] = field(default_factory=list)
    ballots: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing failed to match."""
        return not self.problems


@dataclass
class _Header:
    election_id: str
    seats: dict[str, int]
    rules: Rules
    candidates: list[Candidate]
    lottery_order: list[str] | None
    lottery_seed: str | None
    padron_size: dict[str, int] | None
    raw: dict[str, Any]


def _header(raw: dict[str, Any], problems: list[str]) -> _Header | None:
    missing = [k for k in _REQUIRED if k not in raw]
    unknown = [k for k in raw if k not in HEADER_KEYS]
    if missing:
        problems.append(f"header: missing key(s) {', '.join(missing)} before \"ballots\"")
    if unknown:
        problems.append(f"header: unknown key(s) {', '.join(unknown)}")
    if raw.get("format") != BULLETIN_FORMAT:
        problems.append(f"header: format is {raw.get('format')!r}, expected {BULLETIN_FORMAT!r}")
    if not isinstance(raw.get("election_id"), str) or not raw.get("election_id"):
        problems.append("header: election_id must be a non-empty string")
    if not isinstance(raw.get("padron_sha256"), str) or not SHA256_PATTERN.fullmatch(raw["padron_sha256"]):
        problems.append("header: padron_sha256 must be 64 lower-case hexadecimal characters")
    if problems:
        return None
    try:
        rules = Rules.from_dict(raw["rules"])
        seats = raw["seats"]
        cands = [c for g in parse_candidates(seats, raw["candidates"], votes_required=False).values() for c in g]
        size = raw.get("padron_size")
        if size is not None and (not isinstance(size, dict) or not all(
                isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in size.values())):
            raise InputError("padron_size must map categories to non-negative integers")
        return _Header(raw["election_id"], seats, rules, cands, raw.get("lottery_order"),
                       raw.get("lottery_seed"), size, raw)
    except (InputError, AttributeError, TypeError) as exc:
        problems.append(f"header: {exc}")
        return None


class _Limited:
    """Collects per-ballot problems, showing the first few of each kind and counting the rest."""

    def __init__(self, problems: list[str]):
        self.problems, self.counts = problems, {}  # type: ignore[var-annotated]

    def add(self, kind: str, text: str) -> None:
        n = self.counts[kind] = self.counts.get(kind, 0) + 1
        if n <= _SHOWN:
            self.problems.append(text)

    def close(self) -> None:
        for kind, n in self.counts.items():
            if n > _SHOWN:
                self.problems.append(f"... and {n - _SHOWN} more ballot(s) with the same problem: {kind}")


def _recount(h: _Header, ballots: Iterator[Any], problems: list[str]) -> tuple[Tally, int]:  # noqa: PLR0915 - hot loop
    rules = BallotRules(h.election_id, h.seats, h.candidates)
    counted = Tally.empty(h.seats, h.candidates)
    log = _Limited(problems)
    previous, index, eid = "", 0, h.election_id
    code: Any
    expected: str | None
    # The fast path handles a well-formed vote inline (same checks as BallotRules.classify and
    # the same text as tracking_code); anything else takes the general, slower path.
    prefix, category_of, nonce_ok = f"{BALLOT_FORMAT}|{eid}|", rules.category_of, NONCE_PATTERN.fullmatch
    votes, sha256 = counted.votes, hashlib.sha256
    for index, ballot in enumerate(ballots, 1):
        if type(ballot) is dict and len(ballot) == 4 and "code" in ballot:
            code, nonce = ballot["code"], ballot.get("nonce")
            category, choice = ballot.get("category"), ballot.get("choice")
            if (type(choice) is str and type(nonce) is str and type(code) is str
                    and category_of.get(choice, ...) == category and nonce_ok(nonce)):
                expected = sha256(f"{prefix}{category}|{nonce}|{choice}".encode()).hexdigest()
                if code != expected:
                    log.add("tracking code", _code_problem(index, code, expected))
                if code <= previous:
                    log.add("order", _order_problem(index, code))
                previous = code
                votes[category][choice] += 1
                continue
        verdict = rules.classify(ballot)
        code = ballot.get("code") if isinstance(ballot, dict) else None
        expected = ballot_code(eid, ballot)
        if expected is None:
            log.add("malformed", f"ballot #{index}: malformed ({verdict})")
        elif code != expected:
            log.add("tracking code", _code_problem(index, code, expected))
        if isinstance(code, str):
            if code <= previous:
                log.add("order", _order_problem(index, code))
            previous = code
        counted.add(verdict, code, index)
    log.close()
    return counted, index


def _code_problem(index: int, code: Any, expected: str) -> str:
    return f"ballot #{index}: tracking code {code!r} does not match its content (recomputed {expected})"


def _order_problem(index: int, code: str) -> str:
    return (f"ballot #{index}: tracking code {code} is not after the previous one "
            "(a duplicate, or ballots not sorted by tracking code)")


def _diff(published: Any, recomputed: Any, path: str, out: list[str]) -> None:
    if isinstance(published, dict) and isinstance(recomputed, dict):
        for key in recomputed:
            if key not in published:
                out.append(f"{path}.{key}: missing (recomputed {recomputed[key]!r})")
            else:
                _diff(published[key], recomputed[key], f"{path}.{key}", out)
        out.extend(f"{path}.{key}: published {published[key]!r}, but there is no such entry"
                   for key in published if key not in recomputed)
    elif published != recomputed or type(published) is not type(recomputed):
        hint = " (the sorteo order does not follow from the bulletin's lottery seed or order)" \
            if path.endswith(".lottery_order") else ""
        out.append(f"{path}: published {published!r}, recomputed {recomputed!r}{hint}")


def check(source: str | Path | IO[Any], padron: str | Path | None = None) -> Report:  # noqa: PLR0915 - one pass, in order
    """Verify a bulletin (path or open file), streaming its ballots; optionally hash the padrón file."""
    report = Report()
    problems = report.problems
    fp = open_text(source)
    try:
        raw, ballots = read_bulletin(fp)
        h = _header(raw, problems)
        if h is None:
            return report
        counted, report.ballots = _recount(h, ballots, problems)
    except (BulletinError, UnicodeDecodeError, RecursionError) as exc:
        problems.append(f"bulletin unreadable: {exc or type(exc).__name__}")
        return report
    except InputError as exc:  # e.g. a '|' inside an id, which the tracking-code text forbids
        problems.append(f"header: {exc}")
        return report
    finally:
        if fp is not source:
            fp.close()
    if padron is not None:
        digest = hashlib.sha256(Path(padron).read_bytes()).hexdigest()
        if digest != raw["padron_sha256"]:
            problems.append(f"padron_sha256: published {raw['padron_sha256']}, the padrón file hashes to {digest}")
    _diff(raw["totals"], counted.to_dict(), "totals", problems)
    for cat, size in (h.padron_size or {}).items():
        cast = counted.to_dict()["categories"].get(cat, {}).get("ballots", 0)
        if cast > size:
            problems.append(f"category {cat}: {cast} countable ballots for a padrón of {size} organizations")
    try:
        result = allocate(h.seats, counted.with_votes(h.candidates), h.lottery_order, h.lottery_seed, h.rules)
    except InputError as exc:
        problems.append(f"allocation cannot be recomputed: {exc}")
        return report
    _diff(raw["allocation"], result.to_dict("en"), "allocation", problems)
    return report


def verify_bulletin(source: str | Path | IO[Any], padron: str | Path | None = None) -> list[str]:
    """The problems found in a bulletin; an empty list means it verifies."""
    return check(source, padron).problems
