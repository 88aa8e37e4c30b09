"""Election phases, who may move an election to each, and the checks that say why not
(docs/elections.md, Phases).

Every check returns a `portal.workflow.Check` (`(allowed, reason)`, Helios style) so pages can explain
a refusal before anyone clicks; the transition checklist lists each precondition with ✓/✗ and its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from portal.i18n import N_, gettext as _
from portal.workflow import ALLOWED, Check, refuse

PHASES: tuple[str, ...] = (
    "draft", "call_open", "padron_provisional", "padron_final", "candidacies_open", "candidacies_review",
    "voting_open", "voting_closed", "tallied", "proclaimed", "constituted",
)
PHASE_LABELS = {
    "draft": N_("Borrador"),
    "call_open": N_("Convocatoria publicada"),
    "padron_provisional": N_("Padrón provisorio (reclamos abiertos)"),
    "padron_final": N_("Padrón definitivo"),
    "candidacies_open": N_("Candidaturas abiertas"),
    "candidacies_review": N_("Revisión de candidaturas"),
    "voting_open": N_("Votación abierta"),
    "voting_closed": N_("Votación cerrada"),
    "tallied": N_("Resultados provisorios (reclamos abiertos)"),
    "proclaimed": N_("Proclamada"),
    "constituted": N_("Consejo constituido"),
}
# Who moves an election into each phase (admin always passes). The ministro de fe certifies the
# padrón and signs the acta; the count has its own action but the same officer.
TRANSITION_ROLES = {
    "padron_final": ("ministro_de_fe",),
    "proclaimed": ("ministro_de_fe",),
}
DEFAULT_ROLES = ("election_officer",)
SORTEO_PHASES = ("candidacies_open", "candidacies_review", "voting_open")
CATEGORIES = ("A", "B", "C")


def phase_index(phase: str) -> int:
    """Position of a phase in the sequence."""
    return PHASES.index(phase)


def next_phase(phase: str) -> str | None:
    """The phase that follows, or None after the last."""
    i = phase_index(phase)
    return PHASES[i + 1] if i + 1 < len(PHASES) else None


def at_least(phase: str, other: str) -> bool:
    """Whether `phase` is `other` or later."""
    return phase_index(phase) >= phase_index(other)


def roles_for(target: str) -> tuple[str, ...]:
    """The staff roles that may move an election into `target`."""
    return TRANSITION_ROLES.get(target, DEFAULT_ROLES)


@dataclass(frozen=True)
class Precondition:
    """One precondition of a transition, as the checklist shows it: whether it holds, what it is, why not."""

    ok: bool
    label: str
    reason: str = ""


@dataclass
class Facts:
    """What the checks need to know about one election, fetched in one place."""

    election: Any
    now: datetime
    padron_total: int = 0
    padron_claims_pending: int = 0
    results_claims_pending: int = 0
    candidacies_total: int = 0
    candidacies_pending: int = 0
    admissible: dict[str, int] = field(default_factory=dict)
    sorteo_problem: str | None = None
    has_results: bool = False
    has_acta: bool = False
    trustees: int = 0            # named (docs/ballot-secrecy.md)
    trustees_keyed: int = 0      # with their key uploaded
    ministro_trustee: bool = False
    steps_in: int = 0            # trustees' steps uploaded after the close

    @property
    def today(self) -> date:
        return self.now.date()


def _pre(ok: bool, label: str, reason: str) -> Precondition:
    return Precondition(bool(ok), label, "" if ok else reason)


def _call_open(f: Facts) -> list[Precondition]:
    e = f.election
    return [
        _pre(e.padron_cutoff is not None, _("Fecha de corte del padrón definida"),
             _("Defina la fecha de corte del padrón en el calendario.")),
        _pre(e.voting_starts_at is not None and e.voting_ends_at is not None,
             _("Ventana de votación definida"), _("Defina el inicio y el término de la votación.")),
        _pre(sum(e.seats.values()) > 0, _("Hay cupos que elegir"), _("Defina al menos un cupo en alguna categoría.")),
    ]


def _padron_provisional(f: Facts) -> list[Precondition]:
    e = f.election
    return [_pre(e.padron_cutoff is not None and e.padron_cutoff <= f.today, _("La fecha de corte del padrón llegó"),
                 _("El padrón se genera en la fecha de corte o después."))]


def _padron_final(f: Facts) -> list[Precondition]:
    e = f.election
    return [
        _pre(f.padron_total > 0, _("El padrón tiene organizaciones"), _("El padrón provisorio está vacío.")),
        _pre(f.padron_claims_pending == 0, _("No hay reclamos pendientes"),
             _("Resuelva los %(n)s reclamos pendientes del padrón.", n=f.padron_claims_pending)),
        _pre(e.padron_claims_until is not None and e.padron_claims_until < f.today,
             _("Terminó el plazo de reclamos del padrón"),
             _("El plazo de reclamos no ha terminado (o no está definido).")),
    ]


def _candidacies_open(f: Facts) -> list[Precondition]:
    return [_pre(f.election.padron_sha256 is not None, _("Padrón congelado y su SHA-256 publicado"),
                 _("Certifique el padrón definitivo primero."))]


def _candidacies_review(f: Facts) -> list[Precondition]:
    return [_pre(f.candidacies_total > 0, _("Se presentó al menos una candidatura"), _("No hay candidaturas que revisar."))]


def _voting_open(f: Facts) -> list[Precondition]:
    e = f.election
    checks = [_pre(f.candidacies_pending == 0, _("Todas las candidaturas están revisadas"),
                   _("Quedan %(n)s candidaturas sin revisar.", n=f.candidacies_pending))]
    checks += [_pre(f.admissible.get(cat, 0) > 0, _("Categoría %(cat)s: hay candidaturas admisibles", cat=cat),
                    _("La categoría %(cat)s no tiene ninguna candidatura admisible.", cat=cat))
               for cat in CATEGORIES if e.seats.get(cat, 0) > 0]
    checks += trustee_checks(f)
    checks.append(_pre(e.voting_starts_at is not None and e.voting_ends_at is not None and e.voting_ends_at > f.now,
                       _("Ventana de votación definida y vigente"),
                       _("Defina una ventana de votación que termine en el futuro.")))
    if e.lottery_order is not None:
        checks.append(_pre(f.sorteo_problem is None, _("El orden del sorteo cubre las candidaturas admisibles"),
                           f.sorteo_problem or ""))
    return checks


MIN_TRUSTEES = 2


def trustee_checks(f: Facts) -> list[Precondition]:
    """Ballots are sealed for the trustees (docs/ballot-secrecy.md): at least two, the ministro de fe
    among them, every key uploaded before voting opens."""
    return [
        _pre(f.trustees >= MIN_TRUSTEES and f.ministro_trustee, _("Hay al menos dos custodios, entre ellos el ministro de fe"),
             _("Nombre al menos dos custodios de los votos, entre ellos un ministro de fe (hay %(n)s).", n=f.trustees)),
        _pre(f.trustees > 0 and f.trustees_keyed == f.trustees, _("Todos los custodios subieron su clave"),
             _("Faltan %(n)s claves de custodios.", n=f.trustees - f.trustees_keyed)),
    ]


def can_name_trustee(e: Any) -> Check:
    """Trustees are named and upload their keys before voting opens: ballots are sealed to those keys."""
    if at_least(e.phase, "voting_open"):
        return refuse(_("La votación ya se abrió: los custodios y sus claves no pueden cambiar."))
    return ALLOWED


def _voting_closed(f: Facts) -> list[Precondition]:
    e = f.election
    return [
        _pre(e.voting_ends_at is not None and e.voting_ends_at <= f.now, _("Terminó la ventana de votación"),
             _("La votación sigue abierta hasta el término de su ventana.")),
        _pre(e.sorteo_fixed_at is not None, _("El sorteo está fijado"),
             _("El ministro de fe debe fijar el sorteo antes de cerrar la votación.")),
    ]


def _tallied(f: Facts) -> list[Precondition]:
    return [_pre(f.election.sorteo_fixed_at is not None and f.sorteo_problem is None,
                 _("El sorteo está fijado y es válido"), f.sorteo_problem or _("El sorteo no está fijado.")),
            _pre(f.trustees > 0 and f.steps_in == f.trustees, _("Todos los custodios subieron su paso"),
                 _("Faltan %(n)s pasos de custodios: el escrutinio espera a todos.", n=f.trustees - f.steps_in))]


def _proclaimed(f: Facts) -> list[Precondition]:
    e = f.election
    return [
        _pre(f.has_results, _("El escrutinio está hecho"), _("Haga el escrutinio primero.")),
        _pre(f.results_claims_pending == 0, _("No hay reclamos pendientes sobre los resultados"),
             _("Resuelva los %(n)s reclamos pendientes.", n=f.results_claims_pending)),
        _pre(e.results_claims_until is not None and e.results_claims_until < f.today,
             _("Terminó el plazo de reclamos de los resultados"),
             _("El plazo de reclamos no ha terminado (o no está definido).")),
    ]


def _constituted(f: Facts) -> list[Precondition]:
    return [_pre(f.has_acta, _("El acta de escrutinio está firmada"), _("Proclame la elección primero."))]


# What each phase asks before an election may enter it (docs/elections.md, Phases).
_PRECONDITIONS: dict[str, Callable[[Facts], list[Precondition]]] = {
    "call_open": _call_open, "padron_provisional": _padron_provisional, "padron_final": _padron_final,
    "candidacies_open": _candidacies_open, "candidacies_review": _candidacies_review, "voting_open": _voting_open,
    "voting_closed": _voting_closed, "tallied": _tallied, "proclaimed": _proclaimed, "constituted": _constituted,
}


def checklist(f: Facts, target: str) -> list[Precondition]:
    """The preconditions of moving the election into `target` (the next phase), each with ✓/✗."""
    phase = f.election.phase
    first = _pre(next_phase(phase) == target, _("Es la fase siguiente"),
                 _("La elección está en «%(phase)s»; solo puede pasar a la fase siguiente.",
                   phase=_(PHASE_LABELS[phase])))
    rest = _PRECONDITIONS.get(target)
    return [first, *(rest(f) if rest else [])]


def can_transition(f: Facts, target: str) -> Check:
    """The first failed precondition is the reason."""
    failed = next((c for c in checklist(f, target) if not c.ok), None)
    return ALLOWED if failed is None else refuse(failed.reason)


def can_vote(e: Any, now: datetime) -> Check:
    """Ballots are accepted only in voting_open AND within the window (docs/elections.md, Voting)."""
    if phase_index(e.phase) < phase_index("voting_open"):
        return refuse(_("La votación aún no se abre."))
    if e.phase != "voting_open":
        return refuse(_("La votación ya se cerró."))
    if e.voting_starts_at is None or e.voting_ends_at is None or now < e.voting_starts_at:
        return refuse(_("La votación aún no se abre."))
    if now >= e.voting_ends_at:
        return refuse(_("La votación ya se cerró."))
    return ALLOWED


def can_nominate(e: Any) -> Check:
    """Candidacies are presented and edited only while the candidacy phase is open."""
    if e.phase == "candidacies_open":
        return ALLOWED
    if phase_index(e.phase) < phase_index("candidacies_open"):
        return refuse(_("El plazo de candidaturas aún no se abre."))
    return refuse(_("El plazo de candidaturas ya terminó."))


def can_set_sorteo(e: Any) -> Check:
    """The sorteo is fixed before the count; after voting closes it cannot change (docs/elections.md, Sorteo)."""
    if e.phase in SORTEO_PHASES:
        return ALLOWED
    if at_least(e.phase, "voting_closed"):
        return refuse(_("La votación ya se cerró: el sorteo no puede cambiar después del cierre."))
    return refuse(_("El sorteo se fija desde la apertura de candidaturas hasta el cierre de la votación."))


def can_edit_settings(e: Any) -> Check:
    """Seats and quota rules are fixed once voting opens; the calendar until voting closes."""
    if at_least(e.phase, "voting_closed"):
        return refuse(_("La votación ya se cerró: la configuración no puede cambiar."))
    return ALLOWED


def rules_locked(e: Any) -> bool:
    """Seats and quota rules cannot change once voting opens."""
    return at_least(e.phase, "voting_open")
