"""Staff review of the registry: the queue, the review page and the decisions."""

from __future__ import annotations

from typing import Any
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal import i18n
from portal.registry import documents, forms, model, queries, territory as terr, workflow
from portal.registry.views_public import labels
from portal.security import read_form, require_staff
from portal.templating import flash, render
from portal.web import get_db, int_param, not_found, page_param, see_other

QUEUE_VIEWS = {"pending": list(model.PENDING), **{s: [s] for s in model.STATUSES}}


async def queue(request: Request) -> Response:
    require_staff(request, "reviewer")
    db = get_db(request)
    territory = await terr.load(db)
    params = request.query_params
    status = params.get("status") if params.get("status") in QUEUE_VIEWS else "pending"
    category = params.get("category") if params.get("category") in model.CATEGORIES else ""
    region = params.get("region") if territory.region(params.get("region")) else ""
    page = page_param(request)
    rows, total = await queries.staff_queue(db, statuses=QUEUE_VIEWS[status], category=category or None,
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
    return {"org": org, "docs": await documents.for_org(db, org.id),
            "missing": documents.missing(org.pending_category or org.category, await documents.current(db, org.id)),
            "history": await queries.events(db, org.id), "reps": await queries.representatives(db, org.id),
            "values": values or {}, "errors": errors or {}, **labels()}


async def _load(request: Request) -> queries.Org:
    org = await queries.get_org(get_db(request), int_param(request, "id"))
    if org is None:
        raise not_found()
    return org


async def review(request: Request) -> Response:
    require_staff(request, "reviewer")
    org = await _load(request)
    return render(request, "registry/staff_review.html", await _review_context(request, org))


def _refused(org: queries.Org) -> HTTPException:
    return HTTPException(409, i18n.gettext(
        "No se puede hacer esto con una solicitud en estado «%(status)s».",
        status=i18n.gettext(model.STATUS_LABELS[org.status])))


async def _decide(request: Request, action: Callable[..., Awaitable[None]], done: str,
                  message_field: str | None = None) -> Response:
    """Guard, parse the required message, apply `action` in one transaction with its audit and emails."""
    user = require_staff(request, "reviewer")
    org = await _load(request)
    db = get_db(request)
    args: list[Any] = []
    if message_field:
        form = forms.parse_observation(await read_form(request), message_field)
        if form.errors:
            context = await _review_context(request, org, form.values, form.errors.fields)
            return render(request, "registry/staff_review.html", context, status=422)
        args.append(form.cleaned[message_field])
    try:
        async with db.transaction():
            locked = await queries.get_org(db, org.id, for_update=True)
            assert locked is not None
            await action(db, locked, user, *args)
    except queries.InvalidTransition:
        raise _refused(org) from None
    flash(request, i18n.gettext(done))
    return see_other(f"/staff/registro/{org.id}")


async def take(request: Request) -> Response:
    return await _decide(request, workflow.take, model.N_("Tomó la solicitud para revisarla."))


async def approve(request: Request) -> Response:
    return await _decide(request, workflow.approve, model.N_("Solicitud aprobada. Se avisó a la organización."))


async def observe(request: Request) -> Response:
    return await _decide(request, workflow.observe, model.N_("Observaciones enviadas a la organización."), "message")


async def reject(request: Request) -> Response:
    return await _decide(request, workflow.reject, model.N_("Solicitud rechazada. Se avisó a la organización."), "reason")
