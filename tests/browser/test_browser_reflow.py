"""Reflow (WCAG 1.4.10) on every GET page of the app, with the demo data: at 320 CSS pixels wide the
page itself never scrolls sideways (`document.documentElement.scrollWidth <= 320`). Wide tables and
code scroll inside their own labelled region (templates/_macros/layout.html), which this allows.

The routes come from the app's route table, so a new page is walked without editing this file.
Each is opened by the person it is for (anonymous, an organization's representative, a municipal
liaison, a company contact, or an admin, who holds every staff role), with path parameters taken
from the demo data. Responses that are not HTML (CSV, JSON, PDF, photos) are skipped.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.routing import Route

from browser_helpers import sign_in
from portal import demo

pytestmark = pytest.mark.browser

WIDTH = 320
ACCOUNTS = {"rep": "rep@demo.participa.cl", "liaison": "enlace@demo.participa.cl",
            "company": "empresa@demo.participa.cl", "admin": "admin@demo.participa.cl"}
# Whose page it is, by path prefix (first match); everything else is opened anonymously.
AUDIENCE = [("/staff", "admin"), ("/mi-organizacion", "rep"), ("/registro/", "rep"), ("/cuenta", "rep"),
            ("/mi-municipalidad", "liaison"), ("/mi-empresa", "company"),
            ("/elecciones/{id}/candidatura", "rep"), ("/elecciones/{id}/votar", "rep"),
            ("/elecciones/{id}/comprobante", "rep"), ("/elecciones/{id}/recibo", "rep")]
_PARAM = re.compile(r"{([a-z_]+)(:[a-z]+)?}")
# Server-Sent Events streams (text/event-stream, e.g. the live turnout) are not pages: opened in a tab
# the browser aborts them (net::ERR_ABORTED); the page that listens to them is walked.
STREAMS = ("/participacion/en-vivo",)

# Values for path parameters from the demo (SQL), or fixed ones; "election" pages are walked for a
# proclaimed election and for one open for voting.
PARAM_SQL = {
    "org": ("SELECT r.org_id FROM org_representatives r JOIN users u ON u.id = r.user_id "
            "WHERE u.email = 'rep@demo.participa.cl'"),
    "review_org": "SELECT id FROM organizations ORDER BY (status = 'approved'), id LIMIT 1",
    "doc_id": "SELECT id FROM org_documents ORDER BY id LIMIT 1",
    "council_election": "SELECT id FROM elections WHERE phase IN ('proclaimed', 'constituted') ORDER BY id DESC LIMIT 1",
    "open_election": "SELECT id FROM elections WHERE phase = 'voting_open' ORDER BY id LIMIT 1",
    "sello_file": "SELECT carta_file_id FROM sello_adhesions LIMIT 1",
    "comuna": "SELECT comuna_code FROM sello_adhesions WHERE status = 'certified' LIMIT 1",
    "company_id": "SELECT company_id FROM compromiso_cycles WHERE status = 'recognized' ORDER BY year DESC, company_id LIMIT 1",
    "company_cycle": ("SELECT c.id FROM compromiso_cycles c JOIN compromiso_contacts k ON k.company_id = c.company_id "
                      "JOIN users u ON u.id = k.user_id WHERE u.email = 'empresa@demo.participa.cl' "
                      "ORDER BY c.year DESC LIMIT 1"),
    "staff_cycle": "SELECT id FROM compromiso_cycles WHERE status IN ('applied', 'in_evaluation') ORDER BY id LIMIT 1",
    "compromiso_file": "SELECT file_id FROM compromiso_evidence LIMIT 1",
    "code": "SELECT code FROM certificates WHERE revoked_at IS NULL ORDER BY code LIMIT 1",
}


def audience(path: str) -> str:
    return next((role for prefix, role in AUDIENCE if path.startswith(prefix)), "anon")


def urls_for(path: str, ids: dict[str, Any]) -> list[str]:
    """The addresses to open for one route template (none when a parameter has no demo value)."""
    names = [m.group(1) for m in _PARAM.finditer(path)]
    if path.startswith(("/elecciones/{id}", "/staff/elecciones/{id}")):
        choices = [{"id": ids["council_election"]}, {"id": ids["open_election"]}]
    else:
        choices = [{}]
    fixed = {"token": "not-a-token", "lang": "es", "choice": "contraste-normal", "cand_id": ids.get("cand_id"),
             "doc_id": ids.get("doc_id"), "comuna": ids.get("comuna"), "company_id": ids.get("company_id"),
             "code": ids.get("code"), "file_id": ids.get("compromiso_file") if path.startswith("/compromiso")
             else ids.get("sello_file"),
             "cycle_id": ids.get("staff_cycle") if path.startswith("/staff") else ids.get("company_cycle"),
             "id": ids.get("contact") if path.startswith("/staff/contacto") else
             ids.get("review_org") if path.startswith("/staff/registro") else ids.get("org")}
    urls = []
    for choice in choices:
        values = {**fixed, **choice}
        if any(values.get(n) is None for n in names):
            continue
        urls.append(_PARAM.sub(lambda m, v=values: str(v[m.group(1)]), path))
    return urls


async def _ids(db: Any) -> dict[str, Any]:
    ids = {}
    for name, sql in PARAM_SQL.items():
        try:
            ids[name] = await db.fetch_val(sql)
        except Exception:  # a table renamed by a domain's refactor: that parameter is just not walked
            ids[name] = None
    ids["cand_id"] = await db.fetch_val("SELECT id FROM candidates WHERE election_id = :e ORDER BY id LIMIT 1",
                                        {"e": ids["council_election"]})
    ids["contact"] = await db.fetch_val(
        "INSERT INTO contact_messages (name, email, topic, message, client_hash) VALUES ('Persona de prueba', "
        "'persona@example.cl', 'other', :m, repeat('0', 64)) RETURNING id",
        {"m": "Una consulta larga con una dirección sin espacios: https://example.cl/" + "a" * 120})
    return ids


@pytest.fixture(scope="module")
async def walk(app: Any, _owner: Any, _tables: list[str], secret: str) -> dict[str, list[str]]:
    """Empty the tables, load the demo, and list the addresses to open per audience."""
    db = app.state.db
    async with _owner.connection() as conn:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")  # the audit log is append-only
            await conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in _tables) + " RESTART IDENTITY CASCADE")
    await demo.load_all(db, secret)  # the browser server's secret: it derives the elections' sealing keys
    ids = await _ids(db)
    assert ids["council_election"] and ids["open_election"] and ids["org"], f"demo ids missing: {ids}"
    by_role: dict[str, list[str]] = {}
    for route in app.routes:
        if isinstance(route, Route) and "GET" in (route.methods or {"GET"}) and not route.path.endswith(STREAMS):
            for url in urls_for(route.path, ids):
                by_role.setdefault(audience(route.path), []).append(url)
    return by_role


WIDTH_AND_CULPRITS = """(limit) => {
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > limit + 1 && !el.closest('.table-scroll, [role=region]'))
    .filter(el => getComputedStyle(el).position !== 'absolute' && el.getClientRects().length)
    .slice(0, 4).map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : ''));
  return {width: document.documentElement.scrollWidth, wide};
}"""


@pytest.mark.parametrize("role", ["anon", "rep", "liaison", "company", "admin"])
async def test_no_page_scrolls_sideways_at_320_px(walk: dict[str, list[str]], new_context: Any, role: str) -> None:
    context = await new_context("es")
    page = await context.new_page()
    if role != "anon":
        await sign_in(page, ACCOUNTS[role], demo.DEMO_PASSWORD)
    await page.set_viewport_size({"width": WIDTH, "height": 640})
    problems, seen = [], 0
    for url in walk.get(role, []):
        try:
            response = await page.goto(url)
        except Exception as exc:  # a download (PDF, CSV) is not a page
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        seen += 1
        found = await page.evaluate(WIDTH_AND_CULPRITS, WIDTH)
        if found["width"] > WIDTH:
            problems.append(f"{url} ({response.status}): {found['width']} px wide; outside a scroll region: "
                            f"{', '.join(found['wide']) or '-'}")
    assert seen, f"no HTML page walked as {role}"
    assert not problems, f"pages wider than {WIDTH} px as {role}:\n" + "\n".join(problems)
