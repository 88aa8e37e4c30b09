"""The portal's reminder kinds, programme by programme (docs/reminders.md, Kinds). Each finder reads
the deadlines that still matter and returns one `Due` per recipient; SQL in `queries.py`."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from portal.db import Database, Row
from portal.elections_web import api as elections_api
from portal.i18n import N_
from portal.reminders import queries as q, rules
from portal.reminders.kinds import Context, Due, Kind, Topic, register_kind, register_topic

REGISTRY, SELLO, COMPROMISO, ELECTIONS = (N_("Registro de Organizaciones"), N_("Sello Migrante"),
                                          N_("Compromiso Migrante"), N_("Elecciones del COSOC"))
COUNCIL = N_("Consejo de la Sociedad Civil")


def _dues(rows: list[Row], kind: str, subject_type: str, link: str, deadline: datetime, send_at: datetime,
          until: datetime, step: str = "", **facts: object) -> list[Due]:
    return [Due(kind, r["user_id"], subject_type, str(r["id"]), deadline, send_at, until, r["label"], link, step,
                dict(facts)) for r in rows]


def _day(value: date) -> datetime:
    return rules.at(value)


# ---- registry (docs/registry.md, Documents; docs/elections.md, Padrón) ----

async def vigencia(db: Database, ctx: Context) -> list[Due]:
    timing = ctx.timing
    last = ctx.today + timedelta(days=max(timing.vigencia_days, default=0) + timing.horizon_days)
    found = []
    for row in await q.vigencias_ending(db, ctx.today, last):
        for step, send, until in rules.staged(row["day"], timing.vigencia_days, timing.send_hour):
            if ctx.plannable(send, until):
                found += _dues([row], "registry.vigencia", "organization", "/mi-organizacion", _day(row["day"]),
                               send, until, step, day=row["day"])
    return found


async def observed(db: Database, ctx: Context) -> list[Due]:
    found = []
    for row in await q.observed_applications(db):
        if row["observed_at"] is None:
            continue
        seen = rules.clock_day(row["observed_at"])
        send = rules.at(rules.add_working_days(seen, ctx.timing.observed_working_days), ctx.timing.send_hour)
        until = send + timedelta(days=30)
        if ctx.plannable(send, until):
            found += _dues([row], "registry.observed", "organization", "/mi-organizacion", row["observed_at"],
                           send, until)
    return found


async def padron_cutoff(db: Database, ctx: Context) -> list[Due]:
    warn = ctx.timing.padron_warning_days
    rows = await q.lapsing_before_cutoff(db, ctx.today, ctx.today + timedelta(days=warn + ctx.timing.horizon_days))
    found = []
    for row in rows:
        send, until = rules.at(row["day"] - timedelta(days=warn), ctx.timing.send_hour), _day(row["day"])
        if ctx.plannable(send, until):
            found += _dues([row], "registry.padron_cutoff", "organization", "/mi-organizacion", _day(row["day"]),
                           send, until, day=row["day"], expires=row["vigencia_expires_on"])
    return found


# ---- Sello Migrante (docs/sello.md, Certification and revalidation) ----

async def sello_expiry(db: Database, ctx: Context) -> list[Due]:
    timing = ctx.timing
    last = ctx.today + timedelta(days=max(timing.sello_expiry_days, default=0) + timing.horizon_days)
    found = []
    for row in await q.sello_certifications_ending(db, ctx.today, last):
        for step, send, until in rules.staged(row["day"], timing.sello_expiry_days, timing.send_hour):
            if ctx.plannable(send, until):
                found += _dues([row], "sello.expiry", "municipality", "/mi-municipalidad",
                               _day(row["day"]), send, until, step, day=row["day"])
    return found


async def sello_revalidation(db: Database, ctx: Context) -> list[Due]:
    days = ctx.timing.sello_revalidation_days
    found = []
    for row in await q.sello_certifications_ending(db, ctx.today, ctx.today + timedelta(days=days + 60)):
        send, until = rules.at(row["day"] - timedelta(days=days), ctx.timing.send_hour), rules.end_of(row["day"])
        if ctx.plannable(send, until):
            found += _dues([row], "sello.revalidation", "municipality", "/mi-municipalidad",
                           _day(row["day"]), send, until, day=row["day"])
    return found


# ---- Compromiso Migrante (docs/compromiso.md, Annual report and Application) ----

NOT_APPLIED = (None, "adhered", "report_submitted")


async def _compromiso(db: Database, ctx: Context, kind: str, states: tuple[str | None, ...],
                      send_day: date, close: date) -> list[Due]:
    send, until = rules.at(send_day, ctx.timing.send_hour), rules.end_of(close)
    if not ctx.plannable(send, until):
        return []
    rows = [r for r in await q.compromiso_contacts(db, close.year) if r["status"] in states]
    return _dues(rows, kind, "company", "/mi-empresa", _day(close), send, until, day=close, year=close.year)


def _call(ctx: Context) -> tuple[date, date]:
    year = ctx.today.year
    return (rules.month_day(year, ctx.timing.compromiso_call_opens),
            rules.month_day(year, ctx.timing.compromiso_call_closes))


async def compromiso_report(db: Database, ctx: Context) -> list[Due]:
    close = _call(ctx)[1]
    return await _compromiso(db, ctx, "compromiso.report", (None, "adhered"),
                             close - timedelta(days=ctx.timing.compromiso_report_days), close)


async def compromiso_call_open(db: Database, ctx: Context) -> list[Due]:
    opens, close = _call(ctx)
    return await _compromiso(db, ctx, "compromiso.call_open", NOT_APPLIED, opens, close)


async def compromiso_call_closing(db: Database, ctx: Context) -> list[Due]:
    close = _call(ctx)[1]
    return await _compromiso(db, ctx, "compromiso.call_closing", NOT_APPLIED,
                             close - timedelta(days=ctx.timing.compromiso_closing_days), close)


# ---- COSOC elections (docs/elections.md, Phases and Voting) ----

async def _each_election(db: Database, phases: tuple[str, ...]) -> list[q.ElectionDates]:
    return await q.elections(db, phases)


async def padron_claims(db: Database, ctx: Context) -> list[Due]:
    found = []
    for e in await _each_election(db, ("padron_provisional",)):
        if e.padron_cutoff is None or e.padron_claims_until is None:
            continue
        send, until = rules.at(e.padron_cutoff), rules.end_of(e.padron_claims_until)
        if ctx.plannable(send, until):
            found += _dues(await q.registered_representatives(db), "elections.padron_claims", "organization",
                           f"/elecciones/{e.id}/padron", _day(e.padron_claims_until), send, until,
                           day=e.padron_claims_until, election=e.name, election_id=e.id)
    return found


async def candidacies_closing(db: Database, ctx: Context) -> list[Due]:
    found = []
    for e in await _each_election(db, ("candidacies_open",)):
        if e.candidacies_until is None:
            continue
        closes = rules.end_of(e.candidacies_until)
        send = closes - timedelta(hours=ctx.timing.candidacies_hours)
        if ctx.plannable(send, closes):
            rows = await q.padron_representatives(db, e.id, without_candidacy=True)
            found += _dues(rows, "elections.candidacies_closing", "organization", f"/elecciones/{e.id}/candidatura",
                           _day(e.candidacies_until), send, closes, day=e.candidacies_until,
                           election=e.name, election_id=e.id)
    return found


async def _voting(db: Database, ctx: Context, kind: str, closing: bool) -> list[Due]:
    found = []
    for e in await _each_election(db, ("voting_open",)):
        if e.voting_starts_at is None or e.voting_ends_at is None:
            continue
        send = e.voting_ends_at - timedelta(hours=ctx.timing.voting_closing_hours) if closing else e.voting_starts_at
        if ctx.plannable(send, e.voting_ends_at):
            # only organizations that have not voted: the has-voted row, never a ballot (docs/ballot-secrecy.md)
            rows = await q.padron_representatives(db, e.id, not_voted=True)
            found += _dues(rows, kind, "organization", f"/elecciones/{e.id}/votar", e.voting_ends_at, send,
                           e.voting_ends_at, election=e.name, election_id=e.id)
    return found


async def voting_open(db: Database, ctx: Context) -> list[Due]:
    return await _voting(db, ctx, "elections.voting_open", closing=False)


async def voting_closing(db: Database, ctx: Context) -> list[Due]:
    return await _voting(db, ctx, "elections.voting_closing", closing=True)


async def results(db: Database, ctx: Context) -> list[Due]:
    found = []
    for e in await _each_election(db, ("tallied",)):
        if e.tallied_at is None:
            continue
        until = e.tallied_at + timedelta(days=ctx.timing.results_days)
        if ctx.plannable(e.tallied_at, until):
            found += _dues(await q.padron_representatives(db, e.id), "elections.results", "organization",
                           f"/elecciones/{e.id}/resultados", e.tallied_at, e.tallied_at, until,
                           election=e.name, election_id=e.id)
    return found


# ---- the council in office (docs/council.md, Sessions and Actas) ----

async def session_soon(db: Database, ctx: Context) -> list[Due]:
    """Before a convened session, to the representatives of each councillor in office's organization."""
    council = await elections_api.current_council(db)
    if council is None:
        return []
    ahead = timedelta(hours=ctx.timing.council_session_hours)
    found = []
    for s in await q.council_sessions_starting(db, council.election_id, ctx.now, ctx.horizon_end + ahead):
        send, starts = s["starts_at"] - ahead, s["starts_at"]
        if ctx.plannable(send, starts):
            rows = await q.organization_representatives(db, sorted({m.org_id for m in council.members}))
            found += [Due("council.session_soon", r["user_id"], "council_session", str(s["id"]), starts, send,
                          starts, r["label"], f"/consejo/sesiones/{s['id']}") for r in rows]
    return found


async def acta_review(db: Database, ctx: Context) -> list[Due]:
    """A circulated acta, to the representatives of the councillors present who have not commented,
    until its comment deadline (inclusive)."""
    found = []
    for r in await q.actas_to_review(db, ctx.today):
        send, until = min(r["circulated_at"], ctx.now), rules.end_of(r["day"])
        if ctx.plannable(send, until):
            found.append(Due("council.acta_review", r["user_id"], "council_acta", str(r["id"]), _day(r["day"]),
                             send, until, r["label"], "/mi-consejo", "", {"day": r["day"], "session": r["session"]}))
    return found


# ---- the registry of the portal's own kinds ----

def _topics() -> None:
    for code, label, programme in (
            ("registry_vigencia", N_("Vencimiento del certificado de vigencia"), REGISTRY),
            ("registry_observed", N_("Observaciones sin responder"), REGISTRY),
            ("registry_padron", N_("Aviso antes del corte del padrón electoral"), REGISTRY),
            ("sello", N_("Vencimiento y revalidación del Sello"), SELLO),
            ("compromiso", N_("Informe anual y convocatoria al reconocimiento"), COMPROMISO),
            ("elections", N_("Plazos de las elecciones del COSOC (padrón, candidaturas, votación, resultados)"),
             ELECTIONS),
            ("council", N_("Sesiones del Consejo y actas por revisar"), COUNCIL)):
        register_topic(Topic(code, label, programme))


def _kinds() -> None:
    for code, topic, find, title, subject, body in KIND_TEXTS:
        register_kind(Kind(code, topic, find, subject=subject, body=body, title=title))


KIND_TEXTS = (
    ("registry.vigencia", "registry_vigencia", vigencia, N_("Vigencia por vencer"),
     N_("El certificado de vigencia de %(label)s vence el %(deadline)s"),
     N_("El certificado de vigencia de %(label)s vence el %(deadline)s. Para que la organización siga inscrita, "
        "solicite la renovación con un certificado nuevo (de no más de 60 días) en %(link)s.")),
    ("registry.observed", "registry_observed", observed, N_("Observación sin responder"),
     N_("%(label)s: la solicitud observada espera su respuesta"),
     N_("La solicitud de %(label)s fue observada el %(deadline)s y todavía espera su respuesta. Corrija lo "
        "indicado y vuelva a enviarla en %(link)s.")),
    ("registry.padron_cutoff", "registry_padron", padron_cutoff, N_("Corte del padrón"),
     N_("%(label)s: la vigencia vence antes del corte del padrón"),
     N_("El padrón de la elección del COSOC se forma con las organizaciones vigentes el %(deadline)s. La vigencia "
        "de %(label)s vence antes. Renueve a tiempo para no perder el voto: %(link)s.")),
    ("sello.expiry", "sello", sello_expiry, N_("Sello por vencer"),
     N_("La certificación Sello Migrante de %(label)s vence el %(deadline)s"),
     N_("La certificación Sello Migrante de %(label)s vence el %(deadline)s. Puede solicitar la revalidación "
        "en %(link)s.")),
    ("sello.revalidation", "sello", sello_revalidation, N_("Ventana de revalidación"),
     N_("%(label)s: se abre la revalidación del Sello Migrante"),
     N_("La certificación Sello Migrante de %(label)s vence el %(deadline)s. Desde hoy puede solicitar la "
        "revalidación en %(link)s.")),
    ("compromiso.report", "compromiso", compromiso_report, N_("Informe anual pendiente"),
     N_("%(label)s: el informe anual vence el %(deadline)s"),
     N_("El informe anual de Compromiso Migrante de %(label)s se recibe hasta el %(deadline)s. Puede "
        "completarlo y enviarlo en %(link)s.")),
    ("compromiso.call_open", "compromiso", compromiso_call_open, N_("Convocatoria abierta"),
     N_("Se abrió la convocatoria al reconocimiento Compromiso Migrante"),
     N_("La convocatoria al reconocimiento Compromiso Migrante está abierta hasta el %(deadline)s. %(label)s "
        "puede postular después de enviar su informe anual: %(link)s.")),
    ("compromiso.call_closing", "compromiso", compromiso_call_closing, N_("Convocatoria por cerrar"),
     N_("La convocatoria Compromiso Migrante cierra el %(deadline)s"),
     N_("La convocatoria al reconocimiento Compromiso Migrante cierra el %(deadline)s y %(label)s aún no "
        "postula. Envíe su informe y postule en %(link)s.")),
    ("elections.padron_claims", "elections", padron_claims, N_("Padrón publicado"),
     N_("%(election)s: padrón provisorio publicado"),
     N_("Se publicó el padrón provisorio de %(election)s. Revise si %(label)s figura en él; los reclamos se "
        "reciben hasta el %(deadline)s: %(link)s.")),
    ("elections.candidacies_closing", "elections", candidacies_closing, N_("Candidaturas por cerrar"),
     N_("%(election)s: las candidaturas cierran en 48 horas"),
     N_("Las candidaturas de %(election)s se reciben hasta el %(deadline)s. %(label)s aún no presenta una: "
        "%(link)s.")),
    ("elections.voting_open", "elections", voting_open, N_("Votación abierta"),
     N_("%(election)s: la votación está abierta"),
     N_("La votación de %(election)s está abierta hasta el %(deadline)s. Cualquier representante de %(label)s "
        "puede emitir el voto de la organización en %(link)s.")),
    ("elections.voting_closing", "elections", voting_closing, N_("Votación por cerrar"),
     N_("%(election)s: la votación cierra en 24 horas"),
     N_("La votación de %(election)s cierra el %(deadline)s. Cualquier representante de %(label)s puede emitir "
        "el voto de la organización en %(link)s.")),
    ("elections.results", "elections", results, N_("Resultados publicados"),
     N_("%(election)s: resultados provisorios publicados"),
     N_("Se publicaron los resultados provisorios de %(election)s: %(link)s.")),
    ("council.session_soon", "council", session_soon, N_("Sesión del Consejo en 48 horas"),
     N_("Sesión del Consejo de la Sociedad Civil el %(deadline)s"),
     N_("El Consejo de la Sociedad Civil sesiona el %(deadline)s. Como representante de %(label)s, que integra "
        "el consejo, puede revisar la tabla, el lugar y los documentos en %(link)s.")),
    ("council.acta_review", "council", acta_review, N_("Acta por revisar"),
     N_("Acta del Consejo por revisar hasta el %(deadline)s"),
     N_("Se circuló el borrador del acta de la sesión del %(session)s, a la que asistió el consejero o la "
        "consejera de %(label)s. Puede enviar observaciones o propuestas de enmienda hasta el %(deadline)s "
        "en %(link)s.")),
)

_topics()
_kinds()
