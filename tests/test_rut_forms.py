"""RUT check digits and the small form parsers."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData

from portal import rut
from portal.forms import Form


@pytest.mark.parametrize(
    "value, expected",
    [
        ("12.345.678-5", "12345678-5"),
        ("60.803.000-K", "60803000-K"),
        ("60803000-k", "60803000-K"),
        ("60.910.000-1", "60910000-1"),
        ("123456785", "12345678-5"),
        (" 12345678-5 ", "12345678-5"),
    ],
)
def test_valid_ruts_normalize(value: str, expected: str) -> None:
    assert rut.normalize(value) == expected


@pytest.mark.parametrize("value", ["12.345.678-0", "", "K", "abc", "12.345.678-", "0-0", "123456789-9", "1234567X"])
def test_invalid_ruts(value: str) -> None:
    assert rut.normalize(value) is None


def test_check_digit_arithmetic() -> None:
    """12345678: 8·2+7·3+6·4+5·5+4·6+3·7+2·2+1·3 = 138; 138 mod 11 = 6; 11 − 6 = 5."""
    assert rut.check_digit("12345678") == "5"
    assert rut.check_digit(60803000) == "K"  # r = 10 → K
    assert rut.display("60803000-K") == "60.803.000-K"


def test_form_collects_one_message_per_field_and_keeps_values() -> None:
    data = FormData([("name", "  <b>Ana</b> "), ("email", "no-es-correo"), ("rut", "12.345.678-0"),
                     ("n", "abc"), ("d", "2026-13-40"), ("c", "Z")])
    form = Form(data)
    assert form.text("name") == "<b>Ana</b>"
    form.email("email")
    form.rut("rut")
    form.integer("n")
    form.date("d")
    form.choice("c", ["A", "B"])
    form.text("missing")
    assert set(form.errors.fields) == {"email", "rut", "n", "d", "c", "missing"}
    assert form.values["rut"] == "12.345.678-0"  # what the user typed, to re-render
    assert form.cleaned["rut"] is None


def test_form_limits_length_and_strips_control_characters() -> None:
    form = Form(FormData([("t", "a\x00b" + "x" * 300)]))
    form.text("t", max_length=200)
    assert "t" in form.errors
    assert "\x00" not in form.values["t"]
