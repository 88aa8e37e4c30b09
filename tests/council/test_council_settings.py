"""Each council's rules (docs/council.md, The council's rules): the secretariat's form at
/staff/consejo/reglas (422 beside each wrong field, audited, staff only), and the settings at work:
a 60 % quorum, an absence limit of 2, the days to comment proposed when an acta is circulated, and
the public pages saying the council's actual rules."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest

from council_helpers import convened, held, mark, must
from council_world import CouncilWorld, secretary
from portal import clock

URL = "/staff/consejo/reglas"
VALID = {"quorum_percent": "60", "absence_limit": "2", "comment_days": "21"}


def _field_error(html: str, name: str) -> str:
    """The message shown beside a field (the macro's `<p class="field__error" id="<name>-error">`)."""
    match = re.search(rf'id="{name}-error"[^>]*>(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


async def test_the_secretariat_changes_the_rules_audited(world: CouncilWorld, db: Any, client: Any) -> None:
    await client.login(await secretary(db))
    page = await client.get(URL)
    assert page.status_code == 200
    assert 'value="50"' in page.text and 'value="3"' in page.text and 'value="10"' in page.text  # the defaults
    r = await client.post(URL, VALID)
    assert r.status_code == 303 and r.headers["location"] == URL
    row = await db.fetch_one("SELECT quorum_percent, absence_limit, comment_days, updated_by FROM council_settings "
                             "WHERE election_id = :e", {"e": world.election_id})
    assert row is not None and (row["quorum_percent"], row["absence_limit"], row["comment_days"]) == (60, 2, 21)
    event = await db.fetch_one("SELECT actor_id, object_id, before, after FROM audit_log "
                               "WHERE action = 'council.rules.changed'")
    assert event is not None and event["object_id"] == str(world.election_id) and event["actor_id"] == row["updated_by"]
    before, after = (json.loads(event[k]) if isinstance(event[k], str) else event[k] for k in ("before", "after"))
    assert before == {"quorum_percent": 50, "absence_limit": 3, "comment_days": 10}
    assert after == {"quorum_percent": 60, "absence_limit": 2, "comment_days": 21}
    again = await client.get(URL)
    assert "guardadas" in again.text and 'value="60"' in again.text
    assert (await client.post(URL, VALID)).status_code == 303  # the same values: nothing written, nothing audited
    assert await db.fetch_val("SELECT count(*) FROM audit_log WHERE action = 'council.rules.changed'") == 1
    public = await client.get("/consejo")
    assert "más del 60 % de los miembros en ejercicio; hoy, 13 de 20" in public.text
    assert "2 inasistencias seguidas sin excusa hacen perder el cupo" in public.text
    assert "durante 21 días" in public.text
    english = await client.get("/consejo", headers={"Accept-Language": "en"})
    assert "more than 60% of the members in office; today, 13 of 20" in english.text
    assert "2 consecutive unexcused absences lose the seat" in english.text and "for 21 days" in english.text


@pytest.mark.parametrize(("field", "value", "message"), [
    ("quorum_percent", "0", "de 1 a 99"), ("quorum_percent", "100", "de 1 a 99"), ("quorum_percent", "x", "entero"),
    ("quorum_percent", "", "obligatorio"), ("absence_limit", "13", "de 1 a 12"), ("absence_limit", "0", "de 1 a 12"),
    ("comment_days", "61", "de 1 a 60"), ("comment_days", "-1", "de 1 a 60"),
])
async def test_each_wrong_field_is_answered_beside_it(world: CouncilWorld, db: Any, client: Any, field: str,
                                                      value: str, message: str) -> None:
    await client.login(await secretary(db))
    r = await client.post(URL, {**VALID, field: value})
    assert r.status_code == 422
    assert message in _field_error(r.text, field)
    others = [name for name in VALID if name != field]
    assert all(not _field_error(r.text, name) for name in others)
    assert all(f'value="{VALID[name]}"' in r.text for name in others)  # what was typed stays
    assert f'value="{value}"' in r.text
    assert await db.fetch_val("SELECT count(*) FROM council_settings") == 0


async def test_only_the_secretariat_sets_the_rules(world: CouncilWorld, db: Any, make_client: Any) -> None:
    from factories import create_user

    await create_user(db, "revisor@consejo.cl", roles=["reviewer"])
    reviewer = make_client()
    await reviewer.login("revisor@consejo.cl")
    assert (await reviewer.get(URL)).status_code == 403
    assert (await reviewer.post(URL, VALID)).status_code == 403
    councillor = make_client()
    await councillor.login(world.emails[world.members[0]])
    assert (await councillor.post(URL, VALID)).status_code == 403
    anon = make_client()
    assert (await anon.get(URL)).status_code == 303
    staff = make_client()
    await staff.login(await secretary(db))
    assert (await staff.post(URL, VALID, csrf=False)).status_code == 403  # no CSRF token
    assert await db.fetch_val("SELECT count(*) FROM council_settings") == 0


async def test_a_60_percent_quorum_and_sessions_keep_the_share_they_opened_with(world: CouncilWorld, db: Any,
                                                                                 client: Any) -> None:
    await client.login(await secretary(db))
    m = world.members
    earlier = await convened(client, days=3)
    await must(client, f"/staff/consejo/sesiones/{earlier}/abrir")  # opened under the default, 50 %
    await must(client, URL, VALID)
    later = await convened(client, days=5)
    before_open = await client.get(f"/consejo/sesiones/{later}")
    assert "más del 60 % de los miembros en ejercicio" in before_open.text
    await must(client, f"/staff/consejo/sesiones/{later}/abrir")
    vote = {"text": "Pedir un informe sobre plazos de tramitación.", "votes_for": "8", "votes_against": "2",
            "votes_abstain": "2"}
    await mark(client, later, {x: "present" for x in m[:12]})
    page = await client.get(f"/staff/consejo/sesiones/{later}")
    assert "No hay quórum." in page.text and "12 presentes de 20" in page.text and "se necesitan 13" in page.text
    refused = await client.post(f"/staff/consejo/sesiones/{later}/acuerdos", vote)
    assert refused.status_code == 409 and "se necesitan 13 de 20" in refused.text
    await mark(client, later, {m[12]: "present"})
    await must(client, f"/staff/consejo/sesiones/{later}/acuerdos", vote)
    await mark(client, earlier, {x: "present" for x in m[:11]})
    kept = await client.get(f"/consejo/sesiones/{earlier}")
    assert "Hay quórum." in kept.text and "se necesitan 11" in kept.text
    await must(client, f"/staff/consejo/sesiones/{earlier}/acuerdos", {**vote, "votes_for": "7"})
    shares = await db.fetch_all("SELECT id, quorum_percent FROM council_sessions ORDER BY id")
    assert [(r["id"], r["quorum_percent"]) for r in shares] == [(earlier, 50), (later, 60)]


async def test_an_absence_limit_of_two_proposes_at_the_second_absence(world: CouncilWorld, db: Any,
                                                                     client: Any) -> None:
    await client.login(await secretary(db))
    await must(client, URL, {**VALID, "quorum_percent": "50"})
    m = world.members
    missing = m[5]
    await held(client, m, set(m) - {missing}, days=3)
    assert await db.fetch_val("SELECT count(*) FROM council_vacancy_proposals") == 0
    public = await client.get("/consejo")
    assert "1 inasistencia sin excusa" in public.text  # one short of the limit is pointed out
    second = await held(client, m, set(m) - {missing}, days=4)
    proposal = await db.fetch_one("SELECT member_id, session_id, absences, status FROM council_vacancy_proposals")
    assert proposal is not None
    assert (proposal["member_id"], proposal["session_id"], proposal["absences"], proposal["status"]) == \
        (missing, second, 2, "proposed")
    dashboard = await client.get("/staff/consejo")
    assert "2 inasistencias seguidas sin excusa" in dashboard.text


async def test_circulating_proposes_the_councils_days_to_comment(world: CouncilWorld, db: Any, client: Any) -> None:
    await client.login(await secretary(db))
    m = world.members
    sid = await held(client, m, set(m[:12]))
    await must(client, f"/staff/consejo/sesiones/{sid}/acta", {"body": "En Santiago se abre la sesión del consejo."})
    default = await client.get(f"/staff/consejo/sesiones/{sid}")
    assert f'value="{(clock.today() + timedelta(days=10)).isoformat()}"' in default.text
    await must(client, URL, VALID)
    page = await client.get(f"/staff/consejo/sesiones/{sid}")
    until = (clock.today() + timedelta(days=21)).isoformat()
    assert f'id="comments_until" name="comments_until" type="date" value="{until}"' in page.text
    await must(client, f"/staff/consejo/sesiones/{sid}/acta/circular", {"comments_until": until})
    assert await db.fetch_val("SELECT comments_until FROM council_actas WHERE session_id = :s", {"s": sid}) == \
        clock.today() + timedelta(days=21)
