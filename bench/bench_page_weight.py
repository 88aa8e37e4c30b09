"""Page weight (issue 16, item 9): bytes transferred by Chromium on a first and a repeat visit.

Four pages, each in a fresh browser context (empty cache): home (/), the registry (/organizaciones),
a demo election's results (/elecciones/<id>/resultados) and the Sello Migrante (/sello-migrante).
"First visit" is everything the page loads with an empty cache; "repeat visit" is the same page
opened again in the same context, as a person following a link back to it (not a forced reload).
Bytes are Chromium's `encodedDataLength` (headers and compressed bodies, as on the wire), summed over
every request of the load. Targets: first visit <= 40 KB, repeat visit <= 10 KB.

    .venv/bin/python bench/bench_page_weight.py                  # starts `portal serve --demo` in a temp folder
    .venv/bin/python bench/bench_page_weight.py --url http://127.0.0.1:8000   # a running portal with the demo

Prints a table (and the requests of each first visit with --detail).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_registry import free_port, start, stop, wait_ok  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FIRST_KB, REPEAT_KB = 40, 10


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


async def visit(context: Any, url: str) -> tuple[int, list[tuple[str, int]]]:
    """Open `url`; the bytes on the wire for every request of the load."""
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
    await page.close()
    rows = [(urls.get(rid, rid), size) for rid, size in sizes.items()]
    return sum(size for _, size in rows), rows


async def measure(base: str, pages: dict[str, str], detail: bool) -> list[tuple[str, str, int, int]]:
    from playwright.async_api import async_playwright

    results = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        for name, path in pages.items():
            context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-CL")
            first, rows = await visit(context, base + path)
            repeat, again = await visit(context, base + path)
            await context.close()
            results.append((name, path, first, repeat))
            if detail:
                for visit_name, requests in (("first", rows), ("repeat", again)):
                    for url, size in requests:
                        print(f"    {name} {visit_name}: {size:>7} B  {url.replace(base, '')}")
        await browser.close()
    return results


def table(results: list[tuple[str, str, int, int]]) -> str:
    lines = ["| page | path | first visit | repeat visit | targets (40 KB / 10 KB) |", "|---|---|---:|---:|---|"]
    for name, path, first, repeat in results:
        ok = "met" if first <= FIRST_KB * 1024 and repeat <= REPEAT_KB * 1024 else "NOT met"
        lines.append(f"| {name} | `{path}` | {first / 1024:.1f} KB | {repeat / 1024:.1f} KB | {ok} |")
    return "\n".join(lines)


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
    parser.add_argument("--detail", action="store_true", help="list the requests of each first visit")
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
            results = asyncio.run(measure(base, pages, args.detail))
        finally:
            if proc is not None:
                stop(proc)
    print(table(results))
    return 0 if all(f <= FIRST_KB * 1024 and r <= REPEAT_KB * 1024 for _, _, f, r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
