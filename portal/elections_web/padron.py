"""The padrón's canonical serialization and SHA-256 (docs/elections.md, Padrón); its SQL (the snapshot
from the registry, the entries, the claims) is in padron_queries.py.

Canonical serialization (`cosoc-padron/1`), the text whose SHA-256 is published and which
`/elecciones/{id}/padron.txt` serves byte for byte (so `python -m elections verify boletin.json
--padron padron.txt` checks it): UTF-8, lines ending in "\\n", first the line
`cosoc-padron/1<TAB><election id>`, then one line per organization sorted by category, then
organization id ascending: `<category><TAB><organization id><TAB><region CUT code><TAB><name>`,
where tabs and line breaks inside the name are replaced by single spaces.
"""

from __future__ import annotations

import hashlib
import re

from portal.db import Database
from portal.elections_web import padron_queries
from portal.elections_web.padron_queries import Entry, entries, entry, snapshot

__all__ = ["PADRON_FORMAT", "Entry", "canonical_text", "entries", "entry", "freeze", "sha256", "snapshot"]

PADRON_FORMAT = "cosoc-padron/1"
_BREAKS = re.compile(r"[\t\r\n]+")


def canonical_text(election_id: int, items: list[Entry]) -> str:
    """The documented serialization whose SHA-256 is the padrón hash."""
    lines = [f"{PADRON_FORMAT}\t{election_id}"]
    for e in sorted(items, key=lambda x: (x.category, x.org_id)):
        name = _BREAKS.sub(" ", e.name).strip()
        lines.append(f"{e.category}\t{e.org_id}\t{e.region_code}\t{name}")
    return "\n".join(lines) + "\n"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def freeze(db: Database, election_id: int) -> tuple[str, dict[str, int]]:
    """Record the padrón's SHA-256 and size per category; the table refuses changes from then on."""
    items = await entries(db, election_id)
    digest = sha256(canonical_text(election_id, items))
    size = {cat: sum(1 for e in items if e.category == cat) for cat in ("A", "B", "C")}
    await padron_queries.set_hash(db, election_id, digest, size)
    return digest, size
