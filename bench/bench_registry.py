"""Registry benchmark (issue 2): the public list and full-text search with 100,000 organizations.

Starts its own embedded PostgreSQL in a temp folder, migrates it, loads N generated organizations
(bench/gen_orgs.py), then runs `portal serve --workers 2` and the minimal Starlette + asyncpg +
Jinja2 app (bench/minimal_app.py, uvicorn --workers 2) on 127.0.0.1 and measures them with wrk:
unloaded (1 connection) p50/p95/p99 and loaded (32 connections) requests/s and percentiles.
Prints a table and writes bench/results/registry.md. Everything it started is stopped at the end.

    .venv/bin/python bench/bench_registry.py            # the full run (about 3 minutes)
    .venv/bin/python bench/bench_registry.py --count 2000 --duration 2 --no-write   # a quick try
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path
from collections.abc import Callable
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

WRK = shutil.which("wrk") or "/usr/bin/wrk"
LIST = "/organizaciones"
SEARCHES = ("/organizaciones?q=venezolanos", "/organizaciones?q=fundacion%20haiti")
P95_TARGET_MS = 20.0
RATIO_TARGET = 0.8  # issue 16, item 9 (0.5 before)
# wrk's own percentiles, exact, printed by done() (wrk --latency prints 50/75/90/99 but not 95).
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d status=%d connect=%d read=%d write=%d timeout=%d\\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout))
  io.write(string.format("BENCH p50=%d p90=%d p95=%d p99=%d max=%d\\n", latency:percentile(50),
    latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass
class Figures:
    """One measurement: throughput and latency percentiles in milliseconds."""

    requests: int
    rps: float
    p50: float
    p90: float
    p95: float
    p99: float
    max: float
    errors: int
    cpu_app_ms: float = float("nan")  # server CPU per request: the app's processes
    cpu_db_ms: float = float("nan")  # … and PostgreSQL's
    load: str = ""  # 1-minute load average at the end (other work on the machine skews figures)


# ---- processes, ports, machine ----------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start `cmd` in its own process group (so it and its workers can be stopped together)."""
    out = log.open("ab")
    return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)


def stop(proc: subprocess.Popen, timeout: float = 20.0) -> None:
    """SIGTERM the process group, wait, then SIGKILL whatever is left."""
    if proc.poll() is None:
        with _suppress():
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with _suppress():
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
    with _suppress():  # workers of a group whose leader already exited
        os.killpg(proc.pid, signal.SIGKILL)


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> bool:
        return exc[0] is not None and issubclass(exc[0], ProcessLookupError)


def wait_ok(url: str, timeout: float, proc: subprocess.Popen | None = None, step: float = 0.02) -> float:
    """Poll `url` until it answers 200; the seconds it took. Raises if `proc` dies or on timeout."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (http://127.0.0.1 only)
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(step)
    raise TimeoutError(f"{url} did not answer 200 within {timeout} s")


def postgres_pids(pgdata: Path) -> list[int]:
    """Processes named postgres whose command line mentions `pgdata`."""
    found = []
    needle = str(pgdata.resolve()).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            comm = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if comm == "postgres" and needle in cmdline:
            found.append(int(entry.name))
    return found


def stop_embedded(pgdata: Path) -> list[int]:
    """Stop the embedded server this process started; the postgres pids still alive after (none)."""
    import pgserver

    pgserver.get_server(pgdata).cleanup()
    deadline = time.monotonic() + 10
    while postgres_pids(pgdata) and time.monotonic() < deadline:
        time.sleep(0.1)
    return postgres_pids(pgdata)


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    wrk_version = subprocess.run([WRK, "-v"], check=False, capture_output=True, text=True).stdout.splitlines()
    return {
        "cpu": model.group(1).strip() if model else platform.processor(),
        "nproc": str(os.cpu_count()),
        "ram": f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB" if mem else "?",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": wrk_version[0] if wrk_version else "wrk",
    }


def commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], check=False, capture_output=True, text=True, cwd=ROOT)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "portal", "templates", "migrations"],
                           check=False, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    return result.stdout.strip() + (" (+ uncommitted changes in portal/templates/migrations)" if dirty else "")


# ---- measuring ----------------------------------------------------------------------------------

def _stat(pid: str) -> tuple[int, int, int] | None:
    """(ppid, pgid, utime + stime in ticks) of a process, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return int(fields[1]), int(fields[2]), int(fields[11]) + int(fields[12])


def cpu_seconds(pgid: int, postmaster: int) -> tuple[float, float]:
    """CPU seconds used so far by a server's process group, and by PostgreSQL (postmaster + backends)."""
    app = db = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _stat(entry)
        if stat is None:
            continue
        ppid, group, ticks = stat
        if group == pgid:
            app += ticks
        elif int(entry) == postmaster or ppid == postmaster:
            db += ticks
    tick = os.sysconf("SC_CLK_TCK")
    return app / tick, db / tick


def wrk(url: str, connections: int, seconds: int, lua: Path, threads: int = 1,
        meter: Callable[[], tuple[float, float]] | None = None) -> Figures:
    """Run wrk against a loopback `url`; its figures (with server CPU per request if `meter`)."""
    assert url.startswith("http://127.0.0.1:"), "traffic goes to loopback only"
    cmd = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
           "-s", str(lua), url]
    before = meter() if meter else None
    out = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=seconds + 60).stdout
    after = meter() if meter else None
    values = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", " ".join(re.findall(r"^BENCH (.*)$", out, re.M)))}
    if "requests" not in values:
        raise RuntimeError(f"wrk printed no figures:\n{out}")
    ms = {k: values[k] / 1000 for k in ("p50", "p90", "p95", "p99", "max")}
    errors = sum(values[k] for k in ("status", "connect", "read", "write", "timeout"))
    figures = Figures(values["requests"], values["requests"] / (values["duration_us"] / 1e6), errors=errors,
                      load=Path("/proc/loadavg").read_text().split()[0], **ms)
    if before and after and values["requests"]:
        figures.cpu_app_ms = (after[0] - before[0]) * 1000 / values["requests"]
        figures.cpu_db_ms = (after[1] - before[1]) * 1000 / values["requests"]
    return figures


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def python_latencies(port: int, path: str, count: int, max_seconds: float) -> Figures:
    """Cross-check of the unloaded figures: sequential keep-alive requests timed in Python."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    times: list[float] = []
    errors = 0
    started = time.monotonic()
    try:
        while len(times) < count and time.monotonic() - started < max_seconds:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):  # e.g. a worker restarted: count it, reconnect
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            times.append((time.perf_counter() - t0) * 1000)
            errors += response.status != 200
    finally:
        conn.close()
    total = time.monotonic() - started
    return Figures(len(times), len(times) / total, percentile(times, 50), percentile(times, 90),
                   percentile(times, 95), percentile(times, 99), max(times), errors)


def org_ids(port: int, path: str) -> list[int]:
    """The organization ids linked from a page, in order (to check both apps show the same rows)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        html = response.read().decode()
    return [int(x) for x in re.findall(r'href="/organizaciones/(\d+)"', html)]


async def explain(url: str) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the portal's own queries for the list and each search."""
    from portal import db as dbmod
    from portal.registry import search, search_queries

    database = await dbmod.connect(url, 1, 2)
    plans: dict[str, str] = {}
    try:
        for path in (LIST, *SEARCHES):
            q = urllib.parse.unquote(path.partition("q=")[2])
            recorder = _ExplainDb(database)
            await search_queries.public_page(recorder, search.Filters(q=q))  # type: ignore[arg-type]
            plans[path] = "\n\n".join(recorder.plans)
    finally:
        await database.disconnect()
    return plans


class _ExplainDb:
    """Stands in for the Database: keeps each query's EXPLAIN ANALYZE, then runs it for real."""

    def __init__(self, database: Any) -> None:
        self.database = database
        self.plans: list[str] = []

    async def _plan(self, query: str, values: Any) -> None:
        rows = await self.database.fetch_all("EXPLAIN (ANALYZE, BUFFERS) " + query, values)
        self.plans.append("\n".join(r[0] for r in rows))

    async def fetch_all(self, query: str, values: Any = None) -> list[Any]:
        await self._plan(query, values)
        return await self.database.fetch_all(query, values)

    async def fetch_val(self, query: str, values: Any = None, **kwargs: Any) -> Any:
        await self._plan(query, values)
        return await self.database.fetch_val(query, values, **kwargs)

    def __getattr__(self, name: str) -> Any:
        # Everything else passes straight through: a search runs in its own transaction with SET LOCAL
        # (portal.txn.atomic asks the database for it), and statements are explained only when they fetch.
        return getattr(self.database, name)


# ---- the run ------------------------------------------------------------------------------------

@dataclass
class Servers:
    portal: subprocess.Popen
    minimal: subprocess.Popen
    portal_port: int
    minimal_port: int
    postmaster: int = 0


def start_servers(url: str, tmp: Path) -> Servers:
    """`portal serve --workers 2` and the minimal app with 2 workers, both on DATABASE_URL."""
    env = {**os.environ, "DATABASE_URL": url, "PORTAL_SECRET_KEY": "bench-" + "x" * 40,
           "PORTAL_DATA_DIR": str(tmp / "data"), "PORTAL_ENV": "production", "PYTHONPATH": str(ROOT)}
    portal_port, minimal_port = free_port(), free_port()
    portal = start([sys.executable, "-m", "portal.cli", "serve", "--workers", "2", "--port", str(portal_port),
                    "--no-access-log", "--log-level", "warning"], env, tmp / "portal.log")
    minimal = start([sys.executable, "-m", "uvicorn", "--factory", "minimal_app:create_app", "--app-dir",
                     str(ROOT / "bench"), "--workers", "2", "--host", "127.0.0.1", "--port", str(minimal_port),
                     "--no-access-log", "--log-level", "warning"], env, tmp / "minimal.log")
    postmaster = int((tmp / "pgdata" / "postmaster.pid").read_text().split()[0])
    servers = Servers(portal, minimal, portal_port, minimal_port, postmaster)
    try:
        wait_ok(f"http://127.0.0.1:{portal_port}{LIST}", 60, portal)
        wait_ok(f"http://127.0.0.1:{minimal_port}{LIST}", 60, minimal)
    except Exception:
        stop_servers(servers)
        raise
    return servers


def stop_servers(servers: Servers) -> None:
    stop(servers.portal)
    stop(servers.minimal)


def measure(servers: Servers, args: argparse.Namespace, lua: Path, say: Callable[[str], None]) -> dict[str, Any]:
    """Every figure of the report, by name."""
    portal = f"http://127.0.0.1:{servers.portal_port}"
    minimal = f"http://127.0.0.1:{servers.minimal_port}"
    meters = {"portal": lambda: cpu_seconds(servers.portal.pid, servers.postmaster),
              "minimal": lambda: cpu_seconds(servers.minimal.pid, servers.postmaster)}
    for base in (portal, minimal):  # warm caches, pools and both workers (and past the 5 custom plans)
        for path in (LIST, *SEARCHES):
            wrk(base + path, 4, args.warmup, lua)
    result: dict[str, Any] = {"rounds": {p: [] for p in (LIST, *SEARCHES)}, "python": {}, "loaded": {},
                              "connections": args.connections}
    for i in range(args.rounds):  # rounds interleaved, so a burst of other work hits one round, not one URL
        for path in (LIST, *SEARCHES):
            figures = wrk(portal + path, 1, args.duration, lua, meter=meters["portal"])
            result["rounds"][path].append(figures)
            say(f"unloaded round {i + 1} {path}: p95 {figures.p95:.1f} ms (load {figures.load})")
    result["unloaded"] = {path: sorted(rounds, key=lambda f: f.p95)[len(rounds) // 2]
                          for path, rounds in result["rounds"].items()}
    for path in (LIST, *SEARCHES):
        result["python"][path] = python_latencies(servers.portal_port, path, args.python_requests, args.duration * 2)
    bases = {"portal": portal, "minimal": minimal}
    result["pair_ratios"] = {}
    for key, path in (("list", LIST), ("search", SEARCHES[0])):
        pairs = []
        for i in range(args.loaded_rounds):  # pairs in alternating order, so a drift in the machine hits both
            pair: dict[str, Figures] = {}
            for name in (("portal", "minimal") if i % 2 == 0 else ("minimal", "portal")):
                figures = pair[name] = wrk(bases[name] + path, args.connections, args.loaded_duration, lua,
                                           meter=meters[name])
                say(f"loaded {name} {path}: {figures.rps:.0f} req/s, CPU {figures.cpu_app_ms:.1f} ms app + "
                    f"{figures.cpu_db_ms:.1f} ms db per request (load {figures.load})")
            pairs.append(pair)
        pairs.sort(key=lambda pair: pair["portal"].rps / pair["minimal"].rps)
        result["pair_ratios"][key] = [pair["portal"].rps / pair["minimal"].rps for pair in pairs]
        median = pairs[len(pairs) // 2]  # the pair with the median ratio is the one reported
        for name in ("portal", "minimal"):
            result["loaded"][(name, path)] = median[name]
        p, m = median["portal"], median["minimal"]
        result[f"ratio_{key}"] = p.rps / m.rps
        result[f"cpu_ratio_{key}"] = (m.cpu_app_ms + m.cpu_db_ms) / (p.cpu_app_ms + p.cpu_db_ms)
    return result


def table(result: dict[str, Any]) -> str:
    """The figures as a Markdown table (also printed)."""
    lines = ["| measurement | requests | req/s | p50 ms | p95 ms | p99 ms | server CPU ms/req (app + db) | errors | load |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]

    def row(label: str, f: Figures) -> None:
        cpu = "" if f.cpu_app_ms != f.cpu_app_ms else f"{f.cpu_app_ms:.1f} + {f.cpu_db_ms:.1f}"
        lines.append(f"| {label} | {f.requests} | {f.rps:.0f} | {f.p50:.1f} | {f.p95:.1f} | {f.p99:.1f} | {cpu} "
                     f"| {f.errors} | {f.load} |")

    for path, f in result["unloaded"].items():
        row(f"portal unloaded, 1 conn, wrk (median round): `{path}`", f)
    for path, f in result["python"].items():
        row(f"portal unloaded, Python client (cross-check): `{path}`", f)
    for (name, path), f in result["loaded"].items():
        row(f"{name} loaded, {result['connections']} conn: `{path}`", f)
    lines.append("")
    for path, rounds in result["rounds"].items():
        lines.append(f"- unloaded p95 of each round, `{path}`: " + ", ".join(f"{f.p95:.1f} ms" for f in rounds))
    for key, ratios in result["pair_ratios"].items():
        lines.append(f"- loaded throughput portal / minimal app of each pair ({key}, the median pair is in the "
                     "table): " + ", ".join(f"{r:.2f}" for r in ratios))
    return "\n".join(lines)


def verdict(result: dict[str, Any]) -> list[str]:
    lines = []
    for path, f in result["unloaded"].items():
        ok = f.p95 < P95_TARGET_MS
        lines.append(f"- unloaded p95 `{path}`: {f.p95:.1f} ms — {'meets' if ok else 'MISSES'} "
                     f"the < {P95_TARGET_MS:.0f} ms target")
    for what in ("list", "search"):
        ratio = result[f"ratio_{what}"]
        lines.append(f"- loaded throughput portal / minimal app ({what}): {ratio:.2f} — "
                     f"{'meets' if ratio >= RATIO_TARGET else 'MISSES'} the ≥ {RATIO_TARGET} target "
                     f"(by server CPU per request: {result[f'cpu_ratio_{what}']:.2f})")
    return lines


def report(result: dict[str, Any], info: dict[str, Any], plans: dict[str, str]) -> str:
    m = info["machine"]
    parts = [
        "# Registry benchmark: public list and search with 100,000 organizations", "",
        f"- date: {info['date']}",
        f"- machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram']} RAM, Linux {m['kernel']}, Python {m['python']}, {m['wrk']}",
        f"- commit: {info['commit']}",
        f"- data: {info['count']} organizations (seed {info['seed']}, loaded in {info['load_seconds']:.1f} s), "
        f"{info['listed']} listed publicly; `q=venezolanos` matches {info['matches'][SEARCHES[0]]}, "
        f"`q=fundacion haiti` matches {info['matches'][SEARCHES[1]]}",
        "- servers: `portal serve --workers 2` (PORTAL_ENV=production, embedded PostgreSQL via DATABASE_URL) and "
        "`uvicorn --factory minimal_app:create_app --workers 2`, both on 127.0.0.1; wrk on the same machine",
        f"- both apps served the same first page: {info['same_rows']}", "",
        "## Reproduce", "", "```", *info["commands"], "```", "",
        "## Figures", "", table(result), "",
        f"Unloaded: `wrk -t1 -c1 -d{info['duration']}s --latency -s pct.lua URL` (pct.lua prints "
        f"latency:percentile(95)); loaded: `wrk -t1 -c{result['connections']} -d{info['loaded_duration']}s --latency "
        f"-s pct.lua URL`, {info['loaded_rounds']} portal/minimal pairs per URL in alternating order (the pair with "
        "the median ratio is in the table). The Python client sends sequential keep-alive requests with http.client.", "",
        "## Targets", "", *verdict(result), "", *_load_note(result), "",
        "## Query plans at this size (EXPLAIN ANALYZE of portal.registry.search.public_page)", "",
    ]
    for path, plan in plans.items():
        parts += [f"`{path}`", "", "```", plan, "```", ""]
    return "\n".join(parts)


def _load_note(result: dict[str, Any]) -> list[str]:
    """A warning when other work shared the CPUs during the run."""
    loads = [float(f.load) for f in (*result["loaded"].values(), *(f for r in result["rounds"].values() for f in r))]
    cpus = os.cpu_count() or 1
    if max(loads) <= 0.75 * cpus:
        return [f"Load average stayed at or below {max(loads):.2f} during the run ({cpus} CPUs)."]
    return [f"**The machine was busy during this run** (1-minute load average {min(loads):.2f}–{max(loads):.2f} on "
            f"{cpus} CPUs, while wrk, 2 app workers and PostgreSQL need about {cpus}): wall-clock latencies and "
            "requests/s are inflated by waiting for a CPU. The server CPU per request columns (and their ratio) "
            "are the robust comparison; re-run on a quiet machine for the latency targets."]


async def _facts(url: str) -> dict[str, Any]:
    import asyncpg

    from minimal_app import prefix_tsquery

    conn = await asyncpg.connect(url)
    try:
        matches = {}
        for path in SEARCHES:
            q = urllib.parse.unquote(path.partition("q=")[2])
            matches[path] = await conn.fetchval(
                "SELECT count(*) FROM organizations o WHERE o.listed AND o.search @@ to_tsquery('spanish', $1)",
                prefix_tsquery(q))
        return {"listed": await conn.fetchval("SELECT count(*) FROM organizations WHERE listed"), "matches": matches}
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--duration", type=int, default=10, help="seconds per unloaded wrk run")
    parser.add_argument("--loaded-duration", type=int, default=15, help="seconds per loaded wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="unloaded rounds per URL (the median is reported)")
    parser.add_argument("--loaded-rounds", type=int, default=3,
                        help="loaded portal/minimal pairs per URL, in alternating order (the median ratio is reported)")
    parser.add_argument("--python-requests", type=int, default=300)
    parser.add_argument("--no-write", action="store_true", help="print only; do not write bench/results/registry.md")
    args = parser.parse_args(argv)
    from gen_orgs import insert
    from portal import db as dbmod, migrate

    def say(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    pgdata = tmp / "pgdata"
    lua = tmp / "pct.lua"
    lua.write_text(LUA)
    servers = None
    try:
        url = dbmod.embedded_url(pgdata)
        asyncio.run(migrate.apply(url))
        say(f"loading {args.count} organizations…")
        load_seconds = asyncio.run(insert(url, args.count, args.seed))
        facts = asyncio.run(_facts(url))
        plans = asyncio.run(explain(url))
        say(f"loaded in {load_seconds:.1f} s; starting the servers")
        servers = start_servers(url, tmp)
        same = org_ids(servers.portal_port, LIST) == org_ids(servers.minimal_port, LIST)
        say(f"same 50 rows on both apps: {same}")
        result = measure(servers, args, lua, say)
    finally:
        if servers:
            stop_servers(servers)
        left = stop_embedded(pgdata) if pgdata.exists() else []
        shutil.rmtree(tmp, ignore_errors=True)
    say("stopped the servers and PostgreSQL" + (f"; postgres still running: {left}" if left else "; no postgres left"))
    info = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(), "commit": commit(),
        "count": args.count, "seed": args.seed, "load_seconds": load_seconds, "same_rows": same,
        "duration": args.duration, "loaded_duration": args.loaded_duration, "loaded_rounds": args.loaded_rounds,
        **facts,
        "commands": ["cd /work/main  # the repository",
                     "apt-get install -y wrk   # if /usr/bin/wrk is missing",
                     f".venv/bin/python bench/bench_registry.py --count {args.count} --seed {args.seed} "
                     f"--duration {args.duration} --rounds {args.rounds} --loaded-duration {args.loaded_duration} "
                     f"--loaded-rounds {args.loaded_rounds} "
                     f"--connections {args.connections}"],
    }
    print(table(result))
    print("\n".join(verdict(result)))
    if not args.no_write:
        out = ROOT / "bench" / "results" / "registry.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report(result, info, plans))
        say(f"wrote {out.relative_to(ROOT)}")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
