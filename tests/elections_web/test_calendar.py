"""A coherent calendar (issue 16, item 5): the election form refuses phase dates out of order, with the
message beside the field and the user's values kept (422); times show in Chile's zone, to the minute."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from cosoc_helpers import staff

from portal import i18n
from portal.elections_web import demo, forms
from portal.elections_web import queries as q

GOOD = {"name": "Elección 2027", "term_start": "2027-06-01", "term_end": "2029-05-31", "seats_a": "10",
        "seats_b": "6", "seats_c": "4", "territorial_share": "0.5", "gender_share": "0.6",
        "call_on": "2027-01-05", "padron_cutoff": "2027-01-10", "padron_claims_until": "2027-01-20",
        "candidacies_from": "2027-01-21", "candidacies_until": "2027-02-10",
        "voting_starts_at": "2027-03-01T09:00", "voting_ends_at": "2027-03-05T18:00",
        "results_claims_until": "2027-03-10", "proclamation_on": "2027-03-11"}


def test_a_calendar_in_order_passes() -> None:
    assert not forms.settings_form(GOOD).errors


def test_each_date_out_of_order_is_refused_beside_its_field() -> None:
    cases = {"padron_claims_until": "2027-01-09", "candidacies_from": "2027-01-19",
             "candidacies_until": "2027-01-20", "voting_starts_at": "2027-02-09T10:00",
             "results_claims_until": "2027-03-04", "proclamation_on": "2027-03-10"}
    for name, value in cases.items():
        form = forms.settings_form({**GOOD, name: value})
        assert list(form.errors.fields) == [name], (name, form.errors.fields)
    # the cut-off after the claims deadline (the old demo): the message names the earlier date
    form = forms.settings_form({**GOOD, "padron_cutoff": "2027-01-25"})
    assert "padron_claims_until" in form.errors.fields
    assert "corte del padrón" in str(form.errors.fields["padron_claims_until"])
    # a date left empty is skipped: the next one is compared with the nearest earlier date given
    assert not forms.settings_form({**GOOD, "candidacies_from": ""}).errors


async def test_the_form_answers_422_with_the_values_and_the_message(db: Any, make_client: Any) -> None:
    officer = await staff(make_client, db, "election_officer")
    page = await officer.post("/staff/elecciones", {**GOOD, "results_claims_until": "2027-03-01"})
    assert page.status_code == 422
    assert "Esta fecha no puede ser anterior a la fecha de cierre de la votación" in page.text
    assert 'value="2027-03-01"' in page.text
    assert await db.fetch_val("SELECT count(*) FROM elections") == 0
    assert (await officer.post("/staff/elecciones", GOOD)).status_code == 303


def test_datetimes_show_in_chile_without_seconds() -> None:
    moment = datetime(2027, 3, 5, 21, 0, 59, tzinfo=UTC)  # 18:00:59 in Santiago (UTC-3 in March)
    for lang, zone in (("es", "hora de Chile"), ("en", "Chile Time")):
        token = i18n.set_language(lang)
        try:
            text = i18n.fmt_datetime(moment)
        finally:
            i18n.reset_language(token)
        assert "18:00" in text and "18:00:59" not in text and zone in text, text


async def test_the_demo_calendar_is_coherent(db: Any, secret: str) -> None:
    from portal import demo as portal_demo

    await portal_demo.load_staff(db)
    await demo.load(db, secret)
    for row in await db.fetch_all("SELECT id FROM elections"):
        e = await q.get_election(db, row["id"])
        assert e is not None
        values = forms.settings_values(e)
        values.update(proclamation_on=(e.proclamation_on or date(2099, 1, 1)).isoformat())
        form = forms.settings_form({**values, "seats_a": "4", "seats_b": "3", "seats_c": "2"})
        assert not form.errors, (e.name, form.errors.fields)
