"""Documents (upload, download) and the lifecycle of a registered organization: renewal,
category change, withdrawal."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal import audit, i18n, uploads
from portal.forms import Form
from portal.registry import documents, forms, model, queries, workflow
from portal.registry.queries import Org
from portal.registry.views_public import labels
from portal.registry.views_rep import conflict, rep_org
from portal.security import CurrentUser, read_form, require_user
from portal.templating import flash, render
from portal.web import get_db, int_param, not_found, see_other


def uploadable_kinds(org: Org) -> tuple[str, ...]:
    """Which documents may be uploaded now: all while editing; after registration the vigencia
    only through a renewal; nothing while staff review the application."""
    if org.status in model.EDITABLE:
        return model.DOC_KINDS
    if org.status == "approved":
        return tuple(k for k in model.DOC_KINDS if k != "vigencia")
    return ()


async def _read_upload(form: Form, today: date, kind: str | None) -> tuple[bytes | None, int]:
    """The uploaded PDF's bytes, or None with an error beside 'file' (and the HTTP status)."""
    upload = form.data.get("file")
    if not uploads.is_upload(upload):
        form.errors.add("file", i18n.gettext("Elija un archivo PDF."))
        return None, 422
    content = await upload.read(uploads.MAX_BYTES + 1)
    problem = uploads.pdf_problem(content)
    if problem:
        form.errors.add("file", problem)
        return None, 413 if len(content) > uploads.MAX_BYTES else 422
    form.cleaned["filename"] = upload.filename
    return content, 422


def _issued_on(form: Form, today: date) -> date | None:
    return form.date("issued_on", not_after=today, not_before=today - timedelta(days=model.VIGENCIA_MAX_AGE_DAYS))


async def _docs_page(request: Request, org: Org, values: dict[str, Any], errors: dict[str, str],
                     status: int = 200) -> Response:
    db = get_db(request)
    current = await documents.current(db, org.id)
    kinds = uploadable_kinds(org)
    context = {"org": org, "docs": await documents.for_org(db, org.id), "current": current, "kinds": kinds,
               "doc_options": [(k, i18n.gettext(model.DOC_LABELS[k])) for k in kinds], "required": model.required_documents(org.pending_category or org.category),
               "values": values, "errors": errors, "max_age": model.VIGENCIA_MAX_AGE_DAYS, **labels()}
    return render(request, "registry/documents.html", context, status=status)


async def documents_page(request: Request) -> Response:
    user, org = await rep_org(request)
    if request.method == "GET":
        return await _docs_page(request, org, {}, {})
    kinds = uploadable_kinds(org)
    if not kinds:
        raise conflict(i18n.gettext("Mientras la solicitud está en revisión no se pueden cambiar los documentos."))
    today = date.today()
    form = Form(await read_form(request))
    kind = form.choice("kind", kinds)
    issued = _issued_on(form, today) if kind == "vigencia" else None
    content, status = await _read_upload(form, today, kind)
    if form.errors or content is None or kind is None:
        return await _docs_page(request, org, form.values, form.errors.fields, status)
    db = get_db(request)
    async with db.transaction():
        doc_id = await documents.store(db, org_id=org.id, kind=kind, content=content,
                                       filename=form.cleaned["filename"], user_id=user.id, issued_on=issued)
        await queries.add_event(db, org.id, "document_uploaded", actor=user.id, details={"kind": kind})
        await audit.record(db, actor=user, action="registry.document_uploaded", object_type="organization",
                           object_id=org.id, after={"kind": kind, "document_id": doc_id, "issued_on": issued})
    flash(request, i18n.gettext("Documento cargado: %(doc)s.", doc=i18n.gettext(model.DOC_LABELS[kind])))
    return see_other("/mi-organizacion/documentos")


async def download(request: Request) -> Response:
    """A document, only for the organization's representatives and registry staff (404 for others)."""
    user = require_user(request)
    db = get_db(request)
    doc = await documents.get(db, int_param(request, "doc_id"))
    if doc is None or not (user.has_role("reviewer") or user.org_id == doc.org_id):
        raise not_found()
    stored = await documents.content(db, doc.id)
    if stored is None:
        raise not_found()
    return uploads.attachment(bytes(stored["content"]), stored["filename"])


# ----- renewal, category change, withdrawal -----

def _require_registered(org: Org) -> None:
    if org.status != "approved":
        raise conflict(i18n.gettext("Esta acción es para organizaciones inscritas sin otra solicitud en curso."))


async def renew(request: Request) -> Response:
    """A new certificado de vigencia sends the organization back to review (see workflow.request_review)."""
    user, org = await rep_org(request)
    _require_registered(org)
    if request.method == "GET":
        return render(request, "registry/renew.html", {"org": org, "values": {}, "errors": {},
                                                       "max_age": model.VIGENCIA_MAX_AGE_DAYS})
    today = date.today()
    form = Form(await read_form(request))
    issued = _issued_on(form, today)
    content, status = await _read_upload(form, today, "vigencia")
    if form.errors or content is None:
        return render(request, "registry/renew.html", {"org": org, "values": form.values, "errors": form.errors.fields,
                                                       "max_age": model.VIGENCIA_MAX_AGE_DAYS}, status=status)
    db = get_db(request)
    try:
        async with db.transaction():
            await documents.store(db, org_id=org.id, kind="vigencia", content=content,
                                  filename=form.cleaned["filename"], user_id=user.id, issued_on=issued)
            await workflow.request_review(db, org, user, "renewal", {"vigencia_issued_on": issued})
    except queries.InvalidTransition:
        raise conflict(i18n.gettext("Esta acción es para organizaciones inscritas sin otra solicitud en curso.")) from None
    flash(request, i18n.gettext("Enviamos la renovación a revisión. Mientras tanto, su inscripción sigue publicada."))
    return see_other("/mi-organizacion")


async def change_category(request: Request) -> Response:
    user, org = await rep_org(request)
    _require_registered(org)
    db = get_db(request)
    blocked = await queries.category_change_blocked(db)
    context: dict[str, Any] = {"org": org, "values": {}, "errors": {}, "blocked": blocked, **labels()}
    if request.method == "GET":
        return render(request, "registry/category.html", context)
    if blocked:
        return render(request, "registry/category.html", context, status=409)
    form = Form(await read_form(request))
    category = form.choice("category", [c for c in model.CATEGORIES if c != org.category])
    share = forms.migrant_share(form, "migrant_share") if category == "A" else None
    if category and not form.errors:
        # the common documents were reviewed at registration; the new category's own ones are needed
        common = model.required_documents("B")
        missing = [k for k in documents.missing(category, await documents.current(db, org.id)) if k not in common]
        if missing:
            form.errors.add("category", i18n.gettext(
                "Antes cargue en «Documentos»: %(docs)s.",
                docs=", ".join(i18n.gettext(model.DOC_LABELS[k]) for k in missing)))
    if form.errors or category is None:
        context.update(values=form.values, errors=form.errors.fields)
        return render(request, "registry/category.html", context, status=422)
    try:
        async with db.transaction():
            await workflow.request_review(db, org, user, "category_change",
                                          {"category": category, "migrant_share": share})
    except queries.InvalidTransition:
        raise conflict(i18n.gettext("Esta acción es para organizaciones inscritas sin otra solicitud en curso.")) from None
    flash(request, i18n.gettext("Enviamos el cambio de categoría a revisión."))
    return see_other("/mi-organizacion")


def _require_legal(user: CurrentUser) -> None:
    if not user.org_is_legal:
        raise HTTPException(403, i18n.gettext("Solo la o el representante legal puede retirar la organización."))


async def withdraw(request: Request) -> Response:
    """Withdrawal by the legal representative, after an explicit confirmation."""
    user, org = await rep_org(request)
    _require_legal(user)
    if org.status in ("withdrawn", "rejected"):
        raise conflict(i18n.gettext("La organización ya no está en el registro."))
    if request.method == "GET":
        return render(request, "registry/withdraw.html", {"org": org, "values": {}, "errors": {}})
    form = Form(await read_form(request))
    reason = form.text("reason", required=False, max_length=2000)
    if not form.boolean("confirm"):
        form.errors.add("confirm", i18n.gettext("Marque la casilla para confirmar el retiro."))
    if form.errors:
        return render(request, "registry/withdraw.html", {"org": org, "values": form.values,
                                                          "errors": form.errors.fields}, status=422)
    db = get_db(request)
    try:
        async with db.transaction():
            await workflow.withdraw(db, org, user, reason)
    except queries.InvalidTransition:
        raise conflict(i18n.gettext("La organización ya no está en el registro.")) from None
    flash(request, i18n.gettext("La organización fue retirada del registro."))
    return see_other("/mi-organizacion")
