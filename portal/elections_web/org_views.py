"""Organizations: nominate a candidate, and vote (choose → confirm → cast → receipt)."""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from portal import uploads
from portal.elections_web import forms, padron, phases, queries as q, vote
from portal.elections_web.public_views import public_election
from portal.i18n import gettext as _
from portal.security import read_form, require_org
from portal.templating import flash, render
from portal.web import get_db, get_settings, int_param, see_other
from portal.txn import DB_FAILURES, atomic

log = logging.getLogger(__name__)


# ----- candidacy -----

async def candidacy(request: Request) -> Response:
    """GET: the organization's candidacy form; POST: present or edit it while candidacies are open."""
    user = require_org(request)
    e = await public_election(request)
    db = get_db(request)
    entry = await padron.entry(db, e.id, user.org_id) if phases.at_least(e.phase, "padron_provisional") else None
    current = await q.candidate_of_org(db, e.id, user.org_id) if entry else None
    allowed, reason = phases.can_nominate(e)
    if entry is None:
        allowed, reason = False, _("Su organización no está en el padrón de esta elección, así que no puede nominar.")
    values = ({"name": current.name, "document_type": current.document_type, "document_number": current.document_number,
               "gender": current.gender, "bio": current.bio, "accepted": "1"} if current else {"document_type": "run"})
    context: dict[str, Any] = {"e": e, "entry": entry, "current": current, "allowed": allowed, "reason": reason,
                               "values": values, "errors": {}}
    if request.method == "GET":
        return render(request, "elections/candidacy.html", context)
    if not allowed:
        return render(request, "elections/candidacy.html", context, status=409 if entry else 403)
    data = await read_form(request)
    form = forms.candidacy_form(data)
    photo, problem = await uploads.read_photo(data.get("photo"))
    if problem:
        form.errors.add("photo", problem)
    if form.errors:
        context.update(values=form.values, errors=form.errors.fields)
        return render(request, "elections/candidacy.html", context, status=422)
    async with atomic(db):
        locked = await q.get_election(db, e.id, lock=True)
        still, reason = phases.can_nominate(locked)
        if still:
            cand_id = await q.save_candidate(db, e.id, user.org_id, entry.category, entry.region_code, form.cleaned)
            photo_change = await _save_photo(db, cand_id, user.id, photo, remove=data.get("remove_photo") == "1")
            await q.record_event(db, e, user, "candidacy_saved",
                                 detail={"candidate": cand_id, "org": user.org_id, "category": entry.category,
                                         "edited": current is not None, "photo": photo_change})
    if not still:
        context.update(allowed=False, reason=reason, values=form.values)
        return render(request, "elections/candidacy.html", context, status=409)
    flash(request, _("Candidatura guardada. Puede editarla hasta el cierre del plazo de candidaturas."))
    return see_other(f"/elecciones/{e.id}/candidatura")


async def _save_photo(db: Any, cand_id: int, user_id: int, photo: Any, *, remove: bool) -> str:
    """Attach the new photo, or remove the current one; says which (for the election log)."""
    if photo is not None:
        await q.set_candidate_photo(db, cand_id, await uploads.store(db, photo, user_id, "image/jpeg"))
        return "new"
    if remove:
        await q.set_candidate_photo(db, cand_id, None)
        return "removed"
    return "kept"


# ----- voting -----

async def ballot_context(db: Any, e: q.Election, org_id: int) -> dict[str, Any]:
    """What the ballot page needs: may this organization vote now, and for whom."""
    now = await db.fetch_val("SELECT now()")
    allowed, reason = phases.can_vote(e, now)
    entry = await padron.entry(db, e.id, org_id) if phases.at_least(e.phase, "padron_provisional") else None
    voted = await vote.has_voted(db, e.id, org_id)
    if allowed and entry is None:
        allowed, reason = False, _("Su organización no está en el padrón de esta elección, así que no puede votar.")
    elif allowed and voted:
        allowed, reason = False, _("Su organización ya votó en esta elección. Cada organización emite un solo voto.")
    cands = await q.list_candidates(db, e.id, status="admissible", category=entry.category) if entry else []
    return {"e": e, "entry": entry, "allowed": allowed, "reason": reason, "voted": voted, "candidates": cands,
            "values": {}, "errors": {}}


def _choice(raw: Any) -> tuple[bool, int | None]:
    """(valid, candidate id or None for blank) from the form's `choice`."""
    if raw == "blank":
        return True, None
    if isinstance(raw, str) and raw.isdigit() and 0 < int(raw) < 2**62:
        return True, int(raw)
    return False, None


async def ballot(request: Request) -> Response:
    """GET: choose; POST step=confirm: the confirmation page; POST step=cast: cast, then the receipt."""
    user = require_org(request)
    try:
        return await _ballot(request, user)
    except DB_FAILURES:
        # the database went away (a restart): nothing was recorded half-way, and no receipt is shown
        log.exception("ballot page failed")
        return render(request, "elections/vote_failed.html", {"e": {"id": request.path_params.get("id")}},
                      status=503)


async def _ballot(request: Request, user: Any) -> Response:
    if request.method == "POST":
        form = await read_form(request)
        valid, choice = _choice(form.get("choice"))
        if valid and form.get("step") == "cast":
            # the service checks the election, phase, window, padrón and candidate itself
            return await _cast(request, user, choice)
    e = await public_election(request)
    db = get_db(request)
    context = await ballot_context(db, e, user.org_id)
    if request.method == "GET":
        return render(request, "elections/vote.html", context)
    if not context["allowed"]:
        return render(request, "elections/vote.html", context, status=409 if context["entry"] else 403)
    if not valid or (choice is not None and choice not in {c.id for c in context["candidates"]}):
        context["errors"] = {"choice": _("Elija una candidatura de la lista, o vote en blanco.")}
        return render(request, "elections/vote.html", context, status=422)
    chosen = next((c for c in context["candidates"] if c.id == choice), None)
    return render(request, "elections/vote_confirm.html", {**context, "choice": choice, "chosen": chosen})


async def _cast(request: Request, user: Any, choice: int | None) -> Response:
    """The hot path of a vote: the user's row, then the context and the write on one connection. Only a
    refusal other than "already voted" reads more, to render the ballot page with the reason."""
    db = get_db(request)
    election_id = int_param(request, "id")
    try:
        receipt = await vote.cast_vote(db, election_id, user.org_id, choice, email=user.email,
                                       deliverable=bool(get_settings(request).smtp_url))
    except vote.AlreadyVoted as exc:
        # the common refusal under load (a second click, a second representative): no more queries
        context = {"e": {"id": election_id, "name": exc.election_name}, "entry": None, "allowed": False,
                   "reason": exc.message, "voted": True, "candidates": [], "values": {}, "errors": {}}
        return render(request, "elections/vote.html", context, status=409)
    except vote.VoteRefused as exc:
        e = await public_election(request)  # 404 for an election that does not exist or is a draft
        context = await ballot_context(db, e, user.org_id)
        context.update(allowed=False, reason=exc.message, voted=isinstance(exc, vote.AlreadyVoted))
        if exc.status == 422:
            context.update(allowed=True, reason="", errors={"choice": exc.message})
        return render(request, "elections/vote.html", context, status=exc.status)
    receipts = dict(request.session.get("receipts") or {})
    receipts[str(election_id)] = receipt.tracking_code  # the voter's own browser keeps it, not the server
    request.session["receipts"] = receipts
    return see_other(f"/elecciones/{election_id}/comprobante")


async def receipt(request: Request) -> Response:
    """The receipt: the tracking code (kept only in the voter's session and in the email)."""
    user = require_org(request)
    e = await public_election(request)
    code = (request.session.get("receipts") or {}).get(str(e.id))
    voted = await vote.has_voted(get_db(request), e.id, user.org_id)
    return render(request, "elections/receipt.html", {"e": e, "code": code, "voted": voted})

