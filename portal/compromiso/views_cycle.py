"""A company's yearly cycle: the annual report with evidence, and the application to recognition
(docs/compromiso.md, Annual report and Application)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from portal import audit, guards, i18n, uploads
from portal.compromiso import forms, notify, queries, rules, workflow
from portal.compromiso.queries import Company, Cycle
from portal.db import Database
from portal.guards import CompanyContact
from portal.security import read_form
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, get_settings, int_param, see_other
from portal.workflow import require


def cycle_url(cycle: Cycle) -> str:
    return f"/mi-empresa/ciclos/{cycle.id}"


def _other_company() -> str:
    return i18n.gettext("Este ciclo pertenece a otra organización.")


async def own_cycle(request: Request, db: Database) -> tuple[CompanyContact, Company, Cycle]:
    """The cycle in the path, if it belongs to the contact's company: 404 if missing, 403 if not theirs
    (the page's address says nothing a contact of another company does not know)."""
    guards.signed_in(request)
    cycle = guards.found(await queries.get_cycle(db, int_param(request, "cycle_id")))
    contact = guards.company_contact(request)
    if contact.company_id != cycle.company_id:
        raise guards.forbidden(_other_company())
    company = guards.found(await queries.get_company(db, contact.company_id))
    return contact, company, cycle


async def open_cycle(request: Request) -> Response:
    """Start the current year's cycle (the adhesion year's is created with the adhesion)."""
    contact = guards.company_contact(request)
    db = get_db(request)
    company = guards.found(await queries.get_company(db, contact.company_id))
    if not company.adhered:
        return see_other("/mi-empresa/adhesion")
    year = rules.open_year()
    async with atomic(db):
        cycle_id, created = await queries.ensure_cycle(db, company.id, year)
        if created:
            await audit.record(db, actor=contact.user, action="compromiso.cycle_opened",
                               object_type="compromiso_cycle", object_id=cycle_id,
                               after={"company": company.id, "year": year, "status": rules.ADHERED})
    return see_other(f"/mi-empresa/ciclos/{cycle_id}")


async def _context(db: Database, company: Company, cycle: Cycle) -> dict[str, Any]:
    evidence = await queries.evidence(db, cycle.id)
    return {
        "company": company, "cycle": cycle, "items": await queries.report_items(db, cycle.id),
        "evidence": {n: [e for e in evidence if e.commitment == n] for n in rules.COMMITMENTS},
        "scores": await queries.scores(db, cycle.id) if cycle.status in rules.DECIDED_STATES else {},
        "editable": workflow.report_editable(cycle).allowed,
        "can_apply": workflow.can_apply(cycle).allowed,
        "apply_check": workflow.can_apply(cycle),  # shown disabled with its reason until the report is sent
    }


def _values(items: dict[int, queries.ReportItem]) -> dict[str, str]:
    values = {}
    for n, item in items.items():
        values[f"actions_{n}"], values[f"indicators_{n}"] = item.actions, item.indicators
    return values


async def cycle_page(request: Request) -> Response:
    db = get_db(request)
    _contact, company, cycle = await own_cycle(request, db)
    context = await _context(db, company, cycle)
    return render(request, "compromiso/cycle.html", {**context, "values": _values(context["items"]), "errors": {}})


async def save_report(request: Request) -> Response:
    """Save the report as a draft, or submit it (adhered → report_submitted), with new evidence."""
    db = get_db(request)
    contact, company, cycle = await own_cycle(request, db)
    require(workflow.report_editable(cycle), page=cycle_url(cycle))
    form = await forms.report_form(await read_form(request))
    if form.errors:
        context = await _context(db, company, cycle)
        return render(request, "compromiso/cycle.html",
                      {**context, "values": form.values, "errors": form.errors.fields}, status=422)
    evidence: dict[int, list[uploads.CheckedFile]] = form.cleaned["evidence"]
    async with atomic(db):
        await queries.save_report_items(db, cycle.id, form.cleaned["items"])
        for n, batch in evidence.items():
            for upload in batch:
                await queries.add_evidence(db, cycle.id, n, await uploads.store(db, upload, contact.user.id))
        if form.cleaned["submitting"]:
            await workflow.submit_report(db, cycle, contact.user,
                                         evidence_added=sum(len(b) for b in evidence.values()))
            link = get_settings(request).base_url + cycle_url(cycle)
            await notify.report_submitted(db, await queries.contact_emails(db, company.id), company.name,
                                          cycle.year, link)
    flash(request, i18n.gettext("Informe enviado. Ya puede postular al reconocimiento.") if form.cleaned["submitting"]
          else i18n.gettext("Borrador guardado."))
    return see_other(cycle_url(cycle))


async def apply(request: Request) -> Response:
    """report_submitted → applied."""
    db = get_db(request)
    contact, company, cycle = await own_cycle(request, db)
    require(workflow.can_apply(cycle), page=cycle_url(cycle))
    async with atomic(db):
        await workflow.apply(db, cycle, contact.user)
        await notify.application_received(db, await queries.contact_emails(db, company.id), company.name, cycle.year)
    flash(request, i18n.gettext("Postulación enviada. Le avisaremos por correo el resultado."))
    return see_other(cycle_url(cycle))


async def delete_evidence(request: Request) -> Response:
    """Remove an evidence file while the report is a draft."""
    contact = guards.company_contact(request)
    db = get_db(request)
    item = guards.found(await queries.get_evidence(db, int_param(request, "evidence_id")))
    cycle = guards.found(await queries.get_cycle(db, item.cycle_id))  # evidence cascades with its cycle
    if cycle.company_id != contact.company_id:
        raise guards.forbidden(i18n.gettext("Este archivo pertenece a otra organización."))
    require(workflow.evidence_removable(cycle), page=cycle_url(cycle))
    async with atomic(db):
        await queries.delete_evidence(db, item)
        await audit.record(db, actor=contact.user, action="compromiso.evidence_removed",
                           object_type="compromiso_cycle", object_id=cycle.id,
                           before={"evidence": item.id, "filename": item.filename})
    flash(request, i18n.gettext("Archivo quitado: %(name)s", name=item.filename))
    return see_other(cycle_url(cycle))
