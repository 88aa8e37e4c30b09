"""Organizations: nominate a candidate, and vote (choose → confirm → cast → receipt)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from portal import clock, guards, uploads
from portal.claveunica import api as claveunica
from portal.db import Database
from portal.elections_web import forms, padron_queries, phases, queries as q, vote, vote_queries, workflow
from portal.elections_web.views_public import public_election
from portal.i18n import N_, gettext as _
from portal.security import read_form
from portal.templating import flash, render
from portal.txn import DB_FAILURES, atomic
from portal.web import get_db, get_settings, int_param, see_other
from portal.workflow import Check, refuse, require

log = logging.getLogger(__name__)
CODE = re.compile(r"[0-9a-f]{64}")


# ----- candidacy -----

def _not_in_padron(action: str) -> str:
    if action == "vote":
        return _("Su organización no está en el padrón de esta elección, así que no puede votar.")
    return _("Su organización no está en el padrón de esta elección, así que no puede nominar.")


async def candidacy_context(db: Database, e: q.Election, org_id: int) -> dict[str, Any]:
    """The organization's padrón entry, its candidacy, and whether it may nominate now (and why not)."""
    entry = await padron_queries.entry(db, e.id, org_id) if phases.at_least(e.phase, "padron_provisional") else None
    current = await q.candidate_of_org(db, e.id, org_id) if entry else None
    check = phases.can_nominate(e) if entry else refuse(_not_in_padron("nominate"))
    values = ({"name": current.name, "document_type": current.document_type, "document_number": current.document_number,
               "gender": current.gender, "bio": current.bio, "accepted": "1"} if current else {"document_type": "run"})
    return {"e": e, "entry": entry, "current": current, "allowed": check.allowed, "reason": check.reason,
            "values": values, "errors": {}}


async def candidacy(request: Request) -> Response:
    """GET: the organization's candidacy form; POST: present or edit it while candidacies are open."""
    rep = guards.representative(request)
    e = await public_election(request)
    db = get_db(request)
    context = await candidacy_context(db, e, rep.org_id)
    if request.method == "GET":
        return render(request, "elections/candidacy.html", context)
    entry, page = context["entry"], f"/elecciones/{e.id}/candidatura"
    if entry is None:
        raise guards.forbidden(context["reason"])
    require(Check(context["allowed"], context["reason"]), page=page)
    data = await read_form(request)
    form = forms.candidacy_form(data)
    photo, problem = await uploads.read_photo(data.get("photo"))
    if problem:
        form.errors.add("photo", problem)
    if form.errors:
        context.update(values=form.values, errors=form.errors.fields)
        return render(request, "elections/candidacy.html", context, status=422)
    async with atomic(db):
        require(phases.can_nominate(guards.found(await q.get_election(db, e.id, lock=True))), page=page)
        cand_id = await q.save_candidate(db, e.id, rep.org_id, entry.category, entry.region_code, form.cleaned)
        photo_change = await _save_photo(db, cand_id, rep.user.id, photo, remove=data.get("remove_photo") == "1")
        await workflow.record_event(db, e, rep.user, "candidacy_saved", detail={
            "candidate": cand_id, "org": rep.org_id, "category": entry.category,
            "edited": context["current"] is not None, "photo": photo_change})
        await claveunica.record_act(db, rep.org_id, e.id, "nominated", rep.user.id)  # who acted for it
    flash(request, _("Candidatura guardada. Puede editarla hasta el cierre del plazo de candidaturas."))
    return see_other(page)


async def _save_photo(db: Database, cand_id: int, user_id: int, photo: Any, *, remove: bool) -> str:
    """Attach the new photo, or remove the current one; says which (for the election log)."""
    if photo is not None:
        await q.set_candidate_photo(db, cand_id, await uploads.store(db, photo, user_id, "image/jpeg"))
        return "new"
    if remove:
        await q.set_candidate_photo(db, cand_id, None)
        return "removed"
    return "kept"


# ----- voting -----

async def ballot_context(db: Database, e: q.Election, org_id: int) -> dict[str, Any]:
    """What the ballot page needs: may this organization vote now (and why not), and for whom."""
    check = phases.can_vote(e, clock.now())
    entry = await padron_queries.entry(db, e.id, org_id) if phases.at_least(e.phase, "padron_provisional") else None
    voted = await vote_queries.has_voted(db, e.id, org_id)
    if check.allowed and entry is None:
        check = refuse(_not_in_padron("vote"))
    elif check.allowed and voted:
        check = refuse(_("Su organización ya votó en esta elección. Cada organización emite un solo voto."))
    cands = await q.list_candidates(db, e.id, status="admissible", category=entry.category) if entry else []
    return {"e": e, "entry": entry, "allowed": check.allowed, "reason": check.reason, "voted": voted,
            "candidates": cands, "values": {}, "errors": {}}


async def ballot(request: Request) -> Response:
    """GET: choose; POST step=confirm: the confirmation page; POST step=cast: cast, then the receipt."""
    rep = guards.representative(request)
    try:
        return await _ballot(request, rep)
    except DB_FAILURES:
        # the database went away (a restart): nothing was recorded half-way, and no receipt is shown
        log.exception("ballot page failed")
        return render(request, "elections/vote_failed.html", {"e": {"id": request.path_params.get("id")}},
                      status=503)


async def _ballot(request: Request, rep: guards.Representative) -> Response:
    form = forms.ballot_form(await read_form(request)) if request.method == "POST" else None
    if form is not None and not form.errors and form.cleaned["step"] == "cast":
        # the service checks the election, phase, window, padrón and candidate itself
        return await _cast(request, rep, form.cleaned["choice"])
    e = await public_election(request)
    context = await ballot_context(get_db(request), e, rep.org_id)
    if form is None:
        return render(request, "elections/vote.html", context)
    if context["entry"] is None and not context["allowed"]:
        raise guards.forbidden(context["reason"])
    require(Check(context["allowed"], context["reason"]))
    choice = form.cleaned["choice"]
    if form.errors or (choice is not None and choice not in {c.id for c in context["candidates"]}):
        context["errors"] = {"choice": _("Elija una candidatura de la lista, o vote en blanco.")}
        return render(request, "elections/vote.html", context, status=422)
    chosen = next((c for c in context["candidates"] if c.id == choice), None)
    return render(request, "elections/vote_confirm.html", {**context, "choice": choice, "chosen": chosen})


async def _cast(request: Request, rep: guards.Representative, choice: int | None) -> Response:
    """The hot path of a vote: the context and the write on one connection. A refusal of the moment
    (already voted, closed) is a Conflict answered without reading more; only a wrong choice reads the
    ballot page again, to show the form with the message.

    The one POST of the portal answered 200 rather than 303 (docs/ballot-secrecy.md, The receipt): the
    tracking code may rest nowhere the organization can be linked to (not the session, not the
    outbox, not a URL in a log), so the page that shows it is this response, marked no-store, and is
    never shown again."""
    db = get_db(request)
    settings = get_settings(request)
    election_id = int_param(request, "id")
    try:
        # who voted for the organization goes into its own history in the vote's statement (the day and
        # the person, nothing of the ballot)
        receipt = await vote.cast_vote(db, election_id, rep.org_id, choice, secret=str(settings.secret_key),
                                       email=rep.user.email, voter_id=rep.user.id)
    except vote.InvalidChoice as exc:
        context = await ballot_context(db, await public_election(request), rep.org_id)
        context.update(allowed=True, reason="", errors={"choice": exc.message})
        return render(request, "elections/vote.html", context, status=422)
    return no_store(render(request, "elections/receipt.html", receipt_context(request, receipt)))


def no_store(response: Response) -> Response:
    """Keep the page out of every cache and the browser's history cache (it carries a tracking code)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@dataclass(frozen=True)
class ElectionName:
    """The election as the receipt names it, read with the vote (not read again after it)."""

    id: int
    name: str


def receipt_context(request: Request, receipt: vote.Receipt) -> dict[str, Any]:
    """What the receipt shows: the code in groups of 4, the public lookup, how it was mailed. The QR code
    is on the printable receipt, made only when asked for (segno's 4-5 ms of CPU on every vote halved
    the vote storm's throughput; bench/README.md, vote storm)."""
    e, code = ElectionName(receipt.election_id, receipt.election_name), receipt.tracking_code
    return {"e": e, "code": code, "groups": forms.grouped(code), "fingerprint": receipt.fingerprint,
            "lookup": lookup_url(request, e.id, code), "mailed": bool(get_settings(request).smtp_url),
            "just_cast": True}


def lookup_url(request: Request, election_id: int, code: str) -> str:
    return f"{get_settings(request).base_url.rstrip('/')}/elecciones/{election_id}/recibo?codigo={code}"


async def receipt(request: Request) -> Response:
    """The receipt page after the fact: the code was shown once, when the vote was cast, and is kept
    nowhere; this page says so (and whether the organization voted)."""
    rep = guards.representative(request)
    e = await public_election(request)
    voted = await vote_queries.has_voted(get_db(request), e.id, rep.org_id)
    return render(request, "elections/receipt.html", {"e": e, "code": None, "voted": voted, "just_cast": False,
                                                      "mailed": bool(get_settings(request).smtp_url)})


async def posted_codes(request: Request) -> tuple[str, str] | None:
    """The code (and fingerprint) the voter's own receipt page sent back; None when malformed."""
    data = await read_form(request)
    code = forms.tracking_code(str(data.get("code") or ""))
    fingerprint = forms.tracking_code(str(data.get("fingerprint") or ""))
    if not CODE.fullmatch(code) or (fingerprint and not CODE.fullmatch(fingerprint)):
        return None
    return code, fingerprint


BAD_CODE = N_("El código de seguimiento tiene 64 caracteres hexadecimales.")


async def receipt_printable(request: Request) -> Response:
    """POST code (and fingerprint): the receipt to print or save as PDF, with a QR code of the public
    lookup, rendered from what the voter's own page sent back, and stored nowhere."""
    import segno  # loaded only when a printable receipt is asked for

    e = await public_election(request)
    posted = await posted_codes(request)
    if posted is None:
        return render(request, "elections/receipt_print.html", {"e": e, "error": _(BAD_CODE)}, status=422)
    code, fingerprint = posted
    lookup = lookup_url(request, e.id, code)
    # A fixed mask: segno's search for the best of eight masks costs 27 ms; any mask is valid and scans alike.
    qr = segno.make(lookup, error="m", mask=0, mode="byte").svg_inline(scale=3, dark="#000", light="#fff",
                                                                       omitsize=False)
    context = {"e": e, "error": None, "groups": forms.grouped(code), "fingerprint": fingerprint, "lookup": lookup,
               "qr": Markup(qr)}  # noqa: S704 (segno's own SVG)
    return no_store(render(request, "elections/receipt_print.html", context))


async def receipt_text(request: Request) -> Response:
    """POST code (and fingerprint): the receipt as a text file to keep, rendered from what the voter's
    own page sent back, and stored nowhere."""
    e = await public_election(request)
    posted = await posted_codes(request)
    if posted is None:
        return Response(_(BAD_CODE) + "\n", status_code=422, media_type="text/plain; charset=utf-8")
    code, fingerprint = posted
    lines = [_("Comprobante de voto"), e.name, "",
             _("Código de seguimiento:"), " ".join(forms.grouped(code)), ""]
    if fingerprint:
        lines += [_("Huella del voto sellado:"), " ".join(forms.grouped(fingerprint)), ""]
    lines += [_("Después del escrutinio, búsquelo en la lista pública de votos:"), lookup_url(request, e.id, code), "",
              _("Este código no dice quién votó. El portal no lo guarda: consérvelo usted.")]
    return no_store(Response("\n".join(lines) + "\n", media_type="text/plain; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="comprobante-eleccion-{e.id}.txt"'}))
