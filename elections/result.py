"""What an allocation returns: per-category results with their trail, and the council summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Iterable, Iterator, Mapping

from .model import GENDERS, Candidate
from .rules import Rules, council_gender_ok
from .trail import Message, render_category, render_text


@dataclass(frozen=True)
class Skipped:
    """A non-elected candidate with at least the least elected vote count, and why."""

    id: str
    votes: int
    reason: Message


@dataclass
class CategoryResult:
    """The allocation of one category and its trail."""

    category: str
    seats: int
    filled: int
    min_non_rm: int
    min_non_rm_effective: int
    gender_cap: int
    gender_cap_effective: int
    central_region: str
    candidates: dict[str, Candidate]
    order: list[str]  # every candidate by votes desc, then lottery order: "the allocation's order"
    lottery_order: list[str]
    preliminary: list[str]
    elected: list[str]
    substitutions: list[tuple[str, str]]
    notes: list[Message] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    lottery_losers: list[str] = field(default_factory=list)
    replacements: dict[str, str | None] = field(default_factory=dict)

    @property
    def vacancies(self) -> int:
        """Seats left empty because the category had fewer candidates than seats."""
        return self.seats - len(self.elected)

    @property
    def lottery_decisive(self) -> bool:
        """Whether another committee was equal on votes, so that the sorteo chose this one."""
        return bool(self.lottery_losers)

    def is_central(self, cid: str) -> bool:
        """Whether the candidate comes from the central region (RM by default)."""
        return self.candidates[cid].region == self.central_region

    def attrs(self, cid: str) -> str:
        """`RM/F/120`-style summary used in substitution pairs."""
        c = self.candidates[cid]
        return f"{'RM' if self.is_central(cid) else 'nonRM'}/{c.gender}/{c.votes}"

    def to_dict(self, lang: str = "en", names: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The category as JSON (the `allocate` CLI output); trail texts in `lang`, canonical unless
        `names` (candidate id → name) asks for text written for people."""
        return {
            "seats": self.seats,
            "filled": len(self.elected),
            "vacancies": self.vacancies,
            "min_non_rm": self.min_non_rm,
            "min_non_rm_effective": self.min_non_rm_effective,
            "gender_cap": self.gender_cap,
            "gender_cap_effective": self.gender_cap_effective,
            "preliminary": list(self.preliminary),
            "elected": list(self.elected),
            "substitutions": [{"out": o, "in": i} for o, i in self.substitutions],
            "lottery_decisive": self.lottery_decisive,
            "lottery_losers": list(self.lottery_losers),
            "notes": [n.text(lang, names) for n in self.notes],
            "skipped": [{"id": s.id, "votes": s.votes, "reason": s.reason.text(lang, names)} for s in self.skipped],
            "substitutions_detail": [{"out": o, "in": i, "out_attrs": self.attrs(o), "in_attrs": self.attrs(i)}
                                     for o, i in self.substitutions],
            "order": list(self.order),
            "lottery_order": list(self.lottery_order),
            "replacements": dict(self.replacements),
        }

    def to_text(self, lang: str = "es") -> str:
        """The category's trail for people."""
        return render_category(self, lang)


@dataclass
class Result:
    """The allocation of every category of one election."""

    categories: dict[str, CategoryResult]
    rules: Rules = field(default_factory=Rules)

    def council(self) -> dict[str, Any]:
        """Seats filled and gender balance of the whole council."""
        counts = Counter(cat.candidates[cid].gender for cat in self.categories.values() for cid in cat.elected)
        by_gender = {g: counts[g] for g in GENDERS if counts[g]}
        return {"filled": sum(by_gender.values()), "by_gender": by_gender,
                "max_gender_share_ok": council_gender_ok(self.rules, by_gender)}

    def to_dict(self, lang: str = "en", names: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The result as JSON: `{"categories": {...}, "council": {...}}` (see CategoryResult.to_dict)."""
        return {"categories": {k: c.to_dict(lang, names) for k, c in self.categories.items()},
                "council": self.council()}

    def to_text(self, lang: str = "es") -> str:
        """The whole trail for people, in Spanish ('es', default) or English ('en')."""
        return render_text(self, lang)


def _eligible(cat: CategoryResult, leaving: str, members: Iterable[str] | None,
              unavailable: Iterable[str]) -> Iterator[str]:
    current = list(cat.elected if members is None else members)
    if leaving not in current:
        raise ValueError(f"{leaving!r} is not a member of category {cat.category}")
    staying = [c for c in current if c != leaving]
    excluded = set(current) | set(unavailable)
    genders = Counter(cat.candidates[c].gender for c in staying)
    non_rm = sum(not cat.is_central(c) for c in staying)

    def fits(cid: str) -> bool:
        # Only the newcomer changes the counts, so each test is O(1).
        return (genders[cat.candidates[cid].gender] + 1 <= cat.gender_cap_effective
                and non_rm + (not cat.is_central(cid)) >= cat.min_non_rm_effective)

    return (cid for cid in cat.order if cid not in excluded and fits(cid))


def replacement_order(cat: CategoryResult, leaving: str, members: Iterable[str] | None = None,
                      unavailable: Iterable[str] = ()) -> list[str]:
    """Who may take the seat `leaving` vacates, best first: non-members in the allocation's order
    whose entry keeps both (effective) rules. Empty: nobody can, the seat stays vacant."""
    return list(_eligible(cat, leaving, members, unavailable))


def next_replacement(cat: CategoryResult, leaving: str, members: Iterable[str] | None = None,
                     unavailable: Iterable[str] = ()) -> str | None:
    """The first of replacement_order(...), or None when the seat must stay vacant."""
    return next(_eligible(cat, leaving, members, unavailable), None)
