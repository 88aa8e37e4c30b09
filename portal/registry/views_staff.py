"""Staff review of the registry: the queue, the review page and the decisions."""

from __future__ import annotations

from typing import Any
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from portal import guards, i18n
from portal.claveunica import api as claveunica
from portal.registry import forms, model, queries, rules, territory as terr, workflow
from portal.registry.views_public import labels
from portal.security import read_form
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, int_param, page_param, see_other

QUEUE_VIEWS = {"pending": list(model.PENDING), **{s: [s] for s in model.STATUSES}}


async def queue(request: Request) -> Response:
    """The review queue, filtered by status, category and region."""
    guards.staff(request, "reviewer")
    db = get_db(request)
    territory = await terr.load(db)
    params = request.query_params
    status = params.get("status") if params.get("status") in QUEUE_VIEWS else "pending"
    category = params.get("category") if params.get("category") in model.CATEGORIES else ""
    region = params.get("region") if territory.region(params.get("region")) else ""
    page = page_param(request)
    rows, total = await queries.staff_queue(db, statuses=QUEUE_VIEWS[status or "pending"], category=category or None,
                                            region=region or None, page=page, page_size=model.PAGE_SIZE)
    filters = {"status": status, "category": category, "region": region}
    base_query = "".join(f"{k}={v}&" for k, v in filters.items() if v)
    return render(request, "registry/staff_queue.html",
                  {"rows": rows, "total": total, "filters": filters, "territory": territory, "page": page,
                   "pages": max(1, -(-total // model.PAGE_SIZE)), "base_query": base_query,
                   "queue_views": list(QUEUE_VIEWS), **labels()},
                  partial="registry/_staff_rows.html")


async def _review_context(request: Request, org: queries.Org, values: dict[str, Any] | None = None,
                          errors: dict[str, str] | None = None) -> dict[str, Any]:
    db = get_db(request)
    current = await queries.current_documents(db, org.id)
    return {"org": org, "docs": await queries.documents(db, org.id),
            "missing": rules.missing(org.pending_category or org.category, current),
            "history": await queries.events(db, org.id), "reps": await queries.representatives(db, org.id),
            "rep_runs": await claveunica.representatives(db, org.id),  # each RUN: ClaveÚnica, directorio check
            "approve_check": rules.may_approve(org, current),  # disabled with its reason when it would fail
            "values": values or {}, "errors": errors or {}, **labels()}


async def _load(request: Request) -> queries.Org:
    return guards.found(await queries.get_org(get_db(request), int_param(request, "id")))


async def review(request: Request) -> Response:
    """One application with its documents, history and the decision forms."""
    guards.staff(request, "reviewer")
    org = await _load(request)
    return render(request, "registry/staff_review.html", await _review_context(request, org))


async def _decide(request: Request, action: Callable[..., Awaitable[None]], done: str,
                  message_field: str | None = None) -> Response:
    """Guard, parse the required message, apply `action` in one transaction with its audit and emails."""
    user = guards.staff(request, "reviewer")
    org = await _load(request)
    db = get_db(request)
    args: list[Any] = []
    if message_field:
        form = forms.observation_form(await read_form(request), message_field)
        if form.errors:
            context = await _review_context(request, org, form.values, form.errors.fields)
            return render(request, "registry/staff_review.html", context, status=422)
        args.append(form.cleaned[message_field])
    async with atomic(db):
        locked = guards.found(await queries.get_org(db, org.id, for_update=True))
        await action(db, locked, user, *args)
    flash(request, i18n.gettext(done))
    return see_other(f"/staff/registro/{org.id}")


async def take(request: Request) -> Response:
    """A reviewer takes a submitted application."""
    return await _decide(request, workflow.take, i18n.N_("Tomó la solicitud para revisarla."))


async def approve(request: Request) -> Response:
    """Approve the registration, renewal or category change under review."""
    return await _decide(request, workflow.approve, i18n.N_("Solicitud aprobada. Se avisó a la organización."))


async def observe(request: Request) -> Response:
    """Send observations: the organization corrects and resubmits."""
    return await _decide(request, workflow.observe, i18n.N_("Observaciones enviadas a la organización."), "message")


async def reject(request: Request) -> Response:
    """Reject (a registration) or refuse (a renewal or category change), with a reason."""
    return await _decide(request, workflow.reject, i18n.N_("Solicitud rechazada. Se avisó a la organización."), "reason")
