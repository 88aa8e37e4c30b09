"""The municipal liaison's area (/mi-municipalidad): adhesion, work plan, Casilla cases, evaluation request."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal import audit, i18n, mail
from portal.forms import Form
from portal.security import CurrentUser, read_form, require_user
from portal import uploads
from portal.sello import queries, rules
from portal.templating import flash, render
from portal.web import get_db, int_param, see_other

_ = i18n.gettext
HOME = "/mi-municipalidad"


class Conflict(Exception):
    """Raised inside a transaction to undo it and answer 409 with a message."""


async def require_liaison(request: Request) -> tuple[CurrentUser, str]:
    """The signed-in municipal liaison and their comuna code (403 for anyone else)."""
    user = require_user(request)
    code = await queries.liaison_comuna(get_db(request), user.id)
    if code is None:
        raise HTTPException(403, _("Esta página es para enlaces municipales del Sello Migrante."))
    return user, code


def _forms(**given: dict[str, Any]) -> dict[str, dict[str, Any]]:
    forms = {name: {"values": {}, "errors": {}} for name in ("adhesion", "plan", "case")}
    forms.update(given)
    return forms


async def _home_context(request: Request, code: str) -> dict[str, Any]:
    db = get_db(request)
    adhesion = await queries.adhesion(db, code)
    today = date.today()
    context: dict[str, Any] = {
        "comuna": await queries.comuna(db, code), "adhesion": adhesion, "today": today,
        "forms": _forms(), "topics": rules.CASE_TOPICS,
        "topic_options": [(k, _(v)) for k, v in rules.CASE_TOPICS.items()], "states": rules.DISPLAY_STATES, "problem": None,
    }
    if adhesion is not None:
        context.update(
            state=adhesion.state(today),
            permission=rules.evaluation_request_permission(adhesion.status, adhesion.valid_until, today),
            visits=await queries.visits(db, code), cases=await queries.recent_cases(db, code),
            case_counts=await queries.case_counts(db, code), evaluations=await queries.evaluations(db, code),
        )
    return context


async def _page(request: Request, code: str, status: int = 200, **extra: Any) -> Response:
    context = await _home_context(request, code)
    if "forms" in extra:
        context["forms"].update(extra.pop("forms"))
    context.update(extra)
    return render(request, "sello/liaison.html", context, status=status)


async def home(request: Request) -> Response:
    _user, code = await require_liaison(request)
    return await _page(request, code)


async def submit_adhesion(request: Request) -> Response:
    user, code = await require_liaison(request)
    db = get_db(request)
    if await queries.adhesion(db, code) is not None:
        return await _page(request, code, 409, problem=_("Esta municipalidad ya adhirió al Sello Migrante: solo hay una adhesión por comuna."))
    data = await read_form(request)
    form = Form(data)
    mayor = form.text("mayor_name", max_length=200)
    carta_date = form.date("carta_date", not_after=date.today(), not_before=date(2015, 1, 1))
    agreement = form.text("council_agreement", max_length=100)
    pdf, problem = await uploads.read_pdf(data.get("carta"))
    if problem:
        form.errors.add("carta", problem)
    if form.errors:
        return await _page(request, code, 422, forms={"adhesion": {"values": form.values, "errors": form.errors.fields}})
    assert pdf is not None and carta_date is not None
    try:
        async with db.transaction():
            file_id = await uploads.store(db, pdf, user.id)
            if not await queries.create_adhesion(db, code=code, mayor=mayor, carta_date=carta_date,
                                                 agreement=agreement, file_id=file_id, by=user.id):
                raise Conflict()
            await audit.record(db, actor=user, action="sello.adhered", object_type="sello_municipality", object_id=code,
                               after={"status": "adhered", "mayor": mayor, "carta_date": carta_date,
                                      "council_agreement": agreement, "file": file_id})
    except Conflict:
        return await _page(request, code, 409, problem=_("Esta municipalidad ya adhirió al Sello Migrante: solo hay una adhesión por comuna."))
    flash(request, _("Adhesión registrada. El siguiente paso es subir el plan de trabajo."))
    return see_other(HOME)


async def upload_work_plan(request: Request) -> Response:
    user, code = await require_liaison(request)
    db = get_db(request)
    if await queries.adhesion(db, code) is None:
        return await _page(request, code, 409, problem=_("Primero registre la adhesión con la carta compromiso."))
    data = await read_form(request)
    pdf, problem = await uploads.read_pdf(data.get("work_plan"))
    if problem or pdf is None:
        return await _page(request, code, 422, forms={"plan": {"values": {}, "errors": {"work_plan": problem}}})
    async with db.transaction():
        before = await queries.lock_adhesion(db, code)
        file_id = await uploads.store(db, pdf, user.id)
        await queries.set_work_plan(db, code, file_id)
        await audit.record(db, actor=user, action="sello.work_plan_uploaded", object_type="sello_municipality",
                           object_id=code, before={"status": before.status if before else None},
                           after={"status": "implementing" if before and before.status == "adhered" else
                                  (before.status if before else None), "file": file_id})
    flash(request, _("Plan de trabajo guardado."))
    return see_other(HOME)


async def log_case(request: Request) -> Response:
    user, code = await require_liaison(request)
    db = get_db(request)
    if await queries.adhesion(db, code) is None:
        return await _page(request, code, 409, problem=_("Primero registre la adhesión con la carta compromiso."))
    form = Form(await read_form(request))
    topic = form.choice("topic", rules.CASE_TOPICS)
    opened_on = form.date("opened_on", not_after=date.today(), not_before=date(2015, 1, 1))
    if form.errors:
        return await _page(request, code, 422, forms={"case": {"values": form.values, "errors": form.errors.fields}})
    async with db.transaction():
        case_id = await queries.add_case(db, code, topic or "other", opened_on or date.today(), user.id)
        await audit.record(db, actor=user, action="sello.case_logged", object_type="sello_case", object_id=case_id,
                           after={"comuna": code, "topic": topic, "opened_on": opened_on})
    flash(request, _("Caso registrado en la Casilla Sello Migrante."))
    return see_other(HOME + "#casilla")


async def close_case(request: Request) -> Response:
    user, code = await require_liaison(request)
    db = get_db(request)
    case_id = int_param(request, "case_id")
    case = await queries.case(db, case_id)
    if case is None:
        raise HTTPException(404)
    if case["comuna_code"] != code:
        raise HTTPException(403, _("Este caso pertenece a otra municipalidad."))
    async with db.transaction():
        if await queries.close_case(db, case_id):
            await audit.record(db, actor=user, action="sello.case_closed", object_type="sello_case",
                               object_id=case_id, before={"status": "open"}, after={"status": "closed"})
    flash(request, _("Caso cerrado."))
    return see_other(HOME + "#casilla")


# ----- evaluation request -----

def _area_forms(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {"values": values, "errors": errors, "areas": rules.AREAS}


async def evaluation_form(request: Request) -> Response:
    _user, code = await require_liaison(request)
    return await _evaluation_page(request, code, {}, {})


async def _evaluation_page(request: Request, code: str, values: dict[str, Any], errors: dict[str, str],
                           status: int = 200, problem: str | None = None) -> Response:
    db = get_db(request)
    adhesion = await queries.adhesion(db, code)
    permission = (rules.evaluation_request_permission(adhesion.status, adhesion.valid_until, date.today())
                  if adhesion else rules.Permission(False, reason=i18n.N_("Primero registre la adhesión con la carta compromiso.")))
    context = {"comuna": await queries.comuna(db, code), "adhesion": adhesion, "permission": permission,
               "problem": problem, "opens_on": rules.revalidation_opens(adhesion.valid_until)
               if adhesion and adhesion.valid_until else None, **_area_forms(values, errors)}
    return render(request, "sello/evaluation_request.html", context, status=status)


async def request_evaluation(request: Request) -> Response:
    user, code = await require_liaison(request)
    db = get_db(request)
    adhesion = await queries.adhesion(db, code)
    today = date.today()
    permission = (rules.evaluation_request_permission(adhesion.status, adhesion.valid_until, today)
                  if adhesion else rules.Permission(False, reason=i18n.N_("Primero registre la adhesión con la carta compromiso.")))
    if not permission.allowed:
        return await _evaluation_page(request, code, {}, {}, status=422, problem=_(permission.reason))
    data = await read_form(request)
    form = Form(data)
    reports: dict[int, str] = {}
    evidence: dict[int, list[uploads.CheckedFile]] = {}
    for area in rules.AREAS:
        reports[area] = form.text(f"report_{area}", max_length=10000)
        evidence[area] = []
        files = [f for f in data.getlist(f"evidence_{area}") if not isinstance(f, str) and getattr(f, "filename", "")]
        if not files:
            form.errors.add(f"evidence_{area}", _("Adjunte al menos un PDF de evidencia para esta área."))
        for upload in files:
            pdf, problem = await uploads.read_pdf(upload)
            if problem:
                form.errors.add(f"evidence_{area}", f"{upload.filename}: {problem}")
            elif pdf is not None:
                evidence[area].append(pdf)
    if form.errors:
        return await _evaluation_page(request, code, form.values, form.errors.fields, status=422)
    try:
        async with db.transaction():
            current = await queries.lock_adhesion(db, code)
            again = rules.evaluation_request_permission(current.status, current.valid_until, today) if current else None
            if again is None or not again.allowed:
                raise Conflict()
            eval_id = await queries.create_evaluation(db, code, again.kind, user.id, reports)
            for area, pdfs in evidence.items():
                for pdf in pdfs:
                    await queries.add_evidence(db, eval_id, area, await uploads.store(db, pdf, user.id))
            await queries.set_status(db, code, "evaluation_requested")
            await audit.record(db, actor=user, action="sello.evaluation_requested", object_type="sello_municipality",
                               object_id=code, before={"status": current.status},
                               after={"status": "evaluation_requested", "evaluation": eval_id, "kind": again.kind})
            await mail.queue(db, user.email, _("Sello Migrante: solicitud de evaluación recibida"),
                             _("Recibimos la solicitud de evaluación de %(m)s. El equipo Sello Migrante la revisará y le "
                               "avisará el resultado por correo.\n\nServicio Nacional de Migraciones",
                               m=queries.municipality_name(current.comuna_name)))
    except Conflict:
        return await _evaluation_page(request, code, form.values, {}, status=409,
                                      problem=_("El estado de la municipalidad cambió; recargue la página."))
    flash(request, _("Solicitud de evaluación enviada."))
    return see_other(HOME)
