"""The council's rules as pure functions (docs/council.md): quorum, agreements, absences, and the
checks that say, before anyone clicks, why an action is not possible now. The quorum share, the
absence limit and the days to comment are each council's settings (`CouncilRules`), passed in.

No I/O here: every function takes plain values and is tested with tables of cases
(tests/council/test_council_rules.py). The state strings are the same as the SQL CHECKs of
migrations/0120_council.sql and the Machines of workflow.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from portal.i18n import N_, gettext as _, ngettext
from portal.workflow import ALLOWED, Check, first_refusal, refuse

# ----- states and kinds (SQL CHECKs in migrations/0120_council.sql) -----

DRAFT, CONVENED, IN_PROGRESS, CLOSED = "draft", "convened", "in_progress", "closed"
SESSION_STATES = {DRAFT: N_("Borrador"), CONVENED: N_("Convocada"), IN_PROGRESS: N_("En curso"),
                  CLOSED: N_("Realizada")}
KINDS = {"ordinary": N_("Ordinaria"), "extraordinary": N_("Extraordinaria")}

PENDING, PRESENT, EXCUSED, ABSENT = "pending", "present", "excused", "absent"
ATTENDANCE = {PRESENT: N_("Presente"), EXCUSED: N_("Ausente con excusa"), ABSENT: N_("Ausente sin excusa")}
ATTENDANCE_STATES = {PENDING: N_("Sin registrar"), **ATTENDANCE}

ACTA_DRAFT, CIRCULATED, FINAL = "draft", "circulated", "final"
ACTA_STATES = {ACTA_DRAFT: N_("Borrador"), CIRCULATED: N_("En observaciones"), FINAL: N_("Aprobada")}
COMMENT_KINDS = {"comment": N_("Comentario"), "amendment": N_("Propuesta de enmienda")}

PROPOSED, CONFIRMED, DISMISSED = "proposed", "confirmed", "dismissed"
PROPOSAL_STATES = {PROPOSED: N_("Propuesta"), CONFIRMED: N_("Confirmada"), DISMISSED: N_("Descartada")}

# ----- each council's rules (docs/council.md, The council's rules; SQL CHECKs in 0122_council_settings.sql) -----

QUORUM_PERCENT = (1, 99)  # the quorum is MORE THAN this share of the members in office
ABSENCE_LIMIT = (1, 12)  # consecutive unexcused absences that propose the vacancy
COMMENT_DAYS = (1, 60)  # default days, from circulation, to comment a draft acta


@dataclass(frozen=True)
class CouncilRules:
    """A council's settings; without a row in council_settings, the issue's defaults."""

    quorum_percent: int = 50  # more than half: an absolute majority (11 of 20)
    absence_limit: int = 3
    comment_days: int = 10

    def __post_init__(self) -> None:
        for value, (lo, hi) in ((self.quorum_percent, QUORUM_PERCENT), (self.absence_limit, ABSENCE_LIMIT),
                                (self.comment_days, COMMENT_DAYS)):
            if not lo <= value <= hi:
                raise ValueError(f"council rule {value} outside {lo}..{hi}")


DEFAULT_RULES = CouncilRules()


def for_session(settings: CouncilRules, fixed_percent: int | None) -> CouncilRules:
    """The rules of one session: its quorum share is the one in force when it opened (kept on the
    session, like the number in office); a session not yet opened follows the council's settings."""
    return settings if fixed_percent is None else replace(settings, quorum_percent=fixed_percent)


# ----- quorum and agreements (docs/council.md, Quorum, Agreements) -----

def quorum_needed(in_office: int, settings: CouncilRules = DEFAULT_RULES) -> int:
    """More than `quorum_percent` % of the members in office. At 50 %, an absolute majority:
    11 of 20, 10 of 19, 10 of 18, 1 of 1; at 60 %, 13 of 20 (more than 12)."""
    return in_office * settings.quorum_percent // 100 + 1


def has_quorum(present: int, in_office: int, settings: CouncilRules = DEFAULT_RULES) -> bool:
    return in_office > 0 and present >= quorum_needed(in_office, settings)


def quorum_words(settings: CouncilRules) -> str:
    """The quorum rule in plain words, as the public pages say it."""
    if settings.quorum_percent == 50:
        return _("más de la mitad de los miembros en ejercicio (mayoría absoluta)")
    return _("más del %(p)s %% de los miembros en ejercicio", p=settings.quorum_percent)


def absence_words(settings: CouncilRules) -> str:
    return ngettext("Una inasistencia sin excusa hace perder el cupo: la secretaría técnica confirma la vacancia "
                    "y asume la candidatura siguiente en el orden de reemplazo de la elección.",
                    "%(num)s inasistencias seguidas sin excusa hacen perder el cupo: la secretaría técnica confirma "
                    "la vacancia y asume la candidatura siguiente en el orden de reemplazo de la elección.",
                    settings.absence_limit)


def comment_words(settings: CouncilRules) -> str:
    return ngettext("Quienes asistieron a una sesión pueden observar el borrador de su acta durante %(num)s día "
                    "desde que se les envía, salvo que la secretaría técnica fije otra fecha.",
                    "Quienes asistieron a una sesión pueden observar el borrador de su acta durante %(num)s días "
                    "desde que se les envía, salvo que la secretaría técnica fije otra fecha.",
                    settings.comment_days)


def adopted(votes_for: int, present: int) -> bool:
    """An agreement passes with a majority of those present; a tie is recorded as not adopted."""
    return votes_for * 2 > present


def votes_problem(votes_for: int, against: int, abstain: int, present: int) -> str | None:
    """Why these votes cannot be recorded (None: they can)."""
    if min(votes_for, against, abstain) < 0:
        return _("Los votos no pueden ser negativos.")
    if votes_for + against + abstain > present:
        return _("Votaron %(n)s personas, pero hay %(present)s presentes.",
                 n=votes_for + against + abstain, present=present)
    return None


# ----- absences (docs/council.md, Absences and vacancies) -----

def unexcused_streak(history: Sequence[str]) -> int:
    """Consecutive unexcused absences at the end of a member's attendance, oldest first.
    Being present or excused ends a streak."""
    streak = 0
    for status in reversed(history):
        if status != ABSENT:
            break
        streak += 1
    return streak


def loses_seat(history: Sequence[str], settings: CouncilRules = DEFAULT_RULES) -> bool:
    """The `absence_limit`-th consecutive unexcused absence (or more; the third by default) proposes
    the vacancy."""
    return unexcused_streak(history) >= settings.absence_limit


def streak_shown_from(settings: CouncilRules) -> int:
    """/consejo points out a run of absences from one short of the limit (two, by default)."""
    return max(1, settings.absence_limit - 1)


# ----- checks shown beside the buttons -----

def convene_check(status: str, items: int, starts_at: datetime, now: datetime) -> Check:
    return first_refusal(
        Check(status == DRAFT, _("La sesión ya fue convocada.")),
        Check(items > 0, _("Agregue al menos un punto a la tabla antes de convocar.")),
        Check(starts_at > now, _("La fecha de la sesión ya pasó: no se puede convocar.")),
    )


def open_check(status: str, in_office: int) -> Check:
    return first_refusal(
        Check(status == CONVENED, _("Solo se abre una sesión convocada que no ha comenzado.")),
        Check(in_office > 0, _("El consejo no tiene miembros en ejercicio.")),
    )


def attendance_check(status: str) -> Check:
    return ALLOWED if status == IN_PROGRESS else refuse(_("La asistencia se registra durante la sesión."))


def agreement_check(status: str, present: int, in_office: int, settings: CouncilRules = DEFAULT_RULES) -> Check:
    """Agreements are recorded only during the session and only with quorum."""
    return first_refusal(
        attendance_check(status),
        Check(has_quorum(present, in_office, settings),
              _("No hay quórum: hay %(present)s presentes y se necesitan %(needed)s de %(n)s en ejercicio.",
                present=present, needed=quorum_needed(in_office, settings), n=in_office)),
    )


def presidency_check(status: str, present: int, in_office: int, is_first: bool, already: bool,
                     settings: CouncilRules = DEFAULT_RULES) -> Check:
    return first_refusal(
        Check(not already, _("La presidencia de este consejo ya fue elegida.")),
        Check(is_first, _("La presidencia se elige en la primera sesión del consejo.")),
        agreement_check(status, present, in_office, settings),
    )


def close_check(status: str, pending: int) -> Check:
    return first_refusal(
        Check(status == IN_PROGRESS, _("Solo se cierra una sesión en curso.")),
        Check(pending == 0, _("Registre la asistencia de cada miembro antes de cerrar (faltan %(n)s).", n=pending)),
    )


def acta_edit_check(session_status: str, acta_status: str | None) -> Check:
    return first_refusal(
        Check(session_status == CLOSED, _("El acta se redacta después de cerrar la sesión.")),
        Check(acta_status != FINAL, _("El acta está aprobada y no cambia.")),
    )


def circulate_check(acta_status: str | None) -> Check:
    if acta_status is None:
        return refuse(_("Redacte el borrador del acta antes de enviarlo."))
    return ALLOWED if acta_status == ACTA_DRAFT else refuse(_("El borrador ya fue enviado a quienes asistieron."))


def comment_check(acta_status: str, comments_until: date | None, today: date, attended: bool) -> Check:
    """Only councillors who attended comment, while the acta is circulated and within its deadline."""
    return first_refusal(
        Check(attended, _("Solo quienes asistieron a la sesión pueden comentar su acta.")),
        Check(acta_status == CIRCULATED, _("El acta no está abierta a observaciones.")),
        Check(comments_until is not None and today <= comments_until,
              _("El plazo para observar el acta terminó.")),
    )


def approve_check(acta_status: str, acta_session_starts: datetime, session_status: str, session_starts: datetime,
                  present: int, in_office: int, settings: CouncilRules = DEFAULT_RULES) -> Check:
    """An acta is approved at a later session, in progress and with quorum."""
    return first_refusal(
        Check(acta_status == CIRCULATED, _("Solo se aprueba un acta enviada a observaciones.")),
        Check(session_starts > acta_session_starts, _("El acta se aprueba en una sesión posterior.")),
        agreement_check(session_status, present, in_office, settings),
    )
