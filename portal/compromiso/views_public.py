"""Public pages: featured institutions per year, figures, the directory, track records, open data
(docs/compromiso.md, Public)."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from portal import csvsafe, guards
from portal.compromiso import public_queries, queries, rules
from portal.templating import render
from portal.web import get_db, int_param, page_param

EXPORT_FIELDS = ("id", "rut", "name", "kind", "size", "sector", "region_code", "region", "comuna_code", "comuna",
                 "adhered_on", "years_reported", "years_applied", "years_recognized")
CHART_WIDTH = 400  # SVG user units for the longest bar


def chart_rows(figures: list[public_queries.YearFigures]) -> tuple[list[dict[str, Any]], int]:
    """Bar lengths for the SVG chart (scaled to the largest figure) and that maximum."""
    peak = max([max(f.new, f.total, f.applied, f.recognized) for f in figures] + [1])
    rows = []
    for f in figures:
        rows.append({"year": f.year, "bars": [
            (key, value, round(value * CHART_WIDTH / peak)) for key, value in
            (("new", f.new), ("total", f.total), ("applied", f.applied), ("recognized", f.recognized))]})
    return rows, peak


async def index(request: Request) -> Response:
    db = get_db(request)
    years = await public_queries.recognition_years(db)
    raw = request.query_params.get("anio", "")
    year = int(raw) if raw.isdigit() and int(raw) in years else (years[0] if years else None)
    figures = await public_queries.figures(db)
    rows, peak = chart_rows(figures)
    return render(request, "compromiso/public_index.html", {
        "years": years, "year": year, "featured": await public_queries.featured(db, year) if year else [],
        "figures": figures, "chart": rows, "chart_peak": peak, "chart_width": CHART_WIDTH,
    }, partial="compromiso/_featured.html")


async def directory(request: Request) -> Response:
    db = get_db(request)
    q = request.query_params
    region = q.get("region", "")
    region = region if region in dict(await queries.regions(db)) else ""
    kind = q.get("tipo", "")
    kind = kind if kind in rules.KINDS else ""
    page = page_param(request)
    orgs, total = await public_queries.directory(db, region=region or None, kind=kind or None, page=page)
    base = {k: v for k, v in (("region", region), ("tipo", kind)) if v}
    return render(request, "compromiso/public_directory.html", {
        "orgs": orgs, "total": total, "page": page, "pages": max(1, -(-total // public_queries.PAGE_SIZE)),
        "base_query": urlencode(base) + "&" if base else "", "regions": await queries.regions(db),
        "values": {"region": region, "tipo": kind},
    }, partial="compromiso/_directory_rows.html")


async def organization(request: Request) -> Response:
    db = get_db(request)
    org = guards.found(await public_queries.public_org(db, int_param(request, "company_id")))
    return render(request, "compromiso/public_org.html",
                  {"org": org, "record": await public_queries.track_record(db, org.id)})


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else list(value) if isinstance(value, (list, tuple)) else value


async def export_csv(request: Request) -> Response:
    rows = await public_queries.export_rows(get_db(request))
    out = io.StringIO()
    writer = csvsafe.writer(out)  # no cell read as a formula
    writer.writerow(EXPORT_FIELDS)
    for row in rows:
        writer.writerow([" ".join(map(str, row[f])) if isinstance(row[f], list) else _jsonable(row[f])
                         for f in EXPORT_FIELDS])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="compromiso-migrante-organizaciones.csv"'})


async def export_json(request: Request) -> Response:
    rows = await public_queries.export_rows(get_db(request))
    data = [{f: _jsonable(row[f]) for f in EXPORT_FIELDS} for row in rows]
    return Response(json.dumps({"organizations": data, "count": len(data)}, ensure_ascii=False),
                    media_type="application/json")
