"""The decision rule, table-driven: recognized when the total is ≥ 10 and no commitment scores 0."""

from __future__ import annotations

from datetime import date

import pytest

from portal.compromiso.rules import ScoreError, certificate_validity, decide

CASES = [
    # (scores for commitments 1..5, recognized?, total, zero commitments, why)
    ((2, 2, 2, 2, 2), True, 10, (), "2+2+2+2+2 = 10 ≥ 10 and no zero → recognized"),
    ((3, 3, 3, 3, 0), False, 12, (5,), "3+3+3+3+0 = 12 ≥ 10 but commitment 5 scored 0 → not recognized"),
    ((2, 2, 2, 2, 1), False, 9, (), "2+2+2+2+1 = 9 < 10 → not recognized"),
    ((3, 3, 3, 3, 3), True, 15, (), "3+3+3+3+3 = 15, the maximum → recognized"),
    ((3, 3, 2, 1, 1), True, 10, (), "3+3+2+1+1 = 10 exactly, with 1s but no 0 → recognized"),
    ((1, 1, 1, 1, 1), False, 5, (), "1+1+1+1+1 = 5 < 10 → not recognized"),
    ((0, 0, 0, 0, 0), False, 0, (1, 2, 3, 4, 5), "0+0+0+0+0 = 0 and five zeros → not recognized"),
    ((3, 3, 3, 0, 3), False, 12, (4,), "3+3+3+0+3 = 12 with commitment 4 at 0 → not recognized"),
]


@pytest.mark.parametrize("scores,recognized,total,zeros,why", CASES, ids=[c[4] for c in CASES])
def test_decide(scores: tuple[int, ...], recognized: bool, total: int, zeros: tuple[int, ...], why: str) -> None:
    """Each row's `why` shows the arithmetic."""
    result = decide(scores)
    assert (result.recognized, result.total, result.zero_commitments) == (recognized, total, zeros), why
    assert result.status == ("recognized" if recognized else "not_recognized")


def test_decide_accepts_a_mapping_by_commitment() -> None:
    """{1: 3, 2: 3, 3: 2, 4: 1, 5: 1}: 3+3+2+1+1 = 10, no zero → recognized."""
    assert decide({1: 3, 2: 3, 3: 2, 4: 1, 5: 1}).recognized


@pytest.mark.parametrize("scores", [
    (4, 3, 3, 3, 3),        # 4 is above the maximum of 3
    (-1, 3, 3, 3, 3),       # below 0
    (3, 3, 3, 3),           # only four commitments
    (3, 3, 3, 3, 3, 3),     # six
    (3, 3, 3, 3, "3"),      # not an integer
    (3, 3, 3, 3, True),     # a boolean is not a score
    (2.5, 3, 3, 3, 3),      # fractions are not scores
])
def test_out_of_range_or_malformed_scores_are_rejected(scores: tuple) -> None:
    with pytest.raises(ScoreError):
        decide(scores)


def test_a_mapping_must_name_commitments_1_to_5() -> None:
    with pytest.raises(ScoreError):
        decide({0: 3, 1: 3, 2: 3, 3: 3, 4: 3})


def test_recognition_is_valid_until_the_end_of_the_following_year() -> None:
    """Reconocida 2025, decided 2025-11-20 → valid 2025-11-20 … 2026-12-31."""
    assert certificate_validity(2025, date(2025, 11, 20)) == (date(2025, 11, 20), date(2026, 12, 31))


def test_the_open_year_is_chiles_not_the_servers() -> None:
    """At 23:30 on 31 December in Chile the server (UTC) is already in the next year; the open cycle
    is still Chile's year. At 00:30 on 1 January in Chile it is the new one."""
    from datetime import UTC, datetime

    from portal import clock
    from portal.compromiso.rules import open_year

    with clock.frozen(clock.at_chile(date(2026, 12, 31), 23, 30)):
        assert datetime.now(UTC).year >= 2026 and clock.now().astimezone(UTC).year == 2027
        assert open_year() == 2026
    with clock.frozen(clock.at_chile(date(2027, 1, 1), 0, 30)):
        assert open_year() == 2027
