"""Actas: drafted after the session, circulated to those who attended (only they comment, within the
deadline), approved at a later session, then final: hashed, a PDF, public, and immutable by the
database for the app role and the owner alike."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from council_helpers import held, mark, must, convened
from council_world import CouncilWorld, secretary
from portal import clock

BODY = "En Santiago, a las 18:30 horas, se abre la sesión.\nSe da cuenta de la correspondencia recibida."


async def _draft_circulated(world: CouncilWorld, db: Any, client: Any) -> tuple[int, int]:
    await client.login(await secretary(db))
    m = world.members
    sid = await held(client, m, present=set(m[:12]), excused=frozenset(m[12:15]))
    early = await client.post(f"/staff/consejo/sesiones/{sid}/acta/circular",
                              {"comments_until": clock.today().isoformat()})
    assert early.status_code == 409  # no draft yet
    short = await client.post(f"/staff/consejo/sesiones/{sid}/acta", {"body": "Corto"})
    assert short.status_code == 422 and "Corto" in short.text
    await must(client, f"/staff/consejo/sesiones/{sid}/acta", {"body": BODY})
    past = await client.post(f"/staff/consejo/sesiones/{sid}/acta/circular",
                             {"comments_until": (clock.today() - timedelta(days=1)).isoformat()})
    assert past.status_code == 422
    until = (clock.today() + timedelta(days=5)).isoformat()
    await must(client, f"/staff/consejo/sesiones/{sid}/acta/circular", {"comments_until": until})
    mailed = {r["to_addr"] for r in await db.fetch_all("SELECT to_addr FROM outbox WHERE subject LIKE 'Borrador%'")}
    assert mailed == {world.emails[x] for x in m[:12]}  # only those who attended
    twice = await client.post(f"/staff/consejo/sesiones/{sid}/acta/circular", {"comments_until": until})
    assert twice.status_code == 409
    acta = await db.fetch_val("SELECT id FROM council_actas WHERE session_id = :s", {"s": sid})
    return sid, acta


async def test_only_attendees_comment_on_a_draft(world: CouncilWorld, db: Any, client: Any,
                                                 make_client: Any) -> None:
    sid, acta = await _draft_circulated(world, db, client)
    attendee, excused, outsider = make_client(), make_client(), make_client()
    await attendee.login(world.emails[world.members[0]])
    await excused.login(world.emails[world.members[12]])
    area = await attendee.get("/mi-consejo")
    assert area.status_code == 200 and "Se da cuenta de la correspondencia" in area.text
    url = f"/mi-consejo/actas/{acta}/observaciones"
    empty = await attendee.post(url, {"kind": "amendment", "body": ""})
    assert empty.status_code == 422 and 'value="amendment" checked' in empty.text
    await must(attendee, url, {"kind": "amendment", "body": "Donde dice 18:30 debe decir 18:45."})
    refused = await excused.post(url, {"kind": "comment", "body": "No estuve, pero opino."})
    assert refused.status_code == 409 and "Solo quienes asistieron" in refused.text
    await outsider.login(world.emails[world.extras["A"][0]])  # a candidacy that is not on the council
    assert (await outsider.get("/mi-consejo")).status_code == 403
    assert (await outsider.post(url, {"kind": "comment", "body": "Opinión externa."})).status_code == 403
    staff_page = await client.get(f"/staff/consejo/sesiones/{sid}")
    assert "Donde dice 18:30 debe decir 18:45." in staff_page.text
    await db.execute("UPDATE council_actas SET comments_until = :d WHERE id = :a",
                     {"d": clock.today() - timedelta(days=1), "a": acta})
    late = await attendee.post(url, {"kind": "comment", "body": "Fuera de plazo."})
    assert late.status_code == 409 and "plazo" in late.text
    assert await db.fetch_val("SELECT count(*) FROM council_acta_comments") == 1


async def test_approval_at_a_later_session_makes_it_final_and_immutable(world: CouncilWorld, db: Any, client: Any,
                                                                        make_client: Any, owner_db: Any) -> None:
    sid, acta = await _draft_circulated(world, db, client)
    m = world.members
    later = await convened(client, days=14)
    vote = {"acta_id": str(acta), "approve_for": "9", "approve_against": "0", "approve_abstain": "1"}
    assert (await client.post(f"/staff/consejo/sesiones/{later}/aprobar-acta", vote)).status_code == 409  # not open
    await must(client, f"/staff/consejo/sesiones/{later}/abrir")
    await mark(client, later, {x: "present" for x in m[:10]})
    no_quorum = await client.post(f"/staff/consejo/sesiones/{later}/aprobar-acta", vote)
    assert no_quorum.status_code == 409 and "quórum" in no_quorum.text
    await mark(client, later, {x: "present" for x in m[10:16]})
    tie = {**vote, "approve_for": "8", "approve_against": "8", "approve_abstain": "0"}
    await must(client, f"/staff/consejo/sesiones/{later}/aprobar-acta", tie)  # recorded, not adopted
    assert await db.fetch_val("SELECT status FROM council_actas WHERE id = :a", {"a": acta}) == "circulated"
    await must(client, f"/staff/consejo/sesiones/{later}/aprobar-acta", {**vote, "approve_for": "12"})
    row = await db.fetch_one("SELECT status, sha256, file_id::text AS f, approved_in_session FROM council_actas "
                             "WHERE id = :a", {"a": acta})
    assert row["status"] == "final" and row["approved_in_session"] == later
    anon = make_client()
    pdf = await anon.get(f"/consejo/sesiones/{sid}/acta.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert hashlib.sha256(pdf.content).hexdigest() == row["sha256"]
    page = await anon.get(f"/consejo/sesiones/{sid}")
    assert row["sha256"] in page.text and "Se da cuenta de la correspondencia" in page.text
    assert (await client.post(f"/staff/consejo/sesiones/{sid}/acta", {"body": BODY + " Cambio."})).status_code == 409
    # the database refuses any change to a final acta: the app role ...
    with pytest.raises(asyncpg.exceptions.IntegrityConstraintViolationError):
        await db.execute("UPDATE council_actas SET body = 'reescrita' WHERE id = :a", {"a": acta})
    with pytest.raises(asyncpg.exceptions.IntegrityConstraintViolationError):
        await db.execute("DELETE FROM council_actas WHERE id = :a", {"a": acta})
    with pytest.raises(asyncpg.exceptions.IntegrityConstraintViolationError):
        await db.execute("INSERT INTO council_acta_comments (acta_id, member_id, author_id, kind, body) "
                         "SELECT :a, :m, id, 'comment', 'tarde' FROM users LIMIT 1", {"a": acta, "m": m[0]})
    # ... which may not switch the trigger off ...
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
        await db.execute("ALTER TABLE council_actas DISABLE TRIGGER council_actas_final")
    # ... and the owner neither, while the trigger is on; only by disabling it (owner-only) would it change
    with pytest.raises(asyncpg.exceptions.IntegrityConstraintViolationError):
        await owner_db.execute("UPDATE council_actas SET body = 'reescrita' WHERE id = :a", {"a": acta})
    async with owner_db.connection() as conn:
        raw = conn.raw_connection
        tx = raw.transaction()
        await tx.start()
        try:
            await raw.execute("ALTER TABLE council_actas DISABLE TRIGGER council_actas_final")
            assert await raw.execute("UPDATE council_actas SET body = 'reescrita' WHERE id = $1", acta) == "UPDATE 1"
        finally:
            await tx.rollback()  # the trigger is back on, and the text unchanged
    assert await db.fetch_val("SELECT body FROM council_actas WHERE id = :a", {"a": acta}) == BODY


async def test_approval_happens_at_a_later_session(world: CouncilWorld, db: Any, client: Any) -> None:
    sid, acta = await _draft_circulated(world, db, client)
    r = await client.post(f"/staff/consejo/sesiones/{sid}/aprobar-acta",
                          {"acta_id": str(acta), "approve_for": "12", "approve_against": "0", "approve_abstain": "0"})
    assert r.status_code == 409  # its own session is closed, and not later than itself
