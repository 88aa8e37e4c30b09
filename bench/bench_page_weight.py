"""Page weight (issue 16, item 9): bytes transferred by Chromium on a first and a repeat visit.

Four pages, each in a fresh browser context (empty cache): home (/), the registry (/organizaciones),
a demo election's results (/elecciones/<id>/resultados) and the Sello Migrante (/sello-migrante).
"First visit" is everything the page loads with an empty cache; "repeat visit" is the same page
opened again in the same context, as a person following a link back to it (not a forced reload).
Bytes are Chromium's `encodedDataLength` (headers and compressed bodies, as on the wire), summed over
every request of the load. Targets: first visit <= 40 KB, repeat visit <= 10 KB.

    .venv/bin/python bench/bench_page_weight.py                  # starts `portal serve --demo` in a temp folder
    .venv/bin/python bench/bench_page_weight.py --url http://127.0.0.1:8000   # a running portal with the demo

Prints the figures and writes bench/results/page_weight.md (--no-write: print only); --detail also lists
every request of each visit with its bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_registry import free_port, start, stop, wait_ok  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FIRST_KB, REPEAT_KB = 40, 10
OUT = ROOT / "bench" / "results" / "page_weight.md"


def results_path(base: str) -> str:
    """The demo's proclaimed election's results page, found from the public election list."""
    with urllib.request.urlopen(base + "/elecciones", timeout=30) as response:  # noqa: S310 (local portal)
        html = response.read().decode()
    found = re.findall(r'href="(/elecciones/\d+)/?(?:resultados)?"', html)
    sizes = {}
    for path in dict.fromkeys(found):
        try:
            with urllib.request.urlopen(f"{base}{path}/resultados", timeout=30) as page:  # noqa: S310 (local portal)
                sizes[f"{path}/resultados"] = len(page.read())
        except OSError:
            continue
    if not sizes:
        raise SystemExit("no election with published results in the demo data")
    return max(sizes, key=lambda p: sizes[p])  # the proclaimed election: the page with the full results


Row = tuple[str, int]  # (url, bytes on the wire)
HTMX_READY = "() => window.htmx !== undefined && !document.body.hasAttribute('hx-disable')"
KINDS = ("page", "stylesheet", "scripts", "fonts", "images")
KIND_HEADINGS = ("HTML", "stylesheet", "scripts", "fonts", "images")


@dataclass
class Weight:
    """One page: the requests of its first visit, of its repeat visit, and of the first use of its filters."""

    name: str
    path: str
    first: list[Row]
    repeat: list[Row]
    first_use: list[Row] = field(default_factory=list)

    def total(self, rows: list[Row]) -> int:
        return sum(size for _, size in rows)

    def met(self) -> bool:
        return self.total(self.first) <= FIRST_KB * 1024 and self.total(self.repeat) <= REPEAT_KB * 1024


def kind(url: str) -> str:
    """What a request is, for the breakdown: the page itself, the stylesheet, scripts, fonts or images."""
    address = url.split("?", 1)[0]
    if "/static/" not in address:
        return "page"
    if address.endswith(".woff2"):
        return "fonts"
    if address.endswith(".css"):
        return "stylesheet"
    if address.endswith(".js"):
        return "scripts"
    return "images"


async def visit(context: Any, url: str, use: bool = False) -> tuple[list[Row], list[Row]]:
    """Open `url`: the bytes on the wire for every request of the load; with `use`, then point at the
    first element that loads htmx on first use (data-load-htmx) and also return what that fetched."""
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    await page.goto(url, wait_until="networkidle")
    await page.evaluate("document.fonts.ready.then(() => true)")
    await page.wait_for_timeout(300)
    loaded = dict(sizes)
    if use and await page.locator("[data-load-htmx]").count():
        await page.hover("[data-load-htmx]")
        await page.wait_for_function(HTMX_READY)
        await page.wait_for_timeout(300)
    await page.close()
    rows = [(urls.get(rid, rid), size) for rid, size in loaded.items()]
    later = [(urls.get(rid, rid), size) for rid, size in sizes.items() if rid not in loaded]
    return rows, later


async def measure(base: str, pages: dict[str, str], detail: bool) -> tuple[list[Weight], str]:
    """Each page in a fresh context: first visit (and the first use of its filters), then a repeat visit."""
    from playwright.async_api import async_playwright

    results = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        for name, path in pages.items():
            context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-CL")
            first, first_use = await visit(context, base + path, use=True)
            repeat, _ = await visit(context, base + path)
            await context.close()
            results.append(Weight(name, path, first, repeat, first_use))
            if detail:
                for visit_name, requests in (("first", first), ("first use", first_use), ("repeat", repeat)):
                    for url, size in requests:
                        print(f"    {name} {visit_name}: {size:>7} B  {url.replace(base, '')}")
        version = browser.version
        await browser.close()
    return results, version


def kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def table(results: list[Weight]) -> str:
    lines = ["| page | path | first visit | repeat visit | targets (40 KB / 10 KB) |", "|---|---|---:|---:|---|"]
    for w in results:
        lines.append(f"| {w.name} | `{w.path}` | {kb(w.total(w.first))} | {kb(w.total(w.repeat))} | "
                     f"{'met' if w.met() else 'NOT met'} |")
    return "\n".join(lines)


def breakdown(results: list[Weight]) -> str:
    """The first visit by kind of request, and what the first use of the filters adds."""
    lines = ["| page | " + " | ".join(KIND_HEADINGS) + " | requests | on first use of the filters |",
             "|---|" + "---:|" * (len(KINDS) + 2)]
    for w in results:
        by_kind = {k: sum(size for url, size in w.first if kind(url) == k) for k in KINDS}
        use = f"+{kb(w.total(w.first_use))}" if w.first_use else "—"
        lines.append(f"| {w.name} | " + " | ".join(kb(by_kind[k]) if by_kind[k] else "—" for k in KINDS)
                     + f" | {len(w.first)} | {use} |")
    return "\n".join(lines)


def report(results: list[Weight], version: str, base: str) -> str:
    demo = "`portal serve --demo` (one worker) started by the bench" if base == "started:" else f"the portal at {base}"
    return "\n".join([
        "# Page weight (bench/bench_page_weight.py)", "",
        f"Chromium {version}, 1280×900, es-CL, demo data, {demo}, {date.today().isoformat()}. "
        "Bytes on the wire (Chromium's `encodedDataLength`: headers and compressed bodies) summed over every "
        "request of the load; \"repeat\" is the same page opened again in the same browser context, as a "
        "person following a link back to it (not a forced reload).", "",
        table(results), "",
        "First visit by kind of request (headers included):", "",
        breakdown(results), "",
        "\"On first use of the filters\": the registry and Sello pages load htmx (and the registry its preload "
        "extension) only when a person first points at, touches, focuses or changes the filters or the list "
        "(static/js/portal.js); the bench points at them once after the load. A person who only reads the page "
        "never downloads it; one who filters downloads it once, then it is cached for a year.", "",
        "Earlier figures: the git history of this file.", "",
    ])


def serve_demo(tmp: Path) -> tuple[Any, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PORTAL_DATA_DIR=str(tmp / "data"), PORTAL_SECRET_KEY="bench-" + "x" * 40, PYTHONPATH=str(ROOT))
    proc = start([sys.executable, "-m", "portal.cli", "serve", "--demo", "--port", str(port),
                  "--no-access-log", "--log-level", "warning"], env, tmp / "portal.log")
    base = f"http://127.0.0.1:{port}"
    wait_ok(base + "/", 240, proc)
    return proc, base


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running portal with the demo data (else one is started)")
    parser.add_argument("--detail", action="store_true", help="list every request of each visit with its bytes")
    parser.add_argument("--no-write", action="store_true", help="print only; do not write bench/results/page_weight.md")
    args = parser.parse_args()
    proc = None
    with tempfile.TemporaryDirectory(prefix="page-weight-") as folder:
        if args.url:
            base = args.url.rstrip("/")
        else:
            proc, base = serve_demo(Path(folder))
        try:
            pages = {"home": "/", "registry": "/organizaciones", "results": results_path(base),
                     "sello": "/sello-migrante"}
            results, version = asyncio.run(measure(base, pages, args.detail))
        finally:
            if proc is not None:
                stop(proc)
    text = report(results, version, base if args.url else "started:")
    print(text)
    if not args.no_write:
        OUT.write_text(text, encoding="utf-8")
        print(f"written to {OUT.relative_to(ROOT)}")
    return 0 if all(w.met() for w in results) else 1


if __name__ == "__main__":
    sys.exit(main())
