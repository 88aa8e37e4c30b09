"""ClaveÚnica pages: the button, the return, linking an account, and the development stand-in
(docs/claveunica.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal import audit, guards, i18n, passwords, rut
from portal.accounts import queries as accounts
from portal.claveunica import api, client, fake, forms, queries, signin
from portal.claveunica.client import Failure, Provider
from portal.security import read_form
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, get_settings, int_param, see_other
from portal.workflow import Conflict

LINK_MAX_FAILURES, LINK_WINDOW_MINUTES = 5, 15


def _provider(request: Request) -> Provider:
    configured = api.provider(get_settings(request))
    if configured is None:
        raise HTTPException(404)  # no client id: the button is hidden and these routes do not exist
    return configured


def _ip(request: Request) -> str:
    return request.client.host if request.client else ""


async def start(request: Request) -> Response:
    """POST /ingresar/claveunica (the button): a fresh state in this browser's session, then ClaveÚnica."""
    configured = _provider(request)
    form = forms.start_form(await read_form(request))
    state = signin.begin(request.session, form.cleaned["next"])
    return see_other(await client.authorization_url(configured, state))


async def callback(request: Request) -> Response:
    """GET /ingresar/claveunica: the person comes back from ClaveÚnica with a code and the state."""
    configured = _provider(request)
    db, ip = get_db(request), _ip(request)
    linking: int | None = None
    try:
        pending = signin.take(request.session, request.query_params.get("state"))
        linking = pending.link_user
        person = await client.person_for(configured, _code(request), pending.state)
        async with atomic(db):
            outcome = await signin.settle(db, person, pending, i18n.current())
            await queries.log_attempt(db, outcome.result, outcome.user_id, ip)
    except Failure as failure:
        await queries.log_attempt(db, failure.result, linking, ip)  # outside the rolled-back transaction
        text, status = signin.message(failure.result)
        return render(request, "claveunica/failed.html", {"message": text, "linking": linking is not None},
                      status=status)
    return _signed_in(request, outcome, pending)


def _code(request: Request) -> str:
    if request.query_params.get("error"):
        raise Failure("denied")
    code = request.query_params.get("code") or ""
    if not code or len(code) > 512:
        raise Failure("no_code")
    return code


def _signed_in(request: Request, outcome: signin.Outcome, pending: signin.Pending) -> Response:
    if outcome.result == "linked":
        request.session[api.VIA] = "claveunica"
        flash(request, i18n.gettext("Su cuenta quedó vinculada a su RUN. Desde ahora puede ingresar con ClaveÚnica."))
        return see_other("/cuenta/claveunica")
    request.session.clear()  # a fresh session on sign-in: no fixation
    request.session.update({"uid": outcome.user_id, "av": outcome.auth_version, api.VIA: "claveunica"})
    if outcome.result == "created":
        flash(request, i18n.gettext("Bienvenida o bienvenido: su cuenta se creó con los datos de ClaveÚnica."))
    return see_other(pending.next_path or "/cuenta")


async def link(request: Request) -> Response:
    """/cuenta/claveunica: the account's RUN link; linking asks for the account's password first."""
    user = guards.signed_in(request)
    db = get_db(request)
    identity = await queries.identity_of(db, user.id)
    context: dict[str, Any] = {"identity": identity, "run": rut.display(identity.run) if identity else "",
               "available": api.available(get_settings(request)), "values": {}, "errors": {}}
    if request.method in ("GET", "HEAD"):
        return render(request, "claveunica/link.html", context)
    configured = _provider(request)
    if identity is not None or user.is_staff:
        raise Conflict(i18n.gettext("Esta cuenta no puede vincularse a un RUN."), page="/cuenta/claveunica")
    form = forms.link_form(await read_form(request))
    if await queries.recent_bad_passwords(db, user.id, LINK_WINDOW_MINUTES) >= LINK_MAX_FAILURES:
        form.errors.add("password", i18n.gettext("Demasiados intentos. Espere %(m)s minutos.", m=LINK_WINDOW_MINUTES))
        return render(request, "claveunica/link.html", {**context, "errors": form.errors.fields}, status=429)
    account = await accounts.get_by_id(db, user.id)
    if not form.errors and not (account and passwords.verify_password(account.password_hash,
                                                                      form.cleaned["password"])):
        await queries.log_attempt(db, "bad_password", user.id, _ip(request))
        form.errors.add("password", i18n.gettext("La contraseña no es correcta."))
    if form.errors:
        return render(request, "claveunica/link.html", {**context, "errors": form.errors.fields}, status=422)
    state = signin.begin(request.session, "/cuenta/claveunica", link_user=user.id)
    return see_other(await client.authorization_url(configured, state))


async def check_run(request: Request) -> Response:
    """A reviewer found the representative's ClaveÚnica RUN in the organization's directorio certificate."""
    staff = guards.staff(request, "reviewer")
    org_id, user_id = int_param(request, "id"), int_param(request, "user_id")
    db = get_db(request)
    async with atomic(db):
        run = guards.found(await api.record_check(db, org_id, user_id, staff.id))
        await audit.record(db, actor=staff, action="registry.representative_run_checked", object_type="organization",
                           object_id=org_id, after={"user_id": user_id, "run": run})
    flash(request, i18n.gettext("Quedó registrado que el RUN %(run)s figura en el certificado de directorio.",
                                run=rut.display(run)))
    return see_other(f"/staff/registro/{org_id}")


# ----- the development stand-in (404 unless PORTAL_ENV=development and CLAVEUNICA_FAKE) -----

def _stand_in(request: Request) -> fake.FakeClaveUnica:
    settings = get_settings(request)
    if not fake.enabled(settings) or settings.claveunica_client_id:
        raise HTTPException(404)
    return fake.instance(settings, api.redirect_uri(settings))


async def fake_authorize(request: Request) -> Response:
    """The stand-in's login page: pick a sandbox test user (a link per person), then back to the portal."""
    stand_in = _stand_in(request)
    params = request.query_params
    problem = stand_in.problem(params)
    if problem:
        return render(request, "claveunica/fake_authorize.html", {"problem": problem, "people": []}, status=400)
    if "run" in params:
        return RedirectResponse(stand_in.issue(params, fake.pick(params["run"])), status_code=302)
    people = [(person, request.url.include_query_params(run=str(person.numero))) for person in fake.SANDBOX]
    return render(request, "claveunica/fake_authorize.html", {"problem": None, "people": people,
                                                              "cancel": _cancel_url(params)})


def _cancel_url(params: QueryParams) -> str:
    """Back to the portal as ClaveÚnica does when the person cancels."""
    return f"{params.get('redirect_uri', '')}?{urlencode({'error': 'access_denied', 'state': params.get('state', '')})}"


async def fake_logout(request: Request) -> Response:
    """The stand-in's logout: back to the portal."""
    return await _stand_in(request).logout(request)
