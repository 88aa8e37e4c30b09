"""When each reminder goes out: every offset is a setting (PORTAL_REMINDER_*), with these defaults."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta

from starlette.config import Config


def _days(text: str) -> tuple[int, ...]:
    return tuple(sorted({int(part) for part in text.replace(",", " ").split()}, reverse=True))


@dataclass(frozen=True)
class Timing:
    """Offsets in days (or hours) before each deadline. The environment variable of each field is
    PORTAL_REMINDER_<FIELD NAME IN CAPITALS>; lists are written "30,7,0"."""

    vigencia_days: tuple[int, ...] = (30, 7, 0)   # registry: before the vigencia certificate expires
    observed_working_days: int = 5                # registry: an observation unanswered this many working days
    padron_warning_days: int = 30                 # registry: before the padrón cut-off, vigencia lapsing by then
    sello_expiry_days: tuple[int, ...] = (30,)    # Sello: before the certification expires
    sello_revalidation_days: int = 90             # Sello: the revalidation window opens (docs/sello.md)
    compromiso_call_opens: str = "09-01"          # Compromiso: the call for recognition opens (month-day)
    compromiso_call_closes: str = "12-31"         # … and closes: the last day of the open year (docs/compromiso.md)
    compromiso_report_days: int = 30              # before the call closes, to those without a report
    compromiso_closing_days: int = 7              # before the call closes, to those who have not applied
    candidacies_hours: int = 48                   # elections: before candidacies close
    voting_closing_hours: int = 24                # elections: before voting closes (only to those who did not vote)
    results_days: int = 7                         # elections: how long after the count "results published" is sent
    council_session_hours: int = 48               # council: before a convened session starts
    send_hour: int = 9                            # reminders dated by day go out at this hour, Chile's time
    horizon_days: int = 60                        # how far ahead reminders are planned (and shown to staff)
    run_every_minutes: int = 15                   # how often the job runner plans and sends

    @property
    def horizon(self) -> timedelta:
        return timedelta(days=self.horizon_days)

    @classmethod
    def from_env(cls, env_file: str | None = None) -> Timing:
        config = Config(env_file)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = config("PORTAL_REMINDER_" + f.name.upper(), default=None)
            if raw is None:
                continue
            default = f.default
            values[f.name] = _days(raw) if isinstance(default, tuple) else int(raw) if isinstance(default, int) \
                else str(raw)
        return cls(**values)  # type: ignore[arg-type]  # each value cast to its field's type above
