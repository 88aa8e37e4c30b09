"""Back-office actions inside a phase: padrón claims, candidacy review, sorteo, result claims, vacancies."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from portal import guards
from portal.db import Database
from portal.elections_web import count, count_queries, forms, padron_queries, phases, queries as q, workflow
from portal.elections_web.views_staff import MINISTRO, OFFICER, dashboard, load
from portal.i18n import gettext as _
from portal.security import read_form
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, int_param, see_other
from portal.workflow import Conflict, require


# ----- padrón and claims -----

async def padron_context(db: Database, e: q.Election) -> dict[str, Any]:
    return {"e": e, "entries": await padron_queries.entries(db, e.id),
            "claims": await padron_queries.claims(db, e.id, "padron"),
            "values": {}, "errors": {}, "labels": phases.PHASE_LABELS}


async def padron_page(request: Request) -> Response:
    _user, e = await load(request)
    return render(request, "elections/staff_padron.html", await padron_context(get_db(request), e))


async def padron_claim(request: Request) -> Response:
    """Record a claim against the provisional padrón (add or remove an organization, with reasons)."""
    user, e = await load(request, *OFFICER)
    db = get_db(request)
    page = f"/staff/elecciones/{e.id}/padron"
    if e.phase != "padron_provisional":
        raise Conflict(_("Los reclamos al padrón se reciben solo mientras el padrón es provisorio."), page=page)
    form = forms.padron_claim_form(await read_form(request))
    org_rut = form.cleaned["org_rut"]
    org = await padron_queries.org_by_rut(db, org_rut) if org_rut else None
    if org_rut and org is None:
        form.errors.add("org_rut", _("No hay una organización con ese RUT en el registro."))
    if form.errors or org is None:
        context = await padron_context(db, e)
        context.update(values=form.values, errors=form.errors.fields)
        return render(request, "elections/staff_padron.html", context, status=422)
    async with atomic(db):
        claim_id = await padron_queries.add_claim(db, e.id, "padron", org_id=org.id, action=form.cleaned["action"],
                                                  claimant=form.cleaned["claimant"], body=form.cleaned["body"],
                                                  actor_id=user.id)
        await workflow.record_event(db, e, user, "padron_claim_recorded",
                                    detail={"claim": claim_id, "org": org.id, "action": form.cleaned["action"]})
    flash(request, _("Reclamo registrado."))
    return see_other(page)


async def _apply_claim(db: Database, e: q.Election, claim: padron_queries.Claim, decision: str) -> None:
    """An accepted padrón claim adds or removes the organization."""
    if decision == "accepted" and claim.action == "add" and claim.org_id is not None:
        await padron_queries.add_entry(db, e.id, guards.found(await padron_queries.org_by_id(db, claim.org_id)))
    elif decision == "accepted" and claim.action == "remove" and claim.org_id is not None:
        await padron_queries.remove_entry(db, e.id, claim.org_id)


async def resolve_claim(request: Request) -> Response:
    """Accept or reject a claim with a reason; an accepted padrón claim adds or removes the organization."""
    user, e = await load(request, *OFFICER)
    db = get_db(request)
    form = forms.resolution_form(await read_form(request))
    async with atomic(db):
        claim = guards.found(await padron_queries.get_claim(db, e.id, int_param(request, "claim_id"), lock=True))
        back = dashboard(e) + ("/padron" if claim.kind == "padron" else "")
        open_phase = "padron_provisional" if claim.kind == "padron" else "tallied"
        current = guards.found(await q.get_election(db, e.id))
        if claim.status != "pending" or current.phase != open_phase:
            flash(request, _("Este reclamo ya no se puede resolver."), "error")
            return see_other(back)
        if form.errors:
            flash(request, _("Elija una decisión y escriba su fundamento."), "error")
            return see_other(back)
        decision, resolution = form.cleaned["decision"], form.cleaned["resolution"]
        await _apply_claim(db, e, claim, decision)
        await padron_queries.resolve_claim(db, claim.id, decision, resolution, user.id)
        await workflow.record_event(db, e, user, f"{claim.kind}_claim_resolved",
                                    detail={"claim": claim.id, "decision": decision, "action": claim.action,
                                            "org": claim.org_id, "resolution": resolution})
    flash(request, _("Reclamo resuelto."))
    return see_other(back)


async def results_claim(request: Request) -> Response:
    """Record a claim against the provisional results (while they are provisional)."""
    user, e = await load(request, *OFFICER)
    db = get_db(request)
    if e.phase != "tallied":
        flash(request, _("Los reclamos a los resultados se reciben solo mientras son provisorios."), "error")
        return see_other(dashboard(e))
    form = forms.results_claim_form(await read_form(request))
    if form.errors:
        flash(request, _("Escriba quién reclama y el texto del reclamo."), "error")
        return see_other(dashboard(e))
    async with atomic(db):
        claim_id = await padron_queries.add_claim(db, e.id, "results", org_id=None, action="none",
                                                  claimant=form.cleaned["claimant"], body=form.cleaned["body"],
                                                  actor_id=user.id)
        await workflow.record_event(db, e, user, "results_claim_recorded", detail={"claim": claim_id})
    flash(request, _("Reclamo registrado."))
    return see_other(dashboard(e))


# ----- candidacies -----

async def candidacies(request: Request) -> Response:
    _user, e = await load(request)
    db = get_db(request)
    return render(request, "elections/staff_candidates.html",
                  {"e": e, "candidates": await q.list_candidates(db, e.id), "labels": phases.PHASE_LABELS})


async def review(request: Request) -> Response:
    """Mark one candidacy admissible or inadmissible (with a reason) during the review phase."""
    user, e = await load(request, *OFFICER)
    db = get_db(request)
    cand = guards.found(await q.get_candidate(db, e.id, int_param(request, "cand_id")))
    back = f"/staff/elecciones/{e.id}/candidaturas"
    if e.phase != "candidacies_review":
        flash(request, _("Las candidaturas se revisan solo en la fase de revisión."), "error")
        return see_other(back)
    form = forms.review_form(await read_form(request))
    if form.errors:
        flash(request, _("Para declarar inadmisible una candidatura escriba el motivo."), "error")
        return see_other(back)
    status, reason = form.cleaned["status"], form.cleaned["reason"]
    async with atomic(db):
        await q.review_candidate(db, cand.id, status, reason, user.id)
        await workflow.record_event(db, e, user, "candidacy_reviewed",
                                    detail={"candidate": cand.id, "before": cand.status, "status": status,
                                            "reason": reason})
    flash(request, _("Candidatura de %(name)s revisada.", name=cand.name))
    return see_other(back)


# ----- sorteo -----

async def sorteo(request: Request) -> Response:
    """GET: the sorteo as fixed; POST (ministro de fe): fix the drawn order or the announced seed."""
    user, e = await load(request)
    db = get_db(request)
    cands = await q.list_candidates(db, e.id, status="admissible")
    context: dict[str, Any] = {"e": e, "candidates": cands, "values": {}, "errors": {},
                               "can_set": phases.can_set_sorteo(e)}
    if request.method == "GET":
        return render(request, "elections/staff_sorteo.html", context)
    if not user.has_role(*MINISTRO):
        raise guards.forbidden(_("El sorteo lo fija el ministro de fe."))
    page = f"/staff/elecciones/{e.id}/sorteo"
    require(phases.can_set_sorteo(e), page=page)
    form = forms.sorteo_form(await read_form(request))
    order = form.cleaned["order"]
    if order is not None and not form.errors and set(order) != {str(c.id) for c in cands}:
        form.errors.add("order", _("El orden debe nombrar exactamente una vez a cada candidatura admisible."))
    if form.errors:
        context.update(values=form.values, errors=form.errors.fields)
        return render(request, "elections/staff_sorteo.html", context, status=422)
    async with atomic(db):
        require(phases.can_set_sorteo(guards.found(await q.get_election(db, e.id, lock=True))), page=page)
        await q.set_sorteo(db, e.id, form.cleaned["seed"], order)
        await workflow.record_event(db, e, user, "sorteo_fixed", detail={"seed": form.cleaned["seed"], "order": order})
    flash(request, _("Sorteo fijado."))
    return see_other(page)


# ----- vacancies during the term -----

async def vacancy(request: Request) -> Response:
    """Record a councillor leaving; the seat goes to the next candidate in the allocation's order
    (docs/elections.md, Vacancies)."""
    user, e = await load(request, *OFFICER)
    db = get_db(request)
    if e.phase not in ("proclaimed", "constituted"):
        flash(request, _("Las vacancias se registran después de la proclamación."), "error")
        return see_other(dashboard(e))
    form = forms.vacancy_form(await read_form(request))
    leaving, reason, left_on = form.cleaned["leaving_id"], form.cleaned["reason"], form.cleaned["left_on"]
    async with atomic(db):
        await q.get_election(db, e.id, lock=True)
        results = await count_queries.get_results(db, e.id)
        history = await count_queries.changes(db, e.id)
        current = count.members(results, history) if results else {}
        category = next((cat for cat, ids in current.items() if str(leaving) in ids), None)
        if form.errors or results is None or category is None:
            flash(request, _("Elija un miembro actual del consejo, la fecha y el motivo."), "error")
            return see_other(dashboard(e))
        successor = count.replacement(results, history, category, str(leaving))
        await count_queries.record_change(db, e.id, leaving, reason, left_on, int(successor) if successor else None,
                                          user.id)
        await workflow.record_event(db, e, user, "vacancy_recorded", detail={
            "leaving": leaving, "reason": reason, "left_on": left_on, "replacement": successor})
    if successor:
        flash(request, _("Vacancia registrada; asume la candidatura N.º %(id)s.", id=successor))
    else:
        flash(request, _("Vacancia registrada; ninguna candidatura cumple las reglas: el cupo queda vacante."))
    return see_other(dashboard(e))
