"""The council's technical secretariat (staff role `council_secretary`; admins too): sessions, agenda,
convocation, attendance, agreements, presidency, actas and vacancy proposals (docs/council.md).

Thin handlers: guard → form → atomic(queries + workflow) → flash → 303. A failed form is answered 422
on the same page with the user's values; a refused action raises Conflict (409, with the reason)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from portal import clock, guards, uploads
from portal.council import forms, queries, rules, workflow
from portal.council.queries import Session
from portal.council.views_public import name_of, rules_in_words, session_context
from portal.db import Database
from portal.elections_web.api import Council, current_council
from portal.forms import Form
from portal.i18n import gettext as _
from portal.security import CurrentUser, read_form
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, get_settings, int_param, see_other
from portal.workflow import Conflict

SECRETARIAT = ("council_secretary",)
SESSION_FORMS = ("item", "attendance", "agreement", "presidency", "acta", "circulate", "approve")


async def _council(db: Database) -> Council:
    council = await current_council(db)
    if council is None:
        raise guards.not_found()
    return council


# ----- the dashboard: sessions and vacancy proposals -----

async def _dashboard(request: Request, user: CurrentUser, *, form: Form | None = None, which: str = "",
                     status: int = 200) -> Response:
    db = get_db(request)
    council = await current_council(db)
    sessions = await queries.sessions_of(db, council.election_id) if council else []
    props = await queries.proposals(db, council.election_id) if council else []
    settings = await queries.council_rules(db, council.election_id) if council else rules.DEFAULT_RULES
    values: dict[str, Any] = {"kind": "ordinary", "minutes": "120", "hour": "18:00"}
    errors: dict[str, str] = {}
    if form is not None and which == "session":
        values, errors = form.values, form.errors.fields
    return render(request, "council/staff_index.html", {
        "council": council, "sessions": list(reversed(sessions)), "proposals": props, "values": values,
        "errors": errors, "failed": which if form is not None else "", "failed_values": form.values if form else {},
        "failed_errors": form.errors.fields if form else {}, "name_of": lambda m: name_of(council, m),
        "quorum_now": rules.quorum_needed(len(council.members) if council else 0, settings),
        "quorum_rule": rules.quorum_words(settings),
        "kind_options": [(k, _(v)) for k, v in rules.KINDS.items()]}, status=status)


async def dashboard(request: Request) -> Response:
    return await _dashboard(request, guards.staff(request, *SECRETARIAT))


async def create_session(request: Request) -> Response:
    user = guards.staff(request, *SECRETARIAT)
    db = get_db(request)
    council = await _council(db)
    form = forms.session_form(await read_form(request))
    if form.errors:
        return await _dashboard(request, user, form=form, which="session", status=422)
    async with atomic(db):
        session_id = await workflow.create_session(db, council, form.cleaned, user)
    flash(request, _("Sesión creada en borrador. Agregue la tabla y convóquela."))
    return see_other(f"/staff/consejo/sesiones/{session_id}")


async def _proposal(request: Request) -> tuple[CurrentUser, Any, Form]:
    user = guards.staff(request, *SECRETARIAT)
    proposal = guards.found(await queries.get_proposal(get_db(request), int_param(request, "id")))
    return user, proposal, forms.reason_form(await read_form(request))


async def confirm_vacancy(request: Request) -> Response:
    """Confirm a proposed vacancy (with reason, audited): the replacement order gives the seat."""
    user, proposal, form = await _proposal(request)
    if form.errors:
        return await _dashboard(request, user, form=form, which=f"proposal-{proposal.id}", status=422)
    db = get_db(request)
    async with atomic(db):
        successor = await workflow.confirm(db, proposal, form.cleaned["reason"], user)
    flash(request, _("Vacancia confirmada; asume %(name)s.", name=successor.name) if successor
          else _("Vacancia confirmada; ninguna candidatura cumple las reglas: el cupo queda vacante."))
    return see_other("/staff/consejo")


async def dismiss_vacancy(request: Request) -> Response:
    user, proposal, form = await _proposal(request)
    if form.errors:
        return await _dashboard(request, user, form=form, which=f"proposal-{proposal.id}", status=422)
    db = get_db(request)
    async with atomic(db):
        await workflow.dismiss(db, proposal, form.cleaned["reason"], user)
    flash(request, _("Propuesta de vacancia descartada."))
    return see_other("/staff/consejo")


# ----- the council's rules -----

async def _rules_page(request: Request, council: Council, *, form: Form | None = None, status: int = 200) -> Response:
    settings = await queries.council_rules(get_db(request), council.election_id)
    values = form.values if form else {k: str(v) for k, v in asdict(settings).items()}
    return render(request, "council/staff_rules.html", {
        "council": council, "values": values, "errors": form.errors.fields if form else {},
        **rules_in_words(settings, len(council.members))}, status=status)


async def rules_page(request: Request) -> Response:
    """The council's settings: quorum share, absence limit, days to comment (docs/council.md)."""
    guards.staff(request, *SECRETARIAT)
    return await _rules_page(request, await _council(get_db(request)))


async def save_rules(request: Request) -> Response:
    user = guards.staff(request, *SECRETARIAT)
    db = get_db(request)
    council = await _council(db)
    form = forms.rules_form(await read_form(request))
    if form.errors:
        return await _rules_page(request, council, form=form, status=422)
    async with atomic(db):
        changed = await workflow.save_rules(db, council.election_id, form.cleaned["rules"], user)
    flash(request, _("Reglas del consejo guardadas. Rigen desde ahora: el quórum, en las sesiones que se abran; "
                     "las inasistencias, en el próximo cierre de sesión; el plazo, en el próximo envío de un acta.")
          if changed else _("Las reglas no cambiaron."))
    return see_other("/staff/consejo/reglas")


# ----- one session -----

async def _session(request: Request) -> tuple[CurrentUser, Session]:
    user = guards.staff(request, *SECRETARIAT)
    return user, guards.found(await queries.get_session(get_db(request), int_param(request, "id")))


def _here(session: Session) -> str:
    return f"/staff/consejo/sesiones/{session.id}"


async def _staff_context(db: Database, session: Session, council: Council | None) -> dict[str, Any]:
    context = await session_context(db, session, council)
    sessions = await queries.sessions_of(db, session.election_id)
    earlier = await queries.actas_of(db, [s.id for s in sessions if s.starts_at < session.starts_at])
    to_approve = [(a, s) for s in sessions for a in [earlier.get(s.id)] if a and a.status == rules.CIRCULATED]
    q, acta, settings = context["q"], context["acta"], context["q"]["settings"]
    pending = sum(1 for st in q["attendance"].values() if st == rules.PENDING)
    already = await queries.presidency(db, session.election_id) is not None
    first = await workflow.is_first_session(db, session)
    context.update(show_presidency=not already and first,
        to_approve=to_approve, comments=await queries.comments(db, acta.id) if acta else [],
        convene=rules.convene_check(session.status, len(context["items"]), session.starts_at, clock.now()),
        open=rules.open_check(session.status, len(council.members) if council else 0),
        attend=rules.attendance_check(session.status), close=rules.close_check(session.status, pending),
        agree=rules.agreement_check(session.status, q["present"], q["in_office"], settings),
        preside=rules.presidency_check(session.status, q["present"], q["in_office"], first, already, settings),
        edit_acta=rules.acta_edit_check(session.status, acta.status if acta else None),
        circulate=rules.circulate_check(acta.status if acta else None),
        approve=rules.agreement_check(session.status, q["present"], q["in_office"], settings),
        attendance_options=[(k, _(v)) for k, v in rules.ATTENDANCE.items()],
        present_options=[(str(r["id"]), r["name"]) for r in q["rows"] if r["status"] == rules.PRESENT],
        v={name: {} for name in SESSION_FORMS}, e={name: {} for name in SESSION_FORMS})
    context["v"]["circulate"] = {"comments_until": forms.default_comments_until(settings).isoformat()}
    context["v"]["acta"] = {"body": acta.body if acta else ""}
    return context


async def _session_page(request: Request, session: Session, *, form: Form | None = None, which: str = "",
                        status: int = 200) -> Response:
    db = get_db(request)
    context = await _staff_context(db, session, await current_council(db))
    if form is not None:
        context["v"][which], context["e"][which] = form.values, form.errors.fields
    return render(request, "council/staff_session.html", context, partial="council/_quorum.html", status=status)


async def session_detail(request: Request) -> Response:
    _user, session = await _session(request)
    return await _session_page(request, session)


async def add_item(request: Request) -> Response:
    user, session = await _session(request)
    data = await read_form(request)
    form = forms.item_form(data)
    upload, problem = await uploads.read_pdf(data.get("file"), required=False)
    if problem:
        form.errors.add("file", problem)
    if form.errors:
        return await _session_page(request, session, form=form, which="item", status=422)
    db = get_db(request)
    async with atomic(db):
        await workflow.add_item(db, session, form.cleaned["title"], upload, user)
    flash(request, _("Punto agregado a la tabla."))
    return see_other(_here(session))


async def convene(request: Request) -> Response:
    user, session = await _session(request)
    db = get_db(request)
    council = await _council(db)
    async with atomic(db):
        sent = await workflow.convene(db, session, council, user, get_settings(request).base_url)
    flash(request, _("Sesión convocada; se enviaron %(n)s correos y está en el calendario.", n=sent))
    return see_other(_here(session))


async def open_session(request: Request) -> Response:
    user, session = await _session(request)
    db = get_db(request)
    council = await _council(db)
    async with atomic(db):
        await workflow.open_session(db, session, council, user)
    flash(request, _("Sesión abierta: registre la asistencia."))
    return see_other(_here(session))


async def attendance(request: Request) -> Response:
    user, session = await _session(request)
    db = get_db(request)
    members = list((await queries.attendance(db, session.id)).keys())
    form = forms.attendance_form(await read_form(request), members)
    if form.errors:
        return await _session_page(request, session, form=form, which="attendance", status=422)
    async with atomic(db):
        await workflow.record_attendance(db, session, form.cleaned["marks"], user)
    flash(request, _("Asistencia registrada."))
    return see_other(_here(session) + "#asistencia")


async def agreement(request: Request) -> Response:
    user, session = await _session(request)
    form = forms.agreement_form(await read_form(request))
    if form.errors:
        return await _session_page(request, session, form=form, which="agreement", status=422)
    db = get_db(request)
    async with atomic(db):
        number, adopted = await workflow.record_agreement(db, session, form.cleaned["text"], form.cleaned["votes"],
                                                          user)
    flash(request, _("Acuerdo N.º %(n)s registrado: adoptado.", n=number) if adopted
          else _("Acuerdo N.º %(n)s registrado: no adoptado.", n=number))
    return see_other(_here(session) + "#acuerdos")


async def presidency(request: Request) -> Response:
    user, session = await _session(request)
    db = get_db(request)
    members = list((await queries.attendance(db, session.id)).keys())
    form = forms.presidency_form(await read_form(request), members)
    if form.errors:
        return await _session_page(request, session, form=form, which="presidency", status=422)
    choice = {k: int(form.cleaned[k]) for k in ("president_id", "vice_president_id", "president_votes", "vice_votes")}
    async with atomic(db):
        await workflow.record_presidency(db, session, choice, user)
    flash(request, _("Presidencia y vicepresidencia registradas."))
    return see_other(_here(session))


async def close_session(request: Request) -> Response:
    user, session = await _session(request)
    db = get_db(request)
    async with atomic(db):
        proposed = await workflow.close_session(db, session, user)
    flash(request, _("Sesión cerrada.") + (" " + _("Hay %(n)s vacancias propuestas por inasistencias.", n=len(proposed))
                                           if proposed else ""))
    return see_other(_here(session))


async def save_acta(request: Request) -> Response:
    user, session = await _session(request)
    form = forms.acta_form(await read_form(request))
    if form.errors:
        return await _session_page(request, session, form=form, which="acta", status=422)
    db = get_db(request)
    async with atomic(db):
        await workflow.save_acta(db, session, form.cleaned["body"], user)
    flash(request, _("Borrador del acta guardado."))
    return see_other(_here(session) + "#acta")


async def circulate(request: Request) -> Response:
    user, session = await _session(request)
    form = forms.circulate_form(await read_form(request))
    if form.errors:
        return await _session_page(request, session, form=form, which="circulate", status=422)
    db = get_db(request)
    council = await _council(db)
    acta = await queries.acta_of(db, session.id)
    attended = await queries.attendance(db, session.id)
    attendees = [council.people[m] for m, st in attended.items() if st == rules.PRESENT and m in council.people]
    async with atomic(db):
        if acta is None:
            raise Conflict(rules.circulate_check(None).reason)
        sent = await workflow.circulate(db, acta, form.cleaned["comments_until"], attendees, user,
                                        get_settings(request).base_url)
    flash(request, _("Borrador enviado a quienes asistieron (%(n)s correos).", n=sent))
    return see_other(_here(session) + "#acta")


async def approve_acta(request: Request) -> Response:
    """Approve a circulated acta of an earlier session, as an agreement of this one."""
    user, session = await _session(request)
    db = get_db(request)
    earlier = await queries.actas_of(db, [s.id for s in await queries.sessions_of(db, session.election_id)])
    form = forms.approve_form(await read_form(request), [a.id for a in earlier.values()])
    if form.errors:
        return await _session_page(request, session, form=form, which="approve", status=422)
    acta = guards.found(await queries.get_acta(db, int(form.cleaned["acta_id"])))
    council = await _council(db)
    async with atomic(db):
        passed = await workflow.approve_acta(db, session, acta, form.cleaned["votes"], council, user)
    flash(request, _("Acta aprobada: es definitiva y pública.") if passed
          else _("La aprobación del acta no obtuvo mayoría; sigue en observaciones."))
    return see_other(_here(session) + "#acuerdos")
