"""Reminders (issue 13; docs/reminders.md): once per recipient, subject and deadline; only while it
still matters; people choose; the one-click unsubscribe; the staff schedule."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from factories import add_representative, create_org, create_user
from portal import clock
from portal.reminders import service
from reminder_helpers import MovingClock, outbox, reminder_rows, round_, sent


async def _org_expiring(db: Any, days: int, reps: int = 1, **fields: Any) -> tuple[int, list[int]]:
    users = [await create_user(db, f"rep{i}-{days}-{fields.get('status', 'a')}@prueba.cl") for i in range(reps)]
    org = await create_org(db, owner=users[0], vigencia_expires_on=clock.today() + timedelta(days=days), **fields)
    for user in users[1:]:
        await add_representative(db, org, user)
    return org, users


async def test_vigencia_reminders_once_each_in_their_window(db: Any, ctx: Any, moving_clock: MovingClock) -> None:
    await _org_expiring(db, 40, reps=2)
    for _day in range(45):
        await round_(ctx)
        await round_(ctx)  # a second round the same day sends nothing more
        moving_clock.advance(timedelta(days=1))
    assert await sent(db) == {("registry.vigencia", "30d"): 2, ("registry.vigencia", "7d"): 2,
                              ("registry.vigencia", "0d"): 2}
    mails = await outbox(db)
    assert sorted(m["to_addr"] for m in mails) == ["rep0-40-a@prueba.cl"] * 3 + ["rep1-40-a@prueba.cl"] * 3


async def test_a_moved_deadline_reschedules(db: Any, ctx: Any, moving_clock: MovingClock) -> None:
    org, _users = await _org_expiring(db, 20)
    await round_(ctx)   # plans the 7-day and on-the-day reminders (the 30-day one's time has passed)
    await db.execute("UPDATE organizations SET vigencia_expires_on = vigencia_expires_on + 30 WHERE id = :id",
                     {"id": org})
    moving_clock.advance(timedelta(days=1))
    await round_(ctx)
    rows = await reminder_rows(db)
    assert {r["skip_reason"] for r in rows if r["status"] == "skipped"} == {"deadline_moved"}
    planned = [r for r in rows if r["status"] == "scheduled"]
    assert planned and all(clock.local(r["deadline"]).date() == clock.today() + timedelta(days=49) for r in planned)
    assert {r["step"] for r in planned} == {"30d", "7d", "0d"}


async def test_renewal_requested_and_withdrawn_get_nothing(db: Any, ctx: Any, moving_clock: MovingClock) -> None:
    renewing, _ = await _org_expiring(db, 7)
    await round_(ctx)
    await db.execute("UPDATE organizations SET status = 'submitted', review_kind = 'renewal' WHERE id = :id",
                     {"id": renewing})
    await _org_expiring(db, 7, status="withdrawn")
    moving_clock.advance(timedelta(days=1))
    for _day in range(10):
        await round_(ctx)
        moving_clock.advance(timedelta(days=1))
    assert await sent(db) == {("registry.vigencia", "7d"): 1}   # sent before the renewal was asked, not after
    assert {r["skip_reason"] for r in await reminder_rows(db) if r["status"] == "skipped"} == {"no_longer_applies"}


async def _election_voting(db: Any, ends_in: timedelta) -> int:
    return int(await db.fetch_val(
        """INSERT INTO elections (name, term_start, term_end, phase, padron_cutoff, voting_starts_at, voting_ends_at)
           VALUES ('Elección de prueba', '2026-06-01', '2028-06-01', 'voting_open', :cutoff, :starts, :ends)
           RETURNING id""",
        {"cutoff": clock.today() - timedelta(days=60), "starts": clock.now() - timedelta(days=2),
         "ends": clock.now() + ends_in}))


async def test_voting_closing_only_to_organizations_that_have_not_voted(db: Any, ctx: Any,
                                                                        moving_clock: MovingClock) -> None:
    election = await _election_voting(db, timedelta(hours=30))
    orgs = {}
    for name, status in (("voted", "approved"), ("withdrawn", "withdrawn"), ("waiting", "approved")):
        user = await create_user(db, f"{name}@prueba.cl")
        orgs[name] = await create_org(db, owner=user, status=status, name=f"Org {name}")
        await db.execute("INSERT INTO padron_entries (election_id, org_id, category, region_code, name) "
                         "VALUES (:e, :o, 'A', '05', :n)", {"e": election, "o": orgs[name], "n": name})
    await db.execute("INSERT INTO voters (election_id, org_id, voted_on) VALUES (:e, :o, :d)",
                     {"e": election, "o": orgs["voted"], "d": clock.today()})
    await round_(ctx)                          # voting open: only the one that has not voted
    moving_clock.advance(timedelta(hours=7))    # now inside the last 24 hours
    await round_(ctx)
    mails = await outbox(db)
    assert {m["to_addr"] for m in mails} == {"waiting@prueba.cl"}
    assert await sent(db) == {("elections.voting_open", ""): 1, ("elections.voting_closing", ""): 1}
    closing = mails[-1]
    assert "24" in closing["subject"] and "candidat" not in closing["body"].lower()


async def test_reminders_in_the_persons_language(db: Any, ctx: Any, moving_clock: MovingClock) -> None:
    user = await create_user(db, "english@prueba.cl")
    await db.execute("UPDATE users SET locale = 'en' WHERE id = :u", {"u": user})
    await create_org(db, owner=user, vigencia_expires_on=clock.today() + timedelta(days=7))
    moving_clock.moment = clock.at_chile(clock.today(), 12)
    await round_(ctx)
    [mail] = await outbox(db)
    assert mail["subject"].startswith("The vigencia certificate of")


async def test_unsubscribe_from_the_link_without_signing_in(db: Any, ctx: Any, client: Any,
                                                             moving_clock: MovingClock) -> None:
    await _org_expiring(db, 30)
    moving_clock.moment = clock.at_chile(clock.today(), 12)
    await round_(ctx)
    [mail] = await outbox(db)
    link = re.search(r"http://testserver(/recordatorios/baja/\S+)", mail["body"]).group(1)  # type: ignore[union-attr]
    assert mail["headers"]["List-Unsubscribe"] == f"<http://testserver{link}/un-clic>"
    assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page = await client.get(link)
    assert page.status_code == 200 and "Dejar de recibirlos" in page.text
    response = await client.post(link)
    assert response.status_code == 303 and response.headers["location"] == link
    assert "Ya no recibe" in (await client.get(link)).text
    assert await db.fetch_val("SELECT topic FROM reminder_optouts") == "registry_vigencia"
    moving_clock.advance(timedelta(days=23))    # the 7-day reminder's time: not sent, skipped
    await round_(ctx)
    assert len(await outbox(db)) == 1
    assert (await client.get(link[:-3] + "xyz")).status_code == 404


async def test_one_click_post_needs_no_session_or_csrf_token(db: Any, app: Any, ctx: Any,
                                                           moving_clock: MovingClock) -> None:
    """RFC 8058: a mail program POSTs `List-Unsubscribe=One-Click` to the header's URL, with no cookie."""
    import httpx

    await _org_expiring(db, 30)
    moving_clock.moment = clock.at_chile(clock.today(), 12)
    await round_(ctx)
    [mail] = await outbox(db)
    url = mail["headers"]["List-Unsubscribe"].strip("<>")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as bare:
        forged = await bare.post(url[:-len("/un-clic")] + "xyz/un-clic", data={"List-Unsubscribe": "One-Click"})
        assert forged.status_code == 404  # the token is the proof: a wrong one is refused
        done = await bare.post(url, data={"List-Unsubscribe": "One-Click"})
        assert done.status_code in (200, 204, 303)
        elsewhere = await bare.post("/cuenta/recordatorios", data={"x": "1"})
        assert elsewhere.status_code == 403  # the exemption is that one path only
    assert await db.fetch_val("SELECT topic FROM reminder_optouts") == "registry_vigencia"


async def test_one_click_unsubscribe_token_is_checked(settings: Any) -> None:
    url = service.unsubscribe_url(settings, 7, "sello")
    token = url.rsplit("/", 1)[1]
    assert service.read_unsubscribe(settings, token) == (7, "sello")
    assert service.read_unsubscribe(settings, token[:-2] + "aa") is None


async def test_preferences_page(db: Any, client: Any, ctx: Any, moving_clock: MovingClock) -> None:
    _org, [user] = await _org_expiring(db, 30)
    email = await db.fetch_val("SELECT email FROM users WHERE id = :u", {"u": user})
    await client.login(email)
    page = await client.get("/cuenta/recordatorios")
    assert page.status_code == 200 and 'value="registry_vigencia" checked' in page.text
    response = await client.post("/cuenta/recordatorios", [("topics", "sello"), ("language", "en")])
    assert response.status_code == 303 and response.headers["location"] == "/cuenta/recordatorios"
    page = await client.get("/cuenta/recordatorios")
    assert 'value="registry_vigencia" checked' not in page.text and 'value="sello" checked' in page.text
    moving_clock.moment = clock.at_chile(clock.today(), 12)
    await round_(ctx)
    assert await outbox(db) == []
    assert (await client.post("/cuenta/recordatorios", [("language", "xx")])).status_code == 422


async def test_staff_schedule(db: Any, client: Any, ctx: Any, moving_clock: MovingClock) -> None:
    await _org_expiring(db, 30)
    await _org_expiring(db, 50)
    moving_clock.moment = clock.at_chile(clock.today(), 12)
    await round_(ctx)
    admin = await create_user(db, "admin@prueba.cl", roles=["admin"])
    assert admin
    await client.login("admin@prueba.cl")
    page = await client.get("/staff/recordatorios")
    assert page.status_code == 200 and "Vigencia por vencer" in page.text
    assert "6 recordatorios" in page.text   # one sent today, five planned within the horizon
    only_sent = await client.get("/staff/recordatorios?status=sent&kind=registry.vigencia")
    assert "1 recordatorio<" in only_sent.text
    assert (await client.get("/staff/recordatorios?start=nope")).status_code == 200


async def test_a_run_sends_batch_after_batch(db: Any, ctx: Any, monkeypatch: Any) -> None:
    """More reminders due than one batch holds: the same run goes on with the next batch (one batch a
    run took five hours for 10,000 organizations), and a second run finds nothing left."""
    monkeypatch.setattr(service, "SEND_LIMIT", 2)
    for i in range(5):
        user = await create_user(db, f"lote{i}@prueba.cl")
        await create_org(db, owner=user, vigencia_expires_on=clock.today() + timedelta(days=29))
    await round_(ctx)
    assert await sent(db) == {("registry.vigencia", "30d"): 5}
    await round_(ctx)
    assert len(await outbox(db)) == 5
