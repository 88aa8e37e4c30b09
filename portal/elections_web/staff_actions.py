"""Back-office actions inside a phase: padrón claims, candidacy review, sorteo, result claims, vacancies."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal.db import Database
from portal.elections_web import count, forms, padron, phases, queries as q
from portal.elections_web.staff_views import MINISTRO, OFFICER, load
from portal.forms import Form
from portal.i18n import gettext as _
from portal.security import read_form
from portal.templating import flash, render
from portal.web import get_db, int_param, see_other
from portal.txn import atomic


# ----- padrón and claims -----

async def padron_context(db: Database, e: q.Election) -> dict[str, Any]:
    return {"e": e, "entries": await padron.entries(db, e.id), "claims": await padron.claims(db, e.id, "padron"),
            "values": {}, "errors": {}, "refusal": None, "labels": phases.PHASE_LABELS}


async def padron_page(request: Request) -> Response:
    _user, e = await load(request)
    return render(request, "elections/staff_padron.html", await padron_context(get_db(request), e))


async def padron_claim(request: Request) -> Response:
    """Record a claim against the provisional padrón (add or remove an organization, with reasons)."""
    user, e = await load(request, *OFFICER)
    db = get_db(request)
    context = await padron_context(db, e)
    if e.phase != "padron_provisional":
        context["refusal"] = _("Los reclamos al padrón se reciben solo mientras el padrón es provisorio.")
        return render(request, "elections/staff_padron.html", context, status=409)
    form = Form(await read_form(request))
    org_rut = form.rut("org_rut")
    action = form.choice("action", ("add", "remove"))
    form.text("claimant", max_length=300)
    form.text("body", max_length=4000)
    org = await padron.org_for_claim(db, org_rut) if org_rut else None
    if org_rut and org is None:
        form.errors.add("org_rut", _("No hay una organización con ese RUT en el registro."))
    if form.errors:
        context.update(values=form.values, errors=form.errors.fields)
        return render(request, "elections/staff_padron.html", context, status=422)
    async with atomic(db):
        claim_id = await padron.add_claim(db, e.id, "padron", org_id=org["id"], action=action,
                                          claimant=form.cleaned["claimant"], body=form.cleaned["body"], actor_id=user.id)
        await q.record_event(db, e, user, "padron_claim_recorded",
                             detail={"claim": claim_id, "org": org["id"], "action": action})
    flash(request, _("Reclamo registrado."))
    return see_other(f"/staff/elecciones/{e.id}/padron")


async def resolve_claim(request: Request) -> Response:
    """Accept or reject a claim with a reason; an accepted padrón claim adds or removes the organization."""
    user, e = await load(request, *OFFICER)
    db = get_db(request)
    claim_id = int_param(request, "claim_id")
    form = Form(await read_form(request))
    decision = form.choice("decision", ("accepted", "rejected"))
    form.text("resolution", max_length=4000)
    async with atomic(db):
        claim = await padron.get_claim(db, e.id, claim_id, lock=True)
        if claim is None:
            raise HTTPException(404)
        back = f"/staff/elecciones/{e.id}" + ("/padron" if claim.kind == "padron" else "")
        open_phase = "padron_provisional" if claim.kind == "padron" else "tallied"
        if claim.status != "pending" or (await q.get_election(db, e.id)).phase != open_phase:
            flash(request, _("Este reclamo ya no se puede resolver."), "error")
            return see_other(back)
        if form.errors:
            flash(request, _("Elija una decisión y escriba su fundamento."), "error")
            return see_other(back)
        if decision == "accepted" and claim.action == "add":
            org = await db.fetch_one("SELECT id, legal_name, category, region_code FROM organizations WHERE id = :o",
                                     {"o": claim.org_id})
            await padron.add_entry(db, e.id, dict(org._mapping))
        elif decision == "accepted" and claim.action == "remove":
            await padron.remove_entry(db, e.id, claim.org_id)
        await padron.resolve_claim(db, claim.id, decision, form.cleaned["resolution"], user.id)
        await q.record_event(db, e, user, f"{claim.kind}_claim_resolved",
                             detail={"claim": claim.id, "decision": decision, "action": claim.action,
                                     "org": claim.org_id, "resolution": form.cleaned["resolution"]})
    flash(request, _("Reclamo resuelto."))
    return see_other(back)


async def results_claim(request: Request) -> Response:
    """Record a claim against the provisional results (while they are provisional)."""
    user, e = await load(request, *OFFICER)
    db = get_db(request)
    if e.phase != "tallied":
        flash(request, _("Los reclamos a los resultados se reciben solo mientras son provisorios."), "error")
        return see_other(f"/staff/elecciones/{e.id}")
    form = Form(await read_form(request))
    form.text("claimant", max_length=300)
    form.text("body", max_length=4000)
    if form.errors:
        flash(request, _("Escriba quién reclama y el texto del reclamo."), "error")
        return see_other(f"/staff/elecciones/{e.id}")
    async with atomic(db):
        claim_id = await padron.add_claim(db, e.id, "results", org_id=None, action="none",
                                          claimant=form.cleaned["claimant"], body=form.cleaned["body"], actor_id=user.id)
        await q.record_event(db, e, user, "results_claim_recorded", detail={"claim": claim_id})
    flash(request, _("Reclamo registrado."))
    return see_other(f"/staff/elecciones/{e.id}")


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
    cand = await q.get_candidate(db, e.id, int_param(request, "cand_id"))
    if cand is None:
        raise HTTPException(404)
    if e.phase != "candidacies_review":
        flash(request, _("Las candidaturas se revisan solo en la fase de revisión."), "error")
        return see_other(f"/staff/elecciones/{e.id}/candidaturas")
    form = Form(await read_form(request))
    status = form.choice("status", ("admissible", "inadmissible"))
    reason = form.text("reason", required=status == "inadmissible", max_length=1000)
    if form.errors:
        flash(request, _("Para declarar inadmisible una candidatura escriba el motivo."), "error")
        return see_other(f"/staff/elecciones/{e.id}/candidaturas")
    async with atomic(db):
        await q.review_candidate(db, cand.id, status, reason, user.id)
        await q.record_event(db, e, user, "candidacy_reviewed",
                             detail={"candidate": cand.id, "before": cand.status, "status": status, "reason": reason})
    flash(request, _("Candidatura de %(name)s revisada.", name=cand.name))
    return see_other(f"/staff/elecciones/{e.id}/candidaturas")


# ----- sorteo -----

async def sorteo(request: Request) -> Response:
    """GET: the sorteo as fixed; POST (ministro de fe): fix the drawn order or the announced seed."""
    user, e = await load(request)
    db = get_db(request)
    cands = await q.list_candidates(db, e.id, status="admissible")
    context: dict[str, Any] = {"e": e, "candidates": cands, "values": {}, "errors": {}, "refusal": None}
    if request.method == "GET":
        return render(request, "elections/staff_sorteo.html", context)
    if not user.has_role(*MINISTRO):
        raise HTTPException(403, _("El sorteo lo fija el ministro de fe."))
    allowed, reason = phases.can_set_sorteo(e)
    if not allowed:
        context["refusal"] = reason
        return render(request, "elections/staff_sorteo.html", context, status=409)
    form = forms.sorteo_form(await read_form(request))
    order = form.cleaned["order"]
    if order is not None and not form.errors and set(order) != {str(c.id) for c in cands}:
        form.errors.add("order", _("El orden debe nombrar exactamente una vez a cada candidatura admisible."))
    if form.errors:
        context.update(values=form.values, errors=form.errors.fields)
        return render(request, "elections/staff_sorteo.html", context, status=422)
    async with atomic(db):
        locked = await q.get_election(db, e.id, lock=True)
        allowed, reason = phases.can_set_sorteo(locked)
        if allowed:
            await q.set_sorteo(db, e.id, form.cleaned["seed"], order)
            await q.record_event(db, e, user, "sorteo_fixed", detail={"seed": form.cleaned["seed"], "order": order})
    if not allowed:
        context["refusal"] = reason
        return render(request, "elections/staff_sorteo.html", context, status=409)
    flash(request, _("Sorteo fijado."))
    return see_other(f"/staff/elecciones/{e.id}/sorteo")


# ----- vacancies during the term -----

async def vacancy(request: Request) -> Response:
    """Record a councillor leaving; the seat goes to the next candidate in the allocation's order."""
    user, e = await load(request, *OFFICER)
    db = get_db(request)
    if e.phase not in ("proclaimed", "constituted"):
        flash(request, _("Las vacancias se registran después de la proclamación."), "error")
        return see_other(f"/staff/elecciones/{e.id}")
    form = Form(await read_form(request))
    leaving = form.integer("leaving_id", min_value=1)
    reason = form.text("reason", max_length=1000)
    left_on = form.date("left_on")
    async with atomic(db):
        await db.execute("SELECT id FROM elections WHERE id = :e FOR UPDATE", {"e": e.id})
        results = await count.get_results(db, e.id)
        history = await count.changes(db, e.id)
        current = count.members(results, history) if results else {}
        category = next((cat for cat, ids in current.items() if str(leaving) in ids), None)
        if form.errors or category is None:
            flash(request, _("Elija un miembro actual del consejo, la fecha y el motivo."), "error")
            return see_other(f"/staff/elecciones/{e.id}")
        successor = count.replacement(results, history, category, str(leaving))
        await count.record_change(db, e.id, leaving, reason, left_on, int(successor) if successor else None, user.id)
        await q.record_event(db, e, user, "vacancy_recorded",
                             detail={"leaving": leaving, "reason": reason, "left_on": left_on, "replacement": successor})
    if successor:
        flash(request, _("Vacancia registrada; asume la candidatura N.º %(id)s.", id=successor))
    else:
        flash(request, _("Vacancia registrada; ninguna candidatura cumple las reglas: el cupo queda vacante."))
    return see_other(f"/staff/elecciones/{e.id}")

