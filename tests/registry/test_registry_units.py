"""Unit tests: RUT, the record form parser, the search query builder, vigencia rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from starlette.datastructures import FormData

from portal import rut
from portal.registry import forms, model, search
from portal.registry.territory import Comuna, Region, Territory
from registry_helpers import org_form


@pytest.mark.parametrize("value, normalized", [
    ("12.345.678-5", "12345678-5"), ("12345678-5", "12345678-5"), ("123456785", "12345678-5"),
    ("60.803.000-K", "60803000-K"), ("60803000-k", "60803000-K"), ("60.910.000-1", "60910000-1"),
])
def test_valid_ruts(value: str, normalized: str) -> None:
    assert rut.normalize(value) == normalized and rut.is_valid(value)


@pytest.mark.parametrize("value", ["12.345.678-0", "", "abc", "0-0", "12.345.678-", "1234567890-1"])
def test_invalid_ruts(value: str) -> None:
    assert rut.normalize(value) is None


def _territory() -> Territory:
    t = Territory(regions=[Region("05", "Valparaíso", "Valparaíso", 6), Region("13", "Metropolitana", "RM", 7)])
    for c in (Comuna("05101", "Valparaíso", "05"), Comuna("13101", "Santiago", "13")):
        t.comunas[c.code] = c
        t.by_region.setdefault(c.region_code, []).append(c)
    return t


def test_record_form_cleans_values() -> None:
    form = forms.record_form(FormData(org_form(rut="60.803.000-k", website="fmu.cl")), _territory())
    assert not form.errors, form.errors.fields
    assert form.cleaned["rut"] == "60803000-K" and form.cleaned["website"] == "https://fmu.cl"
    assert form.cleaned["areas"] == ["regularizacion", "salud"] and form.cleaned["members"] == 40
    assert form.cleaned["founded_on"] == date(2015, 3, 10) and form.cleaned["migrant_share"] is None


def test_record_form_checks_comuna_against_region() -> None:
    form = forms.record_form(FormData(org_form(region_code="13", comuna_code="05101")), _territory())
    assert list(form.errors.fields) == ["comuna_code"]


def test_locked_record_form_ignores_rut_and_category() -> None:
    form = forms.record_form(FormData(org_form(rut="nonsense", category="Z", migrant_share="90")), _territory(),
                           locked_category="A")
    assert not form.errors and "rut" not in form.cleaned and form.cleaned["migrant_share"] == 90


@pytest.mark.parametrize("q, expected", [
    ("Fundación Mig", "fundacion & mig:*"), ("  ", ""), ("a & b | !c", "a & b & c:*"),
    ("x:*) (", "x:*"), ("ñandú", "nandu:*"), ("foo_bar", "foo & bar:*"),
])
def test_prefix_tsquery_is_always_plain_words(q: str, expected: str) -> None:
    assert search.prefix_tsquery(q) == expected


@pytest.mark.parametrize(("share", "page", "walk"), [
    (0.05, 1, True),     # 150 matches expected among the 3,000 rows walked: plenty for 51
    (0.015, 1, False),   # 45: fewer than the 51 rows a page needs (50 and one to know there is a next)
    (0.017, 1, True),    # 51
    (0.05, 3, False),    # 150 < 151
    (1.0, 59, True),     # 2,951 rows needed: all within the walk
    (1.0, 60, False),    # 3,001: past the walk
    (0.0, 1, False),
])
def test_walk_first_only_when_matches_are_expected_to_fill_the_page(share: float, page: int, walk: bool) -> None:
    offset, limit = (page - 1) * model.PAGE_SIZE, model.PAGE_SIZE + 1
    assert search.walk_first(share, offset, limit) is walk


def test_filters_drop_unknown_values() -> None:
    f = search.parse_filters({"q": "x" * 500, "category": "Z", "region": "05", "comuna": "13101", "page": "x"},
                             _territory())
    assert len(f.q) == search.MAX_QUERY and f.category == "" and f.region == "05" and f.comuna == "" and f.page == 1
    assert f.query_string().startswith("q=")


def test_vigencia_rules() -> None:
    today = date(2026, 5, 1)
    assert model.vigencia_recent(today - timedelta(days=60), today)
    assert not model.vigencia_recent(today - timedelta(days=61), today)
    assert not model.vigencia_recent(today + timedelta(days=1), today)
    assert model.vigencia_expiry(date(2026, 1, 10)) == date(2027, 1, 10)
    assert model.required_documents("A")[-1] == "mayoria_migrante"
    assert model.required_documents("C")[-1] == "reconocimiento_estado"
    assert len(model.required_documents("B")) == 3


def test_website_limit_counts_the_added_scheme() -> None:
    site = "a" * 290 + ".cl"  # 293 typed, 301 stored with https://
    form = forms.record_form(FormData(org_form(website=site)), _territory())
    assert list(form.errors.fields) == ["website"]
