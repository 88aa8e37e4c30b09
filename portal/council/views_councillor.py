"""The councillors' area, /mi-consejo (docs/council.md, Who acts for a councillor): upcoming sessions
with their documents, draft actas to comment, and their attendance.

A councillor is a person (the candidacy), who may have no account; their organization's
representatives act for them here, as they did for the candidacy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from portal import clock, guards, i18n
from portal.council import forms, queries, rules, workflow
from portal.db import Database
from portal.elections_web.api import Council, Councillor, current_council
from portal.forms import Form
from portal.security import read_form
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, int_param, see_other
from portal.workflow import Conflict, require

_ = i18n.gettext


@dataclass(frozen=True)
class Seat:
    """A representative acting for their organization's councillor in office."""

    rep: guards.Representative
    council: Council
    member: Councillor


async def councillor(request: Request) -> Seat:
    """A representative of an organization whose candidacy sits on the council now (else 403)."""
    rep = guards.representative(request)
    council = await current_council(get_db(request))
    member = next((m for m in council.members if m.org_id == rep.org_id), None) if council else None
    if council is None or member is None:
        raise guards.forbidden(_("Esta página es para las organizaciones que integran el consejo en ejercicio."))
    return Seat(rep, council, member)


async def _area(db: Database, seat: Seat) -> dict[str, Any]:
    sessions = await queries.sessions_of(db, seat.council.election_id)
    upcoming = [s for s in sessions if s.status in (rules.CONVENED, rules.IN_PROGRESS)]
    actas = await queries.actas_of(db, [s.id for s in sessions])
    mine = await queries.member_sessions(db, [seat.member.id])
    attended = {r["session_id"] for r in mine if r["status"] == rules.PRESENT}
    drafts = [{"acta": actas[s.id], "s": s, "comments": await queries.comments(db, actas[s.id].id),
               "check": rules.comment_check(actas[s.id].status, actas[s.id].comments_until, clock.today(),
                                            s.id in attended)}
              for s in sessions if s.id in actas and actas[s.id].status == rules.CIRCULATED]
    return {"seat": seat, "upcoming": upcoming, "items": await queries.items(db, [s.id for s in upcoming]),
            "drafts": drafts, "mine": mine, "values": {}, "errors": {}, "failed": 0,
            "kind_options": [(k, _(v)) for k, v in rules.COMMENT_KINDS.items()]}


async def area(request: Request) -> Response:
    seat = await councillor(request)
    return render(request, "council/councillor.html", await _area(get_db(request), seat))


async def comment(request: Request) -> Response:
    """A comment or proposed amendment on a circulated acta: only by councillors who attended, within
    the deadline (docs/council.md, Actas)."""
    seat = await councillor(request)
    db = get_db(request)
    acta = guards.found(await queries.get_acta(db, int_param(request, "id")))
    session = guards.found(await queries.get_session(db, acta.session_id))
    if session.election_id != seat.council.election_id:
        raise Conflict(_("Esta acta es de un consejo anterior."))
    attended = (await queries.attendance(db, session.id)).get(seat.member.id) == rules.PRESENT
    require(rules.comment_check(acta.status, acta.comments_until, clock.today(), attended))
    form = forms.comment_form(await read_form(request))
    if form.errors:
        return await _failed(request, seat, form, acta.id)
    async with atomic(db):
        await workflow.comment(db, acta, seat.member.id, seat.rep.user, form.cleaned["kind"], form.cleaned["body"])
    flash(request, _("Observación enviada a la secretaría técnica."))
    return see_other("/mi-consejo")


async def _failed(request: Request, seat: Seat, form: Form, acta_id: int) -> Response:
    context = await _area(get_db(request), seat)
    context.update(values=form.values, errors=form.errors.fields, failed=acta_id)
    return render(request, "council/councillor.html", context, status=422)
