"""Sello Migrante rules (docs/sello.md, Certification and revalidation) as pure functions: areas,
ratings, the decision, validity, the revalidation window and the state shown to the public. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from collections.abc import Mapping

from portal.i18n import N_

AREAS: dict[int, str] = {
    1: N_("Institucionalidad municipal (oficina designada, plan de trabajo)"),
    2: N_("Plan de capacitación de funcionarios"),
    3: N_("Políticas locales de inclusión y no discriminación"),
    4: N_("Promoción de la regularización migratoria"),
    5: N_("Apoyo a asociaciones migrantes y participación"),
}
RATINGS: dict[str, str] = {
    "meets": N_("Cumple"),
    "partially": N_("Cumple parcialmente"),
    "does_not_meet": N_("No cumple"),
}
# Workflow states stored in sello_adhesions.status (same list as the SQL CHECK in
# migrations/0031_sello.sql; docs/sello.md, States). 'expired' is never stored: it is read from the dates.
ADHERED = "adhered"
IMPLEMENTING = "implementing"
EVALUATION_REQUESTED = "evaluation_requested"
IN_EVALUATION = "in_evaluation"
CERTIFIED = "certified"
STATUSES = (ADHERED, IMPLEMENTING, EVALUATION_REQUESTED, IN_EVALUATION, CERTIFIED)
# Kinds of evaluation (sello_evaluations.kind).
CERTIFICATION = "certification"
REVALIDATION = "revalidation"
# What the public sees: the workflow state, refined by the certification dates.
DISPLAY_STATES: dict[str, str] = {
    "adhered": N_("Adherida"),
    "implementing": N_("En implementación"),
    "evaluation_requested": N_("Evaluación solicitada"),
    "in_evaluation": N_("En evaluación"),
    "certified": N_("Certificada"),
    "revalidation": N_("Certificada, en revalidación"),
    "expired": N_("Certificación vencida"),
}
CASE_TOPICS: dict[str, str] = {
    "regularization": N_("Regularización migratoria"),
    "visas": N_("Visas y permisos de residencia"),
    "work": N_("Trabajo y derechos laborales"),
    "health": N_("Salud"),
    "education": N_("Educación"),
    "housing": N_("Vivienda"),
    "social": N_("Protección social"),
    "discrimination": N_("Discriminación"),
    "other": N_("Otro"),
}
EVALUATOR = "sello_evaluator"  # the staff role that evaluates and sees every municipality's files
INVITE_PURPOSE = "sello-invite"  # a liaison's invitation token: the signed link lasts 14 days
INVITE_MAX_AGE = 14 * 24 * 3600
CASE_OPEN, CASE_CLOSED = "open", "closed"
VALIDITY_YEARS = 2
REVALIDATION_WINDOW_DAYS = 90
MAX_PARTIALLY = 1


@dataclass(frozen=True)
class Decision:
    certified: bool
    partially: int
    does_not_meet: int

    @property
    def outcome(self) -> str:
        return CERTIFIED if self.certified else "not_certified"


def decide(ratings: Mapping[int, str]) -> Decision:
    """Certified iff every area is rated, none `does_not_meet` and at most one `partially`."""
    missing = set(AREAS) - set(ratings)
    unknown = [r for r in ratings.values() if r not in RATINGS]
    if missing or unknown:
        raise ValueError(f"ratings needed for every area; missing {sorted(missing)}, unknown {unknown}")
    partially = sum(1 for r in ratings.values() if r == "partially")
    fails = sum(1 for r in ratings.values() if r == "does_not_meet")
    return Decision(certified=fails == 0 and partially <= MAX_PARTIALLY, partially=partially, does_not_meet=fails)


def validity_end(resolution: date) -> date:
    """Two years after the resolution date (29 February → 28 February)."""
    try:
        return resolution.replace(year=resolution.year + VALIDITY_YEARS)
    except ValueError:
        return resolution.replace(year=resolution.year + VALIDITY_YEARS, day=28)


def revalidation_opens(valid_until: date) -> date:
    """The first day a revalidation may be requested."""
    return valid_until - timedelta(days=REVALIDATION_WINDOW_DAYS)


def display_state(status: str, valid_until: date | None, today: date) -> str:
    """The public state: a certification past its end date shows as expired, no job needed."""
    if valid_until is not None:
        if valid_until >= today:
            # a failed revalidation sends the workflow back, but the certificate lasts to its end
            return REVALIDATION if status in (EVALUATION_REQUESTED, IN_EVALUATION) else CERTIFIED
        if status in (CERTIFIED, IMPLEMENTING):
            return "expired"
    return status


@dataclass(frozen=True)
class Permission:
    allowed: bool
    kind: str = ""      # CERTIFICATION or REVALIDATION
    reason: str = ""    # why not (Spanish source; translate where shown)


# Why no evaluation may be requested yet, by stored status (None: not adhered).
_NOT_YET: dict[str | None, str] = {
    None: N_("Primero registre la adhesión con la carta compromiso."),
    ADHERED: N_("Primero suba el plan de trabajo: la evaluación se solicita durante la implementación."),
    EVALUATION_REQUESTED: N_("Ya hay una evaluación en curso."),
    IN_EVALUATION: N_("Ya hay una evaluación en curso."),
}


def evaluation_request_permission(status: str | None, valid_until: date | None, today: date) -> Permission:
    """May the municipality request an evaluation now, and of which kind (with the reason if not);
    `status` None means it has not adhered yet."""
    if status in _NOT_YET:
        return Permission(False, reason=_NOT_YET[status])
    if valid_until is None or valid_until < today:
        return Permission(True, kind=CERTIFICATION)  # never certified, or expired: a new certification
    if status == CERTIFIED and today < revalidation_opens(valid_until):
        return Permission(False, reason=N_("La revalidación se puede solicitar solo en los últimos 90 días de vigencia."))
    # certified in the window, or implementing after a failed revalidation while the certificate lasts
    return Permission(True, kind=REVALIDATION)
