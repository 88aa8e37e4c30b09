"""Ballots, their tracking codes, and the count of valid votes per category."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Iterable, Mapping

from .allocation import parse_candidates
from .model import Candidate, InputError

BALLOT_FORMAT = "cosoc-ballot/1"
BALLOT_KEYS = frozenset({"code", "nonce", "category", "choice"})
NONCE_PATTERN = re.compile(r"[0-9a-f]{32}")


def tracking_code(election_id: str, category: str, nonce: str, choice: str | None) -> str:
    """SHA-256 hex of `cosoc-ballot/1|<election_id>|<category>|<nonce>|<choice>` (blank: empty choice)."""
    text = f"{BALLOT_FORMAT}|{election_id}|{category}|{nonce}|{'' if choice is None else choice}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ballot_code(election_id: str, ballot: Any) -> str | None:
    """The tracking code a published ballot must carry (None if it is not a ballot object).

    Fields of a rejected ballot are hashed as their text, so even a rejected ballot has a code."""
    if not isinstance(ballot, dict) or not ballot.keys() >= {"nonce", "category", "choice"}:
        return None
    choice = ballot["choice"]
    return tracking_code(election_id, str(ballot["category"]), str(ballot["nonce"]),
                         None if choice is None else str(choice))


def make_ballot(election_id: str, category: str, choice: str | None, nonce: str | None = None) -> dict[str, Any]:
    """A ballot as cast: a fresh 128-bit nonce (unless given), the choice and its tracking code."""
    nonce = secrets.token_hex(16) if nonce is None else nonce
    return {"code": tracking_code(election_id, category, nonce, choice), "nonce": nonce,
            "category": category, "choice": choice}


class BallotRules:
    """Decides whether one ballot is valid, blank or rejected (and why) for one election."""

    def __init__(self, election_id: str, seats: Mapping[str, int], candidates: Iterable[Candidate]):
        self.election_id = election_id
        self.categories = set(seats)
        self.category_of = {c.id: c.category for c in candidates}
        # `|` separates the fields of the tracking-code text; kept out of them, the text is unambiguous.
        for label in (election_id, *self.categories, *self.category_of):
            if not isinstance(label, str) or "|" in label:
                raise InputError(f"election id, categories and candidate ids may not contain '|': {label!r}")

    def classify(self, ballot: Any) -> tuple[str, str | None] | str:  # noqa: PLR0911 - one return per reason
        """(category, choice or None for blank) for a countable ballot, else the rejection reason."""
        if not isinstance(ballot, dict):
            return "not an object"
        if ballot.keys() != BALLOT_KEYS:
            keys = ", ".join(sorted(BALLOT_KEYS))
            if not ballot.keys() <= BALLOT_KEYS:
                return f"unexpected field(s) {sorted(set(ballot) - BALLOT_KEYS)}; a ballot has {keys}"
            return f"missing field(s) {sorted(BALLOT_KEYS - set(ballot))}; a ballot has {keys}"
        nonce, category, choice = ballot["nonce"], ballot["category"], ballot["choice"]
        if not isinstance(nonce, str) or not NONCE_PATTERN.fullmatch(nonce):
            return "nonce must be 32 lower-case hexadecimal characters"
        if not isinstance(category, str) or category not in self.categories:
            return f"unknown category {category!r}"
        if choice is None:
            return category, None
        if not isinstance(choice, str):
            return f"choice must be a candidate id or null (blank), got {choice!r}"
        owner = self.category_of.get(choice)
        if owner is None:
            return f"choice {choice!r} is not a candidate"
        if owner != category:
            return f"choice {choice!r} is a candidate of category {owner}, not {category}"
        return category, choice


@dataclass
class Tally:
    """Valid votes per candidate and blank ballots per category, and the rejected ballots."""

    votes: dict[str, dict[str, int]]
    blank: dict[str, int]
    rejected: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def empty(cls, seats: Mapping[str, int], candidates: Iterable[Candidate]) -> Tally:
        """A tally with every candidate at zero, so candidates without votes still appear."""
        votes: dict[str, dict[str, int]] = {cat: {} for cat in seats}
        for c in candidates:
            votes[c.category][c.id] = 0
        return cls(votes, {cat: 0 for cat in seats})

    def add(self, verdict: tuple[str, str | None] | str, code: Any, index: int) -> None:
        """Count one classified ballot (see BallotRules.classify)."""
        if isinstance(verdict, str):
            self.rejected.append({"ballot": index, "code": code, "reason": verdict})
        elif verdict[1] is None:
            self.blank[verdict[0]] += 1
        else:
            self.votes[verdict[0]][verdict[1]] += 1

    def to_dict(self) -> dict[str, Any]:
        """The published totals: per category votes, blank and countable ballots; rejections."""
        cats: dict[str, dict[str, Any]] = {
            cat: {"votes": dict(v), "blank": self.blank[cat], "ballots": sum(v.values()) + self.blank[cat]}
            for cat, v in self.votes.items()}
        ballots = sum(c["ballots"] for c in cats.values()) + len(self.rejected)
        # Sorted by code, like the published ballots: the casting order stays hidden.
        rejected = sorted(({"code": r["code"], "reason": r["reason"]} for r in self.rejected),
                          key=lambda r: str(r["code"]))
        return {"ballots": ballots, "categories": cats, "rejected": rejected}

    def with_votes(self, candidates: Iterable[Candidate]) -> list[Candidate]:
        """The candidates with their counted votes, ready for allocate()."""
        return [Candidate(c.id, c.category, self.votes[c.category][c.id], c.gender, c.region, c.name)
                for c in candidates]


def tally(ballots: Iterable[Any], *, election_id: str, seats: Mapping[str, int],
          candidates: Iterable[Candidate | Mapping[str, Any]]) -> Tally:
    """Count ballots `{"nonce", "category", "choice"}` (plus "code", checked if present).

    Candidates' own "votes", if any, are ignored: the votes are the ballots."""
    cands = [c for group in parse_candidates(seats, candidates, votes_required=False).values() for c in group]
    rules = BallotRules(election_id, seats, cands)
    result = Tally.empty(seats, cands)
    for index, ballot in enumerate(ballots, 1):
        if isinstance(ballot, dict) and "code" not in ballot:
            ballot = {**ballot, "code": None}
        verdict = rules.classify(ballot)
        code = ballot.get("code") if isinstance(ballot, dict) else None
        if not isinstance(verdict, str) and code is not None and code != tracking_code(
                election_id, verdict[0], ballot["nonce"], verdict[1]):
            verdict = "tracking code does not match the ballot"
        result.add(verdict, code, index)
    return result
