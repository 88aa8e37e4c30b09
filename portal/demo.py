"""Demo data: staff accounts here, then each domain's `demo.load(db)` in order.

Every loader is idempotent (it checks for its own marker first) and returns the lines to
print: what was created and the credentials to try it.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable

from portal import audit, passwords
from portal.accounts import queries as accounts
from portal.db import Database
from portal.txn import atomic

DEMO_PASSWORD = "participa-demo-2026"  # noqa: S105 (the public demo password, printed at start-up)
STAFF = [
    ("admin@demo.participa.cl", "Ana Administradora", ["admin"]),
    ("revisor@demo.participa.cl", "Rodrigo Revisor", ["reviewer"]),
    ("elecciones@demo.participa.cl", "Elena Encargada de Elecciones", ["election_officer"]),
    ("ministro@demo.participa.cl", "Manuel Ministro de Fe", ["ministro_de_fe"]),
    ("sello@demo.participa.cl", "Sofía Evaluadora Sello", ["sello_evaluator"]),
    ("compromiso@demo.participa.cl", "Carlos Evaluador Compromiso", ["compromiso_evaluator"]),
]
DOMAIN_LOADERS = ("portal.registry.demo", "portal.elections_web.demo", "portal.sello.demo", "portal.compromiso.demo",
                  "portal.claveunica.demo", "portal.council.demo")


async def create_staff(db: Database, email: str, name: str, password: str, roles: list[str]) -> str:
    """One staff account (used by `portal create-admin` and the demo)."""
    if await accounts.email_taken(db, email):
        raise ValueError(f"an account with {email} already exists")
    async with atomic(db):
        user_id = await accounts.create_user(db, email=email, name=name, verified=True,
                                             password_hash=passwords.hash_password(password))
        await accounts.set_roles(db, user_id, roles)
        await audit.record(db, actor=None, action="staff.created", object_type="user", object_id=user_id,
                           after={"email": email, "roles": roles})
    return f"created {', '.join(roles)} account {email}"


async def load_staff(db: Database) -> list[str]:
    lines = []
    for email, name, roles in STAFF:
        if not await accounts.email_taken(db, email):
            await create_staff(db, email, name, DEMO_PASSWORD, roles)
        lines.append(f"  staff  {email:<34} {', '.join(roles)}")
    return lines


# Loaders that take the app's secret key: the elections' sealed ballots are sealed with a per-election
# key derived from it, which the server must derive again (docs/ballot-secrecy.md, In the portal).
SECRET_LOADERS = frozenset({"portal.elections_web.demo"})


async def load_all(db: Database, secret: str | None = None) -> list[str]:
    """Load everything; return the console summary with the credentials. `secret`: the secret key of the
    app that will serve the data (`Settings.secret_key`); None: the one `portal serve` reads from the
    environment or the data folder."""
    lines = ["Demo data loaded. Every demo account uses the password: " + DEMO_PASSWORD]
    lines += await load_staff(db)
    for name in DOMAIN_LOADERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # that domain has no demo data yet
            raise
        if name in SECRET_LOADERS:
            sealed: Callable[[Database, str | None], Awaitable[list[str]]] = module.load
            lines += await sealed(db, secret)
        else:
            loader: Callable[[Database], Awaitable[list[str]]] = module.load
            lines += await loader(db)
    return lines
