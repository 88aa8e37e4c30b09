"""The registry's decision rules, without I/O: what an organization may do in its current state,
which documents it lacks, whether its application may be submitted (docs/registry.md, Workflow and
Documents). Checks return a portal.workflow.Check, so pages can say why before anyone clicks, and
the workflow refuses with the same words."""

from __future__ import annotations

from datetime import date

from portal.i18n import N_, gettext
from portal.registry import model
from portal.registry.queries import Document, Org
from portal.workflow import ALLOWED, Check, refuse

# Refusals, translated where they are shown.
NOT_EDITABLE = N_("La solicitud está en revisión o cerrada: por ahora no se puede editar.")
SUBMITTED_OR_CLOSED = N_("Esta solicitud ya fue enviada o está cerrada.")
FROZEN_DOCUMENTS = N_("Mientras la solicitud está en revisión no se pueden cambiar los documentos.")
NOT_REGISTERED = N_("Esta acción es para organizaciones inscritas sin otra solicitud en curso.")
NOT_IN_REGISTRY = N_("La organización ya no está en el registro.")
ONLY_REJECTED = N_("Solo una solicitud rechazada se puede volver a preparar.")
IDENTITY_DURING_REVIEW = N_("El nombre de una organización inscrita cambia con una revisión del Servicio: "
                            "vuelva a cambiarlo cuando termine la revisión en curso.")
EDITED_MEANWHILE = N_("El estado de la solicitud cambió mientras editaba. Recargue la página.")


def _when(allowed: bool, reason: str) -> Check:
    return ALLOWED if allowed else refuse(gettext(reason))


def may_edit(org: Org) -> Check:
    """A draft, an observed application or a registered record may be edited."""
    return _when(org.status in ("draft", "observed", "approved"), NOT_EDITABLE)


def may_submit(org: Org) -> Check:
    """Only a draft or an observed application is sent (again) to review."""
    return _when(org.status in model.EDITABLE, SUBMITTED_OR_CLOSED)


def may_upload(org: Org) -> Check:
    """Documents are frozen while staff review the application."""
    return _when(bool(uploadable_kinds(org)), FROZEN_DOCUMENTS)


def registered(org: Org) -> Check:
    """Renewal and category change: for a registered organization with no other request pending."""
    return _when(org.status == "approved", NOT_REGISTERED)


def may_withdraw(org: Org) -> Check:
    """Withdrawal: anything still in the registry or on its way in."""
    return _when(org.status not in ("withdrawn", "rejected"), NOT_IN_REGISTRY)


NO_VIGENCIA = N_("Falta el certificado de vigencia con su fecha de emisión: pídalo con una observación antes de aprobar.")


def may_approve(org: Org, current: dict[str, Document]) -> Check:
    """Approving a registration or a renewal records the vigencia's dates, so it needs a current vigencia
    with its issue date (docs/registry.md, Workflow); a category or name change keeps the old dates."""
    if org.review_kind not in ("registration", "renewal"):
        return ALLOWED
    vigencia = current.get("vigencia")
    return _when(vigencia is not None and vigencia.issued_on is not None, NO_VIGENCIA)


def staff_refusal(status: str) -> str:
    """Why a staff decision is refused in `status` (translated)."""
    return gettext("No se puede hacer esto con una solicitud en estado «%(status)s».",
                   status=gettext(model.STATUS_LABELS[status]))


def uploadable_kinds(org: Org) -> tuple[str, ...]:
    """Which documents may be uploaded now: all while editing; after registration the vigencia
    only through a renewal; nothing while staff review the application."""
    if org.status in model.EDITABLE:
        return model.DOC_KINDS
    if org.status == "approved":
        return tuple(k for k in model.DOC_KINDS if k != "vigencia")
    return ()


def missing(category: str, docs: dict[str, Document]) -> list[str]:
    """Required kinds not yet uploaded for `category`."""
    return [kind for kind in model.required_documents(category) if kind not in docs]


def missing_for_category_change(category: str, docs: dict[str, Document]) -> list[str]:
    """The new category's own documents not yet uploaded (the common ones were reviewed at registration)."""
    common = model.required_documents("B")
    return [k for k in missing(category, docs) if k not in common]


def submission_problems(org: Org, docs: dict[str, Document], today: date) -> list[str]:
    """Why this application cannot be submitted yet (empty when it can)."""
    problems = [gettext("Falta el documento: %(doc)s.", doc=gettext(model.DOC_LABELS[k]))
                for k in missing(org.pending_category or org.category, docs)]
    vigencia = docs.get("vigencia")
    needs_recent = org.review_kind not in ("category_change", "identity_change")
    if vigencia and needs_recent and not model.vigencia_recent(vigencia.issued_on, today):
        problems.append(gettext(
            "El certificado de vigencia debe haber sido emitido dentro de los últimos %(n)s días: cargue uno nuevo.",
            n=model.VIGENCIA_MAX_AGE_DAYS))
    return problems
