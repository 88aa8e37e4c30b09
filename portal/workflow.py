"""The shared workflow layer: one way to refuse (`Conflict`), one way to check (`Check`), one way to
change state (`transition`).

Every state change of every domain goes through `transition()`: it locks the row, checks the current
state against what the move expects, writes the new state and the audit event in the same
transaction, and raises `Conflict(reason)` when the state is not the expected one. A `Conflict` is
answered once, by `conflict_response()` in portal/app.py: 409 on the page the user was on, with the
reason, for htmx and plain requests alike.

Precondition checks return a `Check` (a `(allowed, reason)` pair) so that pages can show why a
button is disabled before anyone clicks it, and actions call `require(check)` to refuse with the
same words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from portal import audit
from portal.db import Database
from portal.i18n import gettext as _
from portal.txn import atomic


class Conflict(Exception):
    """The action is not possible in the current state; `reason` is shown to the user (translated).

    `page` is the path of the page to show the reason on (default: the page the form was sent
    from, else the request's own path)."""

    def __init__(self, reason: str, *, page: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.page = page


class Check(NamedTuple):
    """A precondition's answer: `allowed`, and the reason (for the user) when it is not."""

    allowed: bool
    reason: str = ""


ALLOWED = Check(True)


def refuse(reason: str) -> Check:
    """A failed check with its reason."""
    return Check(False, reason)


def first_refusal(*checks: Check) -> Check:
    """The first failed check, or ALLOWED."""
    return next((c for c in checks if not c.allowed), ALLOWED)


def require(check: Check, *, page: str | None = None) -> None:
    """Raise the check's refusal as a Conflict."""
    if not check.allowed:
        raise Conflict(check.reason, page=page)


@dataclass(frozen=True)
class Machine:
    """A state machine stored in one column of one table.

    `moves` maps each target state to the states it may be entered from. `object_type` names the
    audit log's subject; `audit_prefix` starts each event's action (`prefix.target` unless given)."""

    table: str
    object_type: str
    moves: Mapping[str, frozenset[str]]
    column: str = "status"
    key: str = "id"
    audit_prefix: str = ""
    stale: str = field(default="")  # the refusal when the state changed meanwhile ("" = generic)

    def sources(self, target: str) -> frozenset[str]:
        """The states `target` may be entered from (empty when the machine has no such move)."""
        return self.moves.get(target, frozenset())


def moves(**targets: Iterable[str]) -> dict[str, frozenset[str]]:
    """Build a Machine's `moves`: `moves(approved=("submitted", "in_review"), ...)`."""
    return {target: frozenset(sources) for target, sources in targets.items()}


def stale_state() -> str:
    """The generic refusal when a record's state is no longer what the action expects."""
    return _("La acción no se pudo completar porque el estado cambió. Recargue la página.")


@dataclass(frozen=True)
class Moved:
    """What `transition()` did: the state before and after."""

    before: str
    after: str


async def transition(db: Database, machine: Machine, key: Any, target: str, *, actor: Any,
                     expected: Iterable[str] | None = None, sets: Mapping[str, str] | None = None,
                     params: Mapping[str, Any] | None = None, action: str | None = None,
                     before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None,
                     refusal: str | None = None) -> Moved:
    """Move `machine`'s row `key` to `target`: lock, check, write, audit; one transaction.

    `expected` narrows the allowed source states (default: every source the machine allows);
    `sets` are extra `column = SQL expression` assignments made with the change (named parameters
    from `params`); `before`/`after` add detail to the audit event. Raises Conflict when the row
    is missing or its state is not expected."""
    allowed = machine.sources(target) if expected is None else frozenset(expected) & machine.sources(target)
    async with atomic(db):
        current = await _lock_state(db, machine, key)
        if current is None or current not in allowed:
            raise Conflict(refusal or machine.stale or stale_state())
        await _write_state(db, machine, key, target, sets or {}, params or {})
        await audit.record(db, actor=actor, action=action or _action(machine, target),
                           object_type=machine.object_type, object_id=key,
                           before={machine.column: current, **(before or {})},
                           after={machine.column: target, **(after or {})})
    return Moved(current, target)


def _action(machine: Machine, target: str) -> str:
    return f"{machine.audit_prefix or machine.object_type}.{target}"


# The two statements are built from the Machine's identifiers, which are constants in code (never
# user input); values always travel as named parameters.

async def _lock_state(db: Database, machine: Machine, key: Any) -> str | None:
    value = await db.fetch_val(
        f"SELECT {machine.column} FROM {machine.table} WHERE {machine.key} = :key FOR UPDATE",  # noqa: S608 (identifiers are code constants)
        {"key": key})
    return None if value is None else str(value)


async def _write_state(db: Database, machine: Machine, key: Any, target: str, sets: Mapping[str, str],
                       params: Mapping[str, Any]) -> None:
    if machine.column in sets or "key" in params or "target" in params:
        raise ValueError("sets/params may not name the state column, :key or :target")
    assignments = ", ".join([f"{machine.column} = :target", *(f"{col} = {expr}" for col, expr in sets.items())])
    await db.execute(f"UPDATE {machine.table} SET {assignments} WHERE {machine.key} = :key",  # noqa: S608 (as above)
                     {**params, "key": key, "target": target})
