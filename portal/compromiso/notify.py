"""The emails Compromiso Migrante sends (queued inside the change's transaction)."""

from __future__ import annotations

from portal import mail
from portal.compromiso.rules import Decision
from portal.db import Database
from portal.i18n import gettext as _

SIGNATURE = "\n\nServicio Nacional de Migraciones · Compromiso Migrante"


async def adhesion_received(db: Database, to: list[str], company: str, link: str) -> None:
    body = _("La adhesión de %(company)s a Compromiso Migrante quedó registrada. Cada año podrá enviar su "
             "informe anual y postular al reconocimiento en:\n%(link)s", company=company, link=link)
    await mail.queue(db, to, _("Adhesión a Compromiso Migrante registrada"), body + SIGNATURE)


async def invitation(db: Database, to: str, company: str, link: str) -> None:
    body = _("Se le invita a ser el contacto de %(company)s en Compromiso Migrante. Ingrese a Portal Participa "
             "con este correo (o cree su cuenta con él) y abra este enlace, válido por 14 días:\n%(link)s",
             company=company, link=link)
    await mail.queue(db, to, _("Invitación a Compromiso Migrante"), body + SIGNATURE)


async def report_submitted(db: Database, to: list[str], company: str, year: int, link: str) -> None:
    body = _("Recibimos el informe anual %(year)s de %(company)s. Ya puede postular al reconocimiento del año en:"
             "\n%(link)s", year=year, company=company, link=link)
    await mail.queue(db, to, _("Informe anual %(year)s recibido", year=year), body + SIGNATURE)


async def application_received(db: Database, to: list[str], company: str, year: int) -> None:
    body = _("Recibimos la postulación de %(company)s al reconocimiento Compromiso Migrante %(year)s. "
             "Le avisaremos el resultado de la evaluación por este medio.", company=company, year=year)
    await mail.queue(db, to, _("Postulación %(year)s recibida", year=year), body + SIGNATURE)


async def decision(db: Database, to: list[str], company: str, year: int, result: Decision,
                   certificate_link: str | None) -> None:
    if result.recognized:
        body = _("¡Felicitaciones! %(company)s fue reconocida en Compromiso Migrante %(year)s con %(total)s de 15 "
                 "puntos. Su certificado se puede verificar en:\n%(link)s",
                 company=company, year=year, total=result.total, link=certificate_link or "")
        subject = _("Reconocida %(year)s: resultado de la evaluación", year=year)
    else:
        body = _("La evaluación de %(company)s en Compromiso Migrante %(year)s terminó sin reconocimiento "
                 "(%(total)s de 15 puntos; se requieren 10 y ningún compromiso con 0). Puede revisar los "
                 "comentarios de la evaluación en Portal Participa.", company=company, year=year, total=result.total)
        subject = _("Resultado de la evaluación Compromiso Migrante %(year)s", year=year)
    await mail.queue(db, to, subject, body + SIGNATURE)
