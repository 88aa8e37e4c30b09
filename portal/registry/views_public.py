"""Public pages: the registry with search, an organization's page, comunas for forms, open data."""

from __future__ import annotations

import functools
import time
from itertools import groupby
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from portal.i18n import current as current_language, gettext
from portal import clock, guards
from portal.certificates import service as certificates
from portal.registry import figures_queries, model, opendata, queries, search, search_queries, territory as terr
from portal.templating import env, is_partial_request, register_filters, render
from portal.db import Database
from portal.web import get_db, get_settings, int_param


def labels() -> dict[str, dict[str, str]]:
    """Label tables for templates, already in the request's language."""
    return _translated_labels(current_language())


@functools.cache
def _translated_labels(lang: str) -> dict[str, dict[str, str]]:
    # Translated once per language: calling _() per row and label was most of the list's render time.
    tables = {"status_labels": model.STATUS_LABELS, "category_labels": model.CATEGORY_LABELS,
              "area_labels": model.AREA_LABELS, "legal_form_labels": model.LEGAL_FORM_LABELS,
              "event_labels": model.EVENT_LABELS, "doc_labels": model.DOC_LABELS,
              "review_kind_labels": model.REVIEW_KIND_LABELS}
    labels = {name: {k: gettext(v) for k, v in table.items()} for name, table in tables.items()}
    labels["category_badges"] = {c: gettext("Categoría %(c)s", c=c) for c in model.CATEGORY_LABELS}
    return labels


def area_names(areas: list[str]) -> str:
    """Areas of work by name, comma-separated (a Jinja loop per row cost the list 7% of its CPU): the
    `area_names` filter. An unknown code is shown as it is."""
    names = _translated_labels(current_language())["area_labels"]
    return ", ".join(map(names.get, areas, areas))


register_filters(area_names=area_names)


def options() -> dict[str, list[tuple[str, str]]]:
    """Translated (value, label) lists for the record form's selects, radios and checkboxes."""
    def translated(table: dict[str, str]) -> list[tuple[str, str]]:
        return [(k, gettext(v)) for k, v in table.items()]

    return {"legal_form_options": translated(model.LEGAL_FORM_LABELS),
            "category_options": translated(model.CATEGORY_LABELS), "area_options": translated(model.AREA_LABELS)}


async def registry_list(request: Request) -> Response:
    """/organizaciones: the public registry, searchable and filtered (htmx swaps the results)."""
    db = get_db(request)
    territory = await terr.load(db)
    filters = search.parse_filters(request.query_params, territory)
    page = await search_queries.public_page(db, filters)
    groups = [(name, list(rows)) for name, rows in groupby(page.rows, key=lambda r: r.region_name)]
    context = {"filters": filters, "page": page, "groups": groups, "territory": territory,
               "comuna_options": territory.comuna_options(filters.region), **labels()}
    if not is_partial_request(request):  # htmx swaps only the results: the map stays as it is
        rows = await map_rows(db)
        context["map_html"] = map_section(rows) if rows else ""
    return render(request, "registry/public_list.html", context, partial="registry/_results.html")


# The region map's counts scan every listed organization (100,000 in bench/bench_registry.py), so each
# process keeps them for a minute: the map may lag a minute behind the list, which is never cached.
MAP_TTL_SECONDS = 60.0
_map_cache: dict[str, tuple[float, list[dict[str, Any]]]] = {}


async def map_rows(db: Database) -> list[dict[str, Any]]:
    """Organizations in force per region, north to south, each linking to the list of its region."""
    today = clock.today().isoformat()
    cached = _map_cache.get(today)
    if cached is not None and time.monotonic() - cached[0] < MAP_TTL_SECONDS:
        return cached[1]
    rows = [{**r, "href": f"/organizaciones?region={r['code']}"}
            for r in await figures_queries.in_force_by_region(db, clock.today())]
    _map_cache.clear()
    _map_cache[today] = (time.monotonic(), rows)
    return rows


# Its HTML too, per language, for as long as the counts are kept: the map's 16 tiles and table were a
# fifth of the list's rendering time.
_map_html: dict[str, tuple[list[dict[str, Any]], Markup]] = {}


def map_section(rows: list[dict[str, Any]]) -> Markup:
    """The region map (templates/registry/list_map.html) for `rows`, rendered once per language."""
    lang = current_language()
    cached = _map_html.get(lang)
    if cached is None or cached[0] is not rows:
        html = env.get_template("registry/list_map.html").render(map_rows=rows)
        cached = _map_html[lang] = (rows, Markup(html))  # noqa: S704 (an autoescaped template's output)
    return cached[1]


async def org_page(request: Request) -> Response:
    """An organization's public page with its public history."""
    db = get_db(request)
    org = guards.found(await queries.get_public_org(db, int_param(request, "id")))
    history = await queries.events(db, org.id, public_only=True)
    certificate = await valid_certificate(db, org)
    # a minute in the person's own browser cache: what lets the list preload the page (htmx-ext-preload)
    return render(request, "registry/public_org.html",
                  {"org": org, "history": history, "certificate": certificate, **labels()},
                  headers={"Cache-Control": "private, max-age=60"})


async def valid_certificate(db: Database, org: queries.Org) -> certificates.Certificate | None:
    """The organization's registry certificate that is valid today, if it is in force and has one."""
    if org.effective_status != "approved":
        return None
    today = clock.today()
    valid = [c for c in await certificates.for_subject(db, "organization", org.id)
             if c.kind == "registry" and c.state(today) == "valid"]
    return max(valid, key=lambda c: c.valid_from, default=None)


async def comunas(request: Request) -> Response:
    """<option>s of a region's comunas (htmx); an unknown region gives just the placeholder."""
    territory = await terr.load(get_db(request))
    region = request.query_params.get("region") or request.query_params.get("region_code") or ""
    selected = request.query_params.get("comuna") or request.query_params.get("comuna_code") or ""
    return render(request, "registry/_comuna_options.html",
                  {"options": territory.comuna_options(region), "selected": selected,
                   "blank_label": request.query_params.get("blank", "")})


async def open_data(request: Request) -> Response:
    """/datos: the open data's description, field dictionary and license."""
    count = await queries.listed_count(get_db(request))
    return render(request, "registry/opendata.html",
                  {"fields": opendata.FIELDS, "count": count, "license": opendata.LICENSE,
                   "license_url": opendata.LICENSE_URL})


async def download_csv(request: Request) -> Response:
    return StreamingResponse(
        opendata.csv_stream(get_db(request)), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="organizaciones.csv"'})


async def download_json(request: Request) -> Response:
    return StreamingResponse(
        opendata.json_stream(get_db(request), get_settings(request).base_url),
        media_type="application/json", headers={"Content-Disposition": 'inline; filename="organizaciones.json"'})
