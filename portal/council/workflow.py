"""The council's state changes (docs/council.md): sessions (draft → convened → in_progress → closed),
actas (draft ⇄ circulated → final) and vacancy proposals (proposed → confirmed | dismissed), each
through portal.workflow.transition (row lock, state check, audit event in the same transaction).

Mail is queued in the change's transaction (portal.mail.queue): it goes if and only if the change
is committed. Callers open the transaction (`atomic`); every function here assumes one.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import date
from typing import Any

from portal import audit, clock, i18n, mail, uploads
from portal.council import queries, rules
from portal.council.queries import Acta, Presidency, Proposal, Session
from portal.council.rules import CouncilRules
from portal.db import Database
from portal.elections_web.api import Council, Councillor, confirm_vacancy
from portal.security import CurrentUser
from portal.workflow import Check, Conflict, Machine, moves, require, transition

SESSIONS = Machine(table="council_sessions", object_type="council_session", audit_prefix="council.session",
                   moves=moves(convened=(rules.DRAFT,), in_progress=(rules.CONVENED,), closed=(rules.IN_PROGRESS,)))
ACTAS = Machine(table="council_actas", object_type="council_acta", audit_prefix="council.acta",
                moves=moves(circulated=(rules.ACTA_DRAFT,), final=(rules.CIRCULATED,)))
PROPOSALS = Machine(table="council_vacancy_proposals", object_type="council_vacancy", audit_prefix="council.vacancy",
                    moves=moves(confirmed=(rules.PROPOSED,), dismissed=(rules.PROPOSED,)))


async def _audit(db: Database, actor: Any, action: str, object_type: str, object_id: Any, after: Any) -> None:
    await audit.record(db, actor=actor, action=f"council.{action}", object_type=object_type,
                       object_id=object_id, after=after)


# ----- the council's rules -----

async def save_rules(db: Database, election_id: int, new: CouncilRules, actor: CurrentUser) -> bool:
    """Change the council's settings, audited with what they were; False when nothing changed.
    Held sessions keep the quorum share they opened with (docs/council.md, The council's rules)."""
    old = await queries.council_rules(db, election_id, lock=True)
    if new == old:
        return False
    await queries.save_rules(db, election_id, new, actor.id)
    await audit.record(db, actor=actor, action="council.rules.changed", object_type="council",
                       object_id=election_id, before=asdict(old), after=asdict(new))
    return True


# ----- sessions -----

async def create_session(db: Database, council: Council, values: dict[str, Any], actor: CurrentUser) -> int:
    session_id = await queries.create_session(db, council.election_id, values, actor.id)
    await _audit(db, actor, "session.created", "council_session", session_id,
                 {"kind": values["kind"], "starts_at": values["starts_at"].isoformat()})
    return session_id


async def add_item(db: Database, session: Session, title: str, upload: uploads.CheckedFile | None,
                   actor: CurrentUser) -> None:
    locked = await _locked(db, session.id)
    require(Check(locked.status == rules.DRAFT, i18n.gettext("La tabla se fija al convocar la sesión.")))
    file_id = await uploads.store(db, upload, actor.id) if upload else None
    position = await queries.add_item(db, session.id, title, file_id)
    await _audit(db, actor, "session.item_added", "council_session", session.id, {"title": title, "file": file_id,
                                                                                    "id": position})


async def _locked(db: Database, session_id: int) -> Session:
    session = await queries.get_session(db, session_id, lock=True)
    if session is None:
        raise Conflict(i18n.gettext("La sesión ya no existe."))
    return session


async def convene(db: Database, session: Session, council: Council, actor: CurrentUser, base_url: str) -> int:
    """Publish the convocation: the session enters the calendar and each councillor is emailed
    (through their organization's representatives). Returns how many messages were queued."""
    items = (await queries.items(db, [session.id]))[session.id]
    require(rules.convene_check(session.status, len(items), session.starts_at, clock.now()))
    await transition(db, SESSIONS, session.id, rules.CONVENED, actor=actor, sets={"convened_at": "now()"})
    subject, body = _convocation(session, items, base_url)
    return await mail.queue(db, sorted({e for m in council.members for e in m.emails}), subject, body)


def _convocation(session: Session, items: list[queries.AgendaItem], base_url: str) -> tuple[str, str]:
    token = i18n.set_language("es")  # the convocation is one message to all, in the portal's language
    try:
        _ = i18n.gettext
        subject = _("Convocatoria: sesión %(kind)s del Consejo de la Sociedad Civil, %(when)s",
                    kind=_(rules.KINDS[session.kind]).lower(), when=i18n.fmt_datetime(session.starts_at))
        where = session.place or _("en línea")
        lines = [_("El Consejo de la Sociedad Civil sesionará el %(when)s (hora de Chile), %(where)s.",
                   when=i18n.fmt_datetime(session.starts_at), where=where)]
        if session.online_url:
            lines.append(_("Enlace de la reunión: %(url)s", url=session.online_url))
        lines += ["", _("Tabla:")] + [f"{i.position}. {i.title}" for i in items]
        url = f"{base_url.rstrip('/')}/consejo/sesiones/{session.id}"
        lines += ["", _("Documentos y calendario: %(url)s", url=url),
                  _("Servicio Nacional de Migraciones · Secretaría técnica del consejo")]
    finally:
        i18n.reset_language(token)
    return subject, "\n".join(lines) + "\n"


async def open_session(db: Database, session: Session, council: Council, actor: CurrentUser) -> None:
    """Start the session: the members in office now are the ones called; fix the quorum's base and the
    quorum share in force."""
    require(rules.open_check(session.status, len(council.members)))
    share = (await queries.council_rules(db, session.election_id)).quorum_percent
    await transition(db, SESSIONS, session.id, rules.IN_PROGRESS, actor=actor,
                     sets={"opened_at": "now()", "in_office": ":n", "quorum_percent": ":q"},
                     params={"n": len(council.members), "q": share},
                     after={"in_office": len(council.members), "quorum_percent": share})
    await queries.open_session(db, session.id, [m.id for m in council.members])


async def record_attendance(db: Database, session: Session, marks: dict[int, str], actor: CurrentUser) -> int:
    locked = await _locked(db, session.id)
    require(rules.attendance_check(locked.status))
    changed = await queries.set_attendance(db, session.id, marks, actor.id)
    await _audit(db, actor, "session.attendance", "council_session", session.id,
                 {str(k): v for k, v in marks.items()})
    return changed


async def _present(db: Database, session_id: int) -> int:
    return sum(1 for s in (await queries.attendance(db, session_id)).values() if s == rules.PRESENT)


async def record_agreement(db: Database, session: Session, text: str, votes: tuple[int, int, int],
                           actor: CurrentUser) -> tuple[int, bool]:
    """Record an agreement with its votes; only during the session and with quorum (docs/council.md,
    Agreements). Returns its number and whether it was adopted."""
    locked = await _locked(db, session.id)
    present = await _present(db, session.id)
    settings = await queries.session_rules(db, locked)
    require(rules.agreement_check(locked.status, present, locked.in_office or 0, settings))
    problem = rules.votes_problem(*votes, present)
    if problem:
        raise Conflict(problem)
    adopted = rules.adopted(votes[0], present)
    number = await queries.add_agreement(db, session.id, text, votes, present, adopted, actor.id)
    await _audit(db, actor, "agreement.recorded", "council_session", session.id,
                 {"number": number, "votes": list(votes), "present": present, "adopted": adopted})
    return number, adopted


async def is_first_session(db: Database, session: Session) -> bool:
    """The council's first session: no other session of it was opened before this one."""
    held = [s for s in await queries.sessions_of(db, session.election_id)
            if s.status in (rules.IN_PROGRESS, rules.CLOSED)]
    return bool(held) and min(held, key=lambda s: (s.starts_at, s.id)).id == session.id


async def record_presidency(db: Database, session: Session, choice: dict[str, int], actor: CurrentUser) -> None:
    locked = await _locked(db, session.id)
    present = await _present(db, session.id)
    already = await queries.presidency(db, session.election_id) is not None
    require(rules.presidency_check(locked.status, present, locked.in_office or 0,
                                   await is_first_session(db, locked), already, await queries.session_rules(db, locked)))
    if max(choice["president_votes"], choice["vice_votes"]) > present:
        raise Conflict(i18n.gettext("Los votos superan a las personas presentes (%(n)s).", n=present))
    attendance = await queries.attendance(db, session.id)
    if any(attendance.get(choice[k]) != rules.PRESENT for k in ("president_id", "vice_president_id")):
        raise Conflict(i18n.gettext("La presidencia y la vicepresidencia se eligen entre los miembros presentes."))
    await queries.add_presidency(db, Presidency(session.election_id, session.id, choice["president_id"],
                                                choice["president_votes"], choice["vice_president_id"],
                                                choice["vice_votes"], present), actor.id)
    await _audit(db, actor, "presidency.elected", "council_session", session.id, {**choice, "present": present})


async def close_session(db: Database, session: Session, actor: CurrentUser) -> list[int]:
    """Close the session; whoever is still unrecorded is absent. A member's consecutive unexcused
    absences reaching the council's limit (three by default) propose the vacancy to staff. Returns
    the members proposed."""
    pending = sum(1 for s in (await queries.attendance(db, session.id)).values() if s == rules.PENDING)
    require(rules.close_check(session.status, pending))
    await transition(db, SESSIONS, session.id, rules.CLOSED, actor=actor, sets={"closed_at": "now()"})
    await queries.close_pending(db, session.id)
    return await propose_vacancies(db, session, actor)


async def propose_vacancies(db: Database, session: Session, actor: Any) -> list[int]:
    """Under the absence limit in force at this close (the council's settings)."""
    settings = await queries.council_rules(db, session.election_id)
    proposed = []
    for member_id, history in (await queries.histories(db, session.election_id)).items():
        statuses = [status for _sid, status in history]
        if history[-1][0] == session.id and rules.loses_seat(statuses, settings):
            streak = rules.unexcused_streak(statuses)
            proposal = await queries.propose(db, session.election_id, member_id, session.id, streak)
            if proposal is not None:
                proposed.append(member_id)
                await _audit(db, actor, "vacancy.proposed", "council_vacancy", proposal,
                             {"member": member_id, "session": session.id, "absences": streak,
                              "limit": settings.absence_limit})
    return proposed


# ----- actas -----

async def save_acta(db: Database, session: Session, body: str, actor: CurrentUser) -> int:
    acta = await queries.acta_of(db, session.id)
    require(rules.acta_edit_check(session.status, acta.status if acta else None))
    acta_id = await queries.save_acta(db, session.id, body, actor.id)
    await _audit(db, actor, "acta.saved", "council_acta", acta_id, {"sha256": _sha(body.encode())})
    return acta_id


async def circulate(db: Database, acta: Acta, until: date, attendees: list[Councillor], actor: CurrentUser,
                    base_url: str) -> int:
    """Send the draft to the councillors who attended, to comment until `until`."""
    require(rules.circulate_check(acta.status))
    await transition(db, ACTAS, acta.id, rules.CIRCULATED, actor=actor, sets={"comments_until": ":until"},
                     params={"until": until}, after={"comments_until": until.isoformat()})
    token = i18n.set_language("es")
    area = base_url.rstrip("/") + "/mi-consejo"
    try:
        subject = i18n.gettext("Borrador del acta del consejo: observaciones hasta el %(d)s", d=i18n.fmt_date(until))
        body = i18n.gettext("El borrador del acta de la sesión a la que asistió está disponible para comentarios y "
                            "propuestas de enmienda hasta el %(d)s: %(url)s", d=i18n.fmt_date(until), url=area) + "\n"
    finally:
        i18n.reset_language(token)
    return await mail.queue(db, sorted({e for m in attendees for e in m.emails}), subject, body)


async def comment(db: Database, acta: Acta, member_id: int, author: CurrentUser, kind: str, body: str) -> int:
    comment_id = await queries.add_comment(db, acta.id, member_id, author.id, kind, body)
    await _audit(db, author, "acta.commented", "council_acta", acta.id, {"kind": kind, "member": member_id})
    return comment_id


async def approve_acta(db: Database, session: Session, acta: Acta, votes: tuple[int, int, int],
                       council: Council, actor: CurrentUser) -> bool:
    """The acta's approval is an agreement of a later session; if adopted, the acta is printed, hashed and
    made final (from then on the database refuses any change)."""
    locked = await _locked(db, session.id)
    of_session = await queries.get_session(db, acta.session_id)
    present = await _present(db, session.id)
    require(rules.approve_check(acta.status, of_session.starts_at if of_session else locked.starts_at,
                                locked.status, locked.starts_at, present, locked.in_office or 0,
                                await queries.session_rules(db, locked)))
    text = i18n.gettext("Aprobación del acta de la sesión del %(d)s.",
                        d=i18n.fmt_date(of_session.starts_at if of_session else None))
    _number, passed = await record_agreement(db, locked, text, votes, actor)
    if passed:
        content = await print_acta(db, council, acta, of_session or locked, locked)
        file_id = await uploads.store(db, uploads.CheckedFile(f"acta-consejo-sesion-{acta.session_id}.pdf", content),
                                      actor.id)
        await transition(db, ACTAS, acta.id, rules.FINAL, actor=actor,
                         sets={"sha256": ":sha", "file_id": "CAST(:file AS uuid)", "approved_in_session": ":s",
                               "finalized_at": "now()"},
                         params={"sha": _sha(content), "file": file_id, "s": session.id},
                         after={"sha256": _sha(content), "approved_in_session": session.id})
    return passed


async def print_acta(db: Database, council: Council, acta: Acta, of_session: Session, approving: Session) -> bytes:
    """The acta as a PDF, in Spanish (the official text), with its session's attendance and agreements."""
    from portal.council import acta_pdf  # fpdf2 is imported only where a PDF is made (portal/pdfdoc.py)

    attendance = await queries.attendance(db, of_session.id)
    token = i18n.set_language("es")
    try:
        rows = [(council.people[m].name if m in council.people else f"N.º {m}",
                 i18n.gettext(rules.ATTENDANCE_STATES[st])) for m, st in sorted(attendance.items())]
        return acta_pdf.render({
            "council": council.name, "term_start": council.term_start, "term_end": council.term_end,
            "kind": i18n.gettext(rules.KINDS[of_session.kind]).lower(), "starts_at": of_session.starts_at,
            "place": of_session.place or of_session.online_url, "attendance": rows, "body": acta.body,
            "agreements": await queries.agreements(db, of_session.id), "approved_in": approving.starts_at,
            "approved_at": clock.now()})
    finally:
        i18n.reset_language(token)


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# ----- vacancies -----

async def confirm(db: Database, proposal: Proposal, reason: str, actor: CurrentUser) -> Councillor | None:
    """Confirm the vacancy: the elections domain records it and gives the seat to the next in the
    allocation's order; the incoming councillor's organization is told. Returns who takes the seat."""
    await transition(db, PROPOSALS, proposal.id, rules.CONFIRMED, actor=actor,
                     sets={"reason": ":reason", "decided_by": ":by", "decided_at": "now()"},
                     params={"reason": reason, "by": actor.id}, after={"reason": reason})
    successor = await confirm_vacancy(db, proposal.election_id, proposal.member_id, actor, reason, clock.today())
    await queries.set_replacement(db, proposal.id, successor.id if successor else None)
    if successor is not None and successor.emails:
        await mail.queue(db, list(successor.emails), *_welcome(successor))
    return successor


def _welcome(person: Councillor) -> tuple[str, str]:
    token = i18n.set_language("es")
    try:
        subject = i18n.gettext("Se incorpora al Consejo de la Sociedad Civil")
        body = i18n.gettext(
            "%(name)s, candidatura de %(org)s, asume un cupo del consejo por el orden de reemplazo de la elección, "
            "hasta el término del periodo. Las sesiones y sus documentos están en /mi-consejo.",
            name=person.name, org=person.organization) + "\n"
    finally:
        i18n.reset_language(token)
    return subject, body


async def dismiss(db: Database, proposal: Proposal, reason: str, actor: CurrentUser) -> None:
    await transition(db, PROPOSALS, proposal.id, rules.DISMISSED, actor=actor,
                     sets={"reason": ":reason", "decided_by": ":by", "decided_at": "now()"},
                     params={"reason": reason, "by": actor.id}, after={"reason": reason})
