"""portal.db.to_dataclass(es): a record whose columns are a dataclass's fields in order is built by position,
anything else by name, with the same result."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from portal import db as dbmod


@dataclasses.dataclass
class Pair:
    a: int
    b: str = "default"


@dataclasses.dataclass
class Computed:
    a: int
    b: str
    c: int = dataclasses.field(init=False, default=0)


@dataclasses.dataclass
class WithClassVar:
    kind: ClassVar[str] = "x"
    a: int = 0
    b: str = ""


@dataclasses.dataclass
class KeywordOnly:
    a: int
    b: str = dataclasses.field(kw_only=True, default="")


async def test_positional_and_by_name_give_the_same_objects(db: dbmod.Database) -> None:
    in_order = await db.fetch_all("SELECT 1 AS a, 'one' AS b UNION ALL SELECT 2, 'two'")
    reordered = await db.fetch_all("SELECT 'one' AS b, 1 AS a, true AS extra")
    partial = await db.fetch_all("SELECT 3 AS a")
    assert dbmod.to_dataclasses(Pair, in_order) == [Pair(1, "one"), Pair(2, "two")]
    assert dbmod.to_dataclasses(Pair, reordered) == [Pair(1, "one")]
    assert dbmod.to_dataclasses(Pair, partial) == [Pair(3)]
    assert dbmod.to_dataclass(Pair, {"b": "x", "a": 4}) == Pair(4, "x")  # a plain mapping: by name
    assert dbmod.to_dataclass(Pair, None) is None


async def test_classes_not_filled_by_position_are_filled_by_name(db: dbmod.Database) -> None:
    row = await db.fetch_one("SELECT 1 AS a, 'one' AS b")
    assert dbmod.to_dataclass(Computed, row) == Computed(1, "one")
    assert dbmod.to_dataclass(WithClassVar, row) == WithClassVar(1, "one")
    assert dbmod.to_dataclass(KeywordOnly, row) == KeywordOnly(1, b="one")
    assert dbmod._positional(Pair) == ("a", "b")
    assert dbmod._positional(Computed) is None
    assert dbmod._positional(WithClassVar) is None
    assert dbmod._positional(KeywordOnly) is None
