"""The municipal liaison's area (/mi-municipalidad): adhesion, work plan, Casilla cases, evaluation request.

Every handler: the liaison guard (portal.guards.liaison) → the form (portal.sello.forms) → the change
(portal.sello.workflow, or queries + audit in one transaction) → flash → 303. Refusals are
portal.workflow.Conflict, shown by the app as 409 on the page the form was sent from.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from portal import audit, clock, guards, i18n
from portal.db import Database
from portal.forms import Form
from portal.security import read_form
from portal.sello import forms, queries, rules, workflow
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, int_param, see_other
from portal.workflow import require

_ = i18n.gettext
HOME = "/mi-municipalidad"
HOME_FORMS = ("adhesion", "plan", "case")


def _form_state(form: Form | None = None) -> dict[str, Any]:
    return {"values": form.values if form else {}, "errors": form.errors.fields if form else {}}


async def _home_context(db: Database, code: str) -> dict[str, Any]:
    adhesion = await queries.adhesion(db, code)
    today = clock.today()
    context: dict[str, Any] = {
        "comuna": await queries.comuna(db, code), "adhesion": adhesion, "today": today,
        "forms": {name: _form_state() for name in HOME_FORMS}, "topics": rules.CASE_TOPICS,
        "topic_options": [(k, _(v)) for k, v in rules.CASE_TOPICS.items()], "states": rules.DISPLAY_STATES,
    }
    if adhesion is not None:
        context.update(
            state=adhesion.state(today),
            permission=rules.evaluation_request_permission(adhesion.status, adhesion.valid_until, today),
            visits=await queries.visits(db, code), cases=await queries.recent_cases(db, code),
            case_counts=await queries.case_counts(db, code), evaluations=await queries.evaluations(db, code),
        )
    return context


async def _page(request: Request, code: str, status: int = 200, **invalid: Form) -> Response:
    """The liaison's page; `invalid` forms (by name) come back with the user's values and errors."""
    context = await _home_context(get_db(request), code)
    context["forms"].update({name: _form_state(form) for name, form in invalid.items()})
    return render(request, "sello/liaison.html", context, status=status)


async def home(request: Request) -> Response:
    return await _page(request, guards.liaison(request).comuna_code)


async def submit_adhesion(request: Request) -> Response:
    who = guards.liaison(request)
    db = get_db(request)
    require(workflow.not_adhered(await queries.adhesion(db, who.comuna_code)))
    today = clock.today()
    form = await forms.adhesion_form(await read_form(request), today)
    if form.errors:
        return await _page(request, who.comuna_code, 422, adhesion=form)
    c = form.cleaned
    await workflow.adhere(db, who.user, who.comuna_code, mayor=c["mayor_name"], carta_date=c["carta_date"],
                          agreement=c["council_agreement"], carta=c["carta"], today=today)
    flash(request, _("Adhesión registrada. El siguiente paso es subir el plan de trabajo."))
    return see_other(HOME)


async def upload_work_plan(request: Request) -> Response:
    who = guards.liaison(request)
    db = get_db(request)
    require(workflow.adhered(await queries.adhesion(db, who.comuna_code)))
    form = await forms.work_plan_form(await read_form(request))
    if form.errors:
        return await _page(request, who.comuna_code, 422, plan=form)
    await workflow.upload_work_plan(db, who.user, who.comuna_code, form.cleaned["work_plan"], clock.today())
    flash(request, _("Plan de trabajo guardado."))
    return see_other(HOME)


async def log_case(request: Request) -> Response:
    who = guards.liaison(request)
    db = get_db(request)
    require(workflow.adhered(await queries.adhesion(db, who.comuna_code)))
    today = clock.today()
    form = forms.case_form(await read_form(request), today)
    if form.errors:
        return await _page(request, who.comuna_code, 422, case=form)
    topic, opened_on = form.cleaned["topic"], form.cleaned["opened_on"]
    async with atomic(db):
        case_id = await queries.add_case(db, who.comuna_code, topic, opened_on, who.user.id)
        await audit.record(db, actor=who.user, action="sello.case_logged", object_type="sello_case", object_id=case_id,
                           after={"comuna": who.comuna_code, "topic": topic, "opened_on": opened_on})
    flash(request, _("Caso registrado en la Casilla Sello Migrante."))
    return see_other(HOME + "#casilla")


async def close_case(request: Request) -> Response:
    who = guards.liaison(request)
    db = get_db(request)
    case_id = int_param(request, "case_id")
    case = guards.found(await queries.case(db, case_id))
    if case["comuna_code"] != who.comuna_code:
        raise guards.forbidden(_("Este caso pertenece a otra municipalidad."))
    await workflow.close_case(db, who.user, case_id, clock.today())
    flash(request, _("Caso cerrado."))
    return see_other(HOME + "#casilla")


# ----- evaluation request -----

async def _evaluation_page(request: Request, code: str, form: Form | None = None, status: int = 200,
                           problem: str | None = None) -> Response:
    db = get_db(request)
    adhesion = await queries.adhesion(db, code)
    permission = _permission(adhesion)
    context = {"comuna": await queries.comuna(db, code), "adhesion": adhesion, "permission": permission,
               "problem": problem, "areas": rules.AREAS, **_form_state(form),
               "opens_on": rules.revalidation_opens(adhesion.valid_until) if adhesion and adhesion.valid_until else None}
    return render(request, "sello/evaluation_request.html", context, status=status)


def _permission(adhesion: queries.Adhesion | None) -> rules.Permission:
    return rules.evaluation_request_permission(adhesion.status if adhesion else None,
                                               adhesion.valid_until if adhesion else None, clock.today())


async def evaluation_form(request: Request) -> Response:
    return await _evaluation_page(request, guards.liaison(request).comuna_code)


async def request_evaluation(request: Request) -> Response:
    who = guards.liaison(request)
    db = get_db(request)
    permission = _permission(await queries.adhesion(db, who.comuna_code))
    if not permission.allowed:
        return await _evaluation_page(request, who.comuna_code, status=422, problem=_(permission.reason))
    form = await forms.evaluation_request_form(await read_form(request))
    if form.errors:
        return await _evaluation_page(request, who.comuna_code, form, status=422)
    await workflow.request_evaluation(db, who.user, who.comuna_code, form.cleaned["reports"],
                                      form.cleaned["evidence"], clock.today())
    flash(request, _("Solicitud de evaluación enviada."))
    return see_other(HOME)
