"""Public pages: elections, turnout, results with the bulletin board, the acta and the council."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from portal import clock, guards, uploads
from portal.db import Database
from portal.elections_web import (count, count_queries, explain, forms, live, padron, padron_queries, phases,
                                  queries as q, vote_queries)
from portal.elections_web.acta import acta_data
from portal.i18n import current
from portal.security import CurrentUser
from portal.templating import is_partial_request, render
from portal.web import get_db, int_param, page_param

_CODE = re.compile(r"^[0-9a-f]{64}$")
BALLOTS_PER_PAGE = 500


async def public_election(request: Request) -> q.Election:
    """Guard: a published election (drafts do not exist for the public)."""
    e = await q.get_election(get_db(request), int_param(request, "id"))
    return guards.readable(e, e is not None and e.phase != "draft")


async def candidate_photo(request: Request) -> Response:
    """A candidacy's photo: public once the list of admissible candidacies is (from voting_open on);
    before that only for the organization that nominated it and the election staff."""
    e = await public_election(request)
    db = get_db(request)
    cand = guards.found(await q.get_candidate(db, e.id, int_param(request, "cand_id")))
    published = cand.status == "admissible" and phases.at_least(e.phase, "voting_open")
    user = guards.current_user(request)
    own = user is not None and (user.org_id == cand.org_id or user.has_role("election_officer", "ministro_de_fe"))
    photo = await uploads.get(db, cand.photo_file) if cand.photo_file is not None else None
    response = uploads.serve_file(photo, published or own, inline=True)
    if published:
        response.headers["Cache-Control"] = "public, max-age=3600"
    return response


async def elections_index(request: Request) -> Response:
    elections = await q.list_elections(get_db(request), public_only=True)
    return render(request, "elections/index.html", {"elections": elections, "labels": phases.PHASE_LABELS})


async def eligibility(db: Database, e: q.Election, user: CurrentUser | None) -> dict[str, Any] | None:
    """"¿Puedo votar?": the signed-in representative's organization in this padrón, and its state."""
    if user is None or user.org_id is None:
        return None
    published = phases.at_least(e.phase, "padron_provisional")
    entry = await padron_queries.entry(db, e.id, user.org_id) if published else None
    return {"published": published, "entry": entry,
            "voted": await vote_queries.has_voted(db, e.id, user.org_id) if entry else False,
            "candidacy": await q.candidate_of_org(db, e.id, user.org_id) if entry else None,
            "can_nominate": phases.can_nominate(e).allowed}


async def election_page(request: Request) -> Response:
    e = await public_election(request)
    db = get_db(request)
    facts = await q.facts(db, e)
    shows_candidates = phases.at_least(e.phase, "voting_open")
    candidates = await q.list_candidates(db, e.id, status="admissible") if shows_candidates else []
    context = {
        "e": e, "labels": phases.PHASE_LABELS, "phases": phases.PHASES, "candidates": candidates,
        "shows_candidates": shows_candidates, "padron_total": facts.padron_total,
        "voting_now": phases.can_vote(e, clock.now()).allowed,
        "turnout": await q.turnout(db, e.id) if phases.at_least(e.phase, "voting_open") else None,
        "me": await eligibility(db, e, guards.current_user(request)),
        "paused": _paused(request),
    }
    return render(request, "elections/election.html", context)


def _paused(request: Request) -> bool:
    """?pausa=1 stops the automatic refresh (WCAG 2.2.2); it is a link, so it works without JavaScript."""
    return request.query_params.get("pausa") == "1"


async def turnout(request: Request) -> Response:
    """Turnout by category and region; live during voting (pushed over SSE, live.py), a plain page without
    JavaScript. The same URL is the htmx partial and a normal page."""
    e = await public_election(request)
    db = get_db(request)
    data = await q.turnout(db, e.id) if phases.at_least(e.phase, "voting_open") else None
    polling = e.phase == "voting_open" and not _paused(request)
    return render(request, "elections/turnout.html", {"e": e, "turnout": data, "polling": polling,
                                                      "live": e.phase == "voting_open",
                                                      # swapped into the election page, links point there
                                                      "here": f"/elecciones/{e.id}" if is_partial_request(request)
                                                      else request.url.path},
                  partial="elections/_turnout.html")


async def turnout_stream(request: Request) -> Response:
    """The live turnout's Server-Sent Events; 204 (the browser stops reconnecting) outside voting."""
    e = await public_election(request)
    if e.phase != "voting_open":
        return Response(status_code=204)
    return live.response(request, e.id)


async def padron_page(request: Request) -> Response:
    e = await public_election(request)
    guards.readable(e, phases.at_least(e.phase, "padron_provisional"))
    return render(request, "elections/padron.html", {"e": e, "entries": await padron.entries(get_db(request), e.id)})


async def padron_text(request: Request) -> Response:
    """The padrón in its canonical serialization: its SHA-256 is the published padrón hash."""
    e = await public_election(request)
    guards.readable(e, phases.at_least(e.phase, "padron_provisional"))
    text = padron.canonical_text(e.id, await padron.entries(get_db(request), e.id))
    return Response(text.encode("utf-8"), media_type="text/plain; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="padron-eleccion-{e.id}.txt"'})


def named_allocation(results: count_queries.Results, people: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """Per category: elected with names and votes, substitutions and reasons, ready for the page."""
    votes_by = results.header["totals"]["categories"]
    out = []
    for cat, alloc in results.allocation(lang)["categories"].items():
        who = _named(people, votes_by.get(cat, {}).get("votes", {}))
        out.append({"category": cat, "alloc": alloc, "elected": [who(c) for c in alloc["elected"]],
                    "preliminary": [who(c) for c in alloc["preliminary"]],
                    "substitutions": [(who(s["out"]), who(s["in"])) for s in alloc["substitutions"]],
                    "skipped": [{**who(s["id"]), "reason": s["reason"]} for s in alloc["skipped"]],
                    "ranking": [who(c) for c in alloc["order"]], "blank": votes_by.get(cat, {}).get("blank", 0),
                    "ballots": votes_by.get(cat, {}).get("ballots", 0)})
    return out


def _named(people: dict[str, Any], votes: dict[str, int]) -> Callable[[str], dict[str, Any]]:
    """A candidate id → its name, organization and votes in the category."""
    def who(cid: str) -> dict[str, Any]:
        return {"id": cid, "votes": votes.get(cid, 0), **people.get(cid, {"name": cid})}
    return who


async def people(db: Database, election_id: int) -> dict[str, dict[str, Any]]:
    cands = await q.list_candidates(db, election_id)
    return {str(c.id): {"name": c.name, "org": c.org_name, "gender": c.gender, "region": c.region_name} for c in cands}


async def results_page(request: Request) -> Response:
    e = await public_election(request)
    db = get_db(request)
    results = await count_queries.get_results(db, e.id) if phases.at_least(e.phase, "tallied") else None
    context: dict[str, Any] = {"e": e, "results": results, "labels": phases.PHASE_LABELS, "lookup": None,
                               "code": "", "gender_label": explain.gender_label,
                               "turnout": await q.turnout(db, e.id) if results else None}
    if results:
        names = await people(db, e.id)
        context["categories"] = named_allocation(results, names, current())
        context["explained"] = explain.explain(count.result_from_header(results.header), names)
        context["trail"] = results.trail(current())
        context["region_chart"] = explain.bars([(r["name"], r["share"]) for r in context["turnout"]["regions"]], 1.0)
        page = page_param(request)
        total = results.header["totals"]["ballots"]
        context.update(page=page, pages=max(1, -(-total // BALLOTS_PER_PAGE)), ballots=await count_queries.ballots_page(
            db, e.id, BALLOTS_PER_PAGE, (page - 1) * BALLOTS_PER_PAGE))
    return render(request, "elections/results.html", context)


async def bulletin(request: Request) -> Response:
    """The published bulletin, byte for byte as hashed at the count, streamed from the database."""
    e = await public_election(request)
    db = get_db(request)
    results = guards.found(await count_queries.get_results(db, e.id))
    size = await count_queries.file_size(db, results.bulletin_file) or 0
    return StreamingResponse(count_queries.stream_file(db, results.bulletin_file, size), media_type="application/json",
                             headers={"Content-Length": str(size),
                                      "Content-Disposition": f'attachment; filename="boletin-eleccion-{e.id}.json"'})


async def receipt_lookup(request: Request) -> Response:
    """A voter looks up their tracking code on the public ballot list (after the count)."""
    e = await public_election(request)
    db = get_db(request)
    code = forms.tracking_code(request.query_params.get("codigo") or "")  # also its printed groups
    found, valid = None, bool(_CODE.match(code))
    if valid and phases.at_least(e.phase, "tallied"):
        found = await vote_queries.find_ballot(db, e.id, code)
    return render(request, "elections/receipt_lookup.html",
                  {"e": e, "code": code, "valid": valid, "found": found, "counted": phases.at_least(e.phase, "tallied")},
                  status=200 if (not code or valid) else 422)


async def _acta(request: Request) -> tuple[q.Election, dict[str, Any]]:
    e = await public_election(request)
    db = get_db(request)
    results = await count_queries.get_results(db, e.id)
    if e.acta_file is None or results is None or e.proclamation_on is None:
        raise guards.not_found()
    info = await q.proclamation_detail(db, e.id)
    return e, await acta_data(db, e, results, info.get("ministro", ""), e.proclamation_on)


async def acta_page(request: Request) -> Response:
    e, data = await _acta(request)
    return render(request, "elections/acta.html", {"e": e, "acta": data})


async def acta_pdf(request: Request) -> Response:
    """The acta as signed at the proclamation (the stored PDF, not regenerated)."""
    e = await public_election(request)
    acta = await uploads.get(get_db(request), e.acta_file) if e.acta_file is not None else None
    response = uploads.serve_file(acta, True, inline=True)
    response.headers["Content-Disposition"] = f'inline; filename="acta-escrutinio-{e.id}.pdf"'
    return response


async def council(request: Request) -> Response:
    """The current council: the latest proclaimed or constituted election, replacements applied."""
    db = get_db(request)
    e = await q.council_election(db)
    results = await count_queries.get_results(db, e.id) if e is not None else None
    context: dict[str, Any] = {"e": None, "seats": [], "changes": []}
    if e is not None and results is not None:
        history = await count_queries.changes(db, e.id)
        names = await people(db, e.id)
        context.update(e=e, changes=history, seats=[
            {"category": cat, "members": [{"id": cid, **names.get(cid, {"name": cid})} for cid in ids],
             "seats": e.seats[cat]} for cat, ids in sorted(count.members(results, history).items())])
    return render(request, "elections/council.html", context)
