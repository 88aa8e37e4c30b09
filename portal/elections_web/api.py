"""The COSOC elections domain as other domains see it: only what they need.

The council domain (portal/council) asks for the council in office and confirms vacancies here
(docs/elections.md, Vacancies; docs/council.md).

The registry asks here whether an organization may change category now (docs/elections.md, Padrón):
from the padrón cut-off to the proclamation, an organization's category is frozen for the election.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from portal import clock
from portal.db import Database
from portal.elections_web import count, count_queries, queries, workflow
from portal.i18n import N_, gettext as _
from portal.workflow import ALLOWED, Check, Conflict, refuse

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


# ----- the council in office (docs/elections.md, Vacancies; used by portal/council) -----

@dataclass(frozen=True)
class Councillor:
    """A proclaimed candidacy (a councillor, or one who was): the person, their organization and seat."""

    id: int
    name: str
    category: str
    gender: str
    org_id: int
    organization: str
    region: str
    emails: tuple[str, ...]  # the organization's representatives, who act for the councillor


@dataclass(frozen=True)
class Council:
    """The council of the latest proclaimed or constituted election, replacements applied."""

    election_id: int
    name: str
    term_start: date
    term_end: date
    seats: dict[str, int]
    members: list[Councillor]  # in office now, by category in the allocation's order
    people: dict[int, Councillor]  # every candidacy of that election, members or not
    changes: list[count_queries.Change]


async def current_council(db: Database) -> Council | None:
    """The council in office: proclaimed councillors minus vacancies, replacements applied."""
    e = await queries.council_election(db)
    results = await count_queries.get_results(db, e.id) if e is not None else None
    if e is None or results is None:
        return None
    history = await count_queries.changes(db, e.id)
    people = {int(r["id"]): Councillor(**{**r, "emails": tuple(r["emails"])})
              for r in await count_queries.council_people(db, e.id)}
    members = [people[int(cid)] for _cat, ids in sorted(count.members(results, history).items())
               for cid in ids if int(cid) in people]
    return Council(e.id, e.name, e.term_start, e.term_end, e.seats, members, people, history)


async def confirm_vacancy(db: Database, election_id: int, member_id: int, actor: Any, reason: str,
                          left_on: date) -> Councillor | None:
    """Record that `member_id` left the council (inside the caller's transaction) and give the seat to
    the next candidacy in the allocation's order; returns the incoming councillor (None: the seat
    stays vacant). Raises Conflict when the election is not proclaimed or the person is not in office."""
    e = await queries.get_election(db, election_id, lock=True)
    results = await count_queries.get_results(db, election_id) if e is not None else None
    if e is None or results is None or e.phase not in ("proclaimed", "constituted"):
        raise Conflict(_("Las vacancias se registran después de la proclamación."))
    history = await count_queries.changes(db, election_id)
    category = next((cat for cat, ids in count.members(results, history).items() if str(member_id) in ids), None)
    if category is None:
        raise Conflict(_("Esa persona ya no integra el consejo."))
    successor = count.replacement(results, history, category, str(member_id))
    await count_queries.record_change(db, election_id, member_id, reason, left_on,
                                      int(successor) if successor else None, actor.id)
    await workflow.record_event(db, e, actor, "vacancy_recorded", detail={
        "leaving": member_id, "reason": reason, "left_on": left_on, "replacement": successor})
    if successor is None:
        return None
    rows = await count_queries.council_people(db, election_id)
    row = next(r for r in rows if int(r["id"]) == int(successor))
    return Councillor(**{**row, "emails": tuple(row["emails"])})
