"""Sello Migrante states and their changes (docs/sello.md, States; Certification and revalidation).

A municipality's state is `sello_adhesions.status`, moved only through portal.workflow.transition()
with the `ADHESIONS` machine: the row is locked, the state checked, the new state and the audit
event written in one transaction. Its evaluation row (`sello_evaluations.status`) follows in the
same transaction, under that row lock. 'expired' and 'revalidation' are not stored: they are read
from the certification dates by rules.display_state() against clock.today(), so nothing runs at
expiry. A Casilla case moves open → closed with the `CASES` machine.

Revoking a Sello certificate (portal.certificates) puts the municipality back to implementing:
this module registers that hook when it is imported (portal/sello/routes.py imports it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from portal import audit, i18n, mail, uploads
from portal.certificates import service as certificates
from portal.db import Database
from portal.sello import queries, rules
from portal.sello.rules import ADHERED, CERTIFIED, EVALUATION_REQUESTED, IMPLEMENTING, IN_EVALUATION
from portal.security import CurrentUser
from portal.txn import atomic
from portal.workflow import ALLOWED, Check, Conflict, Machine, moves, refuse, transition

_ = i18n.gettext

ADHESIONS = Machine(
    table="sello_adhesions", object_type="sello_municipality", key="comuna_code", audit_prefix="sello",
    moves=moves(
        implementing=(ADHERED, EVALUATION_REQUESTED, IN_EVALUATION, CERTIFIED),  # plan; not certified; revoked
        evaluation_requested=(IMPLEMENTING, CERTIFIED),                         # certification or revalidation
        in_evaluation=(EVALUATION_REQUESTED,),
        certified=(EVALUATION_REQUESTED, IN_EVALUATION),
    ))
CASES = Machine(table="sello_cases", object_type="sello_case", audit_prefix="sello",
                moves=moves(closed=(rules.CASE_OPEN,)))
DECIDABLE = (EVALUATION_REQUESTED, IN_EVALUATION)


# ----- checks (pages show the reason; actions refuse with it) -----

def not_adhered(adhesion: queries.Adhesion | None) -> Check:
    """A comuna adheres once."""
    return refuse(_already_adhered()) if adhesion is not None else ALLOWED


def adhered(adhesion: queries.Adhesion | None, *, staff: bool = False) -> Check:
    """The plan, the Casilla and visits need an adhesion (worded for the liaison or for staff)."""
    if adhesion is None:
        return refuse(_("Esta municipalidad no ha adherido al Sello Migrante.") if staff
                      else _("Primero registre la adhesión con la carta compromiso."))
    return ALLOWED


def evaluation_startable(open_eval: dict[str, Any] | None) -> Check:
    """An evaluator takes an evaluation that was requested and not yet taken."""
    if open_eval is None or open_eval["status"] != "requested":
        return refuse(_("La evaluación ya fue iniciada.") if open_eval else _no_pending())
    return ALLOWED


def _no_pending() -> str:
    return _("No hay una evaluación solicitada pendiente para esta municipalidad.")


def _already_adhered() -> str:
    return _("Esta municipalidad ya adhirió al Sello Migrante: solo hay una adhesión por comuna.")


def _state_changed() -> str:
    return _("El estado de la municipalidad cambió; recargue la página.")


# ----- the liaison's steps -----

async def adhere(db: Database, actor: CurrentUser, code: str, *, mayor: str, carta_date: date, agreement: str,
                 carta: uploads.CheckedFile, today: date) -> None:
    """Register the adhesion with its carta compromiso (the machine's first state, 'adhered')."""
    async with atomic(db):
        file_id = await uploads.store(db, carta, actor.id)
        if not await queries.create_adhesion(db, code=code, mayor=mayor, carta_date=carta_date, agreement=agreement,
                                             file_id=file_id, by=actor.id, today=today):
            raise Conflict(_already_adhered())
        await audit.record(db, actor=actor, action="sello.adhered", object_type=ADHESIONS.object_type, object_id=code,
                           after={"status": ADHERED, "mayor": mayor, "carta_date": carta_date,
                                  "council_agreement": agreement, "file": file_id})


async def upload_work_plan(db: Database, actor: CurrentUser, code: str, plan: uploads.CheckedFile,
                           today: date) -> None:
    """Store the work plan: the first one starts the implementation (adhered → implementing)."""
    async with atomic(db):
        current = await queries.lock_adhesion(db, code)
        if current is None:
            raise Conflict(adhered(None).reason)
        file_id = await uploads.store(db, plan, actor.id)
        if current.status == ADHERED:
            await transition(db, ADHESIONS, code, IMPLEMENTING, actor=actor, expected=(ADHERED,),
                             sets=queries.WORK_PLAN_SETS, params={"file": file_id, "today": today},
                             action="sello.work_plan_uploaded", after={"file": file_id}, refusal=_state_changed())
            return
        await queries.set_work_plan(db, code, file_id, today)  # a replacement: no change of state
        await audit.record(db, actor=actor, action="sello.work_plan_uploaded", object_type=ADHESIONS.object_type,
                           object_id=code, before={"status": current.status},
                           after={"status": current.status, "file": file_id})


async def close_case(db: Database, actor: CurrentUser, case_id: int, today: date) -> None:
    """Close an open Casilla case (closing a closed one again changes nothing)."""
    async with atomic(db):
        case = await queries.lock_case(db, case_id)
        if case is None or case["status"] != rules.CASE_OPEN:
            return
        await transition(db, CASES, case_id, rules.CASE_CLOSED, actor=actor, sets=queries.CLOSE_CASE_SETS,
                         params={"today": today}, action="sello.case_closed")


async def request_evaluation(db: Database, actor: CurrentUser, code: str, reports: dict[int, str],
                             evidence: dict[int, list[uploads.CheckedFile]], today: date) -> None:
    """Request a certification or a revalidation (docs/sello.md, Certification and revalidation):
    the reports and evidence are stored and the municipality waits for an evaluator."""
    async with atomic(db):
        current = await queries.lock_adhesion(db, code)
        permission = rules.evaluation_request_permission(current.status if current else None,
                                                         current.valid_until if current else None, today)
        if current is None or not permission.allowed:
            raise Conflict(_state_changed())
        eval_id = await queries.create_evaluation(db, code, permission.kind, actor.id, reports)
        for area, pdfs in evidence.items():
            for pdf in pdfs:
                await queries.add_evidence(db, eval_id, area, await uploads.store(db, pdf, actor.id))
        await transition(db, ADHESIONS, code, EVALUATION_REQUESTED, actor=actor, expected=(current.status,),
                         sets=queries.TOUCH_SETS, action="sello.evaluation_requested",
                         after={"evaluation": eval_id, "kind": permission.kind}, refusal=_state_changed())
        await mail.queue(db, actor.email, _("Sello Migrante: solicitud de evaluación recibida"),
                         _("Recibimos la solicitud de evaluación de %(m)s. El equipo Sello Migrante la revisará y le "
                           "avisará el resultado por correo.\n\nServicio Nacional de Migraciones",
                           m=current.municipality))


# ----- the evaluator's steps -----

@dataclass(frozen=True)
class Outcome:
    certified: bool = False
    certificate_code: str | None = None


async def start_evaluation(db: Database, actor: CurrentUser, code: str) -> None:
    """Take a requested evaluation (evaluation_requested → in_evaluation)."""
    pending = _no_pending()
    async with atomic(db):
        await queries.lock_adhesion(db, code)
        open_eval = await queries.open_evaluation(db, code)
        if open_eval is None or not await queries.start_evaluation(db, open_eval["id"], actor.id):
            raise Conflict(pending)
        await transition(db, ADHESIONS, code, IN_EVALUATION, actor=actor, sets=queries.TOUCH_SETS,
                         action="sello.evaluation_started", after={"evaluation": open_eval["id"]}, refusal=pending)


async def decide(db: Database, actor: CurrentUser, code: str, *, ratings: dict[int, str], comments: dict[int, str],
                 resolution: date, observations: str, base_url: str) -> Outcome:
    """Apply docs/sello.md, Certification and revalidation: certified (with a certificate) or back to
    implementing with the observations; the liaisons are emailed either way."""
    decision = rules.decide(ratings)
    async with atomic(db):
        adhesion = await queries.lock_adhesion(db, code)
        open_eval = await queries.open_evaluation(db, code)
        if adhesion is None or open_eval is None or not await queries.record_decision(
                db, open_eval["id"], ratings=ratings, comments=comments, outcome=decision.outcome,
                resolution=resolution if decision.certified else None, observations=observations,
                evaluator=actor.id):
            raise Conflict(_("No hay una evaluación abierta para esta municipalidad."))
        after: dict[str, Any] = {"evaluation": open_eval["id"], "kind": open_eval["kind"], "ratings": ratings,
                                 "outcome": decision.outcome}
        cert_code = None
        if decision.certified:
            cert_code = await _certify(db, actor, adhesion, open_eval, resolution, after)
        else:
            await transition(db, ADHESIONS, code, IMPLEMENTING, actor=actor, expected=DECIDABLE,
                             sets=queries.TOUCH_SETS, action="sello.evaluation_decided", after=after,
                             refusal=_state_changed())
        await _notify(db, adhesion, ratings, comments, observations, cert_code, base_url)
    return Outcome(certified=decision.certified, certificate_code=cert_code)


async def _certify(db: Database, actor: CurrentUser, adhesion: queries.Adhesion, evaluation: dict[str, Any],
                   resolution: date, after: dict[str, Any]) -> str:
    """Issue the certificate (two years from the resolution) and move the municipality to certified."""
    code = adhesion.comuna_code
    valid_until = rules.validity_end(resolution)
    cert_code = await certificates.issue(
        db, kind="sello", subject_type="municipality", subject_id=code, subject_name=adhesion.municipality,
        title=f"Sello Migrante {resolution.year}–{valid_until.year}", valid_from=resolution,
        valid_until=valid_until, actor=actor,
        details={"comuna": code, "region": adhesion.region_name, "evaluation": evaluation["id"],
                 "kind": evaluation["kind"]})
    after.update(resolution_date=resolution, valid_until=valid_until, certificate=cert_code)
    await transition(db, ADHESIONS, code, CERTIFIED, actor=actor, expected=DECIDABLE, sets=queries.CERTIFY_SETS,
                     params={"resolution": resolution, "valid_until": valid_until, "certificate": cert_code},
                     action="sello.evaluation_decided", after=after, refusal=_state_changed())
    return cert_code


async def _notify(db: Database, adhesion: queries.Adhesion, ratings: dict[int, str], comments: dict[int, str],
                  observations: str, cert_code: str | None, base_url: str) -> None:
    """Email the municipality's liaisons the outcome (with every area's rating and comment)."""
    recipients = [liaison["email"] for liaison in await queries.liaisons(db, adhesion.comuna_code)]
    if not recipients:
        return
    m = adhesion.municipality
    lines = "\n".join(f"- {_(rules.AREAS[a])}: {_(rules.RATINGS[r])}" + (f" — {comments[a]}" if comments.get(a) else "")
                      for a, r in sorted(ratings.items()))
    if cert_code is not None:
        link = f"{base_url}/certificados/{cert_code}"
        subject = _("Sello Migrante: %(m)s fue certificada", m=m)
        body = _("Felicitaciones: %(m)s obtuvo la certificación Sello Migrante.\n\nCertificado: %(link)s\n\n"
                 "Evaluación por área:\n%(areas)s\n\nServicio Nacional de Migraciones",
                 m=m, link=link, areas=lines)
    else:
        subject = _("Sello Migrante: observaciones de la evaluación de %(m)s", m=m)
        body = _("La evaluación de %(m)s no alcanzó la certificación. La municipalidad vuelve a la etapa de "
                 "implementación; puede solicitar una nueva evaluación cuando haya atendido las observaciones.\n\n"
                 "Evaluación por área:\n%(areas)s\n\nObservaciones generales:\n%(obs)s\n\nServicio Nacional de Migraciones",
                 m=m, areas=lines, obs=observations or "—")
    await mail.queue(db, recipients, subject, body)


# ----- revocation of a certificate (registered with portal.certificates) -----

async def withdraw_certification(db: Database, cert: certificates.Certificate, actor: Any) -> None:
    """A revoked certificate that is the municipality's current one withdraws the certification: it is
    implementing again (first_certified_on, its history, stays), shows so publicly, and may request a
    new certification. An evaluation already requested goes on. An older, superseded certificate
    changes nothing. Called by certificates.revoke() inside its transaction."""
    if cert.kind != "sello":
        return
    adhesion = await queries.lock_certified_by(db, cert.code)
    if adhesion is None:
        return
    code, status = adhesion.comuna_code, adhesion.status
    after = {"certificate": cert.code, "reason": cert.revoked_reason}
    if status == CERTIFIED:
        await transition(db, ADHESIONS, code, IMPLEMENTING, actor=actor, expected=(CERTIFIED,),
                         sets=queries.WITHDRAW_SETS, action="sello.certification_withdrawn", after=after)
        return
    await queries.clear_certification(db, code)
    await audit.record(db, actor=actor, action="sello.certification_withdrawn", object_type=ADHESIONS.object_type,
                       object_id=code, before={"status": status}, after={"status": status, **after})


certificates.on_revocation("municipality", withdraw_certification)
