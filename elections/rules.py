"""Quota rules: nominal bounds per category and their minimal relaxation."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any
from collections.abc import Iterable, Mapping

from .model import InputError, normalize_region


def _fraction(value: Any, name: str) -> Fraction:
    # Fraction(str(x)) keeps 0.6 as 3/5; Fraction(0.6) would carry the binary rounding error
    # and floor(0.6 * 5) could then come out as 2.
    try:
        share = Fraction(str(value)) if not isinstance(value, Fraction) else value
    except (ValueError, ZeroDivisionError):
        raise InputError(f"rules: {name} must be a number or fraction, got {value!r}") from None
    if not 0 <= share <= 1:
        raise InputError(f"rules: {name} must be between 0 and 1, got {value!r}")
    return share


@dataclass(frozen=True)
class Rules:
    """Per-election quota settings: territorial share, gender share and the central region."""

    territorial_share: Fraction = Fraction(1, 2)
    gender_share: Fraction = Fraction(3, 5)
    central_region: str = "13"

    def __post_init__(self) -> None:
        object.__setattr__(self, "territorial_share", _fraction(self.territorial_share, "territorial_share"))
        object.__setattr__(self, "gender_share", _fraction(self.gender_share, "gender_share"))
        object.__setattr__(self, "central_region", normalize_region(self.central_region))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Rules:
        """Rules from a JSON object; missing keys take the defaults of Res. Ex. 70.419."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise InputError("rules must be an object")
        unknown = set(data) - {"territorial_share", "gender_share", "central_region"}
        if unknown:
            raise InputError(f"rules: unknown key(s) {sorted(unknown)}")
        return cls(**data)

    def to_dict(self) -> dict[str, str]:
        """Rules as JSON, shares written as exact fractions ("1/2", "3/5")."""
        return {"territorial_share": str(self.territorial_share),
                "gender_share": str(self.gender_share),
                "central_region": self.central_region}

    def min_non_central(self, seats: int) -> int:
        """Nominal territorial minimum: ceil(share * n) seats outside the central region."""
        return math.ceil(self.territorial_share * seats)

    def gender_cap(self, seats: int) -> int:
        """Nominal gender cap: max(floor(share * n), ceil(n/2)), so two genders can always fill n."""
        return max(math.floor(self.gender_share * seats), math.ceil(Fraction(seats, 2)))


@dataclass(frozen=True)
class Bounds:
    """The nominal and effective bounds of one category."""

    seats: int
    filled: int  # m = min(n, candidates)
    min_non_rm: int
    min_non_rm_effective: int
    gender_cap: int
    gender_cap_effective: int
    non_rm_candidates: int

    @property
    def max_rm(self) -> int:
        """Seats that candidates from the central region may take at most."""
        return self.filled - self.min_non_rm_effective


def effective_bounds(rules: Rules, seats: int, genders: Iterable[str], non_rm: int) -> Bounds:
    """Relax each rule only as far as the candidate pool forces (docs/elections.md, Quota rules)."""
    counts = Counter(genders)
    total = sum(counts.values())
    filled = min(seats, total)
    minimum = rules.min_non_central(seats)
    cap = rules.gender_cap(seats)
    cap_eff = cap
    # The least c >= cap with sum_g min(c, #g) >= m; it exists because c = m always works.
    while sum(min(cap_eff, k) for k in counts.values()) < filled:
        cap_eff += 1
    return Bounds(seats, filled, minimum, min(minimum, non_rm), cap, cap_eff, non_rm)


def council_gender_ok(rules: Rules, by_gender: Mapping[str, int]) -> bool:
    """Whether the whole council keeps every gender within the cap computed on its size."""
    filled = sum(by_gender.values())
    return max(by_gender.values(), default=0) <= rules.gender_cap(filled)
