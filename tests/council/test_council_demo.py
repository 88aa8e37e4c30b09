"""The council's demo: a year of sessions of the demo council, one without quorum, one councillor with
two consecutive unexcused absences, final actas and a draft open to comments; idempotent."""

from __future__ import annotations

from typing import Any

from portal import demo as portal_demo
from portal.council import demo
from portal.elections_web import demo as elections_demo


async def test_demo_council_year(db: Any, make_client: Any) -> None:
    await portal_demo.load_staff(db)
    await elections_demo.load(db, secret="demo-secret-for-tests")
    lines = await demo.load(db)
    assert any("/mi-consejo" in line for line in lines)
    assert "already loaded" in (await demo.load(db))[0]
    held = await db.fetch_all("SELECT id, in_office FROM council_sessions WHERE status = 'closed' ORDER BY starts_at")
    assert len(held) == 7
    present = [await db.fetch_val("SELECT count(*) FROM council_attendance WHERE session_id = :s AND status = 'present'",
                                  {"s": s["id"]}) for s in held]
    assert sum(1 for p, s in zip(present, held, strict=True) if p * 2 <= s["in_office"]) == 1  # one without quorum
    finals = await db.fetch_val("SELECT count(*) FROM council_actas WHERE status = 'final'")
    assert finals == 6 and await db.fetch_val("SELECT count(*) FROM council_actas WHERE status = 'circulated'") == 1
    streaks = await db.fetch_all(
        """SELECT member_id, array_agg(a.status ORDER BY s.starts_at) AS h FROM council_attendance a
           JOIN council_sessions s ON s.id = a.session_id WHERE s.status = 'closed' GROUP BY member_id""")
    assert sum(1 for r in streaks if list(r["h"])[-2:] == ["absent", "absent"]) == 1
    assert await db.fetch_val("SELECT count(*) FROM council_vacancy_proposals") == 0
    assert await db.fetch_val("SELECT count(*) FROM council_sessions WHERE status = 'convened'") == 1
    anon = make_client()
    page = await anon.get("/consejo")
    assert page.status_code == 200 and "Acta (PDF)" in page.text and "2 inasistencias seguidas" in page.text
    email = next(line.split("sign in as ")[1].split(" ")[0] for line in lines if "sign in as" in line)
    rep = make_client()
    await rep.login(email, portal_demo.DEMO_PASSWORD)
    area = await rep.get("/mi-consejo")
    assert area.status_code == 200 and "Enviar observación" in area.text
