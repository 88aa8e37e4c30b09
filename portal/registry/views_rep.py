"""The representative's area: register (draft), edit, status, submit, invite a co-representative."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal import audit, i18n, mail, rut, tokens
from portal.accounts import queries as accounts
from portal.db import Database
from portal.forms import Form
from portal.registry import documents, forms, model, queries, territory as terr, workflow
from portal.registry.queries import Org
from portal.registry.views_public import labels, options
from portal.security import CurrentUser, current_user, read_form, require_org, require_user
from portal.templating import flash, render
from portal.web import get_db, get_settings, see_other


async def rep_org(request: Request) -> tuple[CurrentUser, Org]:
    """The signed-in representative and their organization (403 for anyone else)."""
    user = require_org(request)
    org = await queries.get_org(get_db(request), user.org_id)  # type: ignore[arg-type]
    if org is None:
        raise HTTPException(403)
    return user, org


def conflict(message: str) -> HTTPException:
    return HTTPException(409, message)


# ----- the record form -----

async def _form_page(request: Request, org: Org | None, values: dict[str, Any], errors: dict[str, str],
                     status: int = 200) -> Response:
    territory = await terr.load(get_db(request))
    context = {"org": org, "values": values, "errors": errors, "territory": territory,
               "locked": org is not None and org.approved_at is not None,
               "comuna_options": territory.comuna_options(values.get("region_code")), **labels(), **options()}
    return render(request, "registry/org_form.html", context, status=status)


async def register(request: Request) -> Response:
    """/mi-organizacion/inscribir: a person without an organization starts its registration."""
    user = require_user(request)
    if user.org_id is not None:
        return see_other("/mi-organizacion/editar")
    db = get_db(request)
    if request.method == "GET":
        person = await accounts.get_by_id(db, user.id)
        run = person.document_number if person and person.document_type == "run" else ""
        values = {"legal_rep_name": user.name, "legal_rep_run": rut.display(run) if rut.is_valid(run) else ""}
        return await _form_page(request, None, values, {})
    form = forms.parse_org(await read_form(request), await terr.load(db))
    await _check_rut(db, form, None)
    if form.errors:
        return await _form_page(request, None, form.values, form.errors.fields, 422)
    try:
        async with db.transaction():
            org_id = await queries.create_org(db, form.cleaned, user.id)
            await queries.add_event(db, org_id, "created", actor=user.id)
            await audit.record(db, actor=user, action="registry.created", object_type="organization",
                               object_id=org_id, after={"rut": form.cleaned["rut"], "status": "draft"})
    except queries.DuplicateRut:
        form.errors.add("rut", _rut_taken_message())
        return await _form_page(request, None, form.values, form.errors.fields, 422)
    except queries.AlreadyRepresentative:
        raise conflict(i18n.gettext("Su cuenta ya representa a una organización.")) from None
    flash(request, i18n.gettext("Guardamos el borrador. Ahora cargue los documentos y envíe la solicitud."))
    return see_other("/mi-organizacion")


def _rut_taken_message() -> str:
    return i18n.gettext("Ya hay una organización inscrita o en trámite con este RUT. Si es la suya, pida a su "
                        "representante que lo invite desde «Mi organización».")


async def _check_rut(db: Database, form: Form, org_id: int | None) -> None:
    value = form.cleaned.get("rut")
    if value and "rut" not in form.errors and await queries.rut_taken(db, value, org_id):
        form.errors.add("rut", _rut_taken_message())


async def edit(request: Request) -> Response:
    """Resume a draft, fix an observed application, or update a registered record."""
    user, org = await rep_org(request)
    if org.status not in ("draft", "observed", "approved"):
        raise conflict(i18n.gettext("La solicitud está en revisión o cerrada: por ahora no se puede editar."))
    if request.method == "GET":
        return await _form_page(request, org, forms.record_values(org), {})
    db = get_db(request)
    locked = org.approved_at is not None
    form = forms.parse_org(await read_form(request), await terr.load(db),
                           locked_category=org.category if locked else None)
    if not locked:
        await _check_rut(db, form, org.id)
    if form.errors:
        return await _form_page(request, org, {**form.values, "rut": org.rut if locked else form.values.get("rut")},
                                form.errors.fields, 422)
    try:
        async with db.transaction():
            current = await queries.get_org(db, org.id, for_update=True)
            if current is None or current.status != org.status:
                raise queries.InvalidTransition("edit")
            await queries.update_record(db, org.id, form.cleaned)
            await queries.add_event(db, org.id, "edited", actor=user.id)
            await audit.record(db, actor=user, action="registry.edited", object_type="organization",
                               object_id=org.id, before=forms.record_values(org),
                               after={k: v for k, v in form.cleaned.items()})
    except queries.DuplicateRut:
        form.errors.add("rut", _rut_taken_message())
        return await _form_page(request, org, form.values, form.errors.fields, 422)
    except queries.InvalidTransition:
        raise conflict(i18n.gettext("El estado de la solicitud cambió mientras editaba. Recargue la página.")) from None
    flash(request, i18n.gettext("Datos guardados."))
    return see_other("/mi-organizacion")


# ----- the representative's home -----

async def _home_context(request: Request, user: CurrentUser, org: Org) -> dict[str, Any]:
    db = get_db(request)
    current = await documents.current(db, org.id)
    category = org.pending_category or org.category
    return {
        "org": org, "docs": current, "missing": documents.missing(category, current),
        "history": await queries.events(db, org.id), "reps": await queries.representatives(db, org.id),
        "message": await queries.latest_message(db, org.id), "is_legal": user.org_is_legal,
        "submit_errors": [], "invite_values": {}, "invite_errors": {},
        "required": model.required_documents(category), **labels(),
    }


async def home(request: Request) -> Response:
    user = require_user(request)
    if user.org_id is None:
        return see_other("/mi-organizacion/inscribir")
    user, org = await rep_org(request)
    return render(request, "registry/my_org.html", await _home_context(request, user, org))


def submission_problems(org: Org, docs: dict[str, documents.Document], today: date) -> list[str]:
    """Why this application cannot be submitted yet (empty when it can)."""
    problems = [i18n.gettext("Falta el documento: %(doc)s.", doc=i18n.gettext(model.DOC_LABELS[k]))
                for k in documents.missing(org.pending_category or org.category, docs)]
    vigencia = docs.get("vigencia")
    if vigencia and org.review_kind != "category_change" and not model.vigencia_recent(vigencia.issued_on, today):
        problems.append(i18n.gettext(
            "El certificado de vigencia debe haber sido emitido dentro de los últimos %(n)s días: cargue uno nuevo.",
            n=model.VIGENCIA_MAX_AGE_DAYS))
    return problems


async def submit(request: Request) -> Response:
    user, org = await rep_org(request)
    db = get_db(request)
    if org.status not in model.EDITABLE:
        raise conflict(i18n.gettext("Esta solicitud ya fue enviada o está cerrada."))
    problems = submission_problems(org, await documents.current(db, org.id), date.today())
    if problems:
        context = await _home_context(request, user, org)
        context["submit_errors"] = problems
        return render(request, "registry/my_org.html", context, status=422)
    try:
        async with db.transaction():
            await workflow.submit(db, org, user, date.today())
    except queries.InvalidTransition:
        raise conflict(i18n.gettext("Esta solicitud ya fue enviada o está cerrada.")) from None
    flash(request, i18n.gettext("Solicitud enviada. Le avisaremos por correo el resultado de la revisión."))
    return see_other("/mi-organizacion")


async def reopen(request: Request) -> Response:
    """After a rejection, the organization may correct its application and submit it again."""
    user, org = await rep_org(request)
    db = get_db(request)
    try:
        async with db.transaction():
            await workflow.reopen(db, org, user)
    except queries.InvalidTransition:
        raise conflict(i18n.gettext("Solo una solicitud rechazada se puede volver a preparar.")) from None
    flash(request, i18n.gettext("La solicitud volvió a borrador: corríjala y envíela de nuevo."))
    return see_other("/mi-organizacion")


# ----- inviting another representative -----

async def invite(request: Request) -> Response:
    user, org = await rep_org(request)
    db = get_db(request)
    form = Form(await read_form(request))
    email = form.email("email")
    if email and "email" not in form.errors and email in [e.lower() for e in await queries.representative_emails(db, org.id)]:
        form.errors.add("email", i18n.gettext("Esa persona ya representa a su organización."))
    if form.errors:
        context = await _home_context(request, user, org)
        context.update(invite_values=form.values, invite_errors=form.errors.fields)
        return render(request, "registry/my_org.html", context, status=422)
    settings = get_settings(request)
    token = tokens.make(str(settings.secret_key), tokens.INVITE, {"o": org.id, "e": email, "by": user.id})
    link = settings.base_url + "/invitacion/" + token
    async with db.transaction():
        await mail.queue(db, email, i18n.gettext("Invitación a representar a %(name)s", name=org.legal_name),
                         i18n.gettext("%(who)s le invita a representar a «%(name)s» en Portal Participa.\n\n"
                                      "Para aceptar, ingrese (o cree una cuenta) con este mismo correo y abra este "
                                      "enlace, válido por 14 días:\n%(link)s\n\nServicio Nacional de Migraciones",
                                      who=user.name, name=org.legal_name, link=link))
        await audit.record(db, actor=user, action="registry.invited", object_type="organization",
                           object_id=org.id, after={"email": email})
    flash(request, i18n.gettext("Enviamos la invitación a %(email)s.", email=email))
    return see_other("/mi-organizacion")


async def invitation(request: Request) -> Response:
    """Accepting an invitation: the signed-in person with the invited email joins the organization."""
    db = get_db(request)
    if request.method == "POST":
        require_user(request)
    try:
        payload = tokens.read(str(get_settings(request).secret_key), tokens.INVITE, request.path_params["token"])
        org = await queries.get_org(db, int(payload["o"]))
        email = str(payload["e"])
    except (tokens.TokenError, KeyError, TypeError, ValueError) as exc:
        expired = isinstance(exc, tokens.TokenError) and exc.expired
        return render(request, "accounts/token_invalid.html", {"expired": expired}, status=400)
    if org is None or org.status in ("withdrawn", "rejected"):
        return render(request, "accounts/token_invalid.html", {"expired": False}, status=400)
    user = current_user(request)
    problem = None
    if user is not None and user.email.lower() != email.lower():
        problem = i18n.gettext("Esta invitación es para %(email)s. Ingrese con esa cuenta.", email=email)
    elif user is not None and user.org_id is not None:
        problem = i18n.gettext("Su cuenta ya representa a una organización: cada persona representa a una sola.")
    if request.method == "GET" or problem:
        return render(request, "registry/invitation.html",
                      {"org": org, "email": email, "problem": problem, "token": request.path_params["token"]},
                      status=409 if problem and request.method == "POST" else 200)
    assert user is not None
    async with db.transaction():
        if not await queries.add_representative(db, org.id, user.id):
            raise conflict(i18n.gettext("Su cuenta ya representa a una organización: cada persona representa a una sola."))
        await queries.add_event(db, org.id, "representative_added", actor=user.id, details={"by": payload.get("by")})
        await audit.record(db, actor=user, action="registry.representative_added", object_type="organization",
                           object_id=org.id, after={"user_id": user.id, "invited_by": payload.get("by")})
    flash(request, i18n.gettext("Ahora representa a %(name)s.", name=org.legal_name))
    return see_other("/mi-organizacion")
