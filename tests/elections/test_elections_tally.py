"""Ballots, tracking codes and the count per category."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from elections import Candidate, InputError, make_ballot, tally, tracking_code

SEATS = {"A": 2, "B": 1}
CANDIDATES = [
    {"id": "A1", "category": "A", "gender": "F", "region": "13"},
    {"id": "A2", "category": "A", "gender": "M", "region": "05"},
    {"id": "A3", "category": "A", "gender": "X", "region": "08"},
    {"id": "B1", "category": "B", "gender": "M", "region": "Ñuble"},
]
NONCE = "0123456789abcdef0123456789abcdef"


def test_tracking_code_is_documented_sha256() -> None:
    """code = SHA-256("cosoc-ballot/1|<election>|<category>|<nonce>|<choice>"), blank = empty choice."""
    text = f"cosoc-ballot/1|cosoc-2025|A|{NONCE}|A1"
    assert tracking_code("cosoc-2025", "A", NONCE, "A1") == hashlib.sha256(text.encode()).hexdigest()
    blank = f"cosoc-ballot/1|cosoc-2025|A|{NONCE}|"
    assert tracking_code("cosoc-2025", "A", NONCE, None) == hashlib.sha256(blank.encode()).hexdigest()
    ballot = make_ballot("cosoc-2025", "A", "A1", nonce=NONCE)
    assert ballot == {"code": tracking_code("cosoc-2025", "A", NONCE, "A1"), "nonce": NONCE,
                      "category": "A", "choice": "A1"}
    assert make_ballot("e", "A", "A1")["nonce"] != make_ballot("e", "A", "A1")["nonce"]  # fresh nonce


def test_count_per_category() -> None:
    """A: A1 x3, A2 x1, A3 x0, blank x1 -> 4 votes + 1 blank = 5 ballots; B: B1 x2 = 2 ballots;
    7 ballots in all, none rejected. Candidates without votes appear with 0."""
    choices = [("A", "A1")] * 3 + [("A", "A2"), ("A", None), ("B", "B1"), ("B", "B1")]
    ballots = [make_ballot("e", cat, choice) for cat, choice in choices]
    result = tally(ballots, election_id="e", seats=SEATS, candidates=CANDIDATES)
    assert result.votes == {"A": {"A1": 3, "A2": 1, "A3": 0}, "B": {"B1": 2}}
    assert result.blank == {"A": 1, "B": 0}
    assert result.rejected == []
    totals = result.to_dict()
    assert totals["ballots"] == 7
    assert totals["categories"]["A"] == {"votes": {"A1": 3, "A2": 1, "A3": 0}, "blank": 1, "ballots": 5}
    assert [c.votes for c in result.with_votes(tally_candidates())] == [3, 1, 0, 2]


def tally_candidates() -> list[Candidate]:
    """The test candidates as Candidate objects."""
    return [Candidate.from_dict({**c, "votes": 0}) for c in CANDIDATES]


@pytest.mark.parametrize("ballot, reason", [
    ("A1", "not an object"),
    ({"nonce": NONCE, "category": "A"}, "missing field(s) ['choice']"),
    ({"nonce": NONCE, "category": "A", "choice": "A1", "voter": "x"}, "unexpected field(s) ['voter']"),
    ({"nonce": "short", "category": "A", "choice": "A1"}, "nonce must be 32 lower-case hexadecimal"),
    ({"nonce": NONCE.upper(), "category": "A", "choice": "A1"}, "nonce must be 32 lower-case hexadecimal"),
    ({"nonce": NONCE, "category": "Z", "choice": "A1"}, "unknown category 'Z'"),
    ({"nonce": NONCE, "category": ["A"], "choice": "A1"}, "unknown category ['A']"),
    ({"nonce": NONCE, "category": "A", "choice": "Q9"}, "choice 'Q9' is not a candidate"),
    ({"nonce": NONCE, "category": "A", "choice": "B1"}, "choice 'B1' is a candidate of category B, not A"),
    ({"nonce": NONCE, "category": "A", "choice": 7}, "choice must be a candidate id or null"),
    ({"code": "0" * 64, "nonce": NONCE, "category": "A", "choice": "A1"}, "tracking code does not match"),
])
def test_malformed_ballots_are_rejected_with_a_reason(ballot: Any, reason: str) -> None:
    """One bad ballot among two good ones: 2 counted, 1 rejected, with the reason."""
    ballots = [make_ballot("e", "A", "A1"), ballot, make_ballot("e", "B", None)]
    result = tally(ballots, election_id="e", seats=SEATS, candidates=CANDIDATES)
    assert result.votes["A"]["A1"] == 1 and result.blank["B"] == 1
    assert len(result.rejected) == 1
    assert result.rejected[0]["ballot"] == 2 and result.rejected[0]["reason"].startswith(reason)
    assert result.to_dict()["ballots"] == 3


def test_pipe_is_kept_out_of_the_code_text() -> None:
    """`|` separates the fields of the tracking-code text, so ids with `|` are refused."""
    with pytest.raises(InputError):
        tally([], election_id="e|1", seats=SEATS, candidates=CANDIDATES)
