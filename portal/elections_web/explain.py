"""The count explained to a citizen: the quota rules, every correction and the sorteo in plain words,
with correct plurals, in the page's language (docs/elections.md, Quota rules and Which committee wins).

The machine trail (`elections/trail.py`) stays as it is: its English text is pinned by the shared
vectors and it is shown in full, folded, below these explanations. Here each trail message is read
from its code and parameters (`elections.trail.Message`) and said again for people.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import elections
from elections.result import CategoryResult
from elections.trail import Message
from portal.i18n import gettext as _, ngettext

Person = Mapping[str, Any]
People = Mapping[str, Person]
TERRITORIAL = ("rm_full", "territory_unreachable")
GENDER = ("gender_cap", "seats_unfillable")


def gender_label(code: str) -> str:
    return {"F": _("Femenino"), "M": _("Masculino"), "X": _("Otro o no binario")}.get(code, code)


def votes(n: int) -> str:
    return ngettext("%(num)s voto", "%(num)s votos", n)


def _names(ids: list[str], people: People) -> str:
    shown = [str(people.get(str(i), {}).get("name") or i) for i in ids]
    if len(shown) < 2:
        return "".join(shown)
    return _("%(first)s y %(last)s", first=", ".join(shown[:-1]), last=shown[-1])


def rules(cat: CategoryResult) -> list[str]:
    """The two quota rules as applied in this category, and why they were relaxed, if they were."""
    m = cat.min_non_rm_effective
    out = [ngettext("Al menos %(num)s de los cupos es para personas de regiones distintas de la Metropolitana.",
                    "Al menos %(num)s de los cupos son para personas de regiones distintas de la Metropolitana.", m)
           if m else _("No se reservaron cupos para otras regiones: no hubo candidaturas de fuera de la Metropolitana."),
           ngettext("Un mismo género puede ocupar como máximo %(num)s cupo.",
                    "Un mismo género puede ocupar como máximo %(num)s cupos.", cat.gender_cap_effective)]
    if cat.min_non_rm_effective < cat.min_non_rm:
        out.append(ngettext("La regla pedía reservar %(nom)s cupos a otras regiones, pero solo hubo %(num)s "
                            "candidatura de fuera de la Metropolitana, así que la reserva bajó a %(num)s.",
                            "La regla pedía reservar %(nom)s cupos a otras regiones, pero solo hubo %(num)s "
                            "candidaturas de fuera de la Metropolitana, así que la reserva bajó a %(num)s.",
                            cat.min_non_rm_effective, nom=cat.min_non_rm))
    if cat.gender_cap_effective > cat.gender_cap:
        out.append(_("La regla fijaba un máximo de %(nom)s cupos por género, pero no había candidaturas suficientes "
                     "de otros géneros para llenar los cupos, así que el máximo subió a %(cap)s.",
                     nom=cat.gender_cap, cap=cat.gender_cap_effective))
    if cat.vacancies:
        out.append(ngettext("Hubo %(cands)s candidaturas para %(seats)s cupos: %(num)s cupo queda vacante.",
                            "Hubo %(cands)s candidaturas para %(seats)s cupos: %(num)s cupos quedan vacantes.",
                            cat.vacancies, cands=len(cat.candidates), seats=cat.seats))
    return out


_REASONS: dict[str, Callable[[dict[str, Any], People], str]] = {
    "gender_cap": lambda p, _people: ngettext(
        "ya había %(num)s persona de género %(g)s electa, el máximo permitido",
        "ya había %(num)s personas de género %(g)s electas, el máximo permitido", int(p["cap"]),
        g=gender_label(str(p["gender"])).lower()),
    "rm_full": lambda p, _people: ngettext(
        "el único cupo que podía ir a la Región Metropolitana ya estaba ocupado; los demás son para otras regiones",
        "los %(num)s cupos que podían ir a la Región Metropolitana ya estaban ocupados; los demás son para otras "
        "regiones", int(p["max_rm"])) if int(p["max_rm"]) else
        _("ningún cupo podía ir a la Región Metropolitana; todos son para otras regiones"),
    "territory_unreachable": lambda p, _people: ngettext(
        "si entraba, no quedarían candidaturas de otras regiones suficientes para el cupo reservado a ellas",
        "si entraba, no quedarían candidaturas de otras regiones suficientes para los %(num)s cupos reservados "
        "a ellas", int(p["minimum"])),
    "seats_unfillable": lambda p, _people: ngettext(
        "si entraba, no quedarían candidaturas de los géneros permitidos para llenar el cupo",
        "si entraba, no quedarían candidaturas de los géneros permitidos para llenar los %(num)s cupos",
        int(p["filled"])),
    "lottery": lambda p, people: _(
        "empató con %(tied)s y ambas opciones cumplían las reglas con los mismos votos, así que decidió el "
        "sorteo público", tied=_names(list(p["tied"]), people)),
    "vote_vector": lambda p, _people: _(
        "para incluirla habría que dejar fuera a alguien con más votos y elegir en su lugar a alguien con %(got)s "
        "en vez de %(best)s", got=votes(int(p["got"])), best=votes(int(p["best"]))),
}


def reason(message: Message, people: People) -> str:
    """Why a candidate with more votes than someone elected was not elected, in plain words."""
    p = message.params
    text = _REASONS[message.code](p, people) if message.code in _REASONS else message.text("en")
    if p.get("tied") and message.code != "lottery":
        text = _("empató a %(v)s con %(tied)s; %(rest)s", v=votes(int(p["votes"])),
                 tied=_names(list(p["tied"]), people), rest=text)
    return text


def rule_name(message: Message) -> str:
    if message.code in TERRITORIAL:
        return _("la regla territorial")
    if message.code in GENDER:
        return _("la regla de género")
    if message.code == "lottery":
        return _("el sorteo público")
    return _("las reglas de cuota")


def _who(cat: CategoryResult, cid: str, people: People) -> str:
    person = people.get(cid, {})
    where = person.get("region") or (_("Región Metropolitana") if cat.is_central(cid) else _("otra región"))
    return _("%(name)s (%(votes)s, %(gender)s, %(region)s)", name=person.get("name") or cid,
             votes=votes(cat.candidates[cid].votes), gender=gender_label(cat.candidates[cid].gender).lower(),
             region=where)


def changes(cat: CategoryResult, people: People) -> list[str]:
    """"Qué cambió y por qué": each substitution (who gave way to whom, under which rule) and the sorteo."""
    why = {s.id: s.reason for s in cat.skipped}
    out = []
    for gone, came in cat.substitutions:
        message = why.get(gone)
        rule = rule_name(message) if message else _("las reglas de cuota")
        text = _("%(out)s cedió su cupo a %(in)s por %(rule)s", out=_who(cat, gone, people),
                 **{"in": _who(cat, came, people)}, rule=rule)
        out.append(text + (": " + reason(message, people) + "." if message else "."))
    for loser in cat.lottery_losers:
        message = why.get(loser)
        if message is not None and message.code == "lottery" and loser not in dict(cat.substitutions):
            out.append(_("Empate resuelto por sorteo: %(who)s no quedó electo/a porque %(why)s.",
                         who=_who(cat, loser, people), why=reason(message, people)))
    return out


def skipped(cat: CategoryResult, people: People) -> list[str]:
    """Everyone with at least as many votes as someone elected who was not elected, and why."""
    return [_("%(who)s no quedó electo/a: %(why)s.", who=_who(cat, s.id, people), why=reason(s.reason, people))
            for s in cat.skipped]


def bars(items: list[tuple[str, int | float]], scale: float | None = None) -> list[dict[str, Any]]:
    """Bars for an inline SVG chart: each label, value and length in percent of the longest (or `scale`)."""
    top = scale if scale is not None else max((v for _label, v in items), default=0)
    return [{"label": label, "value": v, "pct": round(100 * v / top, 1) if top else 0.0} for label, v in items]


def category(cat: CategoryResult, people: People) -> dict[str, Any]:
    """Everything the results page says about one category."""
    return {"rules": rules(cat), "changes": changes(cat, people), "skipped": skipped(cat, people),
            "lottery_decisive": cat.lottery_decisive,
            "chart": bars([(str(people.get(cid, {}).get("name") or cid), cat.candidates[cid].votes)
                           for cid in cat.order])}


def explain(result: elections.Result, people: People) -> dict[str, dict[str, Any]]:
    return {name: category(cat, people) for name, cat in result.categories.items()}
