"""Candidates and the normalization of their gender and region labels."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from collections.abc import Mapping

GENDERS: tuple[str, ...] = ("F", "M", "X")

# CUT codes and official names, listed north to south as docs/elections.md, Padrón asks.
REGIONS: tuple[tuple[str, str], ...] = (
    ("15", "Arica y Parinacota"),
    ("01", "Tarapacá"),
    ("02", "Antofagasta"),
    ("03", "Atacama"),
    ("04", "Coquimbo"),
    ("05", "Valparaíso"),
    ("13", "Metropolitana de Santiago"),
    ("06", "Libertador General Bernardo O'Higgins"),
    ("07", "Maule"),
    ("16", "Ñuble"),
    ("08", "Biobío"),
    ("09", "La Araucanía"),
    ("14", "Los Ríos"),
    ("10", "Los Lagos"),
    ("11", "Aysén del General Carlos Ibáñez del Campo"),
    ("12", "Magallanes y de la Antártica Chilena"),
)

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X",
          "XI", "XII", "XIII", "XIV", "XV", "XVI")

_GENDER_WORDS: dict[str, tuple[str, ...]] = {
    "F": ("f", "fem", "femenino", "femenina", "mujer", "female", "woman", "w"),
    "M": ("m", "masc", "masculino", "hombre", "varon", "male", "man"),
    "X": ("x", "otro", "otra", "otre", "no binario", "no binaria", "no binarie", "nobinario",
          "non binary", "nonbinary", "other", "nb"),
}


class InputError(ValueError):
    """Input that the package refuses, with a message meant for the person who wrote it."""


def fold(text: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces: the form labels are matched in."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    # Apostrophes vanish ("O'Higgins" == "OHiggins"); other punctuation separates words.
    plain = re.sub(r"['’`´]", "", plain)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


_GENDER_INDEX: dict[str, str] = {w: g for g, words in _GENDER_WORDS.items() for w in words}


@functools.lru_cache(maxsize=1024)
def _gender(value: str) -> str | None:
    folded = fold(value)
    return _GENDER_INDEX.get(folded) or _GENDER_INDEX.get(folded.replace(" ", ""))


def normalize_gender(value: Any) -> str:
    """Map a gender label in Spanish or English, any case, to `F`, `M` or `X`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError("missing gender")
    if not isinstance(value, str):
        raise InputError(f"gender must be a text label, got {value!r}")
    gender = _gender(value)
    if gender is None:
        raise InputError(f"unknown gender {value!r} (use F, M or X, or words such as mujer/hombre/no binario)")
    return gender


def _region_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for roman, (code, name) in zip(_ROMAN, sorted(REGIONS), strict=True):
        aliases[fold(name)] = code
        aliases[roman.lower()] = code
        aliases[str(int(code))] = code
        aliases[code] = code
    aliases.update({"rm": "13", "santiago": "13", "cl rm": "13", "ohiggins": "06",
                    "bio bio": "08", "araucania": "09", "aysen": "11", "arica": "15",
                    "magallanes": "12", "nuble": "16"})
    return aliases


_REGION_ALIASES = _region_aliases()
_REGION_PREFIX = re.compile(r"^(region )?(de la |del |de )?")


@functools.lru_cache(maxsize=1024)
def _region(value: str) -> str | None:
    folded = fold(value)
    # "Región del Biobío" -> "biobio", "Región de La Araucanía" -> "araucania": the prefix goes.
    stripped = _REGION_PREFIX.sub("", folded, count=1)
    for key in (folded, stripped):
        if key in _REGION_ALIASES:
            return _REGION_ALIASES[key]
    # A leading part of a name, cut at a word boundary: "Metropolitana", "Libertador ...".
    matches = {code for name, code in _REGION_ALIASES.items()
               if len(stripped) >= 4 and (name + " ").startswith(stripped + " ")}
    return matches.pop() if len(matches) == 1 else None


def normalize_region(value: Any) -> str:
    """Map a region CUT code, name or abbreviation (any case, accents optional) to its CUT code."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InputError("missing region")
    region = _region(value)
    if region is None:
        raise InputError(f"unknown region {value!r} (use a CUT code such as 13 or a region name)")
    return region


@dataclass(frozen=True)
class Candidate:
    """One candidacy in one category, with its vote count and normalized gender and region."""

    id: str
    category: str
    votes: int
    gender: str
    region: str
    name: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, votes_required: bool = True) -> Candidate:
        """Build a candidate from a JSON-like mapping, normalizing labels and checking types."""
        if not isinstance(data, Mapping):
            raise InputError(f"a candidate must be an object, got {data!r}")
        cid = data.get("id")
        if not isinstance(cid, str) or not cid:
            raise InputError(f"candidate id must be a non-empty string, got {cid!r}")
        category = data.get("category")
        if not isinstance(category, str) or not category:
            raise InputError(f"candidate {cid!r}: category must be a non-empty string")
        votes = data.get("votes", None if votes_required else 0)
        if isinstance(votes, bool) or not isinstance(votes, int) or votes < 0:
            raise InputError(f"candidate {cid!r}: votes must be a non-negative integer, got {votes!r}")
        name = data.get("name", "")
        try:
            gender = normalize_gender(data.get("gender"))
            region = normalize_region(data.get("region"))
        except InputError as exc:
            raise InputError(f"candidate {cid!r}: {exc}") from None
        return cls(cid, category, votes, gender, region, name if isinstance(name, str) else str(name))

    def to_dict(self, *, with_votes: bool = True) -> dict[str, Any]:
        """The candidate as a JSON-ready dict (codes, not labels)."""
        out: dict[str, Any] = {"id": self.id, "category": self.category}
        if with_votes:
            out["votes"] = self.votes
        out.update(gender=self.gender, region=self.region)
        if self.name:
            out["name"] = self.name
        return out


def as_candidate(item: Candidate | Mapping[str, Any], *, votes_required: bool = True) -> Candidate:
    """Accept a Candidate or a mapping; re-validate a Candidate's labels so both paths agree."""
    data = item.to_dict() if isinstance(item, Candidate) else item
    return Candidate.from_dict(data, votes_required=votes_required)
