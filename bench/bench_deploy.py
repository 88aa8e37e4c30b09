"""The portal as deployed (deploy/): nginx + PgBouncer + 2 nodes, against one node alone.

    .venv/bin/python bench/bench_deploy.py [--orgs 1000] [--runs 3] [--seconds 10]   (as root, ~6 minutes)

Builds bench/deploy_stack.py's stack (Debian's PostgreSQL 15, PgBouncer 1.18, nginx; `apt-get install
postgresql pgbouncer nginx-light`), seeds --orgs organizations with their representatives signed in once
(sessions live in the database, so every configuration reuses them), then measures in each configuration:

- the registry list: `wrk -c 32 -d SECONDS` on /organizaciones (HTTPS through nginx, HTTP to a lone node);
- the vote storm: every organization casts its ballot in a fresh election, 32 keep-alive clients
  (bench_vote_storm's), votes/s and latency percentiles.

Configurations: A one node (1 worker) straight to PostgreSQL, no nginx; B nginx + PgBouncer transaction
pooling + 1 node; C the same with 2 nodes; D nginx + PgBouncer session pooling + 2 nodes. Each figure is the
median of --runs runs. Loopback only; bounded (--deadline). Writes bench/results/deploy.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import bench_vote_storm as storm_lib  # noqa: E402
import deploy_stack  # noqa: E402
from deploy_stack import Stack  # noqa: E402

CLIENTS = 32


class TlsClient(storm_lib.RawClient):
    """bench_vote_storm's keep-alive client, over TLS when `tls`."""

    def __init__(self, host: str, port: int, tls: bool) -> None:
        super().__init__(host, port)
        self.tls = tls

    async def post_form(self, path: str, cookie: str, fields: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if self.reader is not None and self.reader.at_eof():
            await self.close()
        if self.writer is None and self.tls:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port, ssl=deploy_stack.tls_context())
        return await super().post_form(path, cookie, fields)


async def new_election(url: str, n: int, secret: str,
                       trustees: storm_lib.Trustees) -> tuple[int, dict[str, list[int]]]:
    """One more election open for voting over the whole padrón (as bench_vote_storm.seed makes them): its
    two trustees' keys in and its public record opened before the vote opens (docs/ballot-secrecy.md)."""
    from portal import clock, db as dbmod
    from portal.elections_web import padron, queries as q

    database = await dbmod.connect(url, 1, 2)
    today = clock.today()
    try:
        eid = await q.create_election(database, {"name": f"Despliegue {n}", "term_start": today,
                                                 "term_end": today + timedelta(days=730), "padron_cutoff": today})
        await padron.snapshot(database, eid, today)
        await padron.freeze(database, eid)
        candidates: dict[str, list[int]] = {}
        for cat, k in (("A", 10), ("B", 6), ("C", 4)):
            candidates[cat] = []
            for j, entry in enumerate((await padron.entries(database, eid, category=cat))[: 2 * k]):
                candidates[cat].append(await q.save_candidate(database, eid, entry.org_id, cat, entry.region_code, {
                    "name": f"Candidatura {cat}{j}", "document_type": "passport", "document_number": f"D{j}",
                    "gender": "FMX"[j % 3], "bio": "Reseña."}))
        await storm_lib.open_voting(database, eid, "despliegue", trustees, secret)
    finally:
        await database.disconnect()
    return eid, candidates


def wrk(url: str, seconds: int) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t", "2", "-c", "32", "-d", f"{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "non2xx": float(errors.group(1)) if errors else 0.0}


async def vote_storm(stack: Stack, orgs: list[Any], base_host: str, port: int, tls: bool, n: int,
                     trustees: storm_lib.Trustees) -> dict[str, float]:
    eid, cands = await new_election(stack.owner_url(), n, stack.secret, trustees)
    result = storm_lib.Storm(f"election {eid}")
    clients: list[storm_lib.RawClient] = [TlsClient(base_host, port, tls) for _ in range(CLIENTS)]
    await storm_lib.storm(orgs, eid, cands, clients, result, 0.0)
    for c in clients:
        await c.close()
    errors = sum(v for k, v in result.statuses.items() if re.search(r":5\d\d$", k))
    return {"votes_s": len(orgs) / result.elapsed, "p50": storm_lib.pct(result.latencies, 50),
            "p95": storm_lib.pct(result.latencies, 95), "5xx": float(errors)}


async def measure(stack: Stack, orgs: list[Any], name: str, target: tuple[str, int, bool], args: argparse.Namespace,
                  counter: list[int], trustees: storm_lib.Trustees) -> dict[str, Any]:
    host, port, tls = target
    url = f"{'https' if tls else 'http'}://{host}:{port}/organizaciones"
    lists, storms = [], []
    for _ in range(args.runs):
        lists.append(await asyncio.to_thread(wrk, url, args.seconds))
        counter[0] += 1
        storms.append(await vote_storm(stack, orgs, host, port, tls, counter[0], trustees))
    median = {f"list_{k}": statistics.median(r[k] for r in lists) for k in lists[0]}
    median |= {f"vote_{k}": statistics.median(r[k] for r in storms) for k in storms[0]}
    print(name, {k: round(v, 1) for k, v in median.items()}, flush=True)
    return {"name": name, **median, "load": os.getloadavg()[0]}


async def sign_in(stack: Stack, orgs: list[Any], eid: int) -> None:
    base = stack.node_base(stack.node_hosts[0])
    clients = [httpx.AsyncClient(base_url=base, timeout=30) for _ in range(16)]
    try:
        await storm_lib.run_pool(orgs, clients, lambda c, o: storm_lib.login(c, o, eid))
    finally:
        for c in clients:
            await c.aclose()


async def main(args: argparse.Namespace) -> int:
    if deploy_stack.missing():
        print(f"this machine lacks {deploy_stack.missing()}")
        return 2
    stack = Stack(via_bouncer=False)
    results, counter = [], [0]
    try:
        stack.start_postgres()
        assert stack.portal("migrate").returncode == 0
        # the nodes' PORTAL_SECRET_KEY: the portal's sealing key derives from it
        orgs, elections, _, trustees = await storm_lib.seed(stack.owner_url(), args.orgs, stack.secret)
        one, two = stack.node_hosts
        stack.start_node(one)
        await stack.wait_ready(stack.node_base(one))
        await sign_in(stack, orgs, elections[0])
        results.append(await measure(stack, orgs, "A: 1 node, direct to PostgreSQL, no nginx", (one, stack.node_port, False),
                                     args, counter, trustees))
        stack.stop_node(one)
        stack.via_bouncer = True
        stack.start_bouncer()
        stack.start_node(one)
        await stack.wait_ready(stack.node_base(one))
        stack.start_nginx(upstreams=[f"{one}:{stack.node_port}"])
        https = ("127.0.0.1", stack.https_port, True)
        results.append(await measure(stack, orgs, "B: nginx + PgBouncer (transaction) + 1 node", https, args, counter, trustees))
        stack.stop_nginx()
        stack.start_node(two)
        await stack.wait_ready(stack.node_base(two))
        stack.start_nginx()
        results.append(await measure(stack, orgs, "C: nginx + PgBouncer (transaction) + 2 nodes", https, args, counter, trustees))
        for host in (one, two):
            stack.stop_node(host)
        stack.stop_bouncer()
        stack.pool_mode = "session"
        stack.start_bouncer()
        for host in (one, two):
            stack.start_node(host)
            await stack.wait_ready(stack.node_base(host))
        results.append(await measure(stack, orgs, "D: nginx + PgBouncer (session) + 2 nodes", https, args, counter, trustees))
    finally:
        stack.stop()
    write_report(results, args)
    return 0


def write_report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=False).stdout.strip()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    lines = ["# The deployed portal: nginx + PgBouncer + nodes", "",
             f"`python bench/bench_deploy.py --orgs {args.orgs} --runs {args.runs} --seconds {args.seconds}` on "
             f"{time.strftime('%Y-%m-%d')} at commit {commit}: {os.cpu_count()} CPUs ({cpu}), Python "
             f"{platform.python_version()}, Debian's PostgreSQL 15, PgBouncer 1.18, nginx 1.22, all on this machine "
             "with the load generator. Each node is `portal serve --workers 1`. Medians of the runs.", "",
             "| configuration | list req/s | list p50 | list p99 | votes/s | vote p50 | vote p95 | 5xx | load |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        lines.append(f"| {r['name']} | {r['list_rps']:.0f} | {r['list_p50']:.1f} ms | {r['list_p99']:.1f} ms | "
                     f"{r['vote_votes_s']:.0f} | {r['vote_p50']:.0f} ms | {r['vote_p95']:.0f} ms | "
                     f"{r['vote_5xx'] + r['list_non2xx']:.0f} | {r['load']:.1f} |")
    out = ROOT / "bench" / "results" / "deploy.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--deadline", type=float, default=20 * 60)
    arguments = parser.parse_args()
    try:
        sys.exit(asyncio.run(asyncio.wait_for(main(arguments), arguments.deadline)))
    except TimeoutError:
        print(f"gave up after {arguments.deadline:.0f} s")
        sys.exit(2)
