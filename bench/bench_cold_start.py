"""Cold-start benchmark (issue 2): `portal serve` with its embedded PostgreSQL, to the first 200 on `/`.

Two cases, each run --runs times:
- fresh: a new, empty PORTAL_DATA_DIR (so initdb, server start, every migration);
- warm: the same data folder again (PostgreSQL data exists and is migrated; the server is stopped).
The clock starts when the process is spawned and stops at the first 200 from GET / (polled every
20 ms on 127.0.0.1). After each start the process group gets SIGTERM; the portal stops its embedded
PostgreSQL on exit, and the script checks that no postgres process of that folder is left.
Prints a table and writes bench/results/cold_start.md.

    .venv/bin/python bench/bench_cold_start.py            # 3 runs of each (about a minute)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime, UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_registry import commit, free_port, machine, postgres_pids, start, stop, wait_ok  # noqa: E402

TARGET_S = 5.0


def one_start(data_dir: Path, workers: int, log: Path) -> dict[str, float]:
    """Start `portal serve` on `data_dir`, time it to the first 200 on /, stop it; its figures."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PORTAL_DATA_DIR=str(data_dir), PORTAL_SECRET_KEY="bench-" + "x" * 40, PYTHONPATH=str(ROOT))
    log.write_text("")
    started = time.monotonic()
    proc = start([sys.executable, "-m", "portal.cli", "serve", "--port", str(port), "--workers", str(workers),
                  "--no-access-log", "--log-level", "warning"], env, log)
    try:
        first_200 = wait_ok(f"http://127.0.0.1:{port}/", 60, proc)
    finally:
        stopping = time.monotonic()
        stop(proc)
        stopped = time.monotonic() - stopping
    leaked = _wait_postgres_gone(data_dir / "pgdata", 10)
    if leaked:  # the portal did not stop its PostgreSQL: stop it here so the next start is cold
        _stop_postmaster(data_dir / "pgdata")
        if _wait_postgres_gone(data_dir / "pgdata", 15):
            raise RuntimeError(f"postgres processes left running for {data_dir}: {postgres_pids(data_dir / 'pgdata')}")
    ready = re.search(r"database ready in ([\d.]+) s", log.read_text())
    return {"first_200": first_200, "db_ready": float(ready.group(1)) if ready else float("nan"),
            "stop": stopped, "total": time.monotonic() - started, "leaked": float(bool(leaked))}


def _wait_postgres_gone(pgdata: Path, seconds: float) -> list[int]:
    """Wait until no postgres of `pgdata` runs; the pids still running after `seconds`."""
    deadline = time.monotonic() + seconds
    while postgres_pids(pgdata) and time.monotonic() < deadline:
        time.sleep(0.05)
    return postgres_pids(pgdata)


def _stop_postmaster(pgdata: Path) -> None:
    """Fast shutdown (SIGINT) of the postmaster named in postmaster.pid, if it is one of ours."""
    pid_file = pgdata / "postmaster.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text().split()[0])
        if pid in postgres_pids(pgdata):
            os.kill(pid, signal.SIGINT)


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})"


def report(results: dict[str, list[dict[str, float]]], args: argparse.Namespace) -> str:
    m = machine()
    lines = [
        "# Cold start: `portal serve` with the embedded PostgreSQL, to the first 200 on `/`", "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram']} RAM, Linux {m['kernel']}, Python {m['python']}",
        f"- commit: {commit()}",
        f"- load average when the run ended: {Path('/proc/loadavg').read_text().split()[0:3]}",
        f"- `portal serve --workers {args.workers}`, {args.runs} runs of each case; the clock runs from spawning "
        "the process to the first 200 on `/` (polled every 20 ms); \"database ready\" is what the server prints "
        "(embedded PostgreSQL started and migrated, before uvicorn starts)", "",
        "## Reproduce", "", "```", "cd /work/main",
        f".venv/bin/python bench/bench_cold_start.py --runs {args.runs} --workers {args.workers}", "```", "",
        "## Figures", "",
        "| case | first 200 on / (median, min, max) | database ready (median) | stop (median) | target < 5 s |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for case, runs in results.items():
        first = [r["first_200"] for r in runs]
        ok = statistics.median(first) < TARGET_S and max(first) < TARGET_S
        lines.append(f"| {case} | {summary(first)} | {statistics.median(r['db_ready'] for r in runs):.2f} s | "
                     f"{statistics.median(r['stop'] for r in runs):.2f} s | {'meets' if ok else 'MISSES'} |")
    leaks = sum(int(r["leaked"]) for runs in results.values() for r in runs)
    total = sum(len(runs) for runs in results.values())
    if leaks:
        lines += ["", f"**{leaks} of {total} stops left the embedded PostgreSQL running** after SIGTERM to the "
                  "`portal serve` process group (the benchmark then stopped it itself, so every start was cold). "
                  "See bench/README.md, \"Known problems\".", ""]
    else:
        lines += ["", f"After each of the {total} stops (SIGTERM to the process group) no postgres process of the "
                  "data folder was left running.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="portal-cold-"))
    results: dict[str, list[dict[str, float]]] = {"fresh data dir (initdb)": [], "warm data dir (existing)": []}
    try:
        for i in range(max(1, min(args.runs, 10))):
            data_dir = tmp / f"run{i}"
            fresh = one_start(data_dir, args.workers, tmp / "serve.log")
            warm = one_start(data_dir, args.workers, tmp / "serve.log")
            results["fresh data dir (initdb)"].append(fresh)
            results["warm data dir (existing)"].append(warm)
            print(f"run {i + 1}: fresh {fresh['first_200']:.2f} s, warm {warm['first_200']:.2f} s", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    text = report(results, args)
    print(text)
    if not args.no_write:
        out = ROOT / "bench" / "results" / "cold_start.md"
        out.write_text(text)
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
