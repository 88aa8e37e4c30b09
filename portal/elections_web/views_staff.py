"""Back-office: create elections, edit their calendar and rules, and move them through the phases."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from portal import guards, i18n
from portal.db import Database
from portal.elections_web import count, count_queries, forms, padron_queries, phases, queries as q, record_queries, \
    workflow
from portal.elections_web.views_public import people
from portal.i18n import gettext as _
from portal.security import CurrentUser, read_form
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, get_settings, int_param, see_other
from portal.workflow import require

STAFF_ROLES = ("election_officer", "ministro_de_fe")
OFFICER = ("election_officer",)
MINISTRO = ("ministro_de_fe",)


async def load(request: Request, *roles: str) -> tuple[CurrentUser, q.Election]:
    """Guard: staff with one of `roles` (any election staff when none), and the election in the path (404)."""
    user = guards.staff(request, *(roles or STAFF_ROLES))
    return user, guards.found(await q.get_election(get_db(request), int_param(request, "id")))


def dashboard(e: q.Election) -> str:
    """The election's dashboard, where refusals of its actions are shown."""
    return f"/staff/elecciones/{e.id}"


async def election_list(request: Request) -> Response:
    """GET: the elections and the creation form; POST: create one in draft."""
    user = guards.staff(request, *STAFF_ROLES)
    db = get_db(request)
    context: dict[str, Any] = {"elections": await q.list_elections(db), "values": dict(forms.DEFAULTS), "errors": {}}
    if request.method == "GET":
        return render(request, "elections/staff_list.html", context)
    if not user.has_role(*OFFICER):
        raise guards.forbidden(_("Solo el encargado/a de elecciones crea elecciones."))
    form = forms.settings_form(await read_form(request))
    if form.errors:
        context.update(values=form.values, errors=form.errors.fields)
        return render(request, "elections/staff_list.html", context, status=422)
    async with atomic(db):
        election_id = await q.create_election(db, form.cleaned)
        e = guards.found(await q.get_election(db, election_id))
        await workflow.record_event(db, e, user, "created", detail={"name": e.name, "seats": e.seats, "rules": e.rules},
                                    to_phase="draft")
    flash(request, _("Elección creada en borrador."))
    return see_other(dashboard(e))


async def _members(db: Database, e: q.Election, results: count_queries.Results | None) -> list[dict[str, Any]]:
    """The council's current members (after the proclamation), with names."""
    if not results or e.phase not in ("proclaimed", "constituted"):
        return []
    names = await people(db, e.id)
    members: list[dict[str, Any]] = []
    for cat, ids in sorted(count.members(results, await count_queries.changes(db, e.id)).items()):
        members += [{"id": cid, "category": cat, **names.get(cid, {"name": cid})} for cid in ids]
    return members


async def detail_context(db: Database, e: q.Election) -> dict[str, Any]:
    """The election's dashboard: settings, the next transition's checklist, the log."""
    target = phases.next_phase(e.phase)
    facts = await q.facts(db, e)
    results = await count_queries.get_results(db, e.id)
    members = await _members(db, e, results)
    return {
        "e": e, "target": target, "checks": phases.checklist(facts, target) if target else [],
        "target_roles": phases.roles_for(target) if target else (), "facts": facts,
        "log": await q.election_log(db, e.id), "values": forms.settings_values(e), "errors": {},
        "rules_locked": phases.rules_locked(e), "can_edit": phases.can_edit_settings(e).allowed,
        "phases": phases.PHASES, "labels": phases.PHASE_LABELS, "refusal": None,
        "results": results, "claims": await padron_queries.claims(db, e.id, "results"), "members": members,
        "member_options": [(m["id"], f"{m['name']} ({m['category']})") for m in members],
        "trustees": await record_queries.trustees(db, e.id), "can_name_trustee": phases.can_name_trustee(e),
    }


async def election_detail(request: Request) -> Response:
    """GET: the dashboard; POST: save the settings (officer, until voting closes)."""
    user, e = await load(request)
    db = get_db(request)
    if request.method == "GET":
        return render(request, "elections/staff_detail.html", await detail_context(db, e))
    if not user.has_role(*OFFICER):
        raise guards.forbidden(_("Solo el encargado/a de elecciones cambia la configuración."))
    require(phases.can_edit_settings(e), page=dashboard(e))
    form = forms.settings_form(await read_form(request), rules_locked=phases.rules_locked(e))
    if form.errors:
        context = await detail_context(db, e)
        context.update(values={**context["values"], **form.values}, errors=form.errors.fields)
        return render(request, "elections/staff_detail.html", context, status=422)
    before = forms.settings_values(e)
    async with atomic(db):
        await q.update_election(db, e.id, form.cleaned)
        after = forms.settings_values(guards.found(await q.get_election(db, e.id)))
        changed = {k: {"before": before[k], "after": after[k]} for k in after if before.get(k) != after[k]}
        await workflow.record_event(db, e, user, "settings_changed", detail=changed)
    flash(request, _("Configuración guardada."))
    return see_other(dashboard(e))


async def move(request: Request, target: str | None, *roles: str) -> Response:
    """Run one transition and come back to the dashboard (a refused one is a Conflict, shown on the
    page the form was sent from)."""
    user, e = await load(request, *roles)
    if target is None:
        form = forms.phase_form(await read_form(request))
        if form.errors:
            context = await detail_context(get_db(request), e)
            context["refusal"] = _("Fase desconocida.")
            return render(request, "elections/staff_detail.html", context, status=422)
        target = str(form.cleaned["to"])
    await workflow.transition(get_db(request), e.id, target, user, secret=str(get_settings(request).secret_key))
    flash(request, _("La elección pasó a «%(phase)s».", phase=i18n.gettext(phases.PHASE_LABELS[target])))
    return see_other(dashboard(e))


async def phase_change(request: Request) -> Response:
    """POST to=<phase>: the officer's transitions (the ministro's have their own actions)."""
    return await move(request, None, *OFFICER)


async def certify_padron(request: Request) -> Response:
    """The ministro de fe freezes the padrón (padron_final) and its SHA-256 is recorded."""
    return await move(request, "padron_final", *MINISTRO)


async def run_count(request: Request) -> Response:
    """The count: tally, allocate, store the bulletin (voting_closed → tallied)."""
    return await move(request, "tallied", *OFFICER)


async def proclaim(request: Request) -> Response:
    """The ministro de fe signs the acta (tallied → proclaimed)."""
    return await move(request, "proclaimed", *MINISTRO)
