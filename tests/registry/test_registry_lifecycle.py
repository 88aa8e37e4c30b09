"""After registration: expiry without a job, renewal, category change (and its election lock),
withdrawal, invitations, staff decisions' emails and audit rows, invalid transitions."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from factories import TEST_PASSWORD, create_rep, create_user
from portal import clock, mail, tokens
from portal.elections_web import api as elections
from registry_helpers import link_in, upload


async def _reviewer(db, make_client):  # type: ignore[no-untyped-def]
    await create_user(db, "revisor@prueba.cl", roles=["reviewer"])
    staff = make_client()
    await staff.login("revisor@prueba.cl")
    return staff


async def test_expiry_is_shown_without_any_job(db, client) -> None:
    _, org_id, _ = await create_rep(db, status="approved", name="Asociación Vencida",
                                    vigencia_expires_on=clock.today() - timedelta(days=1))
    assert await db.fetch_val("SELECT status FROM organizations") == "approved"  # nothing rewrote it
    page = await client.get(f"/organizaciones/{org_id}")
    assert page.status_code == 200 and "Vigencia vencida" in page.text
    listing = await client.get("/organizaciones", params={"status": "expired"})
    assert "Asociación Vencida" in listing.text
    assert "Asociación Vencida" not in (await client.get("/organizaciones", params={"status": "approved"})).text
    assert '"status": "expired"' in (await client.get("/datos/organizaciones.json")).text


async def test_expiry_follows_chiles_calendar_not_the_servers(db, client) -> None:
    """A vigencia that ends on 9 March: at 23:30 that day in Chile it still holds, at 00:30 on the 10th it
    has expired, though the server's UTC date is the 10th both times (docs/registry.md, Record)."""
    _, org_id, _ = await create_rep(db, status="approved", name="Asociación del Borde",
                                    vigencia_expires_on=date(2026, 3, 9))
    with clock.frozen(clock.at_chile(date(2026, 3, 9), 23, 30)):
        assert clock.now().astimezone(UTC).date() == date(2026, 3, 10)
        assert "Vigencia vencida" not in (await client.get(f"/organizaciones/{org_id}")).text
        assert "Asociación del Borde" in (await client.get("/organizaciones", params={"status": "approved"})).text
        assert '"status": "approved"' in (await client.get("/datos/organizaciones.json")).text
    with clock.frozen(clock.at_chile(date(2026, 3, 10), 0, 30)):
        assert clock.now().astimezone(UTC).date() == date(2026, 3, 10)
        assert "Vigencia vencida" in (await client.get(f"/organizaciones/{org_id}")).text
        assert "Asociación del Borde" in (await client.get("/organizaciones", params={"status": "expired"})).text
        assert '"status": "expired"' in (await client.get("/datos/organizaciones.json")).text


async def test_renewal_goes_to_review_while_staying_public(db, make_client) -> None:
    _, org_id, email = await create_rep(db, status="approved", name="Colectivo Renovable",
                                        vigencia_expires_on=clock.today() - timedelta(days=3))
    rep = make_client()
    await rep.login(email)
    bad = await upload(rep, "vigencia", issued_on=clock.today() - timedelta(days=90), url="/mi-organizacion/renovar")
    assert bad.status_code == 422 and await db.fetch_val("SELECT status FROM organizations") == "approved"
    issued = clock.today() - timedelta(days=2)
    assert (await upload(rep, "vigencia", issued_on=issued, url="/mi-organizacion/renovar")).status_code == 303
    row = await db.fetch_one("SELECT status, review_kind, listed FROM organizations")
    assert (row["status"], row["review_kind"], row["listed"]) == ("submitted", "renewal", True)
    anon = make_client()
    assert "Vigencia vencida" in (await anon.get(f"/organizaciones/{org_id}")).text  # still public, as expired
    staff = await _reviewer(db, make_client)
    assert (await staff.post(f"/staff/registro/{org_id}/aprobar")).status_code == 303
    row = await db.fetch_one("SELECT status, vigencia_expires_on FROM organizations")
    assert row["status"] == "approved" and row["vigencia_expires_on"] == issued + timedelta(days=365)
    page = (await anon.get(f"/organizaciones/{org_id}")).text
    assert "Vigencia renovada" in page and "Vigencia vencida" not in page
    assert await db.fetch_val("SELECT count(*) FROM audit_log WHERE action = 'registry.renewed'") == 1
    assert any("aprobada" in m["subject"] for m in await mail.recent(db, to=email))


async def test_rejected_renewal_leaves_the_record_as_it_was(db, make_client) -> None:
    _, org_id, email = await create_rep(db, status="approved")
    before = await db.fetch_val("SELECT vigencia_expires_on FROM organizations")
    rep = make_client()
    await rep.login(email)
    await upload(rep, "vigencia", url="/mi-organizacion/renovar")
    staff = await _reviewer(db, make_client)
    assert (await staff.post(f"/staff/registro/{org_id}/rechazar", {"reason": ""})).status_code == 422
    assert (await staff.post(f"/staff/registro/{org_id}/rechazar", {"reason": "El certificado es ilegible."})).status_code == 303
    row = await db.fetch_one("SELECT status, vigencia_expires_on FROM organizations")
    assert row["status"] == "approved" and row["vigencia_expires_on"] == before
    assert "El certificado es ilegible." in (await rep.get("/mi-organizacion")).text


async def test_category_change_is_re_reviewed(db, make_client) -> None:
    _, org_id, email = await create_rep(db, status="approved", category="B")
    rep = make_client()
    await rep.login(email)
    missing = await rep.post("/mi-organizacion/categoria", {"category": "A", "migrant_share": "70"})
    assert missing.status_code == 422 and "Declaración" in missing.text
    assert (await upload(rep, "mayoria_migrante")).status_code == 303
    assert (await rep.post("/mi-organizacion/categoria", {"category": "A", "migrant_share": "70"})).status_code == 303
    row = await db.fetch_one("SELECT status, category, pending_category, listed FROM organizations")
    assert (row["status"], row["category"], row["pending_category"], row["listed"]) == ("submitted", "B", "A", True)
    staff = await _reviewer(db, make_client)
    assert (await staff.post(f"/staff/registro/{org_id}/aprobar")).status_code == 303
    row = await db.fetch_one("SELECT status, category, migrant_share, pending_category FROM organizations")
    assert (row["status"], row["category"], row["migrant_share"], row["pending_category"]) == ("approved", "A", 70, None)
    assert "Categoría cambiada" in (await make_client().get(f"/organizaciones/{org_id}")).text
    assert await db.fetch_val("SELECT count(*) FROM audit_log WHERE action = 'registry.category_changed'") == 1


async def test_category_change_blocked_during_an_election(db, client) -> None:
    _, _, email = await create_rep(db, status="approved", category="B")
    await client.login(email)
    assert (await elections.category_change_check(db)).allowed
    await db.execute("""INSERT INTO elections (name, term_start, term_end, phase)
                        VALUES ('Elección COSOC 2026', '2027-01-01', '2029-01-01', 'voting_open')""")
    check = await elections.category_change_check(db)
    assert not check.allowed and "Elección COSOC 2026" in check.reason  # the page names the election
    page = await client.get("/mi-organizacion/categoria")
    assert page.status_code == 200 and check.reason in page.text
    refused = await client.post("/mi-organizacion/categoria", {"category": "C"})
    assert refused.status_code == 409 and await db.fetch_val("SELECT status FROM organizations") == "approved"
    await db.execute("UPDATE elections SET phase = 'proclaimed'")
    assert (await elections.category_change_check(db)).allowed


async def test_withdrawal_by_the_legal_representative(db, make_client) -> None:
    _user_id, org_id, email = await create_rep(db, status="approved", name="Fundación que se Retira")
    helper = await create_user(db, "ayudante@prueba.cl")
    await db.execute("INSERT INTO org_representatives (org_id, user_id) VALUES (:o, :u)", {"o": org_id, "u": helper})
    other = make_client()
    await other.login("ayudante@prueba.cl")
    assert (await other.get("/mi-organizacion/retirar")).status_code == 403  # not the legal representative
    from portal.certificates import service

    code = await service.issue(db, kind="registry", subject_type="organization", subject_id=org_id,
                               subject_name="Fundación que se Retira", title="Inscrita", valid_from=clock.today(),
                               valid_until=clock.today() + timedelta(days=30), actor=None)
    rep = make_client()
    await rep.login(email)
    assert (await rep.get("/mi-organizacion/retirar")).status_code == 200
    unconfirmed = await rep.post("/mi-organizacion/retirar", {"reason": "Disolución"})
    assert unconfirmed.status_code == 422 and await db.fetch_val("SELECT status FROM organizations") == "approved"
    assert (await rep.post("/mi-organizacion/retirar", {"reason": "Disolución", "confirm": "yes"})).status_code == 303
    assert await db.fetch_val("SELECT status FROM organizations") == "withdrawn"
    anon = make_client()
    page = (await anon.get(f"/organizaciones/{org_id}")).text
    assert "Retirada el" in page and clock.today().strftime("%Y") in page
    assert "Fundación que se Retira" in (await anon.get("/organizaciones", params={"status": "withdrawn"})).text
    assert "registry.withdrawn" in [r["action"] for r in await db.fetch_all("SELECT action FROM audit_log")]
    assert (await service.get(db, code)).state() == "revoked"  # its registry certificate no longer holds
    assert len(await mail.recent(db, to="ayudante@prueba.cl")) == 1  # every representative is told
    assert (await rep.post("/mi-organizacion/retirar", {"confirm": "yes"})).status_code == 409


async def test_invitation_adds_a_representative(db, make_client) -> None:
    _, org_id, email = await create_rep(db, status="approved", name="Red de Apoyo Mutuo")
    rep = make_client()
    await rep.login(email)
    assert (await rep.post("/mi-organizacion/invitar", {"email": "no-es-correo"})).status_code == 422
    assert (await rep.post("/mi-organizacion/invitar", {"email": email})).status_code == 422  # already a rep
    assert (await rep.post("/mi-organizacion/invitar", {"email": "Nuevo@Prueba.cl"})).status_code == 303
    link = link_in((await mail.recent(db, to="nuevo@prueba.cl"))[0]["body"], "/invitacion/")
    anon = make_client()
    assert "Ingresar" in (await anon.get(link)).text
    await create_user(db, "intruso@prueba.cl")
    intruder = make_client()
    await intruder.login("intruso@prueba.cl")
    assert (await intruder.post(link)).status_code == 409
    await create_user(db, "nuevo@prueba.cl")
    invitee = make_client()
    await invitee.login("nuevo@prueba.cl")
    assert (await invitee.post(link)).status_code == 303
    assert await db.fetch_val("SELECT count(*) FROM org_representatives WHERE org_id = :o", {"o": org_id}) == 2
    assert (await invitee.get("/mi-organizacion")).status_code == 200
    assert (await invitee.post(link)).status_code == 409  # one organization per person
    assert (await invitee.get("/invitacion/garbage")).status_code == 400


async def test_someone_invited_without_an_account_comes_back_to_the_invitation(db, make_client) -> None:
    """Create account → verify the email → sign in → the invitation, without looking for the link again."""
    from urllib.parse import quote

    _, org_id, email = await create_rep(db, status="approved", name="Red de Apoyo Mutuo")
    rep = make_client()
    await rep.login(email)
    assert (await rep.post("/mi-organizacion/invitar", {"email": "sin-cuenta@prueba.cl"})).status_code == 303
    link = link_in((await mail.recent(db, to="sin-cuenta@prueba.cl"))[0]["body"], "/invitacion/")
    newcomer = make_client()
    invitation = await newcomer.get(link)
    signup_href = f"/cuenta/crear?next={quote(link, safe='/')}"
    assert f'href="{signup_href}"' in invitation.text
    form = await newcomer.get(signup_href)
    assert f'name="next" value="{link}"' in form.text
    created = await newcomer.post("/cuenta/crear", {
        "name": "Persona Invitada", "email": "sin-cuenta@prueba.cl", "document_type": "passport",
        "document_number": "P998877", "password": TEST_PASSWORD, "password_confirm": TEST_PASSWORD, "next": link})
    assert created.status_code == 303
    verify = link_in((await mail.recent(db, to="sin-cuenta@prueba.cl"))[0]["body"], "/cuenta/verificar/")
    verified = await newcomer.get(verify)
    assert verified.status_code == 303 and verified.headers["location"] == f"/ingresar?next={quote(link, safe='/')}"
    signed = await newcomer.post("/ingresar", {"email": "sin-cuenta@prueba.cl", "password": TEST_PASSWORD,
                                               "next": link})
    assert signed.status_code == 303 and signed.headers["location"] == link
    newcomer.forget_token()
    assert (await newcomer.post(link)).status_code == 303
    assert await db.fetch_val("SELECT count(*) FROM org_representatives WHERE org_id = :o", {"o": org_id}) == 2
    # an outside address in `next` is never followed
    evil = await make_client().get("/cuenta/crear?next=https://malo.example/")
    assert 'name="next"' not in evil.text


async def test_invalid_transitions_are_refused(db, client) -> None:
    _, org_id, _ = await create_rep(db, status="draft")
    await create_user(db, "revisor@prueba.cl", roles=["reviewer"])
    await client.login("revisor@prueba.cl")
    for action in ("aprobar", "tomar"):
        response = await client.post(f"/staff/registro/{org_id}/{action}")
        assert response.status_code == 409 and "Borrador" in response.text
    assert (await client.post(f"/staff/registro/{org_id}/observar", {"message": "Revise"})).status_code == 409
    assert await db.fetch_val("SELECT status FROM organizations") == "draft"
    assert await db.fetch_val("SELECT count(*) FROM audit_log WHERE action LIKE 'registry.%'") == 0
    assert (await client.post("/staff/registro/999999/aprobar")).status_code == 404


async def test_every_decision_emails_all_representatives_and_is_audited(db, make_client) -> None:
    _, org_id, email = await create_rep(db, status="submitted")
    await create_user(db, "segunda@prueba.cl")
    await db.execute("INSERT INTO org_representatives (org_id, user_id) SELECT :o, id FROM users WHERE email = 'segunda@prueba.cl'",
                     {"o": org_id})
    staff = await _reviewer(db, make_client)
    assert (await staff.post(f"/staff/registro/{org_id}/observar", {"message": "Corrija el domicilio."})).status_code == 303
    await db.execute("UPDATE organizations SET status = 'submitted'")
    assert (await staff.post(f"/staff/registro/{org_id}/rechazar", {"reason": "No cumple el objeto."})).status_code == 303
    for address in (email, "segunda@prueba.cl"):
        subjects = [m["subject"] for m in await mail.recent(db, to=address)]
        assert any("Observaciones" in s for s in subjects) and any("rechazada" in s for s in subjects)
    audit = {r["action"]: r for r in await db.fetch_all("SELECT action, actor_label, after FROM audit_log")}
    assert audit["registry.observed"]["actor_label"] == "revisor@prueba.cl"
    assert "registry.rejected" in audit
    assert await db.fetch_val("SELECT status FROM organizations") == "rejected"
    assert (await make_client().get(f"/organizaciones/{org_id}")).status_code == 404


async def test_invite_token_for_another_org_cannot_be_forged(db, client, settings) -> None:
    token = tokens.make("other-secret", tokens.INVITE, {"o": 1, "e": "x@prueba.cl"})
    assert (await client.get(f"/invitacion/{token}")).status_code == 400


async def test_rejected_application_can_start_again(db, client) -> None:
    _, org_id, email = await create_rep(db, status="rejected")
    await client.login(email)
    assert "Corregir y volver a postular" in (await client.get("/mi-organizacion")).text
    assert (await client.post("/mi-organizacion/reabrir")).status_code == 303
    assert await db.fetch_val("SELECT status FROM organizations") == "draft"
    assert await db.fetch_val("SELECT count(*) FROM audit_log WHERE action = 'registry.reopened'") == 1
    assert (await client.post("/mi-organizacion/reabrir")).status_code == 409
    assert (await client.get(f"/organizaciones/{org_id}")).status_code == 404
