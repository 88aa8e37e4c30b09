"""Back-office for compromiso_evaluator: the queue, evaluations, companies created by staff, invitations
(docs/compromiso.md, Evaluation)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import asyncpg
from starlette.requests import Request
from starlette.responses import Response

from portal import audit, clock, guards, i18n, tokens
from portal.certificates import service as certificates
from portal.compromiso import forms, notify, queries, rules, staff_queries, workflow
from portal.compromiso.queries import Company, Cycle
from portal.compromiso.views_contact import INVITE_KIND, check_territory, territory_context
from portal.db import Database
from portal.forms import Form
from portal.security import CurrentUser, read_form
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, get_settings, int_param, page_param, see_other
from portal.workflow import require

ROLE = "compromiso_evaluator"


def _filters(request: Request) -> dict[str, Any]:
    """The queue's GET filters; unknown values are ignored rather than refused."""
    q = request.query_params
    region = q.get("region", "")
    status = q.get("estado", "")
    year_raw = q.get("anio", "")
    return {
        "region": region if len(region) == 2 and region.isdigit() else "",
        "estado": status if status in rules.STATES else "",
        "anio": int(year_raw) if year_raw.isdigit() and 2015 <= int(year_raw) <= 2100 else None,
    }


async def queue(request: Request) -> Response:
    guards.staff(request, ROLE)
    db = get_db(request)
    filters = _filters(request)
    page = page_param(request)
    rows, total = await staff_queries.queue(db, region=filters["region"] or None, status=filters["estado"] or None,
                                            year=filters["anio"], page=page)
    base = {k: v for k, v in filters.items() if v}
    return render(request, "compromiso/staff_queue.html", {
        "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // staff_queries.PAGE_SIZE)),
        "base_query": urlencode(base) + "&" if base else "", "regions": await queries.regions(db),
        "years": await staff_queries.cycle_years(db),
        "values": {"region": filters["region"], "estado": filters["estado"], "anio": str(filters["anio"] or "")},
    }, partial="compromiso/_queue_rows.html")


def cycle_url(cycle: Cycle) -> str:
    return f"/staff/compromiso/ciclos/{cycle.id}"


async def _load(request: Request, db: Database) -> tuple[CurrentUser, Cycle, Company]:
    """The evaluator, the cycle in the path (404 if missing) and its company."""
    user = guards.staff(request, ROLE)
    cycle = guards.found(await queries.get_cycle(db, int_param(request, "cycle_id")))
    company = guards.found(await queries.get_company(db, cycle.company_id))  # cycles cascade with their company
    return user, cycle, company


async def _cycle_context(db: Database, cycle: Cycle, company: Company) -> dict[str, Any]:
    evidence = await queries.evidence(db, cycle.id)
    return {
        "cycle": cycle, "company": company, "items": await queries.report_items(db, cycle.id),
        "evidence": {n: [e for e in evidence if e.commitment == n] for n in rules.COMMITMENTS},
        "scores": await queries.scores(db, cycle.id), "contacts": await queries.contacts(db, company.id),
        "start_check": workflow.can_start(cycle),  # shown disabled with its reason until the cycle is applied
    }


def _score_values(scores: dict[int, queries.Score]) -> dict[str, str]:
    values = {}
    for n, s in scores.items():
        values[f"score_{n}"], values[f"comment_{n}"] = str(s.score), s.comment
    return values


async def cycle_page(request: Request) -> Response:
    db = get_db(request)
    _user, cycle, company = await _load(request, db)
    context = await _cycle_context(db, cycle, company)
    return render(request, "compromiso/staff_cycle.html",
                  {**context, "values": _score_values(context["scores"]), "errors": {}})


async def start(request: Request) -> Response:
    """applied → in_evaluation: the evaluator takes the application."""
    db = get_db(request)
    user, cycle, _company = await _load(request, db)
    require(workflow.can_start(cycle), page=cycle_url(cycle))
    await workflow.start_evaluation(db, cycle, user)
    flash(request, i18n.gettext("Evaluación iniciada."))
    return see_other(cycle_url(cycle))


async def evaluate(request: Request) -> Response:
    """Score the five commitments, decide, issue the certificate if recognized, audit and email."""
    db = get_db(request)
    user, cycle, company = await _load(request, db)
    require(workflow.can_decide(cycle), page=cycle_url(cycle))
    form = forms.score_form(await read_form(request))
    if form.errors:
        context = await _cycle_context(db, cycle, company)
        return render(request, "compromiso/staff_cycle.html",
                      {**context, "values": form.values, "errors": form.errors.fields}, status=422)
    scores: dict[int, tuple[int, str]] = form.cleaned["scores"]
    result = rules.decide({n: score for n, (score, _c) in scores.items()})
    await _record(request, db, user, cycle, company, scores, result)
    flash(request, i18n.gettext("Decisión registrada: %(result)s (%(total)s de 15).",
                                result=i18n.gettext(rules.STATE_LABELS[result.status]), total=result.total))
    return see_other(cycle_url(cycle))


async def _record(request: Request, db: Database, user: CurrentUser, cycle: Cycle, company: Company,
                  scores: dict[int, tuple[int, str]], result: rules.Decision) -> None:
    """Scores, the certificate (if recognized), the decision and the email, in one transaction."""
    async with atomic(db):
        await queries.save_scores(db, cycle.id, scores)
        code = None
        if result.recognized:
            valid_from, valid_until = rules.certificate_validity(cycle.year, clock.today())
            code = await certificates.issue(
                db, kind="compromiso", subject_type="company", subject_id=company.id, subject_name=company.name,
                title=f"Reconocida {cycle.year}", valid_from=valid_from, valid_until=valid_until, actor=user,
                details={"year": cycle.year, "total": result.total, "rut": company.rut})
        await workflow.decide(db, cycle, user, result, scores, code)
        link = get_settings(request).base_url + f"/certificados/{code}" if code else None
        await notify.decision(db, await queries.contact_emails(db, company.id), company.name, cycle.year, result, link)


# ----- companies created by staff, invitations -----

def _rut_taken(form: Form) -> None:
    form.errors.add("rut", i18n.gettext("Ya existe una organización con este RUT en Compromiso Migrante."))


async def new_company(request: Request) -> Response:
    """A company registered by staff, whose contact is invited to sign the carta."""
    user = guards.staff(request, ROLE)
    db = get_db(request)
    context = await territory_context(db)
    if request.method == "GET":
        return render(request, "compromiso/staff_company_new.html", {**context, "values": {}, "errors": {}})
    form = forms.company_form(await read_form(request))
    rut, email = form.cleaned.get("rut"), form.cleaned["invite_email"]
    await check_territory(db, form)
    if rut and "rut" not in form.errors and await queries.rut_taken(db, rut):
        _rut_taken(form)
    if form.errors or rut is None:
        return render(request, "compromiso/staff_company_new.html",
                      {**context, "values": form.values, "errors": form.errors.fields}, status=422)
    fields = forms.company_values(form)
    try:
        async with atomic(db):
            company_id = await queries.insert_company(db, rut, fields, user.id, None, None)
            await audit.record(db, actor=user, action="compromiso.company_created", object_type="compromiso_company",
                               object_id=company_id, after={"rut": rut, "name": fields["name"], "invited": email})
            await _invite(request, db, company_id, fields["name"], email)
    except asyncpg.UniqueViolationError:
        _rut_taken(form)
        return render(request, "compromiso/staff_company_new.html",
                      {**context, "values": form.values, "errors": form.errors.fields}, status=422)
    flash(request, i18n.gettext("Organización creada; invitación enviada a %(email)s.", email=email))
    return see_other(f"/staff/compromiso/organizaciones/{company_id}")


async def _invite(request: Request, db: Database, company_id: int, name: str, email: str) -> None:
    token = tokens.make(str(get_settings(request).secret_key), tokens.INVITE,
                        {"k": INVITE_KIND, "c": company_id, "e": email})
    await notify.invitation(db, email, name, get_settings(request).base_url + f"/mi-empresa/invitacion/{token}")


async def companies(request: Request) -> Response:
    guards.staff(request, ROLE)
    return render(request, "compromiso/staff_companies.html",
                  {"companies": await queries.companies_page(get_db(request))})


async def _company_context(db: Database, company: Company) -> dict[str, Any]:
    return {"company": company, "contacts": await queries.contacts(db, company.id),
            "cycles": await queries.cycles_for_company(db, company.id)}


async def company_page(request: Request) -> Response:
    guards.staff(request, ROLE)
    db = get_db(request)
    company = guards.found(await queries.get_company(db, int_param(request, "company_id")))
    return render(request, "compromiso/staff_company.html",
                  {**await _company_context(db, company), "values": {}, "errors": {}})


async def invite(request: Request) -> Response:
    """Invite another contact for the company."""
    user = guards.staff(request, ROLE)
    db = get_db(request)
    company = guards.found(await queries.get_company(db, int_param(request, "company_id")))
    form = forms.invite_form(await read_form(request))
    if form.errors:
        return render(request, "compromiso/staff_company.html",
                      {**await _company_context(db, company), "values": form.values, "errors": form.errors.fields},
                      status=422)
    email = form.cleaned["invite_email"]
    async with atomic(db):
        await audit.record(db, actor=user, action="compromiso.contact_invited", object_type="compromiso_company",
                           object_id=company.id, after={"email": email})
        await _invite(request, db, company.id, company.name, email)
    flash(request, i18n.gettext("Invitación enviada a %(email)s.", email=email))
    return see_other(f"/staff/compromiso/organizaciones/{company.id}")
