"""Back-office home, staff accounts (admin), the outbox and the audit log."""

from __future__ import annotations

import re
import secrets

from starlette.requests import Request
from starlette.responses import Response

from portal import audit, guards, i18n, mail, passwords
from portal.workflow import Conflict
from portal.accounts import forms, queries as accounts
from portal.security import STAFF_ROLES, read_form
from portal.staff import queries
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, int_param, see_other

ROLE_LABELS = {
    "reviewer": i18n.N_("Revisión del registro"),
    "election_officer": i18n.N_("Encargado/a de elecciones"),
    "ministro_de_fe": i18n.N_("Ministro/a de fe"),
    "sello_evaluator": i18n.N_("Evaluación Sello Migrante"),
    "compromiso_evaluator": i18n.N_("Evaluación Compromiso Migrante"),
    "council_secretary": i18n.N_("Secretaría técnica del consejo"),
    "admin": i18n.N_("Administración"),
}


async def index(request: Request) -> Response:
    """/staff: the back-office home, with what each of the person's roles may do."""
    user = guards.staff(request)
    return render(request, "staff/index.html", {"role_labels": ROLE_LABELS, "roles": sorted(user.roles)})


# Any web address in a message: reset, verification, invitation and unsubscribe links carry tokens.
_LINK = re.compile(r"(?:https?://|/cuenta/|/invitacion)\S+", re.IGNORECASE)


def redact_links(body: str) -> str:
    """The body without any usable link or token (the email itself keeps them)."""
    return _LINK.sub(i18n.gettext("[enlace oculto]"), body)


async def outbox(request: Request) -> Response:
    """The emails the portal queued (admin). Links are hidden: a link here would let whoever reads
    the page use someone's reset or verification token (docs/security.md, Second factor for staff)."""
    guards.staff(request, "admin")
    messages = await mail.recent(get_db(request), limit=200)
    for message in messages:
        message["body"] = redact_links(message["body"] or "")
    return render(request, "staff/outbox.html", {"messages": messages})


async def audit_log(request: Request) -> Response:
    """The audit log's latest entries, and on request a check of its hash chain (admin)."""
    guards.staff(request, "admin")
    db = get_db(request)
    rows = await queries.audit_page(db)
    report = await audit.verify(db) if request.query_params.get("verificar") else None
    return render(request, "staff/audit.html", {"rows": rows, "report": report})


async def staff_accounts(request: Request) -> Response:
    """Staff accounts and their roles; creating one (admin)."""
    actor = guards.staff(request, "admin")
    db = get_db(request)
    context = {"staff": await accounts.staff_users(db), "role_labels": ROLE_LABELS, "values": {}, "errors": {},
               "current_user_id": actor.id}
    if request.method == "GET":
        return render(request, "staff/accounts.html", context)
    form = forms.staff_account_form(await read_form(request), STAFF_ROLES)
    name, email, roles = form.cleaned["name"], form.cleaned["email"], form.cleaned["roles"]
    if email and "email" not in form.errors and await accounts.email_taken(db, email):
        form.errors.add("email", i18n.gettext("Ya existe una cuenta con este correo."))
    if form.errors:
        context.update(values=form.values, errors=form.errors.fields)
        return render(request, "staff/accounts.html", context, status=422)
    async with atomic(db):
        # a random password nobody knows: the new staff member sets theirs through the reset link
        user_id = await accounts.create_user(db, email=email, name=name, verified=True,
                                             password_hash=passwords.hash_password(secrets.token_urlsafe(24)))
        await accounts.set_roles(db, user_id, roles)
        await audit.record(db, actor=actor, action="staff.created", object_type="user", object_id=user_id,
                           after={"email": email, "roles": roles})
        await mail.queue(db, email, i18n.gettext("Su cuenta de funcionario/a en Portal Participa"),
                         i18n.gettext("Se creó su cuenta. Para elegir su contraseña use «¿Olvidó su contraseña?» en /ingresar."))
    flash(request, i18n.gettext("Cuenta creada: %(email)s", email=email))
    return see_other("/staff/cuentas")


async def reset_second_factor(request: Request) -> Response:
    """POST /staff/cuentas/{id}/segundo-factor: an admin resets another person's second factor
    (lost phone and codes). The person enrols again at the next sign-in; their sessions end."""
    actor = guards.staff(request, "admin")
    db = get_db(request)
    target = guards.found(await accounts.get_by_id(db, int_param(request, "id")))
    if target.id == actor.id:
        raise Conflict(i18n.gettext("No puede restablecer su propio segundo factor: pídalo a otra persona "
                                    "administradora."), page="/staff/cuentas")
    async with atomic(db):
        await accounts.reset_second_factor(db, target.id)
        await audit.record(db, actor=actor, action="account.second_factor_reset", object_type="user",
                           object_id=target.id, after={"email": target.email})
    flash(request, i18n.gettext("Se restableció el segundo factor de %(email)s. Lo activará de nuevo al ingresar.",
                                email=target.email))
    return see_other("/staff/cuentas")
