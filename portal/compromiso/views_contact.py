"""Company contacts: the /mi-empresa home, the adhesion, invitations, file downloads
(docs/compromiso.md, Adhesion)."""

from __future__ import annotations

from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import Response

from portal import audit, clock, guards, i18n, tokens, uploads
from portal.compromiso import forms, notify, queries, rules
from portal.compromiso.queries import Company
from portal.db import Database
from portal.forms import Form
from portal.security import CurrentUser, read_form
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, get_settings, see_other
from portal.workflow import Conflict

INVITE_KIND = "compromiso"  # tokens.INVITE is shared by domains: the payload says whose invitation it is
STAFF_ROLES = ("compromiso_evaluator",)


def _rut_taken_message() -> str:
    return i18n.gettext("Ya existe una adhesión a Compromiso Migrante con este RUT. Si usted es parte de esa "
                        "organización, pida a su contacto o a SERMIG que lo invite.")


def _already_adhered() -> str:
    return i18n.gettext("Su organización ya adhirió a Compromiso Migrante.")


async def home(request: Request) -> Response:
    user = guards.signed_in(request)
    db = get_db(request)
    company = await queries.company_for_user(db, user.id)
    cycles = await queries.cycles_for_company(db, company.id) if company else []
    year = rules.open_year()
    return render(request, "compromiso/contact_home.html", {
        "company": company, "cycles": cycles, "open_year": year,
        "can_open": company is not None and company.adhered and all(c.year != year for c in cycles),
    })


async def territory_context(db: Database) -> dict[str, Any]:
    return {"regions": await queries.regions(db), "comuna_groups": await queries.comunas_by_region(db)}


async def check_territory(db: Database, form: Form) -> None:
    """The region must exist and the comuna belong to it."""
    region, comuna = form.cleaned.get("region_code"), form.cleaned.get("comuna_code")
    if region and "region_code" not in form.errors and region not in dict(await queries.regions(db)):
        form.errors.add("region_code", i18n.gettext("Elija una región de la lista."))
    if comuna and "comuna_code" not in form.errors:
        actual = await queries.comuna_region(db, comuna)
        if actual is None:
            form.errors.add("comuna_code", i18n.gettext("Elija una comuna de la lista."))
        elif region and actual != region:
            form.errors.add("comuna_code", i18n.gettext("La comuna elegida no pertenece a la región elegida."))


def _prefill(company: Company | None) -> dict[str, Any]:
    if company is None:
        return {}
    keys = forms.COMPANY_FIELDS + forms.CONTACT_FIELDS + rules.STAFF_FIELDS
    return {k: str(getattr(company, k)) for k in keys}


async def adhesion(request: Request) -> Response:
    """The adhesion form (a new company, or one SERMIG created and invited this contact to)."""
    user = guards.signed_in(request)
    db = get_db(request)
    company = await queries.company_for_user(db, user.id)
    if company is not None and company.adhered:
        flash(request, _already_adhered(), "warning")
        return see_other("/mi-empresa")
    context = {"company": company, **await territory_context(db)}
    if request.method == "GET":
        values = _prefill(company) or {"contact_name": user.name, "contact_email": user.email}
        return render(request, "compromiso/adhesion.html", {**context, "values": values, "errors": {}})
    form = await forms.adhesion_form(await read_form(request), ask_rut=company is None)
    rut = company.rut if company else form.cleaned.get("rut")
    await check_territory(db, form)
    if company is None and rut and "rut" not in form.errors and await queries.rut_taken(db, rut):
        form.errors.add("rut", _rut_taken_message())
    if form.errors or rut is None:
        return _adhesion_invalid(request, context, form)
    try:
        await _adhere(request, db, user, company, rut, form)
    except asyncpg.UniqueViolationError as exc:
        # a concurrent adhesion won the race; the UNIQUE constraint is the last word
        if exc.constraint_name == "compromiso_companies_rut_key":
            form.errors.add("rut", _rut_taken_message())
            return _adhesion_invalid(request, context, form)
        return see_other("/mi-empresa")
    flash(request, i18n.gettext("Adhesión registrada. Gracias por sumarse a Compromiso Migrante."))
    return see_other("/mi-empresa")


def _adhesion_invalid(request: Request, context: dict[str, Any], form: Form) -> Response:
    if "carta" not in form.errors:
        form.errors.add("carta", i18n.gettext("Vuelva a adjuntar la carta firmada (los archivos no se conservan "
                                              "cuando el formulario tiene errores)."))
    return render(request, "compromiso/adhesion.html",
                  {**context, "values": form.values, "errors": form.errors.fields}, status=422)


async def _adhere(request: Request, db: Database, user: CurrentUser, company: Company | None, rut: str,
                  form: Form) -> int:
    """Store the carta, the company (or complete an invited one), its first cycle, audit and email."""
    today, fields, upload = clock.today(), forms.company_values(form), form.cleaned["carta"]
    async with atomic(db):
        carta_id = await uploads.store(db, upload, user.id)
        if company is None:
            company_id = await queries.insert_company(db, rut, fields, user.id, carta_id, today)
            await queries.add_contact(db, company_id, user.id)
        else:
            company_id = company.id
            if not await queries.complete_adhesion(db, company_id, fields, carta_id, today):
                raise Conflict(_already_adhered(), page="/mi-empresa")  # another contact adhered meanwhile
        cycle_id, _created = await queries.ensure_cycle(db, company_id, rules.open_year())
        await audit.record(db, actor=user, action="compromiso.adhered", object_type="compromiso_company",
                           object_id=company_id, after={"rut": rut, "name": fields["name"], "kind": fields["kind"],
                                                        "carta_sha256": upload.sha256, "cycle": cycle_id})
        link = get_settings(request).base_url + "/mi-empresa"
        await notify.adhesion_received(db, await queries.contact_emails(db, company_id), fields["name"], link)
    return company_id


def _read_invitation(request: Request) -> dict[str, Any] | None:
    try:
        payload = tokens.read(str(get_settings(request).secret_key), tokens.INVITE, request.path_params["token"])
    except tokens.TokenError:
        return None
    if not isinstance(payload, dict) or payload.get("k") != INVITE_KIND:
        return None
    return payload


async def invitation(request: Request) -> Response:
    """An invited person becomes a contact of the company SERMIG registered."""
    user = guards.signed_in(request)
    db = get_db(request)
    payload = _read_invitation(request)
    company = await queries.get_company(db, int(payload["c"])) if payload else None
    if payload is None or company is None:
        return render(request, "compromiso/invitation.html", {"company": None}, status=400)
    if str(payload.get("e", "")).lower() != user.email.lower():
        raise guards.forbidden(i18n.gettext("Esta invitación fue enviada a otro correo. Ingrese con la cuenta "
                                            "de ese correo para aceptarla."))
    if await queries.company_id_for_user(db, user.id) is not None:
        flash(request, i18n.gettext("Su cuenta ya es contacto de una organización."), "warning")
        return see_other("/mi-empresa")
    if request.method == "GET":
        return render(request, "compromiso/invitation.html", {"company": company})
    try:
        async with atomic(db):
            await queries.add_contact(db, company.id, user.id)
            await audit.record(db, actor=user, action="compromiso.contact_added", object_type="compromiso_company",
                               object_id=company.id, after={"user_id": user.id, "via": "invitation"})
    except asyncpg.UniqueViolationError:
        pass  # accepted twice (double click): the first acceptance stands
    flash(request, i18n.gettext("Ahora es contacto de %(company)s.", company=company.name))
    return see_other("/mi-empresa")


async def download(request: Request) -> Response:
    """A carta or an evidence file, as an attachment: for the company's contacts and Compromiso staff;
    404 for anyone else (a file's existence is not revealed)."""
    user = guards.signed_in(request)
    db = get_db(request)
    file = await uploads.get(db, request.path_params.get("file_id", ""))
    owner = await queries.file_company(db, file.id) if file else None
    may_read = owner is not None and (user.has_role(*STAFF_ROLES) or user.company_id == owner)
    return uploads.serve_file(file, may_read)
