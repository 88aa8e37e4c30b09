"""Back-office for sello_evaluator: queue, expiring certifications, per-municipality page, visits, liaisons."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal import audit, i18n, mail, passwords, tokens
from portal.accounts import queries as accounts
from portal.forms import Form
from portal.security import read_form, require_staff
from portal.sello import evaluation, queries, rules
from portal.templating import flash, render
from portal.web import get_db, get_settings, page_param, see_other

_ = i18n.gettext
ROLE = "sello_evaluator"
PER_PAGE = 50
INVITE_PURPOSE = "sello-invite"
INVITE_MAX_AGE = 14 * 24 * 3600
NOT_ADHERED = "none"
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


async def index(request: Request) -> Response:
    require_staff(request, ROLE)
    db = get_db(request)
    today = date.today()
    region = request.query_params.get("region") or None
    state = request.query_params.get("estado") or None
    region_list = await queries.regions(db)
    if region not in {r["code"] for r in region_list}:
        region = None
    if state not in rules.DISPLAY_STATES and state != NOT_ADHERED:
        state = None
    rows = await _municipality_rows(db, region, today)
    if state:
        rows = [r for r in rows if r["state"] == state]
    page = page_param(request)
    pages = max(1, -(-len(rows) // PER_PAGE))
    page = min(page, pages)
    context = {
        "queue": await queries.awaiting_evaluation(db),
        "expiring": await queries.expiring(db, today, today + timedelta(days=rules.REVALIDATION_WINDOW_DAYS)),
        "rows": rows[(page - 1) * PER_PAGE: page * PER_PAGE], "total": len(rows), "page": page, "pages": pages,
        "regions": region_list, "states": rules.DISPLAY_STATES, "errors": {},
        "region_options": [(r["code"], r["name"]) for r in region_list],
        "state_options": [(NOT_ADHERED, _("Sin adhesión"))] + [(k, _(v)) for k, v in rules.DISPLAY_STATES.items()], "values": {"region": region or "", "estado": state or ""},
        "base_query": "".join(f"{k}={v}&" for k, v in (("region", region), ("estado", state)) if v), "today": today,
    }
    return render(request, "sello/staff_index.html", context, partial="sello/_staff_rows.html")


async def _municipality_rows(db: Any, region: str | None, today: date) -> list[dict[str, Any]]:
    """Every comuna (adhered or not), north to south, with its derived state."""
    adhesions = {a.comuna_code: a for a in await queries.all_adhesions(db, region)}
    rows = []
    for c in await queries.comunas_by_region(db):
        if region and c["region_code"] != region:
            continue
        a = adhesions.get(c["code"])
        rows.append({"code": c["code"], "name": c["name"], "region_name": c["region_name"], "adhesion": a,
                     "state": a.state(today) if a else NOT_ADHERED})
    return rows


async def _comuna_or_404(request: Request) -> dict[str, Any]:
    code = str(request.path_params.get("comuna", ""))
    found = await queries.comuna(get_db(request), code) if code.isdigit() and len(code) == 5 else None
    if found is None:
        raise HTTPException(404)
    return found


async def _detail(request: Request, comuna: dict[str, Any], status: int = 200, **extra: Any) -> Response:
    db = get_db(request)
    code = comuna["code"]
    adhesion = await queries.adhesion(db, code)
    open_eval = await queries.open_evaluation(db, code)
    context: dict[str, Any] = {
        "comuna": comuna, "adhesion": adhesion, "today": date.today(), "states": rules.DISPLAY_STATES,
        "liaisons": await queries.liaisons(db, code), "visits": await queries.visits(db, code),
        "case_counts": await queries.case_counts(db, code), "evaluations": await queries.evaluations(db, code),
        "open_eval": open_eval, "areas": rules.AREAS, "ratings": rules.RATINGS,
        "rating_options": [(k, _(v)) for k, v in rules.RATINGS.items()],
        "action_labels": {k: _(v) for k, v in ACTION_LABELS.items()},
        "open_areas": await queries.evaluation_areas(db, open_eval["id"]) if open_eval else [],
        "history": await audit.history(db, "sello_municipality", code), "problem": None,
        "forms": {name: {"values": {}, "errors": {}} for name in ("visit", "liaison", "invite", "decision")},
    }
    context["forms"]["decision"]["values"] = {"resolution_date": date.today().isoformat()}
    if "forms" in extra:
        context["forms"].update(extra.pop("forms"))
    context.update(extra)
    return render(request, "sello/staff_detail.html", context, status=status)


async def detail(request: Request) -> Response:
    require_staff(request, ROLE)
    return await _detail(request, await _comuna_or_404(request))


async def add_visit(request: Request) -> Response:
    user = require_staff(request, ROLE)
    comuna = await _comuna_or_404(request)
    db = get_db(request)
    if await queries.adhesion(db, comuna["code"]) is None:
        return await _detail(request, comuna, 409, problem=_("Esta municipalidad no ha adherido al Sello Migrante."))
    form = Form(await read_form(request))
    visited_on = form.date("visited_on", not_after=date.today(), not_before=date(2015, 1, 1))
    staff_names = form.text("staff_names", max_length=300)
    notes = form.text("notes", required=False, max_length=4000)
    if form.errors:
        return await _detail(request, comuna, 422, forms={"visit": {"values": form.values, "errors": form.errors.fields}})
    async with db.transaction():
        visit_id = await queries.add_visit(db, comuna["code"], visited_on or date.today(), staff_names, notes, user.id)
        await audit.record(db, actor=user, action="sello.visit_recorded", object_type="sello_municipality",
                           object_id=comuna["code"], after={"visit": visit_id, "date": visited_on, "staff": staff_names})
    flash(request, _("Visita técnica registrada."))
    return see_other(f"/staff/sello/{comuna['code']}#visitas")


async def add_liaison(request: Request) -> Response:
    """Create a liaison account (or link an existing plain account) for this municipality."""
    user = require_staff(request, ROLE)
    comuna = await _comuna_or_404(request)
    db = get_db(request)
    form = Form(await read_form(request))
    name = form.text("liaison_name", max_length=200)
    email = form.email("liaison_email")
    existing = await accounts.get_by_email(db, email) if email and "liaison_email" not in form.errors else None
    if existing is not None and await queries.user_is_busy(db, existing.id):
        form.errors.add("liaison_email", _("Esa cuenta ya es enlace, representante o funcionario/a; use otro correo."))
    if form.errors:
        return await _detail(request, comuna, 422, forms={"liaison": {"values": form.values, "errors": form.errors.fields}})
    async with db.transaction():
        if existing is None:
            # a random password nobody knows: the liaison chooses theirs with the reset link
            user_id = await accounts.create_user(db, email=email, name=name, verified=True,
                                                 password_hash=passwords.hash_password(secrets.token_urlsafe(24)))
        else:
            user_id = existing.id
        await queries.add_liaison(db, user_id, comuna["code"], user.id)
        await audit.record(db, actor=user, action="sello.liaison_added", object_type="sello_municipality",
                           object_id=comuna["code"], after={"user": user_id, "email": email, "new_account": existing is None})
        await mail.queue(db, email, _("Sello Migrante: usted es enlace de %(m)s", m=queries.municipality_name(comuna["name"])),
                         _("Se le registró como enlace municipal del Sello Migrante de %(m)s en Portal Participa.\n\n"
                           "Ingrese en %(link)s. Si aún no tiene contraseña, use «¿Olvidó su contraseña?» en /ingresar.",
                           m=queries.municipality_name(comuna["name"]), link=get_settings(request).base_url + "/mi-municipalidad"))
    flash(request, _("Enlace municipal registrado: %(email)s", email=email))
    return see_other(f"/staff/sello/{comuna['code']}#enlaces")


async def invite_liaison(request: Request) -> Response:
    """Email a signed link with which the person creates their liaison account."""
    user = require_staff(request, ROLE)
    comuna = await _comuna_or_404(request)
    db = get_db(request)
    form = Form(await read_form(request))
    email = form.email("invite_email")
    if email and "invite_email" not in form.errors and await accounts.email_taken(db, email):
        form.errors.add("invite_email", _("Ya existe una cuenta con este correo: regístrela como enlace con el formulario anterior."))
    if form.errors:
        return await _detail(request, comuna, 422, forms={"invite": {"values": form.values, "errors": form.errors.fields}})
    settings = get_settings(request)
    token = tokens.make(str(settings.secret_key), INVITE_PURPOSE, {"c": comuna["code"], "e": email})
    async with db.transaction():
        await audit.record(db, actor=user, action="sello.liaison_invited", object_type="sello_municipality",
                           object_id=comuna["code"], after={"email": email})
        await mail.queue(db, email, _("Invitación: enlace municipal del Sello Migrante"),
                         _("Le invitamos a ser enlace municipal del Sello Migrante de %(m)s en Portal Participa.\n\n"
                           "Cree su cuenta con este enlace (válido por 14 días):\n%(link)s\n\nServicio Nacional de Migraciones",
                           m=queries.municipality_name(comuna["name"]),
                           link=f"{settings.base_url}/sello-migrante/invitacion/{token}"))
    flash(request, _("Invitación enviada a %(email)s.", email=email))
    return see_other(f"/staff/sello/{comuna['code']}#enlaces")


async def start_evaluation(request: Request) -> Response:
    user = require_staff(request, ROLE)
    comuna = await _comuna_or_404(request)
    problem = await evaluation.start(get_db(request), comuna["code"], user)
    if problem:
        return await _detail(request, comuna, 409, problem=problem)
    flash(request, _("Evaluación iniciada."))
    return see_other(f"/staff/sello/{comuna['code']}#evaluacion")


async def decide(request: Request) -> Response:
    user = require_staff(request, ROLE)
    comuna = await _comuna_or_404(request)
    db = get_db(request)
    form = Form(await read_form(request))
    ratings: dict[int, str] = {}
    comments: dict[int, str] = {}
    for area in rules.AREAS:
        rating = form.choice(f"rating_{area}", rules.RATINGS)
        comments[area] = form.text(f"comment_{area}", required=rating not in (None, "meets"), max_length=4000)
        if rating:
            ratings[area] = rating
    resolution = form.date("resolution_date", not_after=date.today(), not_before=date(2015, 1, 1))
    observations = form.text("observations", required=False, max_length=4000)
    if form.errors:
        return await _detail(request, comuna, 422, forms={"decision": {"values": form.values, "errors": form.errors.fields}})
    assert resolution is not None
    result = await evaluation.decide(db, comuna, user, ratings, comments, resolution, observations,
                                     get_settings(request).base_url)
    if result.problem:
        return await _detail(request, comuna, 409, problem=result.problem)
    flash(request, _("Municipalidad certificada. Certificado %(code)s emitido.", code=result.certificate_code)
          if result.certified else _("Evaluación registrada: no certificada; se enviaron las observaciones."))
    return see_other(f"/staff/sello/{comuna['code']}")
