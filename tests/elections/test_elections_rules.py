"""Labels, nominal bounds and their relaxation: small tables with the arithmetic spelled out."""

from __future__ import annotations

from fractions import Fraction

import pytest

from elections import InputError, Rules, allocate, effective_bounds, normalize_gender, normalize_region


@pytest.mark.parametrize("label, gender", [
    ("F", "F"), ("f", "F"), ("Femenino", "F"), ("MUJER", "F"), ("female", "F"), ("Woman", "F"),
    ("M", "M"), ("masculino", "M"), ("Hombre", "M"), ("male", "M"), ("man", "M"), ("Varón", "M"),
    ("X", "X"), ("otro", "X"), ("No binario", "X"), ("no-binario", "X"), ("non-binary", "X"),
    ("Other", "X"), ("  x ", "X"),
])
def test_gender_labels(label: str, gender: str) -> None:
    """Spanish and English words, any case and spacing, map to F, M or X."""
    assert normalize_gender(label) == gender


@pytest.mark.parametrize("label", [None, "", "  ", "alien", 3])
def test_gender_refused(label: object) -> None:
    """A missing or unknown gender is refused with a message, never guessed."""
    with pytest.raises(InputError):
        normalize_gender(label)


@pytest.mark.parametrize("label, code", [
    ("13", "13"), (13, "13"), ("RM", "13"), ("rm", "13"), ("Metropolitana", "13"),
    ("Metropolitana de Santiago", "13"), ("Región Metropolitana de Santiago", "13"),
    ("REGION METROPOLITANA", "13"), ("XIII", "13"),
    ("15", "15"), ("Arica y Parinacota", "15"), ("1", "01"), ("01", "01"), ("Tarapacá", "01"),
    ("tarapaca", "01"), ("Región de Antofagasta", "02"), ("Atacama", "03"), ("Coquimbo", "04"),
    ("Valparaíso", "05"), ("V", "05"), ("Libertador General Bernardo O'Higgins", "06"),
    ("Región del Libertador General Bernardo O’Higgins", "06"), ("O'Higgins", "06"),
    ("Maule", "07"), ("Región de Ñuble", "16"), ("nuble", "16"), ("Región del Biobío", "08"),
    ("Bio Bio", "08"), ("La Araucanía", "09"), ("Región de La Araucanía", "09"),
    ("Los Ríos", "14"), ("Los Lagos", "10"), ("Aysén del General Carlos Ibáñez del Campo", "11"),
    ("Aysen", "11"), ("Magallanes y de la Antártica Chilena", "12"), ("Magallanes", "12"),
])
def test_region_labels(label: object, code: str) -> None:
    """CUT codes, names with or without "Región" and accents, RM, Roman numerals."""
    assert normalize_region(label) == code


@pytest.mark.parametrize("label", ["", "17", "Gotham", "Los", None])
def test_region_refused(label: object) -> None:
    """An unknown region is an error, not a silent non-RM."""
    with pytest.raises(InputError):
        normalize_region(label)


@pytest.mark.parametrize("seats, minimum, cap", [
    (1, 1, 1), (2, 1, 1), (3, 2, 2), (4, 2, 2), (5, 3, 3), (6, 3, 3), (7, 4, 4), (10, 5, 6), (20, 10, 12),
])
def test_nominal_bounds(seats: int, minimum: int, cap: int) -> None:
    """minimum = ceil(n/2); cap = max(floor(0.6 n), ceil(n/2)):
    n=1: ceil(0.5)=1; max(floor(0.6)=0, 1)=1.   n=2: ceil(1)=1; max(floor(1.2)=1, 1)=1.
    n=3: ceil(1.5)=2; max(floor(1.8)=1, 2)=2.   n=4: 2; max(floor(2.4)=2, 2)=2.
    n=5: ceil(2.5)=3; max(floor(3.0)=3, 3)=3.   n=6: 3; max(floor(3.6)=3, 3)=3.
    n=7: ceil(3.5)=4; max(floor(4.2)=4, 4)=4.   n=10: 5; max(floor(6.0)=6, 5)=6.
    n=20: 10; max(floor(12.0)=12, 10)=12 (A 10, B 6, C 4 give 5/6, 3/3, 2/2)."""
    rules = Rules()
    assert (rules.min_non_central(seats), rules.gender_cap(seats)) == (minimum, cap)


@pytest.mark.parametrize("seats, genders, non_rm, filled, minimum, cap", [
    (4, "FFMM", 2, 4, 2, 2),
    (4, "MMMMMM", 2, 4, 2, 4),
    (4, "FMMMMM", 0, 4, 0, 3),
    (4, "FFM", 0, 3, 0, 2),
    (4, "", 0, 0, 0, 2),
    (6, "FFFFFFMX", 5, 6, 3, 4),
    (10, "FFFFFFFFFFFFMMMX", 3, 10, 3, 6),
])
def test_relaxation(seats: int, genders: str, non_rm: int, filled: int, minimum: int, cap: int) -> None:
    """m = min(n, #cand); min_eff = min(ceil(n/2), #nonRM); cap_eff = least c >= cap with
    sum_g min(c, #g) >= m:
    n=4 FFMM: m=4; min(2,2)=2; c=2: 2+2=4 >= 4 -> 2.
    n=4 MMMMMM: m=4; c=2: 2 < 4; c=3: 3; c=4: 4 -> 4 (T10).
    n=4 FMMMMM, no non-RM: min(2,0)=0; c=2: 1+2=3 < 4; c=3: 1+3=4 -> 3.
    n=4 FFM: m=3; min(2,0)=0; c=2: 2+1=3 >= 3 -> 2 (T12).
    n=4 nobody: m=0; min(2,0)=0; c=2: 0 >= 0 -> 2 (T13).
    n=6 FFFFFFMX: m=6; min(3,5)=3; c=3: 3+1+1=5 < 6; c=4: 4+1+1=6 -> 4.
    n=10 F*12 M*3 X: m=10; min(5,3)=3; c=6: 6+3+1=10 -> 6."""
    b = effective_bounds(Rules(), seats, genders, non_rm)
    assert (b.filled, b.min_non_rm_effective, b.gender_cap_effective) == (filled, minimum, cap)


def test_rules_are_configurable() -> None:
    """A 2/3 gender share on 6 seats: cap = max(floor(4.0)=4, 3) = 4, so five women and one man
    (preliminary F F F F F M) lose only the fifth woman; a territorial share of 0 drops the minimum."""
    cands = [{"id": f"W{i}", "category": "A", "votes": 100 - i, "gender": "F", "region": "13"} for i in range(5)]
    cands += [{"id": "M0", "category": "A", "votes": 50, "gender": "M", "region": "13"},
              {"id": "M1", "category": "A", "votes": 40, "gender": "M", "region": "13"}]
    order = [c["id"] for c in cands]
    rules = {"gender_share": "2/3", "territorial_share": 0}
    cat = allocate({"A": 6}, cands, order, rules=rules).categories["A"]
    assert (cat.gender_cap, cat.min_non_rm) == (4, 0)
    assert cat.elected == ["W0", "W1", "W2", "W3", "M0", "M1"]
    assert Rules.from_dict(rules).to_dict() == {"territorial_share": "0", "gender_share": "2/3",
                                                "central_region": "13"}
    assert Rules(gender_share=0.6).gender_share == Fraction(3, 5)  # no binary rounding


@pytest.mark.parametrize("bad", [{"gender_share": "abc"}, {"gender_share": 2}, {"quota": 1},
                                 {"central_region": "Gotham"}])
def test_bad_rules(bad: dict[str, object]) -> None:
    """Rules outside [0, 1], unknown keys or regions are refused."""
    with pytest.raises(InputError):
        Rules.from_dict(bad)
