"""The council's pure rules, as tables (docs/council.md: Quorum, Agreements, Absences, Actas)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.council import rules


@pytest.mark.parametrize(("present", "in_office", "quorum"), [
    (10, 20, False), (11, 20, True), (20, 20, True),          # an absolute majority of 20 is 11
    (10, 18, True), (9, 18, False),                          # two vacancies: 18 in office, 10 suffice
    (9, 19, False), (10, 19, True), (0, 0, False), (1, 1, True), (1, 2, False), (2, 3, True),
])
def test_quorum_boundaries(present: int, in_office: int, quorum: bool) -> None:
    assert rules.has_quorum(present, in_office) is quorum


@pytest.mark.parametrize(("in_office", "needed"), [(20, 11), (19, 10), (18, 10), (2, 2), (1, 1)])
def test_quorum_needed(in_office: int, needed: int) -> None:
    assert rules.quorum_needed(in_office) == needed


@pytest.mark.parametrize(("votes_for", "present", "adopted"), [
    (6, 11, True), (5, 11, False), (6, 12, False),  # 6 of 12 is a tie with the rest: not adopted
    (7, 12, True), (0, 11, False), (11, 11, True),
])
def test_agreements_need_a_majority_of_those_present(votes_for: int, present: int, adopted: bool) -> None:
    assert rules.adopted(votes_for, present) is adopted


@pytest.mark.parametrize(("votes", "present", "ok"), [
    ((6, 3, 2), 11, True), ((6, 3, 3), 11, False), ((0, 0, 0), 11, True), ((-1, 0, 0), 11, False),
])
def test_votes_cannot_exceed_those_present(votes: tuple[int, int, int], present: int, ok: bool) -> None:
    assert (rules.votes_problem(*votes, present) is None) is ok


@pytest.mark.parametrize(("history", "streak", "loses"), [
    ([], 0, False),
    (["absent", "absent"], 2, False),
    (["absent", "absent", "absent"], 3, True),
    (["present", "absent", "absent", "absent"], 3, True),
    (["absent", "absent", "excused", "absent"], 1, False),   # an excused absence ends the run
    (["absent", "absent", "present", "absent", "absent"], 2, False),
    (["absent", "absent", "absent", "present"], 0, False),
    (["absent"] * 5, 5, True),
])
def test_consecutive_unexcused_absences(history: list[str], streak: int, loses: bool) -> None:
    assert rules.unexcused_streak(history) == streak
    assert rules.loses_seat(history) is loses


TODAY = date(2026, 5, 4)


@pytest.mark.parametrize(("status", "until", "attended", "allowed"), [
    ("circulated", TODAY, True, True),
    ("circulated", TODAY + timedelta(days=3), True, True),
    ("circulated", TODAY - timedelta(days=1), True, False),  # the deadline passed
    ("circulated", TODAY, False, False),                     # did not attend
    ("draft", None, True, False),
    ("final", TODAY, True, False),
])
def test_only_attendees_comment_within_the_deadline(status: str, until: date | None, attended: bool,
                                                    allowed: bool) -> None:
    check = rules.comment_check(status, until, TODAY, attended)
    assert check.allowed is allowed and (allowed or check.reason)


def test_checks_say_why() -> None:
    assert not rules.agreement_check("in_progress", 10, 20).allowed
    assert "11" in rules.agreement_check("in_progress", 10, 20).reason
    assert rules.agreement_check("in_progress", 11, 20).allowed
    assert not rules.agreement_check("closed", 20, 20).allowed
    assert not rules.close_check("in_progress", 2).allowed and rules.close_check("in_progress", 0).allowed
    assert not rules.presidency_check("in_progress", 20, 20, True, True).allowed
    assert not rules.presidency_check("in_progress", 20, 20, False, False).allowed
    assert rules.presidency_check("in_progress", 11, 20, True, False).allowed
    assert not rules.circulate_check(None).allowed and not rules.circulate_check("circulated").allowed
    assert not rules.acta_edit_check("closed", "final").allowed and rules.acta_edit_check("closed", "circulated").allowed
