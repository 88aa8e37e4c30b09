"""Back-office for sello_evaluator: queue, expiring certifications, per-municipality page, visits,
liaisons, invitations, starting and deciding an evaluation (portal.sello.workflow)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from portal import audit, clock, guards, i18n, mail, passwords, tokens
from portal.accounts import queries as accounts
from portal.db import Database
from portal.forms import Form
from portal.security import CurrentUser, read_form
from portal.sello import forms, queries, rules, workflow
from portal.sello.rules import EVALUATOR
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, get_settings, page_param, see_other
from portal.workflow import require

_ = i18n.gettext
PER_PAGE = 50
NOT_ADHERED = "none"
DETAIL_FORMS = ("visit", "liaison", "invite", "decision")
ACTION_LABELS = {
    "sello.adhered": i18n.N_("Adhesión registrada"),
    "sello.work_plan_uploaded": i18n.N_("Plan de trabajo subido"),
    "sello.visit_recorded": i18n.N_("Visita técnica registrada"),
    "sello.liaison_added": i18n.N_("Enlace municipal registrado"),
    "sello.liaison_invited": i18n.N_("Enlace municipal invitado"),
    "sello.liaison_joined": i18n.N_("Enlace municipal creó su cuenta"),
    "sello.evaluation_requested": i18n.N_("Evaluación solicitada"),
    "sello.evaluation_started": i18n.N_("Evaluación iniciada"),
    "sello.evaluation_decided": i18n.N_("Evaluación resuelta"),
    "sello.certification_withdrawn": i18n.N_("Certificación retirada (certificado revocado)"),
}


def _filters(request: Request, region_list: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The region and state asked for, when they are among the known ones."""
    region = request.query_params.get("region") or None
    state = request.query_params.get("estado") or None
    if region not in {r["code"] for r in region_list}:
        region = None
    if state not in rules.DISPLAY_STATES and state != NOT_ADHERED:
        state = None
    return region, state


async def index(request: Request) -> Response:
    guards.staff(request, EVALUATOR)
    db = get_db(request)
    today = clock.today()
    region_list = await queries.regions(db)
    region, state = _filters(request, region_list)
    rows = [r for r in await _municipality_rows(db, region, today) if not state or r["state"] == state]
    pages = max(1, -(-len(rows) // PER_PAGE))
    page = min(page_param(request), pages)
    context = {
        "queue": await queries.awaiting_evaluation(db),
        "expiring": await queries.expiring(db, today, today + timedelta(days=rules.REVALIDATION_WINDOW_DAYS)),
        "rows": rows[(page - 1) * PER_PAGE: page * PER_PAGE], "total": len(rows), "page": page, "pages": pages,
        "regions": region_list, "states": rules.DISPLAY_STATES, "errors": {},
        "region_options": [(r["code"], r["name"]) for r in region_list],
        "state_options": [(NOT_ADHERED, _("Sin adhesión"))] + [(k, _(v)) for k, v in rules.DISPLAY_STATES.items()],
        "values": {"region": region or "", "estado": state or ""},
        "base_query": "".join(f"{k}={v}&" for k, v in (("region", region), ("estado", state)) if v), "today": today,
    }
    return render(request, "sello/staff_index.html", context, partial="sello/_staff_rows.html")


async def _municipality_rows(db: Database, region: str | None, today: date) -> list[dict[str, Any]]:
    """Every comuna (adhered or not), north to south, with its derived state."""
    adhesions = {a.comuna_code: a for a in await queries.all_adhesions(db, region)}
    rows = []
    for c in await queries.comunas_by_region(db, region):
        a = adhesions.get(c["code"])
        rows.append({"code": c["code"], "name": c["name"], "region_name": c["region_name"], "adhesion": a,
                     "state": a.state(today) if a else NOT_ADHERED})
    return rows


async def _comuna(request: Request) -> tuple[CurrentUser, dict[str, Any]]:
    """The evaluator and the comuna of the path (404 when there is none): the guard of a municipality's pages."""
    user = guards.staff(request, EVALUATOR)
    code = str(request.path_params.get("comuna", ""))
    found = await queries.comuna(get_db(request), code) if code.isdigit() and len(code) == 5 else None
    return user, guards.found(found)


def _form_state(form: Form | None = None) -> dict[str, Any]:
    return {"values": form.values if form else {}, "errors": form.errors.fields if form else {}}


async def _detail(request: Request, comuna: dict[str, Any], status: int = 200, **invalid: Form) -> Response:
    """The municipality's page; `invalid` forms (by name) come back with the user's values and errors."""
    db = get_db(request)
    code = comuna["code"]
    open_eval = await queries.open_evaluation(db, code)
    context: dict[str, Any] = {
        "comuna": comuna, "adhesion": await queries.adhesion(db, code), "today": clock.today(),
        "states": rules.DISPLAY_STATES, "liaisons": await queries.liaisons(db, code),
        "visits": await queries.visits(db, code), "case_counts": await queries.case_counts(db, code),
        "evaluations": await queries.evaluations(db, code), "open_eval": open_eval, "areas": rules.AREAS,
        "ratings": rules.RATINGS, "rating_options": [(k, _(v)) for k, v in rules.RATINGS.items()],
        "action_labels": {k: _(v) for k, v in ACTION_LABELS.items()},
        "open_areas": await queries.evaluation_areas(db, open_eval["id"]) if open_eval else [],
        "history": await audit.history(db, "sello_municipality", code),
        "forms": {name: _form_state() for name in DETAIL_FORMS},
    }
    # what would be refused is shown disabled with its reason (docs/architecture.md, say why before the click)
    context["visit_check"] = workflow.adhered(context["adhesion"], staff=True)
    context["start_check"] = workflow.evaluation_startable(open_eval)
    context["forms"]["decision"]["values"] = {"resolution_date": clock.today().isoformat()}
    context["forms"].update({name: _form_state(form) for name, form in invalid.items()})
    return render(request, "sello/staff_detail.html", context, status=status)


async def detail(request: Request) -> Response:
    _user, comuna = await _comuna(request)
    return await _detail(request, comuna)


async def add_visit(request: Request) -> Response:
    user, comuna = await _comuna(request)
    db = get_db(request)
    require(workflow.adhered(await queries.adhesion(db, comuna["code"]), staff=True))
    form = forms.visit_form(await read_form(request), clock.today())
    if form.errors:
        return await _detail(request, comuna, 422, visit=form)
    visited_on, staff_names = form.cleaned["visited_on"], form.cleaned["staff_names"]
    async with atomic(db):
        visit_id = await queries.add_visit(db, comuna["code"], visited_on, staff_names, form.cleaned["notes"], user.id)
        await audit.record(db, actor=user, action="sello.visit_recorded", object_type="sello_municipality",
                           object_id=comuna["code"], after={"visit": visit_id, "date": visited_on, "staff": staff_names})
    flash(request, _("Visita técnica registrada."))
    return see_other(f"/staff/sello/{comuna['code']}#visitas")


async def add_liaison(request: Request) -> Response:
    """Create a liaison account (or link an existing plain account) for this municipality."""
    user, comuna = await _comuna(request)
    db = get_db(request)
    form = forms.liaison_form(await read_form(request))
    email = form.cleaned["liaison_email"]
    existing = await accounts.get_by_email(db, email) if email and "liaison_email" not in form.errors else None
    if existing is not None and await queries.user_is_busy(db, existing.id):
        form.errors.add("liaison_email", _("Esa cuenta ya es enlace, representante o funcionario/a; use otro correo."))
    if form.errors:
        return await _detail(request, comuna, 422, liaison=form)
    m = queries.municipality_name(comuna["name"])
    async with atomic(db):
        # a new account gets a random password nobody knows: the liaison chooses theirs with the reset link
        user_id = existing.id if existing is not None else await accounts.create_user(
            db, email=email, name=form.cleaned["liaison_name"], verified=True,
            password_hash=passwords.hash_password(secrets.token_urlsafe(24)))
        await queries.add_liaison(db, user_id, comuna["code"], user.id)
        await audit.record(db, actor=user, action="sello.liaison_added", object_type="sello_municipality",
                           object_id=comuna["code"], after={"user": user_id, "email": email, "new_account": existing is None})
        await mail.queue(db, email, _("Sello Migrante: usted es enlace de %(m)s", m=m),
                         _("Se le registró como enlace municipal del Sello Migrante de %(m)s en Portal Participa.\n\n"
                           "Ingrese en %(link)s. Si aún no tiene contraseña, use «¿Olvidó su contraseña?» en /ingresar.",
                           m=m, link=get_settings(request).base_url + "/mi-municipalidad"))
    flash(request, _("Enlace municipal registrado: %(email)s", email=email))
    return see_other(f"/staff/sello/{comuna['code']}#enlaces")


async def invite_liaison(request: Request) -> Response:
    """Email a signed link with which the person creates their liaison account."""
    user, comuna = await _comuna(request)
    db = get_db(request)
    form = forms.invite_form(await read_form(request))
    email = form.cleaned["invite_email"]
    if email and "invite_email" not in form.errors and await accounts.email_taken(db, email):
        form.errors.add("invite_email",
                        _("Ya existe una cuenta con este correo: regístrela como enlace con el formulario anterior."))
    if form.errors:
        return await _detail(request, comuna, 422, invite=form)
    settings = get_settings(request)
    token = tokens.make(str(settings.secret_key), rules.INVITE_PURPOSE, {"c": comuna["code"], "e": email})
    link = f"{settings.base_url}/sello-migrante/invitacion/{token}"
    async with atomic(db):
        await audit.record(db, actor=user, action="sello.liaison_invited", object_type="sello_municipality",
                           object_id=comuna["code"], after={"email": email})
        await mail.queue(db, email, _("Invitación: enlace municipal del Sello Migrante"),
                         _("Le invitamos a ser enlace municipal del Sello Migrante de %(m)s en Portal Participa.\n\n"
                           "Cree su cuenta con este enlace (válido por 14 días):\n%(link)s\n\nServicio Nacional de Migraciones",
                           m=queries.municipality_name(comuna["name"]), link=link))
    flash(request, _("Invitación enviada a %(email)s.", email=email))
    return see_other(f"/staff/sello/{comuna['code']}#enlaces")


async def start_evaluation(request: Request) -> Response:
    user, comuna = await _comuna(request)
    await workflow.start_evaluation(get_db(request), user, comuna["code"])
    flash(request, _("Evaluación iniciada."))
    return see_other(f"/staff/sello/{comuna['code']}#evaluacion")


async def decide(request: Request) -> Response:
    user, comuna = await _comuna(request)
    form = forms.decision_form(await read_form(request), clock.today())
    if form.errors:
        return await _detail(request, comuna, 422, decision=form)
    c = form.cleaned
    result = await workflow.decide(get_db(request), user, comuna["code"], ratings=c["ratings"], comments=c["comments"],
                                   resolution=c["resolution_date"], observations=c["observations"],
                                   base_url=get_settings(request).base_url)
    flash(request, _("Municipalidad certificada. Certificado %(code)s emitido.", code=result.certificate_code)
          if result.certified else _("Evaluación registrada: no certificada; se enviaron las observaciones."))
    return see_other(f"/staff/sello/{comuna['code']}")
