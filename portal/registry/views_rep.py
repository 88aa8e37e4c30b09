"""The representative's area: register (draft), edit, status, submit, invite a co-representative."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from portal import audit, clock, guards, i18n, mail, rut, tokens
from portal.accounts import queries as accounts
from portal.claveunica import api as claveunica
from portal.db import Database
from portal.forms import Form
from portal.guards import Representative
from portal.registry import forms, model, queries, rules, territory as terr, workflow
from portal.registry.queries import Org
from portal.registry.views_public import labels, options
from portal.security import CurrentUser, read_form
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, get_settings, see_other
from portal.workflow import Conflict, require


# ----- guard -----

async def rep_org(request: Request) -> tuple[Representative, Org]:
    """The signed-in representative and their organization (403 for anyone else)."""
    rep = guards.representative(request)
    org = await queries.get_org(get_db(request), rep.org_id)
    if org is None:
        raise guards.forbidden(i18n.gettext("Esta página es para representantes de una organización."))
    return rep, org


# ----- the record form -----

async def _form_page(request: Request, org: Org | None, values: dict[str, Any], errors: dict[str, str],
                     status: int = 200) -> Response:
    territory = await terr.load(get_db(request))
    context = {"org": org, "values": values, "errors": errors, "territory": territory,
               "locked": org is not None and org.approved_at is not None,
               "comuna_options": territory.comuna_options(values.get("region_code")), **labels(), **options()}
    return render(request, "registry/org_form.html", context, status=status)


async def _new_record_values(db: Database, user: CurrentUser) -> dict[str, Any]:
    """The legal representative's name and RUN, from the account, to start the form."""
    person = await accounts.get_by_id(db, user.id)
    run = person.document_number if person and person.document_type == "run" else ""
    return {"legal_rep_name": user.name, "legal_rep_run": rut.display(run) if rut.is_valid(run) else ""}


async def register(request: Request) -> Response:
    """/mi-organizacion/inscribir: a person without an organization starts its registration."""
    user = guards.signed_in(request)
    if user.org_id is not None:
        return see_other("/mi-organizacion/editar")
    db = get_db(request)
    if request.method == "GET":
        return await _form_page(request, None, await _new_record_values(db, user), {})
    form = forms.record_form(await read_form(request), await terr.load(db))
    await _check_rut(db, form, None)
    if form.errors:
        return await _form_page(request, None, form.values, form.errors.fields, 422)
    try:
        async with atomic(db):
            org_id = await queries.create_org(db, form.cleaned, user.id)
            await queries.add_event(db, org_id, "created", actor=user.id)
            await audit.record(db, actor=user, action="registry.created", object_type="organization",
                               object_id=org_id, after={"rut": form.cleaned["rut"], "status": "draft"})
    except queries.DuplicateRut:
        form.errors.add("rut", _rut_taken_message())
        return await _form_page(request, None, form.values, form.errors.fields, 422)
    except queries.AlreadyRepresentative:
        raise Conflict(i18n.gettext("Su cuenta ya representa a una organización.")) from None
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
    rep, org = await rep_org(request)
    require(rules.may_edit(org))
    if request.method == "GET":
        return await _form_page(request, org, forms.record_values(org), {})
    db = get_db(request)
    locked = org.approved_at is not None
    form = forms.record_form(await read_form(request), await terr.load(db),
                             locked_category=org.category if locked else None)
    if not locked:
        await _check_rut(db, form, org.id)
    if form.errors:
        return await _form_page(request, org, {**form.values, "rut": org.rut if locked else form.values.get("rut")},
                                form.errors.fields, 422)
    try:
        async with atomic(db):
            identity_review = await _save_record(db, org, rep.user, form.cleaned)
    except queries.DuplicateRut:
        form.errors.add("rut", _rut_taken_message())
        return await _form_page(request, org, form.values, form.errors.fields, 422)
    flash(request, i18n.gettext("Datos guardados."))
    if identity_review:
        flash(request, i18n.gettext("El cambio de nombre quedó en revisión: el registro, la página pública y los "
                                    "certificados muestran el nombre aprobado hasta que el Servicio lo apruebe."))
    return see_other("/mi-organizacion")


async def _save_record(db: Database, org: Org, user: CurrentUser, cleaned: dict[str, Any]) -> bool:
    """Save an edit if the status has not changed since the form was shown (inside a transaction);
    True when a new name went to review."""
    current = await queries.get_org(db, org.id, for_update=True)
    if current is None or current.status != org.status:
        raise Conflict(i18n.gettext(rules.EDITED_MEANWHILE))
    record, new_identity = _split_identity(current, cleaned)
    await queries.update_record(db, org.id, record)
    await queries.add_event(db, org.id, "edited", actor=user.id)
    await audit.record(db, actor=user, action="registry.edited", object_type="organization",
                       object_id=org.id, before=forms.record_values(org), after=dict(record))
    if new_identity is not None:
        await _identity_change(db, current, user, *new_identity)
    return new_identity is not None


def _split_identity(org: Org, cleaned: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """The record to save at once, and a new public identity (legal and short name) that must wait
    for review: once an organization has been approved its names change only through staff review
    (docs/registry.md, Workflow: name change)."""
    if org.approved_at is None:
        return cleaned, None
    record = {k: v for k, v in cleaned.items() if k not in ("legal_name", "short_name")}
    wanted = (cleaned.get("legal_name") or org.legal_name, cleaned.get("short_name") or "")
    asked = (org.pending_legal_name, org.pending_short_name or "") if org.pending_legal_name else None
    if wanted == (org.legal_name, org.short_name) or wanted == asked:
        return record, None
    return record, wanted


async def _identity_change(db: Database, org: Org, user: CurrentUser, legal_name: str, short_name: str) -> None:
    """Approved: a name-change review starts. Observed in a name change: the corrected names wait."""
    if org.status == "approved":
        await workflow.request_identity_change(db, org, user, legal_name, short_name)
    elif org.status == "observed" and org.review_kind == "identity_change":
        await queries.set_pending_identity(db, org.id, legal_name, short_name)
    else:
        raise Conflict(i18n.gettext(rules.IDENTITY_DURING_REVIEW))


# ----- the representative's home -----

async def _home_context(request: Request, rep: Representative, org: Org) -> dict[str, Any]:
    db = get_db(request)
    current = await queries.current_documents(db, org.id)
    category = org.pending_category or org.category
    return {
        "org": org, "docs": current, "missing": rules.missing(category, current),
        "history": await queries.events(db, org.id), "reps": await queries.representatives(db, org.id),
        "acts": await claveunica.acts(db, org.id),  # who voted or nominated for it (docs/claveunica.md)
        "message": await queries.latest_message(db, org.id), "is_legal": rep.is_legal,
        "submit_errors": [], "invite_values": {}, "invite_errors": {},
        "required": model.required_documents(category), **labels(),
    }


async def home(request: Request) -> Response:
    """/mi-organizacion: the organization's status, documents, history and representatives."""
    if guards.signed_in(request).org_id is None:
        return see_other("/mi-organizacion/inscribir")
    rep, org = await rep_org(request)
    return render(request, "registry/my_org.html", await _home_context(request, rep, org))


async def submit(request: Request) -> Response:
    """Send the application (or its corrections) to review."""
    rep, org = await rep_org(request)
    db = get_db(request)
    require(rules.may_submit(org))
    problems = rules.submission_problems(org, await queries.current_documents(db, org.id), clock.today())
    if problems:
        context = await _home_context(request, rep, org)
        context["submit_errors"] = problems
        return render(request, "registry/my_org.html", context, status=422)
    async with atomic(db):
        await workflow.submit(db, org, rep.user)
    flash(request, i18n.gettext("Solicitud enviada. Le avisaremos por correo el resultado de la revisión."))
    return see_other("/mi-organizacion")


async def reopen(request: Request) -> Response:
    """After a rejection, the organization may correct its application and submit it again."""
    rep, org = await rep_org(request)
    db = get_db(request)
    async with atomic(db):
        await workflow.reopen(db, org, rep.user)
    flash(request, i18n.gettext("La solicitud volvió a borrador: corríjala y envíela de nuevo."))
    return see_other("/mi-organizacion")


# ----- inviting another representative -----

async def invite(request: Request) -> Response:
    """Email someone a link to become a representative of the organization."""
    rep, org = await rep_org(request)
    db = get_db(request)
    form = forms.invite_form(await read_form(request), await queries.representative_emails(db, org.id))
    if form.errors:
        context = await _home_context(request, rep, org)
        context.update(invite_values=form.values, invite_errors=form.errors.fields)
        return render(request, "registry/my_org.html", context, status=422)
    email = form.cleaned["email"]
    settings = get_settings(request)
    bound = {"r": form.cleaned["run"]} if form.cleaned.get("run") else {}  # docs/claveunica.md, Invitations
    token = tokens.make(str(settings.secret_key), tokens.INVITE, {"o": org.id, "e": email, "by": rep.user.id, **bound})
    link = settings.base_url + "/invitacion/" + token
    async with atomic(db):
        await mail.queue(db, email, i18n.gettext("Invitación a representar a %(name)s", name=org.legal_name),
                         i18n.gettext("%(who)s le invita a representar a «%(name)s» en Portal Participa.\n\n"
                                      "Para aceptar, ingrese (o cree una cuenta) con este mismo correo y abra este "
                                      "enlace, válido por 14 días:\n%(link)s\n\nServicio Nacional de Migraciones",
                                      who=rep.user.name, name=org.legal_name, link=link))
        await audit.record(db, actor=rep.user, action="registry.invited", object_type="organization",
                           object_id=org.id, after={"email": email})
    flash(request, i18n.gettext("Enviamos la invitación a %(email)s.", email=email))
    return see_other("/mi-organizacion")


async def _invited(request: Request) -> tuple[Org | None, str, dict[str, Any], bool]:
    """The invitation's organization (None when the token or the organization is no good), email,
    payload, and whether the token had only expired."""
    try:
        payload = tokens.read(str(get_settings(request).secret_key), tokens.INVITE, request.path_params["token"])
        org = await queries.get_org(get_db(request), int(payload["o"]))
        email = str(payload["e"])
    except (tokens.TokenError, KeyError, TypeError, ValueError) as exc:
        return None, "", {}, isinstance(exc, tokens.TokenError) and exc.expired
    if org is None or org.status in ("withdrawn", "rejected"):
        return None, "", {}, False
    return org, email, payload, False


def _invitation_problem(user: CurrentUser | None, email: str) -> str | None:
    if user is not None and user.email.lower() != email.lower():
        return i18n.gettext("Esta invitación es para %(email)s. Ingrese con esa cuenta.", email=email)
    if user is not None and user.org_id is not None:
        return i18n.gettext("Su cuenta ya representa a una organización: cada persona representa a una sola.")
    return None


async def _bound_problem(request: Request, user: CurrentUser | None, payload: dict[str, Any]) -> str | None:
    """An invitation bound to a RUN: only the account ClaveÚnica tied to that RUN may accept it, whatever its email."""
    if user is None:
        return None
    problem = await claveunica.invitation_problem(get_db(request), user.id, str(payload["r"]))
    return problem or _invitation_problem(user, user.email)


async def invitation(request: Request) -> Response:
    """Accepting an invitation: the signed-in person with the invited email joins the organization."""
    if request.method == "POST":
        guards.signed_in(request)
    org, email, payload, expired = await _invited(request)
    if org is None:
        return render(request, "accounts/token_invalid.html", {"expired": expired}, status=400)
    user = guards.current_user(request)
    problem = await _bound_problem(request, user, payload) if payload.get("r") else _invitation_problem(user, email)
    if request.method == "GET" or problem or user is None:
        return render(request, "registry/invitation.html",
                      {"org": org, "email": email, "problem": problem, "token": request.path_params["token"]},
                      status=409 if problem and request.method == "POST" else 200)
    db = get_db(request)
    async with atomic(db):
        if not await queries.add_representative(db, org.id, user.id):
            raise Conflict(i18n.gettext(
                "Su cuenta ya representa a una organización: cada persona representa a una sola."))
        await queries.add_event(db, org.id, "representative_added", actor=user.id, details={"by": payload.get("by")})
        await audit.record(db, actor=user, action="registry.representative_added", object_type="organization",
                           object_id=org.id, after={"user_id": user.id, "invited_by": payload.get("by")})
    flash(request, i18n.gettext("Ahora representa a %(name)s.", name=org.legal_name))
    return see_other("/mi-organizacion")
