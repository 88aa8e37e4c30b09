"""Demo data for the council in office: a year of sessions of the proclaimed demo council (loaded by
portal.elections_web.demo first), one without quorum, one councillor with two consecutive unexcused
absences, final actas and a draft open to comments, and an upcoming convened session.

Built with the domain's own workflow functions, the clock set to each session's time (`clock.frozen`).
Idempotent: nothing is loaded when the council already has sessions.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from portal import clock, passwords, uploads
from portal.accounts import queries as accounts
from portal.council import queries, rules, workflow
from portal.db import Database
from portal.elections_web.api import Council, current_council
from portal.security import CurrentUser
from portal.txn import atomic

SECRETARY = "consejo@demo.participa.cl"
BASE_URL = "http://127.0.0.1:8000"
AGENDA = ["Cuenta de la secretaría técnica", "Política Nacional de Migración: consulta", "Varios"]


async def _secretary(db: Database) -> CurrentUser:
    row = await db.fetch_one("SELECT id, name FROM users WHERE email = :e", {"e": SECRETARY})
    if row is None:
        from portal.demo import DEMO_PASSWORD  # the demo's one password (portal.demo runs this loader)

        uid = await accounts.create_user(db, email=SECRETARY, name="Teresa Secretaria Técnica", verified=True,
                                         password_hash=passwords.hash_password(DEMO_PASSWORD))
        await accounts.set_roles(db, uid, ["council_secretary"])
        return CurrentUser(id=uid, email=SECRETARY, name="Teresa Secretaria Técnica",
                           roles=frozenset({"council_secretary"}))
    return CurrentUser(id=row["id"], email=SECRETARY, name=row["name"], roles=frozenset({"council_secretary"}))


def _pdf(title: str) -> bytes:
    from portal.pdfdoc import Document  # fpdf2 only where a PDF is made

    doc = Document(margin=20)
    doc.add_page()
    doc.use(14, bold=True)
    doc.multi_cell(0, 8, doc.clean(title))
    return bytes(doc.output())


def _attendance(index: int, members: list[int], last: int) -> dict[int, str]:
    """Session `index` of the year: the third has no quorum; the last member misses the last two."""
    marks = {m: rules.PRESENT for m in members}
    if index == 2:  # without quorum: a minority present, the rest excused
        for m in members[len(members) // 2 - 1:]:
            marks[m] = rules.EXCUSED
    elif index % 2:
        marks[members[index % len(members)]] = rules.EXCUSED
    if index >= last - 1:
        marks[members[-1]] = rules.ABSENT
    return marks


async def _hold(db: Database, council: Council, actor: CurrentUser, start: datetime, index: int, last: int) -> int:
    members = [m.id for m in council.members]
    with clock.frozen(start - timedelta(days=10)):
        sid = await workflow.create_session(db, council, {"kind": "extraordinary" if index == 3 else "ordinary",
                                                          "starts_at": start, "minutes": 120,
                                                          "place": "Oficina central SERMIG, Santiago",
                                                          "online_url": "https://reunion.example.cl/cosoc"}, actor)
        session = await _session(db, sid)
        for n, title in enumerate(AGENDA):
            upload = uploads.CheckedFile(f"punto-{n + 1}.pdf", _pdf(title)) if n < 2 else None
            await workflow.add_item(db, session, title, upload, actor)
        await workflow.convene(db, await _session(db, sid), council, actor, BASE_URL)
    with clock.frozen(start):
        await workflow.open_session(db, await _session(db, sid), council, actor)
        session = await _session(db, sid)
        await workflow.record_attendance(db, session, _attendance(index, members, last), actor)
        await _business(db, council, session, actor, index)
        await workflow.close_session(db, await _session(db, sid), actor)
    return sid


async def _session(db: Database, sid: int) -> queries.Session:
    session = await queries.get_session(db, sid)
    assert session is not None  # noqa: S101 (created just above, in the same transaction)
    return session


async def _business(db: Database, council: Council, session: queries.Session, actor: CurrentUser, index: int) -> None:
    """Presidency at the first session; actas pending approval; one agreement (with quorum only)."""
    present = [m for m, st in (await queries.attendance(db, session.id)).items() if st == rules.PRESENT]
    if not rules.has_quorum(len(present), session.in_office or 0):
        return
    n = len(present)
    if index == 0:
        await workflow.record_presidency(db, session, {"president_id": present[0], "president_votes": n - 2,
                                                       "vice_president_id": present[1], "vice_votes": n - 3}, actor)
    for acta_session in await queries.sessions_of(db, session.election_id):
        acta = await queries.acta_of(db, acta_session.id)
        if acta is not None and acta.status == rules.CIRCULATED:
            await workflow.approve_acta(db, session, acta, (n - 1, 0, 1), council, actor)
    await workflow.record_agreement(db, session, f"Acuerdo {index + 1}: solicitar al Servicio un informe sobre "
                                    "los tiempos de tramitación de residencias.", (n - 2, 1, 1), actor)


async def _acta(db: Database, council: Council, sid: int, actor: CurrentUser, until_days: int) -> None:
    session = await _session(db, sid)
    await workflow.save_acta(db, session, (
        f"En Santiago, a las {clock.local(session.starts_at):%H:%M} horas, la presidencia abre la sesión.\n"
        "La secretaría técnica da cuenta de la correspondencia y de los acuerdos anteriores.\n"
        "Se debate la tabla y se adoptan los acuerdos que constan en esta acta."), actor)
    acta = await queries.acta_of(db, sid)
    present = [council.people[m] for m, st in (await queries.attendance(db, sid)).items()
               if st == rules.PRESENT and m in council.people]
    if acta is not None:
        await workflow.circulate(db, acta, clock.local(session.starts_at).date() + timedelta(days=until_days),
                                 present, actor, BASE_URL)


async def load(db: Database) -> list[str]:
    council = await current_council(db)
    if council is None:
        return ["  council: no proclaimed council (load the elections demo first)"]
    if await queries.sessions_of(db, council.election_id):
        return ["  council: demo sessions already loaded (/consejo, /staff/consejo, /mi-consejo)"]
    actor = await _secretary(db)
    today = clock.today()
    days = [-350, -290, -230, -170, -110, -50, -10]
    async with atomic(db):
        for index, offset in enumerate(days):
            start = clock.at_chile(today + timedelta(days=offset), 18, 30)
            sid = await _hold(db, council, actor, start, index, len(days) - 1)
            with clock.frozen(start + timedelta(days=2)):
                await _acta(db, council, sid, actor, 17 if index == len(days) - 1 else 10)
        upcoming = await workflow.create_session(db, council, {
            "kind": "ordinary", "starts_at": clock.at_chile(today + timedelta(days=20), 18, 30), "minutes": 120,
            "place": "Oficina central SERMIG, Santiago", "online_url": ""}, actor)
        session = await _session(db, upcoming)
        await workflow.add_item(db, session, AGENDA[0], uploads.CheckedFile("cuenta.pdf", _pdf(AGENDA[0])), actor)
        await workflow.convene(db, await _session(db, upcoming), council, actor, BASE_URL)
    who = council.members[0].emails[0] if council.members and council.members[0].emails else "(a representative)"
    return ["Council in office:",
            f"  /consejo: {len(days)} sessions in the last year (the third without quorum), final actas, one draft",
            f"  secretariat: {SECRETARY} (/staff/consejo)",
            f"  councillors' area: sign in as {who} (/mi-consejo: documents, the draft acta to comment)"]
