"""Compromiso Migrante rules (docs/compromiso.md, Evaluation): the five commitments, states, the decision rule.

Pure: no database, no web. The decision rule: each commitment is scored 0–3 (max 15); an
organization is recognized when the total is at least 10 and no commitment scores 0.

Certificate validity (our decision, the public texts are silent): a recognition for year Y is
valid from the day it is decided until 31 December of Y + 1, so "Reconocida 2025" still verifies
during 2026 while the 2026 cycle runs, and lapses if the organization is not recognized again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from collections.abc import Mapping, Sequence

from portal import clock
from portal.i18n import N_

COMMITMENTS: dict[int, str] = {
    1: N_("Estructuras internas que coordinen las acciones de inclusión de personas migrantes."),
    2: N_("Un plan de capacitación y sensibilización sobre migración e interculturalidad."),
    3: N_("Políticas internas de buenas prácticas laborales hacia personas migrantes."),
    4: N_("Acciones que promuevan la interculturalidad."),
    5: N_("Participación de personas extranjeras en las estructuras internas."),
}
SHORT_COMMITMENTS: dict[int, str] = {
    1: N_("Estructuras de inclusión"),
    2: N_("Capacitación y sensibilización"),
    3: N_("Buenas prácticas laborales"),
    4: N_("Interculturalidad"),
    5: N_("Participación de personas extranjeras"),
}
MIN_SCORE, MAX_SCORE = 0, 3
RECOGNITION_TOTAL = 10

# States per cycle (docs/compromiso.md, States per cycle); the same words as migrations/0040_compromiso.sql's CHECK.
ADHERED, REPORT_SUBMITTED, APPLIED = "adhered", "report_submitted", "applied"
IN_EVALUATION, RECOGNIZED, NOT_RECOGNIZED = "in_evaluation", "recognized", "not_recognized"
STATES = (ADHERED, REPORT_SUBMITTED, APPLIED, IN_EVALUATION, RECOGNIZED, NOT_RECOGNIZED)
DECIDED_STATES = (RECOGNIZED, NOT_RECOGNIZED)
STATE_LABELS: dict[str, str] = {
    "adhered": N_("Adherida"),
    "report_submitted": N_("Informe enviado"),
    "applied": N_("Postulada"),
    "in_evaluation": N_("En evaluación"),
    "recognized": N_("Reconocida"),
    "not_recognized": N_("No reconocida"),
}
# CSS modifier per state (status--…), so meaning never rests on colour alone: the label is the text.
STATE_CSS = {"adhered": "", "report_submitted": "ok", "applied": "warning", "in_evaluation": "warning",
             "recognized": "recognized", "not_recognized": "rejected"}
APPLIED_STATES = (APPLIED, IN_EVALUATION, *DECIDED_STATES)
REPORTED_STATES = (REPORT_SUBMITTED, *APPLIED_STATES)

KINDS: dict[str, str] = {"empresa": N_("Empresa"), "institucion": N_("Institución"), "gremio": N_("Gremio")}
SIZES: dict[str, str] = {"micro": N_("Micro"), "pequena": N_("Pequeña"), "mediana": N_("Mediana"),
                         "grande": N_("Grande")}
SECTORS: dict[str, str] = {
    "agricultura": N_("Agricultura, ganadería, silvicultura y pesca"),
    "mineria": N_("Minería"),
    "manufactura": N_("Industria manufacturera"),
    "energia": N_("Electricidad, gas, agua y gestión de desechos"),
    "construccion": N_("Construcción"),
    "comercio": N_("Comercio"),
    "transporte": N_("Transporte y almacenamiento"),
    "alojamiento": N_("Alojamiento y servicios de comida"),
    "informacion": N_("Información y comunicaciones"),
    "financiero": N_("Actividades financieras y de seguros"),
    "profesional": N_("Actividades profesionales, científicas y técnicas"),
    "administrativo": N_("Servicios administrativos y de apoyo"),
    "publico": N_("Administración pública"),
    "educacion": N_("Enseñanza"),
    "salud": N_("Salud y asistencia social"),
    "arte": N_("Artes, entretenimiento y recreación"),
    "otros": N_("Otras actividades de servicios"),
}
STAFF_FIELDS = ("national_women", "national_men", "national_other", "foreign_women", "foreign_men", "foreign_other")


class ScoreError(ValueError):
    """Scores that cannot be decided on: not five of them, or one outside 0–3."""


@dataclass(frozen=True)
class Decision:
    """The outcome of an evaluation and why."""

    recognized: bool
    total: int
    zero_commitments: tuple[int, ...]

    @property
    def status(self) -> str:
        return RECOGNIZED if self.recognized else NOT_RECOGNIZED


def decide(scores: Mapping[int, int] | Sequence[int]) -> Decision:
    """Recognized when the five scores (0–3 each) add up to ≥ 10 and none is 0."""
    values = dict(scores) if isinstance(scores, Mapping) else dict(enumerate(scores, start=1))
    if sorted(values) != list(COMMITMENTS):
        raise ScoreError("exactly one score per commitment (1–5) is needed")
    for commitment, score in values.items():
        if isinstance(score, bool) or not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
            raise ScoreError(f"commitment {commitment}: score {score!r} outside {MIN_SCORE}–{MAX_SCORE}")
    total = sum(values.values())
    zeros = tuple(c for c in sorted(values) if values[c] == 0)
    return Decision(recognized=total >= RECOGNITION_TOTAL and not zeros, total=total, zero_commitments=zeros)


def certificate_validity(year: int, decided_on: date) -> tuple[date, date]:
    """(valid_from, valid_until) of the recognition for `year`: until the end of the following year."""
    return decided_on, date(year + 1, 12, 31)


def open_year(today: date | None = None) -> int:
    """The cycle year contacts can report on and apply to: the current calendar year in Chile."""
    return (today or clock.today()).year
