"""The COSOC elections domain as other domains see it: only what they need.

The registry asks here whether an organization may change category now (docs/elections.md, Padrón):
from the padrón cut-off to the proclamation, an organization's category is frozen for the election.
"""

from __future__ import annotations

from typing import Any

from portal import clock
from portal.db import Database
from portal.elections_web import count, count_queries, queries
from portal.i18n import N_, gettext as _
from portal.workflow import ALLOWED, Check, refuse

# The phases between the padrón cut-off and the proclamation; an election still in 'call_open'
# also blocks once its cut-off date has come.
CATEGORY_LOCK_PHASES = ("padron_provisional", "padron_final", "candidacies_open", "candidacies_review",
                        "voting_open", "voting_closed", "tallied")


async def category_change_check(db: Database) -> Check:
    """Whether an organization may change category now: not while any election is between the
    padrón cut-off and its proclamation."""
    name = await queries.election_in_progress(db, CATEGORY_LOCK_PHASES, clock.today())
    if name is None:
        return ALLOWED
    return refuse(_("El cambio de categoría está bloqueado mientras la elección «%(name)s» está entre el corte "
                    "del padrón y la proclamación.", name=name))


async def public_summary(db: Database) -> dict[str, Any]:
    """For the home page (docs/elections.md, Phases): the election under way, if any, with its phase and
    the next date of that phase (`deadline`, a date or a datetime, and what it is), and how many
    councillors are in office now (the current council, replacements applied)."""
    deadlines = {  # phase → (calendar field, what the date is)
        "call_open": ("padron_cutoff", N_("Corte del padrón")),
        "padron_provisional": ("padron_claims_until", N_("Plazo para reclamar al padrón")),
        "padron_final": ("candidacies_from", N_("Apertura de candidaturas")),
        "candidacies_open": ("candidacies_until", N_("Cierre de candidaturas")),
        "candidacies_review": ("voting_starts_at", N_("Inicio de la votación")),
        "voting_open": ("voting_ends_at", N_("Cierre de la votación")),
        "voting_closed": ("proclamation_on", N_("Proclamación")),
        "tallied": ("results_claims_until", N_("Plazo para reclamar a los resultados")),
    }
    current = next((e for e in await queries.list_elections(db, public_only=True) if e.phase in deadlines), None)
    election = None
    if current is not None:
        field, label = deadlines[current.phase]
        election = {"id": current.id, "name": current.name, "phase": current.phase, "phase_label": current.phase_label,
                    "deadline": getattr(current, field), "deadline_label": label}
    council = await queries.council_election(db)
    results = await count_queries.get_results(db, council.id) if council is not None else None
    in_office = 0
    if council is not None and results is not None:
        in_office = sum(len(ids) for ids in count.members(results, await count_queries.changes(db, council.id)).values())
    return {"election": election, "councillors": in_office}
