"""A company's yearly cycle: the annual report with evidence, and the application to recognition."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal import audit, i18n
from portal.compromiso import files, forms, guards, notify, queries, rules
from portal.compromiso.queries import Company, Cycle
from portal.db import Database
from portal.forms import Form
from portal.security import read_form
from portal.templating import flash, render
from portal.web import get_db, get_settings, int_param, see_other


def cycle_url(cycle: Cycle) -> str:
    return f"/mi-empresa/ciclos/{cycle.id}"


async def open_cycle(request: Request) -> Response:
    """Start the current year's cycle (the adhesion year's is created with the adhesion)."""
    db = get_db(request)
    user, company = await guards.require_contact(request, db)
    if not company.adhered:
        return see_other("/mi-empresa/adhesion")
    year = rules.open_year()
    async with db.transaction():
        cycle_id, created = await queries.ensure_cycle(db, company.id, year)
        if created:
            await audit.record(db, actor=user, action="compromiso.cycle_opened", object_type="compromiso_cycle",
                               object_id=cycle_id, after={"company": company.id, "year": year, "status": "adhered"})
    return see_other(f"/mi-empresa/ciclos/{cycle_id}")


async def _context(db: Database, company: Company, cycle: Cycle) -> dict[str, Any]:
    evidence = await queries.evidence(db, cycle.id)
    decided = cycle.status in ("recognized", "not_recognized")
    return {
        "company": company, "cycle": cycle, "items": await queries.report_items(db, cycle.id),
        "evidence": {n: [e for e in evidence if e.commitment == n] for n in rules.COMMITMENTS},
        "scores": await queries.scores(db, cycle.id) if decided else {},
        "editable": cycle.status == "adhered" and cycle.year == rules.open_year(),
        "can_apply": cycle.status == "report_submitted" and cycle.year == rules.open_year(),
        "refusal": None,
    }


def _values(items: dict[int, queries.ReportItem]) -> dict[str, str]:
    values = {}
    for n, item in items.items():
        values[f"actions_{n}"], values[f"indicators_{n}"] = item.actions, item.indicators
    return values


async def cycle_page(request: Request) -> Response:
    db = get_db(request)
    _user, company, cycle = await guards.own_cycle(request, db)
    context = await _context(db, company, cycle)
    return render(request, "compromiso/cycle.html", {**context, "values": _values(context["items"]), "errors": {}})


async def _refuse(request: Request, db: Database, company: Company, cycle: Cycle, message: str,
                  status: int = 409) -> Response:
    context = await _context(db, company, cycle)
    return render(request, "compromiso/cycle.html",
                  {**context, "values": _values(context["items"]), "errors": {}, "refusal": message}, status=status)


async def _read_evidence(form: Form) -> dict[int, list[files.CheckedFile]]:
    """New evidence files per commitment; a message beside the field for any that is not a PDF."""
    uploads: dict[int, list[files.CheckedFile]] = {}
    for n in rules.COMMITMENTS:
        raw = form.data.getlist(f"evidence_{n}") if hasattr(form.data, "getlist") else []
        for value in raw:
            if not files.is_upload(value):
                continue
            upload, problem = await files.read_pdf(value)
            if problem:
                form.errors.add(f"evidence_{n}", problem)
            elif upload:
                uploads.setdefault(n, []).append(upload)
    return uploads


async def save_report(request: Request) -> Response:
    db = get_db(request)
    user, company, cycle = await guards.own_cycle(request, db)
    if cycle.status != "adhered" or cycle.year != rules.open_year():
        return await _refuse(request, db, company, cycle, i18n.gettext(
            "Este informe ya fue enviado o corresponde a un año cerrado, y no se puede modificar."))
    form = Form(await read_form(request))
    submitting = form.data.get("action") == "submit"
    items = forms.report_fields(form, submitting)
    uploads = await _read_evidence(form)
    if form.errors:
        context = await _context(db, company, cycle)
        return render(request, "compromiso/cycle.html",
                      {**context, "values": form.values, "errors": form.errors.fields}, status=422)
    async with db.transaction():
        await queries.save_report_items(db, cycle.id, items)
        for n, batch in uploads.items():
            for upload in batch:
                file_id = await files.store(db, upload, user.id)
                await queries.add_evidence(db, cycle.id, n, file_id)
        if submitting:
            if not await queries.transition(db, cycle.id, "adhered", "report_submitted"):
                raise HTTPException(409)
            await audit.record(db, actor=user, action="compromiso.report_submitted", object_type="compromiso_cycle",
                               object_id=cycle.id, before={"status": "adhered"},
                               after={"status": "report_submitted", "year": cycle.year,
                                      "evidence_added": sum(len(b) for b in uploads.values())})
            link = get_settings(request).base_url + cycle_url(cycle)
            await notify.report_submitted(db, await queries.contact_emails(db, company.id), company.name,
                                          cycle.year, link)
    flash(request, i18n.gettext("Informe enviado. Ya puede postular al reconocimiento.") if submitting
          else i18n.gettext("Borrador guardado."))
    return see_other(cycle_url(cycle))


async def apply(request: Request) -> Response:
    db = get_db(request)
    user, company, cycle = await guards.own_cycle(request, db)
    if cycle.year != rules.open_year():
        return await _refuse(request, db, company, cycle, i18n.gettext(
            "Solo se puede postular al reconocimiento del año en curso (%(year)s).", year=rules.open_year()))
    if cycle.status == "adhered":
        return await _refuse(request, db, company, cycle, i18n.gettext(
            "Para postular al reconocimiento %(year)s primero envíe el informe anual de ese año.", year=cycle.year))
    if cycle.status != "report_submitted":
        return await _refuse(request, db, company, cycle, i18n.gettext(
            "Su organización ya postuló al reconocimiento %(year)s.", year=cycle.year))
    async with db.transaction():
        if not await queries.transition(db, cycle.id, "report_submitted", "applied"):
            raise HTTPException(409)
        await audit.record(db, actor=user, action="compromiso.applied", object_type="compromiso_cycle",
                           object_id=cycle.id, before={"status": "report_submitted"},
                           after={"status": "applied", "year": cycle.year})
        await notify.application_received(db, await queries.contact_emails(db, company.id), company.name, cycle.year)
    flash(request, i18n.gettext("Postulación enviada. Le avisaremos por correo el resultado."))
    return see_other(cycle_url(cycle))


async def delete_evidence(request: Request) -> Response:
    db = get_db(request)
    user, company = await guards.require_contact(request, db)
    item = await queries.get_evidence(db, int_param(request, "evidence_id"))
    if item is None:
        raise HTTPException(404)
    cycle = await queries.get_cycle(db, item.cycle_id)
    assert cycle is not None  # evidence cannot outlive its cycle (ON DELETE CASCADE)
    if cycle.company_id != company.id:
        raise HTTPException(403, i18n.gettext("Este archivo pertenece a otra organización."))
    if cycle.status != "adhered":
        return await _refuse(request, db, company, cycle, i18n.gettext(
            "El informe ya fue enviado: sus medios de verificación no se pueden quitar."))
    async with db.transaction():
        await queries.delete_evidence(db, item)
        await audit.record(db, actor=user, action="compromiso.evidence_removed", object_type="compromiso_cycle",
                           object_id=cycle.id, before={"evidence": item.id, "filename": item.filename})
    flash(request, i18n.gettext("Archivo quitado: %(name)s", name=item.filename))
    return see_other(cycle_url(cycle))
