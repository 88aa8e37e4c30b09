"""The sorteo: a lottery order over the candidates of each category, fixed before the count."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from .model import InputError


def seed_key(seed: str, category: str, candidate_id: str) -> str:
    """SHA-256 hex of `seed|category|candidate_id`: the published, reproducible draw key."""
    return hashlib.sha256(f"{seed}|{category}|{candidate_id}".encode()).hexdigest()


def order_from_seed(seed: str, category: str, candidate_ids: Iterable[str]) -> list[str]:
    """Candidate ids of one category in lottery order: draw keys ascending (first wins ties)."""
    # The id breaks a (practically impossible) hash collision so the order is always total.
    return sorted(candidate_ids, key=lambda cid: (seed_key(seed, category, cid), cid))


def lottery_orders(categories: dict[str, list[str]], lottery_order: Sequence[str] | None,
                   lottery_seed: str | None) -> dict[str, list[str]]:
    """Per category, its candidate ids in lottery order, from an explicit draw or a seed."""
    if (lottery_order is None) == (lottery_seed is None):
        raise InputError("give exactly one of lottery_order (the drawn order) or lottery_seed")
    if lottery_seed is not None:
        if not isinstance(lottery_seed, str) or not lottery_seed:
            raise InputError("lottery_seed must be a non-empty string")
        return {cat: order_from_seed(lottery_seed, cat, ids) for cat, ids in categories.items()}
    if not isinstance(lottery_order, (list, tuple)) or not all(isinstance(i, str) for i in lottery_order):
        raise InputError("lottery_order must be a list of candidate ids")
    known = {cid: cat for cat, ids in categories.items() for cid in ids}
    seen: set[str] = set()
    for cid in lottery_order:
        if cid in seen:
            raise InputError(f"lottery_order lists candidate {cid!r} twice")
        if cid not in known:
            raise InputError(f"lottery_order names {cid!r}, who is not a candidate")
        seen.add(cid)
    missing = [cid for cid in known if cid not in seen]
    if missing:
        raise InputError(f"lottery_order lacks candidate(s) {', '.join(map(repr, missing))}")
    # One global draw may cover several categories; each keeps the relative order of its own.
    out: dict[str, list[str]] = {cat: [] for cat in categories}
    for cid in lottery_order:
        out[known[cid]].append(cid)
    return out
