"""Who may see a company's pages: its contacts (and, for files, Compromiso staff)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request

from portal import i18n
from portal.compromiso import queries
from portal.compromiso.queries import Company, Cycle
from portal.db import Database
from portal.security import CurrentUser, require_user
from portal.web import int_param

STAFF_ROLES = ("compromiso_evaluator",)


def _not_contact() -> HTTPException:
    return HTTPException(403, i18n.gettext(
        "Esta página es para los contactos de una organización adherida a Compromiso Migrante."))


async def require_contact(request: Request, db: Database) -> tuple[CurrentUser, Company]:
    """The signed-in contact and their company (403 for anyone else)."""
    user = require_user(request)
    company = await queries.company_for_user(db, user.id)
    if company is None:
        raise _not_contact()
    return user, company


async def own_cycle(request: Request, db: Database) -> tuple[CurrentUser, Company, Cycle]:
    """The cycle in the path, if it belongs to the contact's company: 404 if missing, 403 if not theirs."""
    user = require_user(request)
    cycle = await queries.get_cycle(db, int_param(request, "cycle_id"))
    if cycle is None:
        raise HTTPException(404)
    company = await queries.company_for_user(db, user.id)
    if company is None:
        raise _not_contact()
    if company.id != cycle.company_id:
        raise HTTPException(403, i18n.gettext("Este ciclo pertenece a otra organización."))
    return user, company, cycle


def is_compromiso_staff(user: CurrentUser) -> bool:
    return user.has_role(*STAFF_ROLES)
