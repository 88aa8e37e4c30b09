"""Who may act: one guard per kind of person and per object, returning narrowed types.

Every view starts with a guard. Person guards answer "who is asking": a `Representative` always has
an `org_id`, a `Liaison` a `comuna_code`, a `CompanyContact` a `company_id`, so code after the guard
never checks for None. Object guards (`found`, `readable`) answer 404 for what is missing and for
what the person may not see, so existence never leaks; 403 is kept for pages whose existence is
public but whose action is not theirs (a staff page, another role's step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from starlette.exceptions import HTTPException
from starlette.requests import Request

from portal import i18n
from portal.security import STAFF_ROLES, CurrentUser, LoginRequired, login_url

T = TypeVar("T")


@dataclass(frozen=True)
class Representative:
    """A signed-in representative of an organization."""

    user: CurrentUser
    org_id: int
    is_legal: bool


@dataclass(frozen=True)
class Liaison:
    """A signed-in municipal liaison (Sello Migrante) and their comuna."""

    user: CurrentUser
    comuna_code: str


@dataclass(frozen=True)
class CompanyContact:
    """A signed-in contact of a company, institution or guild (Compromiso Migrante)."""

    user: CurrentUser
    company_id: int


def current_user(request: Request) -> CurrentUser | None:
    """The signed-in person, or None."""
    user: CurrentUser | None = request.scope.get("state", {}).get("user")
    return user


def signed_in(request: Request) -> CurrentUser:
    """Anyone signed in (else a redirect to the sign-in page, coming back here)."""
    user = current_user(request)
    if user is None:
        raise LoginRequired(_next_path(request))
    return user


def staff(request: Request, *roles: str) -> CurrentUser:
    """A staff member holding one of `roles` (any staff role when none given; admin always)."""
    user = signed_in(request)
    if not user.is_staff or (roles and not user.has_role(*roles)):
        raise forbidden(i18n.gettext("Su cuenta no tiene permiso para esta página."))
    return user


def representative(request: Request) -> Representative:
    """A representative of some organization."""
    user = signed_in(request)
    if user.org_id is None:
        raise forbidden(i18n.gettext("Esta página es para representantes de una organización."))
    return Representative(user, user.org_id, user.org_is_legal)


def legal_representative(request: Request, message: str) -> Representative:
    """The organization's legal representative (`message` says why others may not)."""
    rep = representative(request)
    if not rep.is_legal:
        raise forbidden(message)
    return rep


def liaison(request: Request) -> Liaison:
    """A municipal liaison of the Sello Migrante."""
    user = signed_in(request)
    if user.comuna_code is None:
        raise forbidden(i18n.gettext("Esta página es para enlaces municipales del Sello Migrante."))
    return Liaison(user, user.comuna_code)


def company_contact(request: Request) -> CompanyContact:
    """A contact of an organization adhered to Compromiso Migrante."""
    user = signed_in(request)
    if user.company_id is None:
        raise forbidden(i18n.gettext(
            "Esta página es para los contactos de una organización adherida a Compromiso Migrante."))
    return CompanyContact(user, user.company_id)


def found(value: T | None) -> T:
    """The object, or 404 when there is none."""
    if value is None:
        raise not_found()
    return value


def readable(value: T | None, may_read: bool) -> T:
    """The object when it exists and this person may see it; 404 otherwise (never 403: existence
    of what one may not read is not revealed)."""
    if value is None or not may_read:
        raise not_found()
    return value


def not_found() -> HTTPException:
    return HTTPException(404)


def forbidden(message: str) -> HTTPException:
    return HTTPException(403, message)


def _next_path(request: Request) -> str:
    path = request.url.path
    return path + ("?" + request.url.query if request.url.query else "")


__all__ = [
    "STAFF_ROLES",
    "CompanyContact",
    "Liaison",
    "LoginRequired",
    "Representative",
    "company_contact",
    "current_user",
    "forbidden",
    "found",
    "legal_representative",
    "liaison",
    "login_url",
    "not_found",
    "readable",
    "representative",
    "signed_in",
    "staff",
]
