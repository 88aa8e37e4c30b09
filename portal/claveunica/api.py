"""What other packages may call: the configured provider, the logout hop, and RUN facts for the
registry and the elections (docs/claveunica.md)."""

from __future__ import annotations

import httpx
from starlette.requests import Request

from portal import clock, i18n, rut
from portal.claveunica import fake, queries
from portal.claveunica.client import Endpoints, Provider, logout_url as provider_logout_url
from portal.claveunica.queries import Act, RepresentativeRun
from portal.db import Database
from portal.settings import Settings
from portal.web import get_settings

__all__ = ["Act", "RepresentativeRun", "acts", "available", "invitation_problem", "logout_url", "provider", "record_act",
           "record_check", "representatives", "verified_run"]
VIA = "via"  # session key: how the person signed in ("claveunica"), for the logout hop


def redirect_uri(settings: Settings) -> str:
    """CLAVEUNICA_REDIRECT_URI, else {PORTAL_BASE_URL}/ingresar/claveunica (no trailing slash)."""
    return (settings.claveunica_redirect_uri or settings.base_url + "/ingresar/claveunica").rstrip("/")


def available(settings: Settings) -> bool:
    """Whether the button shows: a client id is set, or the development stand-in is on."""
    return bool(settings.claveunica_client_id) or fake.enabled(settings)


def provider(settings: Settings) -> Provider | None:
    """ClaveÚnica as configured; the development stand-in when asked for and no client id is set; else None
    (and the button is not shown)."""
    if settings.claveunica_client_id:
        return Provider(settings.claveunica_client_id, str(settings.claveunica_client_secret),
                        redirect_uri(settings), Endpoints.under(settings.claveunica_base_url),
                        timeout=settings.claveunica_timeout)
    if fake.enabled(settings):
        stand_in = fake.instance(settings, redirect_uri(settings))
        return Provider(fake.CLIENT_ID, stand_in.client_secret, redirect_uri(settings),
                        Endpoints.under(settings.base_url + fake.PREFIX), timeout=settings.claveunica_timeout,
                        transport=httpx.ASGITransport(app=stand_in.app(fake.PREFIX)))
    return None


def logout_url(request: Request) -> str | None:
    """Where logout goes next when the person came through ClaveÚnica: its logout URL, which sends
    the browser back to the portal's home. Call before the session is cleared."""
    if request.session.get(VIA) != "claveunica":
        return None
    settings = get_settings(request)
    configured = provider(settings)
    if configured is None:
        return None
    return provider_logout_url(configured, settings.base_url + "/")


async def verified_run(db: Database, user_id: int) -> str | None:
    """The RUN ClaveÚnica vouched for on this account (normalised), if any."""
    identity = await queries.identity_of(db, user_id)
    return identity.run if identity else None


async def invitation_problem(db: Database, user_id: int, bound_run: str) -> str | None:
    """An invitation bound to a RUN may be accepted only by the account ClaveÚnica tied to that RUN."""
    run = await verified_run(db, user_id)
    if run is None:
        return i18n.gettext("Esta invitación es para una persona con RUN %(run)s: ingrese con ClaveÚnica para "
                            "aceptarla.", run=rut.display(bound_run))
    if run != bound_run:
        return i18n.gettext("Esta invitación es para otra persona (RUN %(run)s).", run=rut.display(bound_run))
    return None


async def representatives(db: Database, org_id: int) -> list[RepresentativeRun]:
    return await queries.representatives(db, org_id)


async def record_check(db: Database, org_id: int, user_id: int, staff_id: int) -> str | None:
    """Staff checked the representative's ClaveÚnica RUN against the directorio; the RUN, or None when
    the person is no representative of the organization or has no ClaveÚnica RUN."""
    run = await verified_run(db, user_id)
    if run is None or not await queries.record_check(db, org_id, user_id, run, staff_id):
        return None
    return run


async def record_act(db: Database, org_id: int, election_id: int, action: str, user_id: int) -> None:
    """Who voted or nominated for the organization (the day only; never anything about the ballot)."""
    await queries.record_act(db, org_id, election_id, action, user_id, clock.today())


async def acts(db: Database, org_id: int) -> list[Act]:
    return await queries.acts(db, org_id)
