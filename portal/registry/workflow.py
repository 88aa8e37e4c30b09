"""Workflow actions: each moves the status, writes the history, the audit log and the emails.

Call every function inside the caller's `async with db.transaction():` so the change, its audit
row and its emails commit together (or not at all). Invalid moves raise InvalidTransition.

Lifecycle after registration (one status column, `review_kind` says which review it refers to):
- expiry is never stored: organizations_effective derives 'expired' from vigencia_expires_on;
- a renewal (new certificado de vigencia) or a category change (pending_category) sets status
  'submitted' again with review_kind 'renewal' / 'category_change'. The row stays `listed` and the
  public still sees it as approved/expired with its old dates and category, which change only on
  approval; a rejection returns it to 'approved' untouched;
- withdrawal is final; the public page keeps it as withdrawn with its date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from portal import audit, i18n, mail
from portal.certificates import service as certificates
from portal.db import Database
from portal.registry import documents, model, queries
from portal.registry.queries import InvalidTransition, Org
from portal.security import CurrentUser


async def _notify(db: Database, org: Org, subject: str, body: str) -> None:
    """Email every representative of the organization."""
    emails = await queries.representative_emails(db, org.id)
    text = body + "\n\n" + i18n.gettext("Vea el estado en Portal Participa: /mi-organizacion") + \
        "\n\n" + i18n.gettext("Servicio Nacional de Migraciones")
    await mail.queue(db, emails, subject, text)


async def _audit(db: Database, actor: CurrentUser, action: str, org: Org, after: dict[str, Any]) -> None:
    await audit.record(db, actor=actor, action=action, object_type="organization", object_id=org.id,
                       before={"status": org.status, "review_kind": org.review_kind, "category": org.category},
                       after=after)


async def submit(db: Database, org: Org, actor: CurrentUser, today: date) -> None:
    """Draft or observed → submitted; needs every required document and a recent vigencia."""
    if org.status not in model.EDITABLE:
        raise InvalidTransition("submitted")
    await queries.transition(db, org.id, model.EDITABLE, "submitted", "submitted_at = now()")
    kind = "submitted" if org.review_kind == "registration" else (
        "renewal_requested" if org.review_kind == "renewal" else "category_change_requested")
    await queries.add_event(db, org.id, kind, actor=actor.id)
    await _audit(db, actor, "registry.submitted", org, {"status": "submitted"})
    await _notify(db, org, i18n.gettext("Recibimos la solicitud de %(name)s", name=org.legal_name),
                  i18n.gettext("La solicitud de «%(name)s» fue recibida y será revisada por el Servicio.",
                               name=org.legal_name))


async def take(db: Database, org: Org, actor: CurrentUser) -> None:
    """Submitted → in_review (a reviewer takes it)."""
    await queries.transition(db, org.id, ("submitted",), "in_review")
    await queries.add_event(db, org.id, "taken", actor=actor.id)
    await _audit(db, actor, "registry.taken", org, {"status": "in_review"})


async def observe(db: Database, org: Org, actor: CurrentUser, message: str) -> None:
    """The organization must fix something and resubmit."""
    await queries.transition(db, org.id, ("submitted", "in_review"), "observed")
    await queries.add_event(db, org.id, "observed", actor=actor.id, message=message)
    await _audit(db, actor, "registry.observed", org, {"status": "observed", "message": message})
    await _notify(db, org, i18n.gettext("Observaciones a la solicitud de %(name)s", name=org.legal_name),
                  i18n.gettext("El equipo revisor dejó estas observaciones:\n\n%(text)s\n\n"
                               "Corrija lo indicado y vuelva a enviar la solicitud.", text=message))


async def approve(db: Database, org: Org, actor: CurrentUser) -> None:
    """Registration, renewal or category change approved; public history and certificate follow."""
    sets, params, event, after = "", {}, "approved", {"status": "approved"}
    if org.review_kind in ("registration", "renewal"):
        vigencia = (await documents.current(db, org.id)).get("vigencia")
        if vigencia is None or vigencia.issued_on is None:
            raise InvalidTransition("approved")
        expires = model.vigencia_expiry(vigencia.issued_on)
        sets = "vigencia_issued_on = :issued, vigencia_expires_on = :expires"
        params = {"issued": vigencia.issued_on, "expires": expires}
        after["vigencia_expires_on"] = expires
        if org.review_kind == "registration":
            sets += ", approved_at = now()"
        else:
            event = "renewed"
    else:
        sets = ("category = pending_category, migrant_share = CASE WHEN pending_category = 'A' "
                "THEN pending_migrant_share END, pending_category = NULL, pending_migrant_share = NULL")
        event = "category_changed"
        after.update(category=org.pending_category)
    await queries.transition(db, org.id, ("submitted", "in_review"), "approved", sets, params)
    await queries.add_event(db, org.id, event, actor=actor.id, public=True,
                            details={k: v for k, v in after.items() if k != "status"})
    await _audit(db, actor, "registry." + event, org, after)
    await _notify(db, org, i18n.gettext("Solicitud aprobada: %(name)s", name=org.legal_name),
                  i18n.gettext("La solicitud de «%(name)s» (%(kind)s) fue aprobada.", name=org.legal_name,
                               kind=i18n.gettext(model.REVIEW_KIND_LABELS[org.review_kind])))


async def reject(db: Database, org: Org, actor: CurrentUser, reason: str) -> None:
    """A registration is rejected; a renewal or category change is refused and the record stays as it was."""
    if org.review_kind == "registration":
        to, event = "rejected", "rejected"
        sets = ""
    else:
        to = "approved"
        event = "renewal_rejected" if org.review_kind == "renewal" else "category_change_rejected"
        sets = "pending_category = NULL, pending_migrant_share = NULL"
    await queries.transition(db, org.id, ("submitted", "in_review"), to, sets)
    await queries.add_event(db, org.id, event, actor=actor.id, message=reason)
    await _audit(db, actor, "registry." + event, org, {"status": to, "reason": reason})
    await _notify(db, org, i18n.gettext("Solicitud rechazada: %(name)s", name=org.legal_name),
                  i18n.gettext("La solicitud de «%(name)s» (%(kind)s) fue rechazada por este motivo:\n\n%(reason)s",
                               name=org.legal_name, reason=reason,
                               kind=i18n.gettext(model.REVIEW_KIND_LABELS[org.review_kind])))


async def request_review(db: Database, org: Org, actor: CurrentUser, kind: str,
                         pending: dict[str, Any] | None = None) -> None:
    """A registered organization asks for a renewal or a category change: back to review."""
    sets = "review_kind = :kind, submitted_at = now()"
    params: dict[str, Any] = {"kind": kind}
    if kind == "category_change":
        sets += ", pending_category = :pc, pending_migrant_share = :pms"
        params.update(pc=pending["category"], pms=pending.get("migrant_share"))  # type: ignore[index]
    await queries.transition(db, org.id, ("approved",), "submitted", sets, params)
    event = "renewal_requested" if kind == "renewal" else "category_change_requested"
    await queries.add_event(db, org.id, event, actor=actor.id, details=pending or {})
    await _audit(db, actor, "registry." + event, org, {"status": "submitted", "review_kind": kind, **(pending or {})})
    await _notify(db, org, i18n.gettext("Recibimos la solicitud de %(name)s", name=org.legal_name),
                  i18n.gettext("La solicitud de «%(name)s» (%(kind)s) fue recibida y será revisada por el Servicio.",
                               name=org.legal_name, kind=i18n.gettext(model.REVIEW_KIND_LABELS[kind])))


async def withdraw(db: Database, org: Org, actor: CurrentUser, reason: str) -> None:
    """The legal representative withdraws the organization from the registry."""
    allowed = tuple(s for s in model.STATUSES if s not in ("withdrawn", "rejected"))
    await queries.transition(db, org.id, allowed, "withdrawn", "withdrawn_at = now()")
    await queries.add_event(db, org.id, "withdrawn", actor=actor.id, public=org.approved_at is not None,
                            message=reason)
    await _audit(db, actor, "registry.withdrawn", org, {"status": "withdrawn", "reason": reason})
    for cert in await certificates.for_subject(db, "organization", org.id):
        if cert.state() == "valid":
            await certificates.revoke(db, cert.code, i18n.gettext("Organización retirada del registro"), actor)
    await _notify(db, org, i18n.gettext("Organización retirada: %(name)s", name=org.legal_name),
                  i18n.gettext("«%(name)s» fue retirada del Registro de Organizaciones Sociales a solicitud "
                               "de su representante legal.", name=org.legal_name))


async def reopen(db: Database, org: Org, actor: CurrentUser) -> None:
    """A rejected registration is corrected and started again as a draft."""
    await queries.transition(db, org.id, ("rejected",), "draft", "review_kind = 'registration'")
    await queries.add_event(db, org.id, "reopened", actor=actor.id)
    await _audit(db, actor, "registry.reopened", org, {"status": "draft"})
