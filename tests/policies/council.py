"""Access rules for the council in office (docs/council.md): public pages and calendar, the councillors'
area (representatives of an organization whose candidacy sits on the council), the secretariat
(`council_secretary`, and admins)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from policies import Rule, World, public

from portal import clock

SECRETARIAT = frozenset({"council_secretary", "admin"})


def secretariat(**kw: Any) -> Rule:
    return Rule(SECRETARIAT, **kw)


def councillors(**kw: Any) -> Rule:
    return Rule(frozenset({"rep", "rep_other"}), **kw)


def _s(w: World) -> dict[str, Any]:
    return {"id": w.ids["council_session"]}


POLICY = {
    ("GET", "/consejo"): public(),
    ("GET", "/consejo/calendario.ics"): public(),
    ("GET", "/consejo/sesiones/{id}"): public(params=_s),
    ("GET", "/consejo/sesiones/{id}/quorum"): public(params=_s),
    ("GET", "/consejo/sesiones/{id}/calendario.ics"): public(params=_s),
    ("GET", "/consejo/sesiones/{id}/acta.pdf"): public(params=_s),  # 404 for all: the acta is not final
    ("GET", "/consejo/sesiones/{id}/documentos/{item_id}"): public(
        params=lambda w: {"id": w.ids["council_session"], "item_id": w.ids["council_item"]}),
    ("GET", "/mi-consejo"): councillors(),
    ("POST", "/mi-consejo/actas/{id}/observaciones"): councillors(params=lambda w: {"id": w.ids["council_acta"]}),
    ("GET", "/staff/consejo"): secretariat(),
    ("POST", "/staff/consejo/sesiones"): secretariat(),  # 422: empty form
    ("GET", "/staff/consejo/reglas"): secretariat(),
    ("POST", "/staff/consejo/reglas"): secretariat(),  # 422: empty form
    ("GET", "/staff/consejo/sesiones/{id}"): secretariat(params=_s),
    ("POST", "/staff/consejo/sesiones/{id}/puntos"): secretariat(params=_s),
    ("POST", "/staff/consejo/sesiones/{id}/convocar"): secretariat(params=_s),  # 409: already held
    ("POST", "/staff/consejo/sesiones/{id}/abrir"): secretariat(params=_s),
    ("POST", "/staff/consejo/sesiones/{id}/asistencia"): secretariat(params=_s),
    ("POST", "/staff/consejo/sesiones/{id}/acuerdos"): secretariat(params=_s),
    ("POST", "/staff/consejo/sesiones/{id}/mesa"): secretariat(params=_s),
    ("POST", "/staff/consejo/sesiones/{id}/cerrar"): secretariat(params=_s),
    ("POST", "/staff/consejo/sesiones/{id}/acta"): secretariat(params=_s),
    ("POST", "/staff/consejo/sesiones/{id}/acta/circular"): secretariat(params=_s),
    ("POST", "/staff/consejo/sesiones/{id}/aprobar-acta"): secretariat(params=_s),
    ("POST", "/staff/consejo/vacantes/{id}/confirmar"): secretariat(params=lambda w: {"id": w.ids["council_proposal"]}),
    ("POST", "/staff/consejo/vacantes/{id}/descartar"): secretariat(params=lambda w: {"id": w.ids["council_proposal"]}),
}


async def extend_world(db: Any, world: World) -> None:
    """A held session with an agenda item, attendance and a circulated acta, in an election of its own
    (this module is walked before policies/elections.py, whose proclaimed council is the one in office:
    the walk's representatives sit on it, so /mi-consejo lets them in)."""
    from policies import elections

    eid, cands = await elections._election(db, world, "Consejo del recorrido")
    members = list(cands.values())
    sid = await db.fetch_val(
        """INSERT INTO council_sessions (election_id, kind, starts_at, place, status, in_office, convened_at,
                                         opened_at, closed_at)
           VALUES (:e, 'ordinary', :at, 'Sala del consejo', 'closed', :n, now(), now(), now()) RETURNING id""",
        {"e": eid, "at": clock.now() - timedelta(days=3), "n": len(members)})
    world.ids["council_session"] = sid
    world.ids["council_item"] = await db.fetch_val(
        "INSERT INTO council_agenda_items (session_id, position, title) VALUES (:s, 1, 'Cuenta') RETURNING id",
        {"s": sid})
    for m in members:
        await db.execute("INSERT INTO council_attendance (session_id, member_id, status) VALUES (:s, :m, 'present')",
                         {"s": sid, "m": m})
    world.ids["council_acta"] = await db.fetch_val(
        """INSERT INTO council_actas (session_id, status, body, comments_until)
           VALUES (:s, 'circulated', 'Acta de la sesión del recorrido.', :d) RETURNING id""",
        {"s": sid, "d": clock.today() + timedelta(days=5)})
    world.ids["council_proposal"] = await db.fetch_val(
        "INSERT INTO council_vacancy_proposals (election_id, member_id, session_id) VALUES (:e, :m, :s) RETURNING id",
        {"e": eid, "m": members[0], "s": sid})
