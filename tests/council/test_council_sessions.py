"""Sessions through HTTP: convocation (mail, calendar), attendance, live quorum, agreements only with
quorum, the presidency at the first session; every refusal and the 422s that keep what was typed."""

from __future__ import annotations

from typing import Any

import icalendar

from council_helpers import add_item, convened, create, mark, must
from council_world import CouncilWorld, secretary


async def _secretary(db: Any, client: Any) -> None:
    await client.login(await secretary(db))


async def test_convocation_mails_the_councillors_and_enters_the_calendar(world: CouncilWorld, db: Any,
                                                                         client: Any) -> None:
    await _secretary(db, client)
    sid = await create(client)
    assert (await client.get(f"/consejo/sesiones/{sid}")).status_code == 404  # a draft is not public
    r = await client.post(f"/staff/consejo/sesiones/{sid}/convocar")
    assert r.status_code == 409 and "al menos un punto" in r.text  # no agenda yet
    assert (await add_item(client, sid)).status_code == 303
    await must(client, f"/staff/consejo/sesiones/{sid}/convocar")
    sent = {r["to_addr"] for r in await db.fetch_all("SELECT to_addr FROM outbox WHERE subject LIKE 'Convocatoria%'")}
    assert sent == {world.emails[m] for m in world.members}
    again = await client.post(f"/staff/consejo/sesiones/{sid}/convocar")
    assert again.status_code == 409
    feed = await client.get("/consejo/calendario.ics")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(e["uid"]).split("@")[0] for e in events] == [f"consejo-sesion-{sid}"]
    one = icalendar.Calendar.from_ical((await client.get(f"/consejo/sesiones/{sid}/calendario.ics")).content)
    start = one.walk("VEVENT")[0].decoded("dtstart")
    assert start.astimezone(__import__("zoneinfo").ZoneInfo("America/Santiago")).strftime("%H:%M") == "18:30"
    page = await client.get("/consejo")
    assert 'href="/consejo/calendario.ics"' in page.text and f"/consejo/sesiones/{sid}" in page.text
    item = await db.fetch_val("SELECT id FROM council_agenda_items WHERE session_id = :s", {"s": sid})
    doc = await client.get(f"/consejo/sesiones/{sid}/documentos/{item}")
    assert doc.status_code == 200 and doc.content.startswith(b"%PDF")


async def test_agenda_documents_of_a_draft_are_the_secretariats(world: CouncilWorld, db: Any, client: Any,
                                                                make_client: Any) -> None:
    await _secretary(db, client)
    sid = await create(client)
    await add_item(client, sid)
    item = await db.fetch_val("SELECT id FROM council_agenda_items WHERE session_id = :s", {"s": sid})
    assert (await client.get(f"/consejo/sesiones/{sid}/documentos/{item}")).status_code == 200
    assert (await make_client().get(f"/consejo/sesiones/{sid}/documentos/{item}")).status_code == 404


async def test_forms_answer_422_with_the_values_typed(world: CouncilWorld, db: Any, client: Any) -> None:
    await _secretary(db, client)
    r = await client.post("/staff/consejo/sesiones", {"kind": "ordinary", "day": "2099-01-01", "hour": "25:99",
                                                      "minutes": "120", "place": "Sala Rosa Parks"})
    assert r.status_code == 422 and "HH:MM" in r.text and 'value="Sala Rosa Parks"' in r.text
    r = await client.post("/staff/consejo/sesiones", {"kind": "ordinary", "day": "2099-01-01", "hour": "18:00",
                                                      "minutes": "120", "online_url": "http://inseguro"})
    assert r.status_code == 422 and "https://" in r.text
    sid = await create(client)
    bad = await client.post(f"/staff/consejo/sesiones/{sid}/puntos", {"title": "Punto con archivo falso"},
                            files={"file": ("x.pdf", b"no soy un pdf", "application/pdf")})
    assert bad.status_code == 422 and 'value="Punto con archivo falso"' in bad.text


async def test_quorum_decides_whether_agreements_are_recorded(world: CouncilWorld, db: Any, client: Any) -> None:
    await _secretary(db, client)
    sid = await convened(client)
    members = world.members
    assert len(members) == 20
    r = await mark(client, sid, {members[0]: "present"}, status=409)  # not yet open
    assert "durante la sesión" in r.text
    await must(client, f"/staff/consejo/sesiones/{sid}/abrir")
    await mark(client, sid, {m: "present" for m in members[:10]})
    typed = await client.post(f"/staff/consejo/sesiones/{sid}/acuerdos", {"text": "Acuerdo escrito", "votes_for": "x"})
    assert typed.status_code == 422 and "Acuerdo escrito" in typed.text and "número entero" in typed.text
    page = await client.get(f"/staff/consejo/sesiones/{sid}")
    assert "No hay quórum." in page.text and "10 presentes de 20" in page.text
    vote = {"text": "Solicitar informe de la política migratoria.", "votes_for": "6", "votes_against": "2",
            "votes_abstain": "2"}
    refused = await client.post(f"/staff/consejo/sesiones/{sid}/acuerdos", vote)
    assert refused.status_code == 409 and "No hay quórum" in refused.text
    assert await db.fetch_val("SELECT count(*) FROM council_agreements") == 0
    await mark(client, sid, {members[10]: "present"})
    live = await client.get(f"/consejo/sesiones/{sid}/quorum", headers={"HX-Request": "true"})
    assert live.status_code == 200 and "Hay quórum." in live.text and "<html" not in live.text
    await must(client, f"/staff/consejo/sesiones/{sid}/acuerdos", vote)
    tie = {**vote, "votes_for": "5", "votes_against": "5", "votes_abstain": "1"}
    await must(client, f"/staff/consejo/sesiones/{sid}/acuerdos", tie)
    too_many = {**vote, "votes_for": "10", "votes_against": "2", "votes_abstain": "0"}
    assert (await client.post(f"/staff/consejo/sesiones/{sid}/acuerdos", too_many)).status_code == 409
    rows = await db.fetch_all("SELECT number, adopted, present FROM council_agreements ORDER BY number")
    assert [(r["number"], r["adopted"], r["present"]) for r in rows] == [(1, True, 11), (2, False, 11)]
    public = await client.get(f"/consejo/sesiones/{sid}")
    assert "no adoptado" in public.text and "Solicitar informe" in public.text


async def test_presidency_at_the_first_session_only_once(world: CouncilWorld, db: Any, client: Any) -> None:
    await _secretary(db, client)
    sid = await convened(client)
    await must(client, f"/staff/consejo/sesiones/{sid}/abrir")
    m = world.members
    await mark(client, sid, {x: "present" for x in m[:12]})
    choice = {"president_id": str(m[0]), "president_votes": "8", "vice_president_id": str(m[1]), "vice_votes": "7"}
    same = await client.post(f"/staff/consejo/sesiones/{sid}/mesa", {**choice, "vice_president_id": str(m[0])})
    assert same.status_code == 422
    absent = await client.post(f"/staff/consejo/sesiones/{sid}/mesa", {**choice, "president_id": str(m[15])})
    assert absent.status_code == 409 and "presentes" in absent.text
    await must(client, f"/staff/consejo/sesiones/{sid}/mesa", choice)
    twice = await client.post(f"/staff/consejo/sesiones/{sid}/mesa", choice)
    assert twice.status_code == 409 and "ya fue elegida" in twice.text
    await must(client, f"/staff/consejo/sesiones/{sid}/cerrar", status=409)  # 8 still unrecorded
    await mark(client, sid, {x: "excused" for x in m[12:]})
    await must(client, f"/staff/consejo/sesiones/{sid}/cerrar")
    page = await client.get("/consejo")
    assert "Presidencia: Persona" in page.text
    second = await convened(client, days=9)
    await must(client, f"/staff/consejo/sesiones/{second}/abrir")
    await mark(client, second, {x: "present" for x in m})
    assert (await client.post(f"/staff/consejo/sesiones/{second}/mesa", choice)).status_code == 409


async def test_only_the_secretariat_runs_sessions(world: CouncilWorld, db: Any, make_client: Any) -> None:
    from factories import create_user

    await create_user(db, "revisor@consejo.cl", roles=["reviewer"])
    reviewer = make_client()
    await reviewer.login("revisor@consejo.cl")
    assert (await reviewer.get("/staff/consejo")).status_code == 403
    assert (await reviewer.post("/staff/consejo/sesiones", {"kind": "ordinary"})).status_code == 403
    anon = make_client()
    assert (await anon.get("/staff/consejo")).status_code == 303
