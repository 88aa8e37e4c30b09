"""The registry's states and every move between them, through portal.workflow.transition: each
locks the organization, checks its status, writes the new one with the audit event, the history
entry and the emails, all in the caller's transaction (docs/registry.md, Workflow).

Call every function inside the view's `async with atomic(db):` so the change, its audit row, its
history and its emails commit together (or not at all). A move from the wrong status raises
portal.workflow.Conflict with the words the user sees.

Lifecycle after registration (one status column, `review_kind` says which review it refers to):
- expiry is never stored: 'expired' is derived from vigencia_expires_on on the portal's date;
- a renewal (new certificado de vigencia), a category change (pending_category) or a change of
  name (pending_legal_name, pending_short_name: issue 10, finding 6) sets status 'submitted' again
  with review_kind 'renewal' / 'category_change' / 'identity_change'. The row stays `listed` and the
  public still sees it as approved/expired with its old dates, category and names (so do the open
  data and certificates), which change only on approval; a rejection returns it to 'approved' untouched;
- withdrawal is final; the public page keeps it as withdrawn with its date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from portal import mail
from portal.certificates import service as certificates
from portal.db import Database
from portal.i18n import gettext as _
from portal.registry import model, queries, rules
from portal.registry.queries import Org
from portal.security import CurrentUser
from portal.workflow import Conflict, Machine, moves, transition

ORGANIZATIONS = Machine(
    table="organizations", object_type="organization", audit_prefix="registry",
    moves=moves(
        submitted=("draft", "observed", "approved"),  # approved → submitted: a renewal, category or name change
        in_review=("submitted",),
        observed=("submitted", "in_review"),
        approved=("submitted", "in_review"),  # also a refused renewal or category change
        rejected=("submitted", "in_review"),
        withdrawn=("draft", "submitted", "in_review", "observed", "approved"),
        draft=("rejected",),
    ))
UNDER_REVIEW = ("submitted", "in_review")
REQUESTED = {"registration": "submitted", "renewal": "renewal_requested",
             "category_change": "category_change_requested", "identity_change": "identity_change_requested"}
REFUSED = {"renewal": "renewal_rejected", "category_change": "category_change_rejected",
           "identity_change": "identity_change_rejected"}
CLEAR_PENDING = {"pending_category": "NULL", "pending_migrant_share": "NULL",
                 "pending_legal_name": "NULL", "pending_short_name": "NULL"}


async def _move(db: Database, org: Org, target: str, actor: CurrentUser, action: str, refusal: str, *,
                expected: tuple[str, ...] | None = None, sets: dict[str, str] | None = None,
                params: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
    """The transition with the registry's audit detail (review kind and category before)."""
    await transition(db, ORGANIZATIONS, org.id, target, actor=actor, expected=expected,
                     sets={"updated_at": "now()", **(sets or {})}, params=params, action="registry." + action,
                     before={"review_kind": org.review_kind, "category": org.category}, after=after,
                     refusal=refusal)


async def _notify(db: Database, org: Org, subject: str, body: str) -> None:
    """Email every representative of the organization."""
    emails = await queries.representative_emails(db, org.id)
    text = body + "\n\n" + _("Vea el estado en Portal Participa: /mi-organizacion") + \
        "\n\n" + _("Servicio Nacional de Migraciones")
    await mail.queue(db, emails, subject, text)


def _kind(kind: str) -> str:
    return _(model.REVIEW_KIND_LABELS[kind])


async def submit(db: Database, org: Org, actor: CurrentUser) -> None:
    """Draft or observed → submitted (the view has checked documents and the vigencia's age)."""
    await _move(db, org, "submitted", actor, "submitted", _(rules.SUBMITTED_OR_CLOSED), expected=model.EDITABLE,
                sets={"submitted_at": "now()"})
    kind = REQUESTED[org.review_kind]
    await queries.add_event(db, org.id, kind, actor=actor.id)
    await _notify(db, org, _("Recibimos la solicitud de %(name)s", name=org.legal_name),
                  _("La solicitud de «%(name)s» fue recibida y será revisada por el Servicio.",
                    name=org.legal_name))


async def take(db: Database, org: Org, actor: CurrentUser) -> None:
    """Submitted → in_review (a reviewer takes it)."""
    await _move(db, org, "in_review", actor, "taken", rules.staff_refusal(org.status))
    await queries.add_event(db, org.id, "taken", actor=actor.id)


async def observe(db: Database, org: Org, actor: CurrentUser, message: str) -> None:
    """The organization must fix something and resubmit."""
    await _move(db, org, "observed", actor, "observed", rules.staff_refusal(org.status), after={"message": message})
    await queries.add_event(db, org.id, "observed", actor=actor.id, message=message)
    await _notify(db, org, _("Observaciones a la solicitud de %(name)s", name=org.legal_name),
                  _("El equipo revisor dejó estas observaciones:\n\n%(text)s\n\n"
                    "Corrija lo indicado y vuelva a enviar la solicitud.", text=message))


async def _approval(db: Database, org: Org) -> tuple[str, dict[str, str], dict[str, Any], dict[str, Any]]:
    """What approving changes: (history event, column assignments, parameters, audit detail)."""
    if org.review_kind == "category_change":
        sets = {"category": "pending_category",
                "migrant_share": "CASE WHEN pending_category = 'A' THEN pending_migrant_share END",
                "pending_category": "NULL", "pending_migrant_share": "NULL"}
        return "category_changed", sets, {}, {"category": org.pending_category}
    if org.review_kind == "identity_change":
        sets = {"legal_name": "pending_legal_name", "short_name": "COALESCE(pending_short_name, '')",
                "pending_legal_name": "NULL", "pending_short_name": "NULL"}
        return "identity_changed", sets, {}, {"legal_name": org.pending_legal_name,
                                              "short_name": org.pending_short_name or ""}
    vigencia = (await queries.current_documents(db, org.id)).get("vigencia")
    if vigencia is None or vigencia.issued_on is None:  # rules.may_approve: the review page says so beforehand
        raise Conflict(_(rules.NO_VIGENCIA) if org.status in UNDER_REVIEW else rules.staff_refusal(org.status))
    expires = model.vigencia_expiry(vigencia.issued_on)
    sets = {"vigencia_issued_on": ":issued", "vigencia_expires_on": ":expires"}
    if org.review_kind == "registration":
        sets["approved_at"] = "now()"
    event = "approved" if org.review_kind == "registration" else "renewed"
    return event, sets, {"issued": vigencia.issued_on, "expires": expires}, {"vigencia_expires_on": expires}


async def approve(db: Database, org: Org, actor: CurrentUser) -> None:
    """Registration, renewal or category change approved; public history and certificate follow."""
    event, sets, params, detail = await _approval(db, org)
    await _move(db, org, "approved", actor, event, rules.staff_refusal(org.status), expected=UNDER_REVIEW,
                sets=sets, params=params, after=detail)
    await queries.add_event(db, org.id, event, actor=actor.id, public=True, details=detail)
    await _notify(db, org, _("Solicitud aprobada: %(name)s", name=org.legal_name),
                  _("La solicitud de «%(name)s» (%(kind)s) fue aprobada.", name=org.legal_name,
                    kind=_kind(org.review_kind)))


async def reject(db: Database, org: Org, actor: CurrentUser, reason: str) -> None:
    """A registration is rejected; a renewal or category change is refused and the record stays as it was."""
    if org.review_kind == "registration":
        target, event, sets = "rejected", "rejected", {}
    else:
        target, event, sets = "approved", REFUSED[org.review_kind], CLEAR_PENDING
    await _move(db, org, target, actor, event, rules.staff_refusal(org.status), expected=UNDER_REVIEW,
                sets=sets, after={"reason": reason})
    await queries.add_event(db, org.id, event, actor=actor.id, message=reason)
    await _notify(db, org, _("Solicitud rechazada: %(name)s", name=org.legal_name),
                  _("La solicitud de «%(name)s» (%(kind)s) fue rechazada por este motivo:\n\n%(reason)s",
                    name=org.legal_name, reason=reason, kind=_kind(org.review_kind)))


async def _request_review(db: Database, org: Org, actor: CurrentUser, kind: str, sets: dict[str, str],
                          params: dict[str, Any], pending: dict[str, Any]) -> None:
    """A registered organization asks for a renewal, a category change or a new name: back to review."""
    event = REQUESTED[kind]
    await _move(db, org, "submitted", actor, event, _(rules.NOT_REGISTERED), expected=("approved",),
                sets={"review_kind": ":kind", "submitted_at": "now()", **sets}, params={"kind": kind, **params},
                after={"review_kind": kind, **pending})
    await queries.add_event(db, org.id, event, actor=actor.id, details=pending)
    await _notify(db, org, _("Recibimos la solicitud de %(name)s", name=org.legal_name),
                  _("La solicitud de «%(name)s» (%(kind)s) fue recibida y será revisada por el Servicio.",
                    name=org.legal_name, kind=_kind(kind)))


async def request_renewal(db: Database, org: Org, actor: CurrentUser, issued_on: date | None) -> None:
    """A new certificado de vigencia (already stored) goes to review."""
    await _request_review(db, org, actor, "renewal", {}, {}, {"vigencia_issued_on": issued_on})


async def request_category_change(db: Database, org: Org, actor: CurrentUser, category: str,
                                  migrant_share: int | None) -> None:
    """A new category (with its migrant share for A) goes to review; the old one holds meanwhile."""
    await _request_review(db, org, actor, "category_change",
                          {"pending_category": ":pc", "pending_migrant_share": ":pms"},
                          {"pc": category, "pms": migrant_share},
                          {"category": category, "migrant_share": migrant_share})


async def request_identity_change(db: Database, org: Org, actor: CurrentUser, legal_name: str,
                                  short_name: str) -> None:
    """A new legal or short name goes to review; the approved names stay public meanwhile (and on
    certificates issued meanwhile)."""
    await _request_review(db, org, actor, "identity_change",
                          {"pending_legal_name": ":pln", "pending_short_name": ":psn"},
                          {"pln": legal_name, "psn": short_name},
                          {"legal_name": legal_name, "short_name": short_name})


async def withdraw(db: Database, org: Org, actor: CurrentUser, reason: str) -> None:
    """The legal representative withdraws the organization from the registry."""
    await _move(db, org, "withdrawn", actor, "withdrawn", _(rules.NOT_IN_REGISTRY), sets={"withdrawn_at": "now()"},
                after={"reason": reason})
    await queries.add_event(db, org.id, "withdrawn", actor=actor.id, public=org.approved_at is not None,
                            message=reason)
    for cert in await certificates.for_subject(db, "organization", org.id):
        if cert.state() == "valid":
            await certificates.revoke(db, cert.code, _("Organización retirada del registro"), actor)
    await _notify(db, org, _("Organización retirada: %(name)s", name=org.legal_name),
                  _("«%(name)s» fue retirada del Registro de Organizaciones Sociales a solicitud "
                    "de su representante legal.", name=org.legal_name))


async def reopen(db: Database, org: Org, actor: CurrentUser) -> None:
    """A rejected registration is corrected and started again as a draft."""
    await _move(db, org, "draft", actor, "reopened", _(rules.ONLY_REJECTED), sets={"review_kind": "'registration'"})
    await queries.add_event(db, org.id, "reopened", actor=actor.id)

