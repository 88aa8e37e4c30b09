"""`portal serve --demo` (and `portal demo`): with PORTAL_ENV=development and no CLAVEUNICA_CLIENT_ID,
the portal configures itself to the ClaveÚnica stand-in (docs/claveunica.md, Trying it locally).

The loader sets CLAVEUNICA_FAKE in this process's environment before `portal serve` starts its
workers, which read their settings from it; it stores nothing."""

from __future__ import annotations

import os

from portal.claveunica.fake import PREFIX, SANDBOX
from portal.db import Database


def configure(environ: dict[str, str] | os._Environ[str] = os.environ) -> list[str]:
    """Turn the stand-in on when it may be (development, no client id); the console lines."""
    if environ.get("PORTAL_ENV", "development") != "development" or environ.get("CLAVEUNICA_CLIENT_ID"):
        return []
    environ.setdefault("CLAVEUNICA_FAKE", "1")
    if environ["CLAVEUNICA_FAKE"].strip().lower() not in ("1", "on", "true", "yes"):
        return []
    runs = ", ".join(person.display for person in SANDBOX)
    return [f"  ClaveÚnica: the development stand-in at {PREFIX} (test RUNs {runs}); run with one worker"]


async def load(db: Database) -> list[str]:
    return configure()
