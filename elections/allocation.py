"""Exact seat allocation under the quota rules, with the reasons that make up the trail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import GENDERS, Candidate, InputError, as_candidate
from .result import CategoryResult, Result, Skipped, next_replacement
from .rules import Bounds, Rules, effective_bounds
from .sorteo import lottery_orders
from .trail import Message


@dataclass(frozen=True, eq=False)  # identity semantics: cheap hashing in the hot loops
class _Entry:
    cand: Candidate
    position: int  # place in the allocation's order (votes desc, then lottery)
    key: int  # additive objective, see _Pool
    central: bool


class _Pool:
    """A category's candidates split into (territory x gender) cells, searched exactly.

    Each candidate's key is `w(votes) << N | 2**(N - 1 - position)`, where position is the place in
    the strict order (votes descending, then lottery) and w gives the k-th smallest distinct vote
    value the weight (m+1)**k. A committee's key sum then orders committees of m seats exactly as
    the rules do: the base-(m+1) digits count seats per vote value, so the high part compares
    descending vote vectors lexicographically; the low part is a bit set in which the best position
    in only one of two committees decides, i.e. the ascending vectors of strict-order ranks (seat by
    seat from the top, so a lower-voted candidate's draw never outranks a higher-voted one's).
    Maximizing an additive key lets a small dynamic programme over cell seat counts replace any
    enumeration of committees.
    """

    def __init__(self, entries: list[_Entry], bounds: Bounds):
        self.bounds = bounds
        self.genders = sorted({e.cand.gender for e in entries}, key=GENDERS.index)
        self.cells: dict[tuple[str, bool], list[_Entry]] = {
            (g, central): [e for e in entries if e.cand.gender == g and e.central == central]
            for g in self.genders for central in (False, True)}
        self.place = {e.cand.id: i for cell in self.cells.values() for i, e in enumerate(cell)}

    def best(self, forced: Iterable[_Entry] = (), minimum: int | None = None) -> list[_Entry] | None:
        """The best compliant committee containing `forced`, or None if there is none."""
        b = self.bounds
        m, cap = b.filled, b.gender_cap_effective
        low = b.min_non_rm_effective if minimum is None else minimum
        forced_set = set(forced)
        states: dict[tuple[int, int], tuple[int, tuple[tuple[int, int], ...]]] = {(0, 0): (0, ())}
        lists = []
        for g in self.genders:
            non, cen = (self._front(self.cells[(g, c)], forced_set) for c in (False, True))
            lists.append((non, cen))
            pn, pc = self._prefix(non[0], cap), self._prefix(cen[0], cap)
            new: dict[tuple[int, int], tuple[int, tuple[tuple[int, int], ...]]] = {}
            for (seats, outside), (value, picks) in states.items():
                for a in range(non[1], len(pn)):
                    for c in range(cen[1], min(len(pc), cap - a + 1)):
                        total = seats + a + c
                        if total > m:
                            break
                        state = (total, min(low, outside + a))
                        v = value + pn[a] + pc[c]
                        if state not in new or v > new[state][0]:
                            new[state] = (v, (*picks, (a, c)))
            states = new
        final = states.get((m, low))
        if final is None:
            return None
        chosen: list[_Entry] = []
        for (non, cen), (a, c) in zip(lists, final[1], strict=False):
            chosen += non[0][:a] + cen[0][:c]
        return sorted(chosen, key=lambda e: e.position)

    @staticmethod
    def _front(cell: list[_Entry], forced: set[_Entry]) -> tuple[list[_Entry], int]:
        # Forced members go first so that any count k >= #forced takes them all.
        first = [e for e in cell if e in forced]
        return first + [e for e in cell if e not in forced], len(first)

    @staticmethod
    def _prefix(cell: list[_Entry], cap: int) -> list[int]:
        sums = [0]
        for e in cell[:cap]:
            sums.append(sums[-1] + e.key)
        return sums


def _vector(committee: Sequence[_Entry]) -> list[int]:
    return sorted((e.cand.votes for e in committee), reverse=True)


def _entries(cands: list[Candidate], lottery: list[str], bounds: Bounds, rules: Rules) -> list[_Entry]:
    rank = {cid: i for i, cid in enumerate(lottery)}
    ordered = sorted(cands, key=lambda c: (-c.votes, rank[c.id]))
    n, base = len(cands), bounds.filled + 1
    weight = {v: base ** k for k, v in enumerate(sorted({c.votes for c in cands}))}
    # The low part ranks by place in the strict order (votes, then lottery), not by raw lottery
    # position: ties are settled seat by seat from the top (docs/elections.md, "Which committee wins").
    return [_Entry(c, pos, (weight[c.votes] << n) | (1 << (n - 1 - pos)),
                   c.region == rules.central_region) for pos, c in enumerate(ordered)]


def _notes(bounds: Bounds, n_cands: int) -> list[Message]:
    notes = []
    if n_cands < bounds.seats:
        notes.append(Message("vacant", {"candidates": n_cands, "seats": bounds.seats,
                                        "vacant": bounds.seats - n_cands}))
    if bounds.min_non_rm_effective < bounds.min_non_rm:
        notes.append(Message("territorial_relaxed", {"nominal": bounds.min_non_rm,
                                                     "effective": bounds.min_non_rm_effective,
                                                     "non_rm": bounds.non_rm_candidates}))
    if bounds.gender_cap_effective > bounds.gender_cap:
        notes.append(Message("gender_relaxed", {"nominal": bounds.gender_cap,
                                                "effective": bounds.gender_cap_effective}))
    return notes


class _Explainer:
    """Finds why each skipped candidate is not elected; memoizes the searches it repeats."""

    def __init__(self, pool: _Pool, elected: list[_Entry]):
        self.pool, self.elected, self.best = pool, elected, _vector(elected)
        self._own: dict[tuple[Any, ...], tuple[_Entry, list[_Entry] | None]] = {}
        self._fits: dict[tuple[Any, ...], tuple[bool, bool]] = {}

    def own(self, c: _Entry) -> list[_Entry] | None:
        """The best compliant committee containing c."""
        cell = (c.cand.gender, c.central)
        place = self.pool.place[c.cand.id]
        # Past the cell's first cap-1 members, every candidate is forced in beside the same
        # cap-1 cell mates, so one search serves the whole tail of the cell.
        key = (cell, min(place, self.pool.bounds.gender_cap_effective - 1))
        if key not in self._own:
            self._own[key] = (c, self.pool.best([c]))
        first, found = self._own[key]
        if found is None or first is c:
            return found
        return sorted((c if e is first else e for e in found), key=lambda e: e.position)

    def fits(self, above: list[_Entry], c: _Entry) -> tuple[bool, bool]:
        """Whether above + [c] can be completed: with the territorial minimum, and without it."""
        # Only counts per cell matter for feasibility, and `above` is fixed by c's vote count.
        key = (len(above), c.cand.gender, c.central)
        if key not in self._fits:
            forced = [*above, c]
            self._fits[key] = (self.pool.best(forced) is not None,
                               self.pool.best(forced, minimum=0) is not None)
        return self._fits[key]

    def reason(self, c: _Entry) -> tuple[Message, bool]:
        """Why `c` is not elected; the flag says a committee with c was equal on votes (the sorteo
        decided against it)."""
        b, best, elected = self.pool.bounds, self.best, self.elected
        votes = c.cand.votes
        tied = [e.cand.id for e in elected if e.cand.votes == votes]
        own = self.own(c)
        # A committee with c as good on votes as the elected one: the sorteo decided against c,
        # though a rule already closed by higher-voted members, if any, is the plainer reason.
        by_lottery = own is not None and _vector(own) == best
        above = [e for e in elected if e.cand.votes > votes]
        if sum(e.cand.gender == c.cand.gender for e in above) >= b.gender_cap_effective:
            return Message("gender_cap", {"above": len(above), "cap": b.gender_cap_effective,
                                          "gender": c.cand.gender}), by_lottery
        if c.central and sum(e.central for e in above) >= b.max_rm:
            return Message("rm_full", {"above": len(above), "max_rm": b.max_rm,
                                       "minimum": b.min_non_rm_effective}), by_lottery
        if by_lottery:
            return Message("lottery", {"votes": votes, "tied": tied}), True
        fits, fits_without_minimum = self.fits(above, c)
        if not fits:
            # A completion exists without the territorial minimum: the minimum is what blocks it.
            if fits_without_minimum:
                return Message("territory_unreachable", {"above": len(above),
                                                         "minimum": b.min_non_rm_effective}), False
            return Message("seats_unfillable", {"above": len(above), "filled": b.filled}), False
        if own is None:  # cannot happen: a completion of above + [c] exists, so a committee with c does
            raise AssertionError("no committee with a candidate that fits")
        mine = _vector(own)
        seat = next(i for i, (x, y) in enumerate(zip(mine, best, strict=False)) if x != y)
        return Message("vote_vector", {"tied": tied, "votes": votes, "id": c.cand.id,
                                       "got": mine[seat], "best": best[seat], "seat": seat + 1,
                                       "vector": mine, "best_vector": best}), False


def allocate_category(category: str, seats: int, cands: list[Candidate], lottery: list[str],
                      rules: Rules) -> CategoryResult:
    """Allocate one category: the committee the rules choose, with its full trail."""
    non_rm = sum(c.region != rules.central_region for c in cands)
    bounds = effective_bounds(rules, seats, (c.gender for c in cands), non_rm)
    entries = _entries(cands, lottery, bounds, rules)
    pool = _Pool(entries, bounds)
    committee = pool.best()
    if committee is None:  # docs/elections.md, Quota rules: the relaxed rules can always be met together
        raise AssertionError(f"category {category}: no committee meets the relaxed rules")
    elected_ids = {e.cand.id for e in committee}
    preliminary = entries[:bounds.filled]
    outgoing = [e.cand.id for e in reversed(preliminary) if e.cand.id not in elected_ids]
    prelim_ids = {e.cand.id for e in preliminary}
    incoming = [e.cand.id for e in committee if e.cand.id not in prelim_ids]
    result = CategoryResult(
        category=category, seats=seats, filled=bounds.filled, min_non_rm=bounds.min_non_rm,
        min_non_rm_effective=bounds.min_non_rm_effective, gender_cap=bounds.gender_cap,
        gender_cap_effective=bounds.gender_cap_effective, central_region=rules.central_region,
        candidates={c.id: c for c in cands}, order=[e.cand.id for e in entries],
        lottery_order=list(lottery), preliminary=[e.cand.id for e in preliminary],
        elected=[e.cand.id for e in committee], substitutions=list(zip(outgoing, incoming, strict=False)),
        notes=_notes(bounds, len(cands)))
    if committee:
        explainer = _Explainer(pool, committee)
        floor = committee[-1].cand.votes
        for e in entries:
            if e.cand.id in elected_ids or e.cand.votes < floor:
                continue
            reason, by_lottery = explainer.reason(e)
            result.skipped.append(Skipped(e.cand.id, e.cand.votes, reason))
            if by_lottery:
                result.lottery_losers.append(e.cand.id)
    result.replacements = {cid: next_replacement(result, cid) for cid in result.elected}
    return result


def _check_seats(seats: Any) -> dict[str, int]:
    if not isinstance(seats, Mapping) or not seats:
        raise InputError("seats must be a non-empty object such as {\"A\": 10, \"B\": 6, \"C\": 4}")
    for cat, n in seats.items():
        if not isinstance(cat, str) or not cat:
            raise InputError(f"category names must be non-empty strings, got {cat!r}")
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InputError(f"seats for category {cat!r} must be a non-negative integer, got {n!r}")
    return dict(seats)


def parse_candidates(seats: Mapping[str, int], candidates: Iterable[Candidate | Mapping[str, Any]], *,
                     votes_required: bool = True) -> dict[str, list[Candidate]]:
    """Validate seats and candidates (ids unique, categories known); group candidates by category.

    With votes_required=False (tally, bulletin) a missing vote count reads as 0."""
    if isinstance(candidates, (str, bytes, Mapping)) or not isinstance(candidates, Iterable):
        raise InputError("candidates must be a list of objects")
    by_cat: dict[str, list[Candidate]] = {cat: [] for cat in _check_seats(seats)}
    seen: set[str] = set()
    for item in candidates:
        c = as_candidate(item, votes_required=votes_required)
        if c.id in seen:
            raise InputError(f"duplicate candidate id {c.id!r}")
        seen.add(c.id)
        if c.category not in by_cat:
            raise InputError(f"candidate {c.id!r}: unknown category {c.category!r} "
                             f"(categories with seats: {', '.join(by_cat)})")
        by_cat[c.category].append(c)
    return by_cat


def allocate(seats: Mapping[str, int], candidates: Iterable[Candidate | Mapping[str, Any]],
             lottery_order: Sequence[str] | None = None, lottery_seed: str | None = None,
             rules: Rules | Mapping[str, Any] | None = None) -> Result:
    """Allocate every category's seats under the quota rules; raises InputError on bad input."""
    rules = rules if isinstance(rules, Rules) else Rules.from_dict(rules)
    seat_map = _check_seats(seats)
    by_cat = parse_candidates(seat_map, candidates)
    orders = lottery_orders({cat: [c.id for c in cs] for cat, cs in by_cat.items()},
                            lottery_order, lottery_seed)
    return Result({cat: allocate_category(cat, seat_map[cat], by_cat[cat], orders[cat], rules)
                   for cat in seat_map}, rules)

