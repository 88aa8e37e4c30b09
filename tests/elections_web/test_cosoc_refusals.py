"""Every action outside its phase, or by someone the rules exclude, is refused with a clear message."""

from __future__ import annotations

from typing import Any

from cosoc_world import OpenElection, build_open_election
from cosoc_helpers import create_election, end_voting_window, set_phase, signed_in, staff, vote_http


async def ballots(db: Any) -> int:
    return await db.fetch_val("SELECT count(*) FROM sealed_ballots")


async def voters(db: Any) -> int:
    return await db.fetch_val("SELECT count(*) FROM voters")


async def cast(make_client: Any, email: str, eid: int, choice: str) -> Any:
    client = await signed_in(make_client, email)
    return await client.post(f"/elecciones/{eid}/votar", {"step": "cast", "choice": choice})


async def test_vote_before_the_phase_opens(db: Any, secret: str, make_client: Any) -> None:
    oe = await build_open_election(db, secret, phase="candidacies_review")
    r = await cast(make_client, oe.reps["A"][2][2], oe.id, "blank")
    assert r.status_code == 409 and "La votación aún no se abre" in r.text
    assert await ballots(db) == 0 and await voters(db) == 0


async def test_vote_in_phase_but_before_the_window(db: Any, open_election: OpenElection, make_client: Any) -> None:
    await db.execute("""UPDATE elections SET voting_starts_at = now() + interval '1 hour',
                               voting_ends_at = now() + interval '2 hours' WHERE id = :e""", {"e": open_election.id})
    r = await cast(make_client, open_election.reps["A"][2][2], open_election.id, "blank")
    assert r.status_code == 409 and "aún no se abre" in r.text
    assert await ballots(db) == 0


async def test_vote_after_the_window_or_after_closing(db: Any, open_election: OpenElection, make_client: Any) -> None:
    await end_voting_window(db, open_election.id)
    r = await cast(make_client, open_election.reps["A"][2][2], open_election.id, "blank")
    assert r.status_code == 409 and "ya se cerró" in r.text
    await set_phase(db, open_election.id, "voting_closed")
    r = await cast(make_client, open_election.reps["B"][2][2], open_election.id, "blank")
    assert r.status_code == 409 and "ya se cerró" in r.text
    assert await ballots(db) == 0 and await voters(db) == 0


async def test_organization_not_in_the_padron(db: Any, open_election: OpenElection, make_client: Any) -> None:
    _u, _o, email = open_election.outsider
    r = await cast(make_client, email, open_election.id, "blank")
    assert r.status_code == 403 and "no está en el padrón" in r.text
    page = await (await signed_in(make_client, email)).get(f"/elecciones/{open_election.id}")
    assert "¿Puedo votar?" in page.text and "No: su organización no está en el padrón" in page.text


async def test_expired_organization_is_not_in_the_padron_and_cannot_vote(db: Any, open_election: OpenElection,
                                                                          make_client: Any) -> None:
    """Expired at the cut-off (vigencia lapsed the day before): left out of the padrón, refused."""
    _u, org_id, email = open_election.expired
    assert await db.fetch_val("SELECT count(*) FROM padron_entries WHERE org_id = :o", {"o": org_id}) == 0
    r = await cast(make_client, email, open_election.id, "blank")
    assert r.status_code == 403 and "no está en el padrón" in r.text
    assert await ballots(db) == 0


async def test_candidate_of_another_category(db: Any, open_election: OpenElection, make_client: Any) -> None:
    other = open_election.candidates["B"][0]
    r = await cast(make_client, open_election.reps["A"][2][2], open_election.id, str(other))
    assert r.status_code == 422 and "categoría de su organización (A)" in r.text
    from portal.elections_web import vote

    try:  # the service refuses it too, whatever the form says
        await vote.cast_vote(db, open_election.id, open_election.reps["A"][2][1], other, secret=open_election.secret)
    except vote.InvalidChoice as exc:
        assert "categoría de su organización (A)" in exc.message
    else:
        raise AssertionError("a ballot for another category was accepted")
    assert await ballots(db) == 0 and await voters(db) == 0


async def test_second_ballot_is_refused_with_409(db: Any, open_election: OpenElection, make_client: Any) -> None:
    email = open_election.reps["C"][2][2]
    client = await signed_in(make_client, email)
    assert (await vote_http(client, open_election.id, "blank")).status_code == 200
    again = await client.post(f"/elecciones/{open_election.id}/votar", {"step": "cast", "choice": "blank"})
    assert again.status_code == 409 and "ya votó" in again.text
    assert await ballots(db) == 1


async def test_a_receipt_posted_back_with_a_malformed_code_is_refused(open_election: OpenElection,
                                                                      make_client: Any) -> None:
    client = await signed_in(make_client, open_election.reps["C"][2][2])
    for bad in ({"code": "ab" * 31}, {"code": "zz" * 32}, {"code": "ab" * 32, "fingerprint": "12"}, {}):
        printable = await client.post(f"/elecciones/{open_election.id}/comprobante/imprimir", bad)
        assert printable.status_code == 422 and "64 caracteres" in printable.text and "<svg" not in printable.text
        text = await client.post(f"/elecciones/{open_election.id}/comprobante.txt", bad)
        assert text.status_code == 422 and "64 caracteres" in text.text


async def test_nominate_outside_the_candidacy_phase(db: Any, secret: str, make_client: Any) -> None:
    oe = await build_open_election(db, secret, phase="candidacies_review")
    client = await signed_in(make_client, oe.reps["A"][2][2])
    form = {"name": "Tarde", "document_type": "passport", "document_number": "X", "gender": "F",
            "bio": "Reseña suficientemente larga.", "accepted": "1"}
    r = await client.post(f"/elecciones/{oe.id}/candidatura", form)
    assert r.status_code == 409 and "El plazo de candidaturas ya terminó" in r.text
    await set_phase(db, oe.id, "padron_final")
    r = await client.post(f"/elecciones/{oe.id}/candidatura", form)
    assert r.status_code == 409 and "aún no se abre" in r.text
    assert await db.fetch_val("SELECT count(*) FROM candidates WHERE name = 'Tarde'") == 0


async def test_nomination_form_errors_rerender_with_422(db: Any, secret: str, make_client: Any) -> None:
    oe = await build_open_election(db, secret, phase="candidacies_open")
    client = await signed_in(make_client, oe.reps["A"][2][2])
    r = await client.post(f"/elecciones/{oe.id}/candidatura", {"name": "Ana Pérez", "document_type": "run",
                                                                 "document_number": "12.345.678-0", "gender": "Q",
                                                                 "bio": "corta"})
    assert r.status_code == 422
    assert "El RUN no es válido" in r.text and "debe aceptar la candidatura" in r.text and 'value="Ana Pérez"' in r.text


async def test_sorteo_cannot_change_after_voting_closes(db: Any, open_election: OpenElection, make_client: Any) -> None:
    ministro = await staff(make_client, db, "ministro_de_fe")
    url = f"/staff/elecciones/{open_election.id}/sorteo"
    assert (await ministro.post(url, {"seed": "otra-semilla"})).status_code == 303
    await set_phase(db, open_election.id, "voting_closed")
    r = await ministro.post(url, {"seed": "cambiada"})
    assert r.status_code == 409 and "el sorteo no puede cambiar después del cierre" in r.text
    assert await db.fetch_val("SELECT lottery_seed FROM elections WHERE id = :e", {"e": open_election.id}) == "otra-semilla"
    officer = await staff(make_client, db, "election_officer")
    assert (await officer.post(url, {"seed": "x"})).status_code == 403


async def test_closing_without_sorteo_and_opening_without_candidates_are_refused(db: Any, secret: str, make_client: Any) -> None:
    officer = await staff(make_client, db, "election_officer")
    oe = await build_open_election(db, secret)
    await db.execute("UPDATE elections SET lottery_seed = NULL, sorteo_fixed_at = NULL WHERE id = :e", {"e": oe.id})
    await end_voting_window(db, oe.id)
    r = await officer.post(f"/staff/elecciones/{oe.id}/fase", {"to": "voting_closed"})
    assert r.status_code == 409 and "fijar el sorteo antes de cerrar" in r.text

    oe2 = await build_open_election(db, secret, phase="candidacies_review")
    await db.execute("UPDATE candidates SET status = 'inadmissible', review_reason = 'x' "
                     "WHERE election_id = :e AND category = 'C'",
                     {"e": oe2.id})
    page = await officer.get(f"/staff/elecciones/{oe2.id}")
    assert "La categoría C no tiene ninguna candidatura admisible" in page.text and "✗" in page.text
    r = await officer.post(f"/staff/elecciones/{oe2.id}/fase", {"to": "voting_open"})
    assert r.status_code == 409 and "La categoría C no tiene ninguna candidatura admisible" in r.text
    assert await db.fetch_val("SELECT phase FROM elections WHERE id = :e", {"e": oe2.id}) == "candidacies_review"


async def test_transitions_skip_no_phase_and_need_the_window(db: Any, make_client: Any) -> None:
    officer = await staff(make_client, db, "election_officer")
    eid = await create_election(officer, voting_starts_at="", voting_ends_at="")
    r = await officer.post(f"/staff/elecciones/{eid}/fase", {"to": "padron_provisional"})
    assert r.status_code == 409 and "solo puede pasar a la fase siguiente" in r.text
    r = await officer.post(f"/staff/elecciones/{eid}/fase", {"to": "call_open"})
    assert r.status_code == 409 and "Defina el inicio y el término de la votación" in r.text
    r = await officer.post(f"/staff/elecciones/{eid}/fase", {"to": "no-such-phase"})
    assert r.status_code == 422
    assert await db.fetch_val("SELECT count(*) FROM election_log WHERE event = 'phase_changed'") == 0


async def test_settings_form_errors_and_lock_after_close(db: Any, secret: str, make_client: Any) -> None:
    officer = await staff(make_client, db, "election_officer")
    r = await officer.post("/staff/elecciones", {"name": "", "term_start": "2026-13-01", "term_end": "x",
                                                 "seats_a": "-1", "seats_b": "6", "seats_c": "4",
                                                 "territorial_share": "2", "gender_share": "abc"})
    assert r.status_code == 422
    assert "Escriba una proporción entre 0 y 1" in r.text and "Escriba una fecha válida" in r.text
    oe = await build_open_election(db, secret, phase="voting_closed")
    r = await officer.post(f"/staff/elecciones/{oe.id}", {"name": "Otro nombre"})
    assert r.status_code == 409 and "la configuración no puede cambiar" in r.text


async def test_category_change_blocked_between_cutoff_and_proclamation(db: Any, secret: str) -> None:
    from portal.elections_web.api import category_change_check

    assert (await category_change_check(db)).allowed
    oe = await build_open_election(db, secret, phase="padron_provisional")
    check = await category_change_check(db)
    assert not check.allowed and "«Elección abierta»" in check.reason
    await set_phase(db, oe.id, "proclaimed")
    assert (await category_change_check(db)).allowed


async def test_padron_keeps_a_registered_organization_under_renewal_review(db: Any, make_client: Any) -> None:
    """An approved organization that asked to renew its certificate is still registered: in the padrón."""
    from datetime import date

    from factories import create_org
    from portal.elections_web import padron

    renewing = await create_org(db, status="approved", category="B")
    await db.execute("UPDATE organizations SET status = 'submitted', review_kind = 'renewal' WHERE id = :i",
                     {"i": renewing})
    new = await create_org(db, status="submitted", category="B")
    officer = await staff(make_client, db, "election_officer")
    election = await create_election(officer)
    await padron.snapshot(db, election, date.today())
    listed = {e.org_id for e in await padron.entries(db, election)}
    assert renewing in listed and new not in listed
