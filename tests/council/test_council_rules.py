"""The council's pure rules, as tables (docs/council.md: Quorum, Agreements, Absences, Actas)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

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


# ----- each council's settings (docs/council.md, The council's rules) -----

SIXTY, THIRD, TWO_THIRDS = (rules.CouncilRules(quorum_percent=p) for p in (60, 33, 66))


def test_defaults_are_the_issues_rules() -> None:
    assert rules.DEFAULT_RULES == rules.CouncilRules(quorum_percent=50, absence_limit=3, comment_days=10)


@pytest.mark.parametrize(("settings", "in_office", "needed"), [
    (SIXTY, 20, 13), (SIXTY, 18, 11), (SIXTY, 10, 7), (SIXTY, 5, 4),   # more than 12, 10.8, 6, 3
    (THIRD, 20, 7), (THIRD, 18, 6), (THIRD, 21, 7),                    # at least a third (exact up to 102)
    (TWO_THIRDS, 20, 14), (TWO_THIRDS, 18, 12), (TWO_THIRDS, 21, 14),  # at least two thirds (exact up to 52)
    (rules.CouncilRules(quorum_percent=1), 20, 1), (rules.CouncilRules(quorum_percent=99), 20, 20),
    (rules.CouncilRules(quorum_percent=49), 20, 10), (rules.CouncilRules(quorum_percent=49), 19, 10),  # at least half
])
def test_quorum_needed_for_other_shares(settings: rules.CouncilRules, in_office: int, needed: int) -> None:
    """needed = ⌊in_office · percent / 100⌋ + 1: the smallest number MORE than that share."""
    assert rules.quorum_needed(in_office, settings) == needed
    assert not rules.has_quorum(needed - 1, in_office, settings)
    assert rules.has_quorum(needed, in_office, settings)


@pytest.mark.parametrize(("limit", "history", "loses"), [
    (2, ["absent"], False), (2, ["absent", "absent"], True), (2, ["absent", "excused", "absent"], False),
    (1, ["present", "absent"], True), (1, ["absent", "present"], False),
    (5, ["absent"] * 4, False), (5, ["absent"] * 5, True),
])
def test_the_absence_limit_is_the_councils(limit: int, history: list[str], loses: bool) -> None:
    assert rules.loses_seat(history, rules.CouncilRules(absence_limit=limit)) is loses


@pytest.mark.parametrize(("limit", "shown_from"), [(3, 2), (2, 1), (1, 1), (12, 11)])
def test_public_page_points_out_a_run_one_short_of_the_limit(limit: int, shown_from: int) -> None:
    assert rules.streak_shown_from(rules.CouncilRules(absence_limit=limit)) == shown_from


@pytest.mark.parametrize("values", [
    {"quorum_percent": 0}, {"quorum_percent": 100}, {"absence_limit": 0}, {"absence_limit": 13},
    {"comment_days": 0}, {"comment_days": 61},
])
def test_settings_out_of_range_are_refused(values: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="outside"):
        rules.CouncilRules(**values)


def test_a_session_keeps_the_quorum_share_it_opened_with() -> None:
    council = rules.CouncilRules(quorum_percent=60, absence_limit=2, comment_days=5)
    assert rules.for_session(council, None) == council  # not opened yet: the council's settings
    held = rules.for_session(council, 50)
    assert held == rules.CouncilRules(quorum_percent=50, absence_limit=2, comment_days=5)
    assert rules.agreement_check("in_progress", 11, 20, held).allowed
    refused = rules.agreement_check("in_progress", 12, 20, council)
    assert not refused.allowed and "13" in refused.reason


def test_default_comment_deadline_follows_the_council() -> None:
    from portal import clock
    from portal.council import forms

    with clock.frozen(datetime(2026, 5, 4, 15, 0, tzinfo=UTC)):
        assert forms.default_comments_until() == date(2026, 5, 14)
        assert forms.default_comments_until(rules.CouncilRules(comment_days=21)) == date(2026, 5, 25)


def test_rules_in_plain_words() -> None:
    assert "mayoría absoluta" in rules.quorum_words(rules.DEFAULT_RULES)
    assert rules.quorum_words(SIXTY) == "más del 60 % de los miembros en ejercicio"
    assert rules.absence_words(rules.DEFAULT_RULES).startswith("3 inasistencias seguidas")
    assert rules.absence_words(rules.CouncilRules(absence_limit=1)).startswith("Una inasistencia")
    assert "durante 10 días" in rules.comment_words(rules.DEFAULT_RULES)
    assert "durante 1 día " in rules.comment_words(rules.CouncilRules(comment_days=1))
