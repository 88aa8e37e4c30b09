"""Documents (upload, download) and the lifecycle of a registered organization: renewal,
category change, withdrawal (docs/registry.md, Documents and Workflow)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from portal import audit, clock, guards, i18n, uploads
import portal.elections_web.api as elections
from portal.registry import forms, model, queries, rules, workflow
from portal.registry.queries import Org
from portal.registry.views_public import labels
from portal.registry.views_rep import rep_org
from portal.security import read_form
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, int_param, see_other
from portal.workflow import require


async def _docs_page(request: Request, org: Org, values: dict[str, Any], errors: dict[str, str],
                     status: int = 200) -> Response:
    db = get_db(request)
    kinds = rules.uploadable_kinds(org)
    context = {"org": org, "docs": await queries.documents(db, org.id),
               "current": await queries.current_documents(db, org.id), "kinds": kinds,
               "doc_options": [(k, i18n.gettext(model.DOC_LABELS[k])) for k in kinds],
               "required": model.required_documents(org.pending_category or org.category),
               "values": values, "errors": errors, "max_age": model.VIGENCIA_MAX_AGE_DAYS, **labels()}
    return render(request, "registry/documents.html", context, status=status)


async def documents_page(request: Request) -> Response:
    """The organization's documents, and uploading a new one (which supersedes the old of its kind)."""
    rep, org = await rep_org(request)
    if request.method == "GET":
        return await _docs_page(request, org, {}, {})
    require(rules.may_upload(org))
    form, status = await forms.document_form(await read_form(request), rules.uploadable_kinds(org), clock.today())
    kind, issued = form.cleaned.get("kind"), form.cleaned["issued_on"]
    if form.errors or kind is None:
        return await _docs_page(request, org, form.values, form.errors.fields, status)
    db = get_db(request)
    async with atomic(db):
        doc_id = await queries.store_document(db, org_id=org.id, kind=kind, content=form.cleaned["content"],
                                              filename=form.cleaned["filename"], user_id=rep.user.id,
                                              issued_on=issued)
        await queries.add_event(db, org.id, "document_uploaded", actor=rep.user.id, details={"kind": kind})
        await audit.record(db, actor=rep.user, action="registry.document_uploaded", object_type="organization",
                           object_id=org.id, after={"kind": kind, "document_id": doc_id, "issued_on": issued})
    flash(request, i18n.gettext("Documento cargado: %(doc)s.", doc=i18n.gettext(model.DOC_LABELS[kind])))
    return see_other("/mi-organizacion/documentos")


async def download(request: Request) -> Response:
    """A document, only for the organization's representatives and registry staff (404 for others)."""
    user = guards.signed_in(request)
    db = get_db(request)
    doc = await queries.document(db, int_param(request, "doc_id"))
    may_read = doc is not None and (user.has_role("reviewer") or user.org_id == doc.org_id)
    file = await uploads.get(db, doc.file_id) if doc is not None and may_read else None
    return uploads.serve_file(file, may_read)


# ----- renewal, category change, withdrawal -----

def _renew_page(request: Request, org: Org, values: dict[str, Any], errors: dict[str, str],
                status: int = 200) -> Response:
    return render(request, "registry/renew.html", {"org": org, "values": values, "errors": errors,
                                                   "max_age": model.VIGENCIA_MAX_AGE_DAYS}, status=status)


async def renew(request: Request) -> Response:
    """A new certificado de vigencia sends the organization back to review (see workflow.request_renewal)."""
    rep, org = await rep_org(request)
    require(rules.registered(org))
    if request.method == "GET":
        return _renew_page(request, org, {}, {})
    form, status = await forms.renewal_form(await read_form(request), clock.today())
    if form.errors:
        return _renew_page(request, org, form.values, form.errors.fields, status)
    db = get_db(request)
    issued = form.cleaned["issued_on"]
    async with atomic(db):
        await queries.store_document(db, org_id=org.id, kind="vigencia", content=form.cleaned["content"],
                                     filename=form.cleaned["filename"], user_id=rep.user.id, issued_on=issued)
        await workflow.request_renewal(db, org, rep.user, issued)
    flash(request, i18n.gettext("Enviamos la renovación a revisión. Mientras tanto, su inscripción sigue publicada."))
    return see_other("/mi-organizacion")


async def change_category(request: Request) -> Response:
    """A registered organization asks to change category (not during an election: docs/elections.md)."""
    rep, org = await rep_org(request)
    require(rules.registered(org))
    db = get_db(request)
    check = await elections.category_change_check(db)
    context: dict[str, Any] = {"org": org, "values": {}, "errors": {}, "blocked": check.reason, **labels()}
    if request.method == "GET":
        return render(request, "registry/category.html", context)
    require(check, page="/mi-organizacion/categoria")
    form = forms.category_form(await read_form(request), org.category, await queries.current_documents(db, org.id))
    category = form.cleaned.get("category")
    if form.errors or category is None:
        context.update(values=form.values, errors=form.errors.fields)
        return render(request, "registry/category.html", context, status=422)
    async with atomic(db):
        await workflow.request_category_change(db, org, rep.user, category, form.cleaned["migrant_share"])
    flash(request, i18n.gettext("Enviamos el cambio de categoría a revisión."))
    return see_other("/mi-organizacion")


async def withdraw(request: Request) -> Response:
    """Withdrawal by the legal representative, after an explicit confirmation."""
    rep = guards.legal_representative(
        request, i18n.gettext("Solo la o el representante legal puede retirar la organización."))
    _, org = await rep_org(request)
    require(rules.may_withdraw(org))
    if request.method == "GET":
        return render(request, "registry/withdraw.html", {"org": org, "values": {}, "errors": {}})
    form = forms.withdrawal_form(await read_form(request))
    if form.errors:
        return render(request, "registry/withdraw.html", {"org": org, "values": form.values,
                                                          "errors": form.errors.fields}, status=422)
    db = get_db(request)
    async with atomic(db):
        await workflow.withdraw(db, org, rep.user, form.cleaned["reason"])
    flash(request, i18n.gettext("La organización fue retirada del registro."))
    return see_other("/mi-organizacion")
