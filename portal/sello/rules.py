"""Sello Migrante rules (domain.md §5) as pure functions: areas, ratings, the decision, validity,
the revalidation window and the state shown to the public. No I/O here."""

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
# Workflow states stored in sello_adhesions.status (same list as the SQL CHECK).
STATUSES = ("adhered", "implementing", "evaluation_requested", "in_evaluation", "certified")
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
        return "certified" if self.certified else "not_certified"


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
            return "revalidation" if status in ("evaluation_requested", "in_evaluation") else "certified"
        if status in ("certified", "implementing"):
            return "expired"
    return status


@dataclass(frozen=True)
class Permission:
    allowed: bool
    kind: str = ""      # 'certification' or 'revalidation'
    reason: str = ""    # why not (Spanish source; translate where shown)


def evaluation_request_permission(status: str, valid_until: date | None, today: date) -> Permission:
    """May the municipality request an evaluation now, and of which kind (with the reason if not)."""
    if status == "adhered":
        return Permission(False, reason=N_("Primero suba el plan de trabajo: la evaluación se solicita durante la implementación."))
    if status in ("evaluation_requested", "in_evaluation"):
        return Permission(False, reason=N_("Ya hay una evaluación en curso."))
    if status == "certified" and valid_until is not None and valid_until >= today:
        if today < revalidation_opens(valid_until):
            return Permission(False, reason=N_("La revalidación se puede solicitar solo en los últimos 90 días de vigencia."))
        return Permission(True, kind="revalidation")
    if status == "implementing" and valid_until is not None and valid_until >= today:
        # after a failed revalidation, while the certificate still lasts, the next request is again one
        return Permission(True, kind="revalidation")
    return Permission(True, kind="certification")
