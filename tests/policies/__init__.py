"""Who may use which route: one module per domain, merged by the route-walk test.

Each module defines `POLICY: dict[tuple[str, str], Rule]` keyed by (method, path template) as
written in the domain's `routes`, and optionally `async def extend_world(db, world)` to create the
objects its path parameters need (world.ids[...]). A route of the app with no rule in any module
fails the walk, so a new route cannot ship without deciding who may use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable

# Everyone the walk signs in as. "rep" represents world.ids["org"]; "rep_other" another organization.
ROLES = (
    "anon", "user", "rep", "rep_other",
    "reviewer", "election_officer", "ministro_de_fe", "sello_evaluator", "compromiso_evaluator", "council_secretary",
    "admin", "liaison", "liaison_other", "company", "company_other",
)
STAFF = ("reviewer", "election_officer", "ministro_de_fe", "sello_evaluator", "compromiso_evaluator",
         "council_secretary", "admin")
EVERYONE = frozenset(ROLES)
SIGNED_IN = frozenset(r for r in ROLES if r != "anon")


@dataclass
class World:
    """Ids of the objects the walk uses, and the email of each role's account."""

    ids: dict[str, Any] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """`allowed` roles must get through (no 401/403/5xx, no login redirect); the others are refused.

    `params` builds the path parameters from the world. `denied` is the status other signed-in
    roles get (403, or 404 where existence itself is private). `anon_denied` is what anonymous
    visitors get (a 303 to /ingresar). `data` is the form posted for unsafe methods (CSRF token added).
    """

    allowed: frozenset[str]
    params: Callable[[World], dict[str, Any]] | None = None
    denied: int = 403
    anon_denied: int = 303
    data: Callable[[World], dict[str, Any]] | None = None


def public(**kw: Any) -> Rule:
    return Rule(EVERYONE, **kw)


def signed_in(**kw: Any) -> Rule:
    return Rule(SIGNED_IN, **kw)


def only(*roles: str, **kw: Any) -> Rule:
    """Exactly these roles (admin is added: admins hold every staff role)."""
    return Rule(frozenset(roles) | ({"admin"} if any(r in STAFF for r in roles) else set()), **kw)
