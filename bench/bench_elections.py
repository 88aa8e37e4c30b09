"""Elections benchmark (issue 3): seat allocation of a large category and verification of a big bulletin.

1. Allocation of one category with 10 seats, 3 gender values and 500 candidates (random votes,
   seeded), repeated; target < 50 ms. Also the worst case for the trail: all 500 tied.
2. Verification of a bulletin of 1,000,000 ballots: the bulletin is generated with the package's
   own make_ballot/make_bulletin/write_bulletin into a temp folder (in a child process), then
   verified by `python -m elections verify` in a child process (wall time) and by
   verify_bulletin() in this process (wall time and peak RSS from resource.getrusage);
   target < 5 s and bounded memory.
Prints the figures and writes bench/results/elections.md (unless --no-write).

    .venv/bin/python bench/bench_elections.py                          # full run (~1 minute)
    .venv/bin/python bench/bench_elections.py --ballots 100000 --no-write   # a quick try
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, UTC
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from elections import REGIONS, allocate, make_ballot, make_bulletin, verify_bulletin, write_bulletin  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "elections.md"
LOAD_START = os.getloadavg()[0]


def _candidates(n: int, rng: random.Random, tied: bool = False) -> list[dict[str, object]]:
    names = [name for _, name in REGIONS]
    return [{"id": f"A{i:03d}", "category": "A", "votes": 7 if tied else rng.randint(0, 5000),
             "gender": rng.choice("FMX"), "region": rng.choice(names)} for i in range(n)]


def bench_allocation(repeat: int) -> dict[str, float]:
    """Milliseconds per allocation (median and max over `repeat` runs), random and all-tied pools."""
    rng = random.Random(2025)
    out: dict[str, float] = {}
    for label, tied in (("random", False), ("tied", True)):
        cands = _candidates(500, rng, tied)
        times, cpu = [], []
        for _ in range(repeat):
            start, cpu0 = time.perf_counter(), time.process_time()
            allocate({"A": 10}, cands, lottery_seed="bench")
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - cpu0) * 1000)
        out[f"{label}_median_ms"] = statistics.median(times)
        out[f"{label}_max_ms"] = max(times)
        out[f"{label}_cpu_ms"] = statistics.median(cpu)
    return out


def build_bulletin(path: Path, ballots: int) -> None:
    """Write a bulletin of `ballots` ballots over the full A/B/C council (77 candidates)."""
    rng = random.Random(7)
    seats = {"A": 10, "B": 6, "C": 4}
    cands = [c for cat, k in (("A", 40), ("B", 25), ("C", 12)) for c in _category(cat, k, rng)]
    weights = [rng.random() for _ in cands]
    picks = rng.choices(cands, weights=weights, k=ballots)
    cast = [make_ballot("cosoc-2025", c["category"], c["id"] if rng.random() > 0.02 else None,
                        nonce=f"{rng.getrandbits(128):032x}") for c in picks]
    bulletin = make_bulletin(election_id="cosoc-2025", padron_sha256="0" * 64, seats=seats, candidates=cands,
                             ballots=cast, lottery_seed="SORTEO-COSOC-2025")
    with path.open("w", encoding="utf-8") as fp:
        write_bulletin(bulletin, fp)


def _category(cat: str, k: int, rng: random.Random) -> list[dict[str, object]]:
    names = [name for _, name in REGIONS]
    return [{"id": f"{cat}{i:02d}", "category": cat, "gender": rng.choice("FMX"), "region": rng.choice(names)}
            for i in range(k)]


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def bench_verify(path: Path) -> dict[str, object]:
    """Verify the bulletin twice: with the CLI in a child process (wall time, interpreter start
    included), then in this process, whose peak RSS (getrusage RUSAGE_SELF) is then the verifier's:
    the bulletin was built in another process, so this one held nothing big before."""
    start, cpu0 = time.perf_counter(), _cpu(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-m", "elections", "verify", str(path)], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    cli_seconds, cli_cpu = time.perf_counter() - start, _cpu(resource.RUSAGE_CHILDREN) - cpu0
    if proc.returncode != 0:
        raise SystemExit(f"verification failed:\n{proc.stdout}{proc.stderr}")
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    start, cpu0 = time.perf_counter(), _cpu(resource.RUSAGE_SELF)
    problems = verify_bulletin(path)
    api_seconds, api_cpu = time.perf_counter() - start, _cpu(resource.RUSAGE_SELF) - cpu0
    if problems:
        raise SystemExit(f"verification failed: {problems[:5]}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"cli_seconds": cli_seconds, "api_seconds": api_seconds, "cli_cpu": cli_cpu, "api_cpu": api_cpu,
            "before_mb": before_mb,
            "peak_rss_mb": peak_mb, "size_mb": path.stat().st_size / 1e6, "output": proc.stdout.strip()}


def machine() -> str:
    """One line describing where the figures were taken."""
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def report(alloc: dict[str, float], verify: dict[str, Any], build_s: float, ballots: int) -> str:
    """The results as Markdown."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    ok_alloc = "met" if alloc["random_median_ms"] < 50 else "NOT met"
    ok_verify = "met" if verify["cli_seconds"] < 5 else "NOT met"
    random_row = (f"| random votes 0..5000 (seeded) | {alloc['random_median_ms']:.1f} ms | {alloc['random_max_ms']:.1f} ms "
                  f"| {alloc['random_cpu_ms']:.1f} ms | < 50 ms ({ok_alloc}) |")
    tied_row = (f"| all 500 tied (worst case for the trail: 490 lottery reasons) | {alloc['tied_median_ms']:.1f} ms "
                f"| {alloc['tied_max_ms']:.1f} ms | {alloc['tied_cpu_ms']:.1f} ms | - |")
    cli_row = (f"| `python -m elections verify FILE`, wall time (child process, interpreter start included) "
               f"| {verify['cli_seconds']:.2f} s | < 5 s ({ok_verify}) |")
    rss_row = (f"| peak RSS of the verifying process (`getrusage(RUSAGE_SELF).ru_maxrss`; {verify['before_mb']:.0f} MB "
               f"before verifying) | {verify['peak_rss_mb']:.0f} MB | bounded |")
    return f"""# Elections benchmark (issue 3)

Taken {when} on: {machine()}.
Load average (1 min) before and after the run: {LOAD_START:.1f} / {os.getloadavg()[0]:.1f}: the machine
was shared with other work, and figures are wall time, so a quiet machine does better.
Reproduce: `.venv/bin/python bench/bench_elections.py` (any Python >= 3.11; the package is
standard library only).

## Allocation: one category, 10 seats, 3 gender values, 500 candidates

| pool | median wall | max wall | median CPU | target |
|---|---|---|---|---|
{random_row}
{tied_row}

Time includes input validation, the exact search, every skipped candidate's reason and the
replacement table.

## Verification: bulletin of {ballots:,} ballots

| step | figure | target |
|---|---|---|
{cli_row}
| the same, CPU time (user + system) | {verify['cli_cpu']:.2f} s | - |
| `verify_bulletin(path)` in-process, wall time / CPU time | {verify['api_seconds']:.2f} s / {verify['api_cpu']:.2f} s | - |
{rss_row}
| bulletin size | {verify['size_mb']:.0f} MB | - |
| generating the bulletin (make_ballot, make_bulletin, write_bulletin; not timed against a target) | {build_s:.1f} s | - |

The verifier streams the `ballots` array (the bulletin's last key) in 1 MiB chunks with
`json.JSONDecoder.scan_once`, recomputes each SHA-256 tracking code, checks the strict code order
(duplicates), recounts, and recomputes the allocation; memory does not grow with the ballots.
Verifier output: `{verify['output']}`
"""


def main() -> None:
    """Run both benchmarks, print the figures and write the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.relative_to(ROOT)}")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # internal: the child that builds
    args = parser.parse_args()
    if args.build:
        build_bulletin(args.build, args.ballots)
        return
    alloc = bench_allocation(args.repeat)
    print(f"allocation, 500 candidates, 10 seats: median {alloc['random_median_ms']:.1f} ms "
          f"(CPU {alloc['random_cpu_ms']:.1f} ms), "
          f"max {alloc['random_max_ms']:.1f} ms; all tied: median {alloc['tied_median_ms']:.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "boletin.json"
        # Built in a child process, so that this process stays small and its peak RSS measures
        # the verifier alone.
        start = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--build", str(path), "--ballots", str(args.ballots)], check=True)
        build_s = time.perf_counter() - start
        print(f"bulletin of {args.ballots:,} ballots built in {build_s:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
        verify = bench_verify(path)
    print(f"verify: CLI {verify['cli_seconds']:.2f} s (CPU {verify['cli_cpu']:.2f} s), "
          f"in-process {verify['api_seconds']:.2f} s (CPU {verify['api_cpu']:.2f} s), "
          f"peak RSS {verify['peak_rss_mb']:.0f} MB -> {verify['output']}")
    if not args.no_write:
        RESULTS.write_text(report(alloc, verify, build_s, args.ballots), encoding="utf-8")
        print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
