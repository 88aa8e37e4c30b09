"""Public Sello Migrante pages: municipalities by region (with a schematic map), yearly figures, one page per
municipality, how to join, CSV/JSON, invitation, files."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from portal import audit, clock, csvsafe, guards, i18n, passwords, tokens, uploads
from portal.certificates import service as certificates
from portal.accounts import queries as accounts
from portal.security import read_form
from portal.sello import forms, queries, rules
from portal.templating import flash, render
from portal.txn import atomic
from portal.web import get_db, get_settings, see_other

# A CUT code: two digits of region, then province and comuna (e.g. 05101).
CUT_PATTERN = re.compile(r"^[0-9]{5}$")
# The map's figure: adhered municipalities per region, and how many of them are certified.
CERTIFIED_STATES = ("certified", "revalidation")

_ = i18n.gettext
FIGURES = (
    ("adhesions", i18n.N_("Nuevas adhesiones")),
    ("first_certifications", i18n.N_("Primeras certificaciones")),
    ("revalidations", i18n.N_("Revalidaciones")),
    ("cases", i18n.N_("Casos y consultas en la Casilla Sello Migrante")),
    ("visits", i18n.N_("Visitas técnicas")),
)
PUBLIC_FIELDS = ("comuna_code", "municipality", "region", "state", "adhered_on", "first_certified_on",
                 "certified_on", "valid_until", "certificate_code")


def _record(a: queries.Adhesion, today: date) -> dict[str, Any]:
    return {"comuna_code": a.comuna_code, "municipality": a.municipality, "region": a.region_name,
            "state": a.state(today), "adhered_on": a.adhered_on, "first_certified_on": a.first_certified_on,
            "certified_on": a.certified_on, "valid_until": a.valid_until, "certificate_code": a.certificate_code}


async def _filtered(request: Request) -> tuple[list[dict[str, Any]], dict[str, str], list[dict[str, Any]]]:
    db = get_db(request)
    region_list = await queries.regions(db)
    region = request.query_params.get("region") or ""
    state = request.query_params.get("estado") or ""
    region = region if region in {r["code"] for r in region_list} else ""
    state = state if state in rules.DISPLAY_STATES else ""
    today = clock.today()
    rows = [_record(a, today) for a in await queries.all_adhesions(db, region or None)]
    if state:
        rows = [r for r in rows if r["state"] == state]
    return rows, {"region": region, "estado": state}, region_list


def _chart(figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bars for each figure, scaled to that figure's own maximum (SVG widths, no inline styles)."""
    charts = []
    for key, label in FIGURES:
        top = max([f[key] for f in figures] or [0]) or 1
        charts.append({"key": key, "label": label,
                       "bars": [{"year": f["year"], "n": f[key], "width": round(300 * f[key] / top, 1)} for f in figures]})
    return charts


async def index(request: Request) -> Response:
    rows, values, region_list = await _filtered(request)
    groups: list[dict[str, Any]] = []
    for row in rows:
        if not groups or groups[-1]["region"] != row["region"]:
            groups.append({"region": row["region"], "rows": []})
        groups[-1]["rows"].append(row)
    figures = await queries.yearly_figures(get_db(request))
    query = "&".join(f"{k}={v}" for k, v in values.items() if v)
    region_map = region_figures(region_list, await queries.all_adhesions(get_db(request)), clock.today())
    context = {"groups": groups, "count": len(rows), "values": values, "errors": {}, "regions": region_list,
               "map_rows": region_map,
               "states": rules.DISPLAY_STATES, "figures": figures, "figure_labels": FIGURES, "charts": _chart(figures),
               "query": query, **filter_options(region_list)}
    return render(request, "sello/public.html", context, partial="sello/_public_list.html")


def region_figures(region_list: list[dict[str, Any]], adhesions: list[queries.Adhesion],
                   today: date) -> list[dict[str, Any]]:
    """Each region north to south with its adhered and certified municipalities (the map and its table)."""
    adhered = {r["code"]: 0 for r in region_list}
    certified = dict(adhered)
    for a in adhesions:
        adhered[a.region_code] = adhered.get(a.region_code, 0) + 1
        certified[a.region_code] = certified.get(a.region_code, 0) + (a.state(today) in CERTIFIED_STATES)
    return [{"code": r["code"], "name": r["name"], "n": adhered[r["code"]], "certified": certified[r["code"]],
             "href": f"/sello-migrante?region={r['code']}#municipalidades"} for r in region_list]


async def municipality(request: Request) -> Response:
    """/sello-migrante/{code}: one municipality's state, dates, certificates and yearly figures; a comuna
    that has not adhered gets the page too, saying so and how to join."""
    code = str(request.path_params.get("code", ""))
    db = get_db(request)
    comuna = guards.found(await queries.comuna(db, code) if CUT_PATTERN.match(code) else None)
    adhesion = await queries.adhesion(db, code)
    today = clock.today()
    certs = await certificates.for_subject(db, "municipality", code) if adhesion else []
    context = {"comuna": comuna, "name": queries.municipality_name(comuna["name"]), "adhesion": adhesion,
               "state": adhesion.state(today) if adhesion else None, "states": rules.DISPLAY_STATES,
               "certificates": sorted(certs, key=lambda c: c.valid_from, reverse=True), "today": today,
               "cert_states": CERTIFICATE_STATES,
               "figures": await queries.municipality_figures(db, code) if adhesion else [],
               "evaluations": await queries.public_evaluations(db, code) if adhesion else [],
               "evaluation_kinds": EVALUATION_KINDS, "evaluation_outcomes": EVALUATION_OUTCOMES}
    return render(request, "sello/municipality.html", context)


CERTIFICATE_STATES = {"valid": i18n.N_("Vigente"), "expired": i18n.N_("Vencido"), "revoked": i18n.N_("Revocado")}
EVALUATION_KINDS = {rules.CERTIFICATION: i18n.N_("Certificación"), rules.REVALIDATION: i18n.N_("Revalidación")}
EVALUATION_OUTCOMES = {"requested": i18n.N_("Solicitada"), "in_evaluation": i18n.N_("En evaluación"),
                       "certified": i18n.N_("Certificada"), "not_certified": i18n.N_("No certificada: sigue en implementación")}


def filter_options(region_list: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    """(value, label) pairs for the region and state selects."""
    return {"region_options": [(r["code"], r["name"]) for r in region_list],
            "state_options": [(k, _(v)) for k, v in rules.DISPLAY_STATES.items()]}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def export_csv(request: Request) -> Response:
    rows, _values, _regions = await _filtered(request)
    out = io.StringIO()
    writer = csvsafe.DictWriter(out, fieldnames=PUBLIC_FIELDS)  # no cell read as a formula
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row[k] is None else _plain(row[k]) for k in PUBLIC_FIELDS})
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="sello-migrante-municipalidades.csv"'})


async def export_json(request: Request) -> Response:
    rows, _values, _regions = await _filtered(request)
    body = json.dumps({"municipalities": [{k: _plain(r[k]) for k in PUBLIC_FIELDS} for r in rows],
                       "count": len(rows)}, ensure_ascii=False, indent=1)
    return Response(body, media_type="application/json")


# ----- invitation (a liaison creates their own account) -----

def _read_invite(request: Request) -> dict[str, str] | None:
    try:
        payload = tokens.read(str(get_settings(request).secret_key), rules.INVITE_PURPOSE,
                              str(request.path_params.get("token", "")), max_age=rules.INVITE_MAX_AGE)
    except tokens.TokenError:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("c"), str) or not isinstance(payload.get("e"), str):
        return None
    return payload


async def invitation(request: Request) -> Response:
    payload = _read_invite(request)
    if payload is None:
        return render(request, "sello/invitation.html", {"invalid": True}, status=400)
    db = get_db(request)
    comuna = await queries.comuna(db, payload["c"])
    taken = await accounts.email_taken(db, payload["e"])
    context = {"invalid": comuna is None, "taken": taken, "comuna": comuna, "email": payload["e"],
               "values": {}, "errors": {}, "signed_in": guards.current_user(request) is not None}
    if request.method == "GET" or comuna is None or taken:
        return render(request, "sello/invitation.html", context, status=400 if comuna is None else 200)
    form = forms.invitation_form(await read_form(request))
    if form.errors:
        context.update(values=form.values, errors=form.errors.fields)
        return render(request, "sello/invitation.html", context, status=422)
    async with atomic(db):
        user_id = await accounts.create_user(db, email=payload["e"], name=form.cleaned["name"], verified=True,
                                             password_hash=passwords.hash_password(form.cleaned["password"]))
        await queries.add_liaison(db, user_id, comuna["code"], None)
        await audit.record(db, actor=user_id, actor_label=payload["e"], action="sello.liaison_joined",
                           object_type="sello_municipality", object_id=comuna["code"], after={"user": user_id})
    flash(request, _("Cuenta creada. Ingrese con su correo y contraseña."))
    return see_other("/ingresar?next=/mi-municipalidad")


# ----- uploaded files (carta, work plan, evidence): the municipality's liaisons and evaluators -----

async def stored_file(request: Request) -> Response:
    """A Sello file for the evaluators and the liaisons of every municipality it belongs to; 404 for
    anyone else, as for a file that does not exist."""
    user = guards.signed_in(request)
    db = get_db(request)
    file_id = uploads.parse_file_id(request.path_params.get("file_id"))
    comunas = await queries.file_comunas(db, file_id) if file_id else set()
    may_read = bool(comunas) and (user.has_role(rules.EVALUATOR) or user.comuna_code in comunas)
    return uploads.serve_file(await uploads.get(db, file_id) if may_read else None, may_read)
