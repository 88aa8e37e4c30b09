"""Starting and deciding an evaluation: state change, certificate, audit and emails in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from portal import audit, i18n, mail
from portal.certificates import service as certificates
from portal.db import Database
from portal.security import CurrentUser
from portal.sello import queries, rules

_ = i18n.gettext


@dataclass(frozen=True)
class Outcome:
    certified: bool = False
    certificate_code: str | None = None
    problem: str | None = None


async def start(db: Database, code: str, evaluator: CurrentUser) -> str | None:
    """Take a requested evaluation (→ in_evaluation); returns a problem message or None."""
    async with db.transaction():
        adhesion = await queries.lock_adhesion(db, code)
        open_eval = await queries.open_evaluation(db, code)
        if adhesion is None or open_eval is None or open_eval["status"] != "requested":
            return _("No hay una evaluación solicitada pendiente para esta municipalidad.")
        await queries.start_evaluation(db, open_eval["id"], evaluator.id)
        await queries.set_status(db, code, "in_evaluation")
        await audit.record(db, actor=evaluator, action="sello.evaluation_started", object_type="sello_municipality",
                           object_id=code, before={"status": adhesion.status},
                           after={"status": "in_evaluation", "evaluation": open_eval["id"]})
    return None


async def decide(db: Database, comuna: dict[str, Any], evaluator: CurrentUser, ratings: dict[int, str],
                 comments: dict[int, str], resolution: date, observations: str, base_url: str) -> Outcome:
    """Apply domain.md §5: certified (with a certificate) or back to implementing with the observations."""
    code = comuna["code"]
    decision = rules.decide(ratings)
    async with db.transaction():
        adhesion = await queries.lock_adhesion(db, code)
        open_eval = await queries.open_evaluation(db, code)
        if adhesion is None or open_eval is None:
            return Outcome(problem=_("No hay una evaluación abierta para esta municipalidad."))
        await queries.record_decision(db, open_eval["id"], ratings=ratings, comments=comments,
                                      outcome=decision.outcome, resolution=resolution if decision.certified else None,
                                      observations=observations, evaluator=evaluator.id)
        after: dict[str, Any] = {"evaluation": open_eval["id"], "kind": open_eval["kind"], "ratings": ratings,
                                 "outcome": decision.outcome}
        cert_code = None
        if decision.certified:
            valid_until = rules.validity_end(resolution)
            cert_code = await certificates.issue(
                db, kind="sello", subject_type="municipality", subject_id=code, subject_name=adhesion.municipality,
                title=f"Sello Migrante {resolution.year}–{valid_until.year}", valid_from=resolution,
                valid_until=valid_until, actor=evaluator,
                details={"comuna": code, "region": adhesion.region_name, "evaluation": open_eval["id"],
                         "kind": open_eval["kind"]})
            await queries.certify(db, code, resolution, valid_until, cert_code)
            after.update(status="certified", resolution_date=resolution, valid_until=valid_until, certificate=cert_code)
        else:
            await queries.set_status(db, code, "implementing")
            after.update(status="implementing")
        await audit.record(db, actor=evaluator, action="sello.evaluation_decided", object_type="sello_municipality",
                           object_id=code, before={"status": adhesion.status}, after=after)
        await _notify(db, code, adhesion.municipality, decision.certified, ratings, comments, observations,
                      cert_code, base_url)
    return Outcome(certified=decision.certified, certificate_code=cert_code)


async def _notify(db: Database, code: str, municipality: str, certified: bool, ratings: dict[int, str],
                  comments: dict[int, str], observations: str, cert_code: str | None, base_url: str) -> None:
    """Email the municipality's liaisons the outcome (with every area's rating and comment)."""
    recipients = [l["email"] for l in await queries.liaisons(db, code)]
    if not recipients:
        return
    lines = [f"- {_(rules.AREAS[a])}: {_(rules.RATINGS[r])}" + (f" — {comments[a]}" if comments.get(a) else "")
             for a, r in sorted(ratings.items())]
    if certified:
        subject = _("Sello Migrante: %(m)s fue certificada", m=municipality)
        body = _("Felicitaciones: %(m)s obtuvo la certificación Sello Migrante.\n\nCertificado: %(link)s\n\n"
                 "Evaluación por área:\n%(areas)s\n\nServicio Nacional de Migraciones",
                 m=municipality, link=f"{base_url}/certificados/{cert_code}", areas="\n".join(lines))
    else:
        subject = _("Sello Migrante: observaciones de la evaluación de %(m)s", m=municipality)
        body = _("La evaluación de %(m)s no alcanzó la certificación. La municipalidad vuelve a la etapa de "
                 "implementación; puede solicitar una nueva evaluación cuando haya atendido las observaciones.\n\n"
                 "Evaluación por área:\n%(areas)s\n\nObservaciones generales:\n%(obs)s\n\nServicio Nacional de Migraciones",
                 m=municipality, areas="\n".join(lines), obs=observations or "—")
    await mail.queue(db, recipients, subject, body)
