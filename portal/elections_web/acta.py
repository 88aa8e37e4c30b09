"""The acta de escrutinio: one set of facts, shown as HTML (here) and printed as a PDF (acta_pdf.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from portal.db import Database
from portal.elections_web import count_queries
from portal.elections_web.count_queries import Results
from portal.elections_web.queries import Election


async def acta_data(db: Database, e: Election, results: Results, ministro: str, proclaimed_on: date) -> dict[str, Any]:
    """Everything the acta states, from the stored count and the candidacies."""
    people = await count_queries.people(db, e.id)
    totals = results.header["totals"]["categories"]
    categories = []
    for cat, alloc in results.allocation_es["categories"].items():
        votes = totals.get(cat, {}).get("votes", {})
        elected = [{**people.get(cid, {"name": cid, "org": "", "gender": "", "region": ""}),
                    "votes": votes.get(cid, 0), "position": i} for i, cid in enumerate(alloc["elected"], 1)]
        categories.append({"category": cat, "seats": alloc["seats"], "ballots": totals.get(cat, {}).get("ballots", 0),
                           "blank": totals.get(cat, {}).get("blank", 0), "elected": elected,
                           "vacancies": alloc["vacancies"]})
    return {"election": e, "ministro": ministro, "proclaimed_on": proclaimed_on, "categories": categories,
            "padron_sha256": e.padron_sha256, "padron_size": e.padron_size or {},
            "bulletin_sha256": results.bulletin_sha256, "ballots": results.header["totals"]["ballots"],
            "rejected": len(results.header["totals"].get("rejected", [])), "trail": results.trail_es}
