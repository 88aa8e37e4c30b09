"""The COSOC elections domain as other domains see it: only what they need.

The registry asks here whether an organization may change category now (docs/elections.md, Padrón):
from the padrón cut-off to the proclamation, an organization's category is frozen for the election.
"""

from __future__ import annotations

from portal import clock
from portal.db import Database
from portal.elections_web import queries
from portal.i18n import gettext as _
from portal.workflow import ALLOWED, Check, refuse

# The phases between the padrón cut-off and the proclamation; an election still in 'call_open'
# also blocks once its cut-off date has come.
CATEGORY_LOCK_PHASES = ("padron_provisional", "padron_final", "candidacies_open", "candidacies_review",
                        "voting_open", "voting_closed", "tallied")


async def category_change_check(db: Database) -> Check:
    """Whether an organization may change category now: not while any election is between the
    padrón cut-off and its proclamation."""
    if await queries.election_in_progress(db, CATEGORY_LOCK_PHASES, clock.today()) is None:
        return ALLOWED
    return refuse(_("Hay una elección del COSOC en curso (entre el corte del padrón y la proclamación): "
                    "los cambios de categoría se reciben cuando termine."))
