"""The Sello Migrante decision rule and date rules (domain.md §5), table-driven."""

from __future__ import annotations

from datetime import date

import pytest

from portal.sello import rules

M, P, N = "meets", "partially", "does_not_meet"
DECISIONS = [
    # (ratings for areas 1..5, certified?, why)
    ((M, M, M, M, M), True, "all meet → certified"),
    ((M, P, M, M, M), True, "one partially → certified (at most one is allowed)"),
    ((P, M, M, M, P), False, "two partially → not certified"),
    ((M, M, N, M, M), False, "one does_not_meet → not certified"),
    ((P, M, M, N, M), False, "one partially + one does_not_meet → not certified"),
    ((N, N, N, N, N), False, "all does_not_meet → not certified"),
    ((P, P, P, P, P), False, "all partially → not certified"),
]


@pytest.mark.parametrize("given,certified,why", DECISIONS, ids=[d[2] for d in DECISIONS])
def test_decide(given: tuple[str, ...], certified: bool, why: str) -> None:
    """Certified iff no area does_not_meet and at most one partially."""
    decision = rules.decide(dict(enumerate(given, start=1)))
    assert decision.certified is certified, why
    assert decision.partially == given.count(P)
    assert decision.does_not_meet == given.count(N)
    assert decision.outcome == ("certified" if certified else "not_certified")


def test_decide_needs_every_area() -> None:
    """A missing area or an unknown rating is a programming error, not a silent decision."""
    with pytest.raises(ValueError):
        rules.decide({1: M, 2: M, 3: M, 4: M})
    with pytest.raises(ValueError):
        rules.decide({1: M, 2: M, 3: M, 4: M, 5: "excellent"})


@pytest.mark.parametrize("resolution,end", [
    (date(2026, 3, 15), date(2028, 3, 15)),   # two years from the resolution date
    (date(2024, 2, 29), date(2026, 2, 28)),   # a leap day ends on 28 February
])
def test_validity_end(resolution: date, end: date) -> None:
    assert rules.validity_end(resolution) == end


TODAY = date(2026, 6, 1)
STATES = [
    # (stored status, valid_until, shown state, why)
    ("adhered", None, "adhered", "no certification yet → the workflow state"),
    ("implementing", None, "implementing", "no certification yet → the workflow state"),
    ("certified", date(2026, 6, 1), "certified", "the last day of validity is still certified"),
    ("certified", date(2026, 5, 31), "expired", "the day after the end date → expired, no job needed"),
    ("evaluation_requested", date(2026, 8, 1), "revalidation", "certified and asking for revalidation"),
    ("implementing", date(2026, 8, 1), "certified", "a failed revalidation keeps the certificate to its end"),
    ("implementing", date(2026, 1, 1), "expired", "and after its end it shows as expired"),
    ("in_evaluation", date(2026, 1, 1), "in_evaluation", "a new evaluation after expiry shows the workflow"),
]


@pytest.mark.parametrize("status,valid_until,shown,why", STATES, ids=[s[3] for s in STATES])
def test_display_state(status: str, valid_until: date | None, shown: str, why: str) -> None:
    assert rules.display_state(status, valid_until, TODAY) == shown, why


PERMISSIONS = [
    # (status, valid_until, allowed, kind)
    (None, None, False, ""),                              # the adhesion comes first
    ("adhered", None, False, ""),                         # the work plan comes first
    ("implementing", None, True, "certification"),
    ("evaluation_requested", None, False, ""),            # one open evaluation at a time
    ("certified", date(2026, 8, 31), False, ""),          # 91 days before the end: too early
    ("certified", date(2026, 8, 30), True, "revalidation"),  # exactly 90 days before: window open
    ("certified", date(2026, 6, 1), True, "revalidation"),   # last day
    ("certified", date(2026, 5, 1), True, "certification"),  # expired: a new certification
    ("implementing", date(2026, 12, 1), True, "revalidation"),  # a failed revalidation: the certificate lasts
]


@pytest.mark.parametrize("status,valid_until,allowed,kind", PERMISSIONS)
def test_evaluation_request_permission(status: str | None, valid_until: date | None, allowed: bool, kind: str) -> None:
    permission = rules.evaluation_request_permission(status, valid_until, TODAY)
    assert permission.allowed is allowed
    assert permission.kind == kind
    assert bool(permission.reason) is (not allowed)
