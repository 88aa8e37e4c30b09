"""Public pages of the council in office (docs/council.md, Public pages): /consejo with the members,
sessions, attendance records and the calendar feed; each session with its agenda, attendance,
agreements and final acta; the ICS files; documents and the acta PDF."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from portal import clock, guards, uploads
from portal.council import ics, queries, rules
from portal.council.queries import Session
from portal.db import Database
from portal.elections_web.api import Council, current_council
from portal.templating import register_globals, render
from portal.web import get_db, get_settings, int_param

SECRETARIAT = ("council_secretary",)

register_globals(council_rules=rules)


def name_of(council: Council | None, member_id: int) -> str:
    person = council.people.get(member_id) if council else None
    return person.name if person else f"N.º {member_id}"


async def attendance_record(db: Database, council: Council) -> dict[int, dict[str, int]]:
    """Per member: sessions present, excused, absent, and the current run of unexcused absences."""
    out: dict[int, dict[str, int]] = {}
    for member_id, history in (await queries.histories(db, council.election_id)).items():
        statuses = [status for _sid, status in history]
        out[member_id] = {k: statuses.count(k) for k in rules.ATTENDANCE}
        out[member_id]["streak"] = rules.unexcused_streak(statuses)
    return out


async def council_page(request: Request) -> Response:
    """/consejo: the council in office (replacements applied), its sessions and its attendance."""
    db = get_db(request)
    council = await current_council(db)
    context: dict[str, Any] = {"council": council, "seats": [], "upcoming": [], "past": [], "record": {},
                               "presidency": None, "actas": {}}
    if council is None:
        return render(request, "council/index.html", context)
    sessions = [s for s in await queries.sessions_of(db, council.election_id) if s.status != rules.DRAFT]
    settings = await queries.council_rules(db, council.election_id)
    context.update(rules_in_words(settings, len(council.members)), streak_from=rules.streak_shown_from(settings))
    context.update(
        seats=[{"category": cat, "seats": n, "members": [m for m in council.members if m.category == cat]}
               for cat, n in sorted(council.seats.items()) if n or any(m.category == cat for m in council.members)],
        upcoming=[s for s in sessions if s.status in (rules.CONVENED, rules.IN_PROGRESS)],
        past=[s for s in reversed(sessions) if s.status == rules.CLOSED],
        record=await attendance_record(db, council), presidency=await queries.presidency(db, council.election_id),
        actas=await queries.actas_of(db, [s.id for s in sessions]))
    return render(request, "council/index.html", context)


def rules_in_words(settings: rules.CouncilRules, in_office: int) -> dict[str, Any]:
    """The council's rules as the pages state them (templates/council/_rules.html)."""
    return {"quorum_rule": rules.quorum_words(settings),
            "quorum_now": rules.quorum_needed(in_office, settings), "in_office": in_office,
            "absence_rule": rules.absence_words(settings), "comment_rule": rules.comment_words(settings)}


async def public_session(request: Request) -> Session:
    """A session anyone may see: convened or later (a draft is the secretariat's alone: 404)."""
    session = await queries.get_session(get_db(request), int_param(request, "id"))
    return guards.readable(session, session is not None and session.status != rules.DRAFT)


async def quorum(db: Database, session: Session, council: Council | None,
                 settings: rules.CouncilRules) -> dict[str, Any]:
    """Who is present and whether there is quorum, on the base and the share fixed when the session
    opened (`settings` are the session's rules: queries.session_rules)."""
    attendance = await queries.attendance(db, session.id)
    in_office = session.in_office if session.in_office is not None else len(council.members if council else [])
    present = sum(1 for s in attendance.values() if s == rules.PRESENT)
    return {"present": present, "in_office": in_office, "needed": rules.quorum_needed(in_office, settings),
            "has": rules.has_quorum(present, in_office, settings), "rule": rules.quorum_words(settings),
            "settings": settings, "attendance": attendance,
            "rows": [{"id": m, "name": name_of(council, m), "status": st} for m, st in
                     sorted(attendance.items(), key=lambda kv: name_of(council, kv[0]))]}


async def session_context(db: Database, session: Session, council: Council | None) -> dict[str, Any]:
    presidency = await queries.presidency(db, session.election_id)
    settings = await queries.session_rules(db, session)
    return {"s": session, "council": council, "items": (await queries.items(db, [session.id]))[session.id],
            "q": await quorum(db, session, council, settings), "agreements": await queries.agreements(db, session.id),
            "presidency": presidency if presidency and presidency.session_id == session.id else None,
            "acta": await queries.acta_of(db, session.id), "name_of": lambda m: name_of(council, m),
            "polling": session.status == rules.IN_PROGRESS}


async def session_page(request: Request) -> Response:
    session = await public_session(request)
    db = get_db(request)
    context = await session_context(db, session, await current_council(db))
    context["polling"] = context["polling"] and not request.query_params.get("pausa")
    return render(request, "council/session.html", context)


async def session_quorum(request: Request) -> Response:
    """The live quorum: the partial for htmx (polled during the session), the page otherwise."""
    session = await public_session(request)
    db = get_db(request)
    context = await session_context(db, session, await current_council(db))
    return render(request, "council/session.html", context, partial="council/_quorum.html")


def _ics(content: bytes, filename: str) -> Response:
    return Response(content, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-cache"})


async def feed(request: Request) -> Response:
    """/consejo/calendario.ics: every convened or held session of the council in office."""
    db = get_db(request)
    council = await current_council(db)
    sessions = await queries.sessions_of(db, council.election_id) if council else []
    return _ics(ics.calendar(sessions, get_settings(request).base_url, clock.now()), "consejo.ics")


async def session_ics(request: Request) -> Response:
    session = await public_session(request)
    return _ics(ics.calendar([session], get_settings(request).base_url, clock.now()), f"sesion-{session.id}.ics")


async def document(request: Request) -> Response:
    """An agenda item's PDF: public once the session is convened; before, the secretariat's alone."""
    db = get_db(request)
    session = await queries.get_session(db, int_param(request, "id"))
    item = await queries.get_item(db, session.id, int_param(request, "item_id")) if session else None
    user = guards.current_user(request)
    may_read = session is not None and (session.status != rules.DRAFT or bool(user and user.has_role(*SECRETARIAT)))
    file = await uploads.get(db, item.file_id) if item and item.file_id else None
    return uploads.serve_file(file, may_read)


async def acta_pdf(request: Request) -> Response:
    """The final acta as issued (the stored PDF whose SHA-256 the page shows)."""
    session = await public_session(request)
    db = get_db(request)
    acta = await queries.acta_of(db, session.id)
    final = acta is not None and acta.status == rules.FINAL
    file = await uploads.get(db, acta.file_id) if final and acta and acta.file_id else None
    response = uploads.serve_file(file, final, inline=True)
    response.headers["Content-Disposition"] = f'inline; filename="acta-consejo-sesion-{session.id}.pdf"'
    return response
