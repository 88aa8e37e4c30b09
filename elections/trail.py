"""The trail's messages in Spanish and English, and the readable text of a whole result."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from collections.abc import Mapping

if TYPE_CHECKING:
    from .result import CategoryResult, Result

LANGS = ("es", "en")

# English texts are the canonical machine trail (they match shared/elections/quota_vectors.json);
# Spanish is the language of the acta. Both render from the same code and parameters.
_TEMPLATES: dict[str, dict[str, str]] = {
    "vacant": {
        "en": "only {candidates} candidates for {seats} seats: {vacant} seat(s) vacant",
        "es": "solo {candidates} candidaturas para {seats} cupos: {vacant} cupo(s) vacante(s)",
    },
    "territorial_relaxed": {
        "en": "territorial minimum relaxed {nominal} -> {effective} (only {non_rm} non-RM candidates)",
        "es": "mínimo territorial relajado de {nominal} a {effective} (solo {non_rm} candidaturas "
              "de fuera de la RM)",
    },
    "gender_relaxed": {
        "en": "gender cap relaxed {nominal} -> {effective} (too few candidates of other genders)",
        "es": "tope de género relajado de {nominal} a {effective} (faltan candidaturas de otros géneros)",
    },
    "gender_cap": {
        "en": "the gender cap {cap} for {gender} is already filled",
        "es": "el tope de género {cap} para {gender} ya está completo",
    },
    "rm_full": {
        "en": "the RM seats ({max_rm}) are already filled; the rest are reserved for non-RM "
              "(minimum {minimum})",
        "es": "los cupos de la RM ({max_rm}) ya están completos; el resto se reserva para "
              "candidaturas de fuera de la RM (mínimo {minimum})",
    },
    "territory_unreachable": {
        "en": "too few non-RM candidates of an admissible gender would remain to reach the "
              "territorial minimum {minimum}",
        "es": "quedarían muy pocas candidaturas de fuera de la RM de un género admisible para "
              "alcanzar el mínimo territorial {minimum}",
    },
    "seats_unfillable": {
        "en": "too few candidates of an admissible gender would remain to fill the {filled} seats",
        "es": "quedarían muy pocas candidaturas de un género admisible para completar los {filled} cupos",
    },
    "lottery": {
        "en": "tied at {votes} votes with {tied}; the committees are equal on votes, so the sorteo "
              "(lottery order) decided",
        "es": "empate a {votes} votos con {tied}; con una u otra persona el consejo cumple las reglas "
              "y suma los mismos votos, así que decidió el sorteo público",
    },
    "vote_vector": {
        "en": "the best compliant committee containing {id} would have {got} instead of {best} "
              "votes at seat {seat} (vote vector {vector} < {best_vector})",
        "es": "el mejor consejo que cumple las reglas y contiene a {id} tendría {got} votos en vez "
              "de {best} en el cupo {seat} (vector de votos {vector} < {best_vector})",
    },
}
_ABOVE = {"en": "with the {above} elected candidates who have more votes, ",
          "es": "con las {above} personas electas que tienen más votos, "}
_ABOVE_ONE = {"en": "with the 1 elected candidate who has more votes, ",
              "es": "con la persona electa que tiene más votos, "}
_TIED = {"en": "tied at {votes} votes with {tied}; ", "es": "empate a {votes} votos con {tied}; "}


def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (use 'es' or 'en')")
    return lang


@dataclass(frozen=True)
class Message:
    """A trail entry as data: a stable code, its parameters, and its text in either language."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en", names: Mapping[str, str] | None = None) -> str:
        """The message in `lang`: canonical (lists as in the vectors) without `names`; for people
        with `names` (candidate ids shown as names, lists joined in words, '1 vote' singular)."""
        lang = _lang(lang)
        if names is None:
            values = {k: (repr(v) if isinstance(v, list) else v) for k, v in self.params.items()}
        else:
            values = {k: (_words(v, lang, names) if isinstance(v, list) else names.get(v, v) if k == "id" else v)
                      for k, v in self.params.items()}
        body = _TEMPLATES[self.code][lang].format(**values)
        if self.params.get("above"):
            # the English canonical text (names=None) is pinned by the shared vectors, plural and all
            one = self.params["above"] == 1 and (lang == "es" or names is not None)
            body = (_ABOVE_ONE if one else _ABOVE)[lang].format(**values) + body
        if self.params.get("tied") and self.code != "lottery":
            body = _TIED[lang].format(**values) + body
        return body if names is None else _singular(body)


def _words(items: list[Any], lang: str, names: Mapping[str, str]) -> str:
    """['C03', 'C05'] → 'Ana Pérez and Luis Soto'; numbers → '(500, 400, 50)'."""
    if all(isinstance(x, (int, float)) for x in items):
        return "(" + ", ".join(str(x) for x in items) + ")"
    shown = [names.get(str(x), str(x)) for x in items]
    if len(shown) < 2:
        return "".join(shown)
    return ", ".join(shown[:-1]) + (" y " if lang == "es" else " and ") + shown[-1]


def _singular(text: str) -> str:
    return re.sub(r"\b1 (vote|voto)s\b", r"1 \1", text)


_LABELS: dict[str, dict[str, str]] = {
    "category": {"en": "Category {cat}: {seats} seats, {n} candidates",
                 "es": "Categoría {cat}: {seats} cupos, {n} candidaturas"},
    "bounds": {"en": "Rules: at least {min} of the seats for candidates outside the RM{min_why}; at most {cap} "
                     "of the seats for one gender{cap_why}",
               "es": "Reglas: al menos {min} de los cupos para candidaturas de fuera de la RM{min_why}; como "
                     "máximo {cap} de los cupos para un mismo género{cap_why}"},
    "min_why": {"en": " (the rule asks for {n}; lowered for lack of candidates)",
                "es": " (la regla pide {n}; se rebajó por falta de candidaturas)"},
    "cap_why": {"en": " (the rule allows {n}; raised for lack of candidates of other genders)",
                "es": " (la regla permite {n}; se subió por falta de candidaturas de otros géneros)"},
    "relaxed": {"en": "Relaxations and notes:", "es": "Relajaciones y notas:"},
    "ranking": {"en": "Preliminary ranking (top {m} by votes, ties by the sorteo):",
                "es": "Orden preliminar (los {m} más votados, empates según el sorteo):"},
    "subs": {"en": "Substitutions (outgoing -> incoming):", "es": "Sustituciones (sale -> entra):"},
    "none": {"en": "  none", "es": "  ninguna"},
    "elected": {"en": "Elected ({k}):", "es": "Electos ({k}):"},
    "skipped": {"en": "Not elected with at least {v} votes, and why:",
                "es": "No electos con al menos {v} votos, y por qué:"},
    "vacancies": {"en": "Vacant seats: {k}", "es": "Cupos vacantes: {k}"},
    "lottery_yes": {"en": "Sorteo: decisive, against {ids}", "es": "Sorteo: decisivo, en contra de {ids}"},
    "lottery_no": {"en": "Sorteo: not decisive", "es": "Sorteo: no decisivo"},
    "replace": {"en": "If an elected member leaves, the seat goes to:",
                "es": "Si una persona electa deja el cargo, el cupo pasa a:"},
    "nobody": {"en": "nobody (seat vacant)", "es": "nadie (cupo vacante)"},
    "votes": {"en": "votes", "es": "votos"},
    "rm": {"en": "RM", "es": "RM"},
    "non_rm": {"en": "outside the RM", "es": "fuera de la RM"},
    "council": {"en": "Council: {filled} seats filled; by gender {by}; gender share within the cap: {ok}",
                "es": "Consejo: {filled} cupos ocupados; por género {by}; proporción de género "
                      "dentro del tope: {ok}"},
    "yes": {"en": "yes", "es": "sí"},
    "no": {"en": "no", "es": "no"},
}


def _l(key: str, lang: str, **kw: Any) -> str:
    return _LABELS[key][lang].format(**kw)


def _who(cat: CategoryResult, cid: str, lang: str) -> str:
    c = cat.candidates[cid]
    name = f" {c.name}" if c.name else ""
    where = _l("rm" if cat.is_central(cid) else "non_rm", lang)
    return _singular(f"{cid}{name} ({c.votes} {_l('votes', lang)}, {where}, {c.gender})")


def render_category(cat: CategoryResult, lang: str = "es") -> str:
    """The trail of one category as readable text."""
    lang = _lang(lang)
    lines = [_l("category", lang, cat=cat.category, seats=cat.seats, n=len(cat.candidates)),
             _l("bounds", lang, min=cat.min_non_rm_effective, cap=cat.gender_cap_effective,
                min_why=_l("min_why", lang, n=cat.min_non_rm) if cat.min_non_rm_effective != cat.min_non_rm else "",
                cap_why=_l("cap_why", lang, n=cat.gender_cap) if cat.gender_cap_effective != cat.gender_cap else "")]
    if cat.notes:
        lines.append(_l("relaxed", lang))
        lines += [f"  - {note.text(lang)}" for note in cat.notes]
    lines.append(_l("ranking", lang, m=cat.filled))
    lines += [f"  {i}. {_who(cat, cid, lang)}" for i, cid in enumerate(cat.preliminary, 1)]
    lines.append(_l("subs", lang))
    lines += [f"  {_who(cat, o, lang)} -> {_who(cat, i, lang)}" for o, i in cat.substitutions] \
        or [_l("none", lang)]
    lines.append(_l("elected", lang, k=len(cat.elected)))
    lines += [f"  {i}. {_who(cat, cid, lang)}" for i, cid in enumerate(cat.elected, 1)]
    if cat.skipped:
        lines.append(_singular(_l("skipped", lang, v=min(cat.candidates[e].votes for e in cat.elected))))
        names = {cid: f"{cid} {c.name}" if c.name else cid for cid, c in cat.candidates.items()}
        lines += [f"  - {_who(cat, s.id, lang)}: {s.reason.text(lang, names)}" for s in cat.skipped]
    lines.append(_l("vacancies", lang, k=cat.vacancies))
    lines.append(_l("lottery_yes", lang, ids=", ".join(cat.lottery_losers))
                 if cat.lottery_decisive else _l("lottery_no", lang))
    if cat.replacements:
        lines.append(_l("replace", lang))
        lines += [f"  {out} -> {inc if inc else _l('nobody', lang)}"
                  for out, inc in cat.replacements.items()]
    return "\n".join(lines)


def render_text(result: Result, lang: str = "es") -> str:
    """The whole trail (every category, then the council) as readable text."""
    lang = _lang(lang)
    parts = [render_category(cat, lang) for cat in result.categories.values()]
    council = result.council()
    by = ", ".join(f"{g} {k}" for g, k in council["by_gender"].items()) or "-"
    ok = _l("yes" if council["max_gender_share_ok"] else "no", lang)
    parts.append(_l("council", lang, filled=council["filled"], by=by, ok=ok))
    return "\n\n".join(parts) + "\n"
