"""The one builder for dynamic filters: a list of SQL clauses plus a dict of named parameters.

Only the list of clauses varies with the request; every value travels as a named parameter
(house style, after Datasette's `where_clauses` + `params`).
"""

from __future__ import annotations

from typing import Any


class Where:
    """`Where("o.listed").add("o.region_code = :region", region=code).sql` → `WHERE o.listed AND …`."""

    def __init__(self, *always: str, **params: Any) -> None:
        self.clauses: list[str] = list(always)
        self.params: dict[str, Any] = dict(params)

    def add(self, clause: str, **params: Any) -> Where:
        """Add a clause (and its parameters) unconditionally."""
        self.clauses.append(clause)
        self.params.update(params)
        return self

    def when(self, value: Any, clause: str, name: str | None = None) -> Where:
        """Add `clause` only when `value` is given (not None, not ""); `name` binds the value."""
        if value is None or value == "":
            return self
        self.clauses.append(clause)
        if name is not None:
            self.params[name] = value
        return self

    @property
    def sql(self) -> str:
        """`WHERE a AND b`, or "" with no clause."""
        return "WHERE " + " AND ".join(self.clauses) if self.clauses else ""

    @property
    def conditions(self) -> str:
        """`a AND b` (or `TRUE`), for queries that place the clauses themselves."""
        return " AND ".join(self.clauses) if self.clauses else "TRUE"
