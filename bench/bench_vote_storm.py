"""Vote storm: 10,000 padrón organizations voting over HTTP against `portal serve --workers 2`.

    .venv/bin/python bench/bench_vote_storm.py [--orgs 10000] [--clients 64]

Starts its own embedded PostgreSQL (pgserver) in a temporary folder, inserts the organizations,
representatives, padrón and candidates straight with SQL, starts `portal serve --workers 2` as a
subprocess on 127.0.0.1 with that DATABASE_URL, signs every representative in (before the timed
phase; PORTAL_ARGON2_PROFILE=test makes the server's argon2 cheap, as the test suite does), then:

1. storm: 64 concurrent clients cast one ballot per organization (POST step=cast), 20% of the
   organizations also retry after their receipt (each must get 409); votes/s and latency
   percentiles; afterwards sealed ballots = marked voters = distinct organizations and zero 5xx;
2. the same storm on a second election, with `pg_ctl restart -m fast` of the database half-way:
   requests that fail get an error page and are retried by their client; afterwards no ballot is
   lost or duplicated.

Ballots are sealed for two trustees (issue 15): each election has two trustees whose keys are in
before voting opens; the receipt page (the POST's 200 response) carries the tracking code, kept by
the client. After each storm the portal path of the count is timed once: the close (checkpoint,
sealed ballots published), both trustees' steps (made as `python -m elections trustee step` does,
uploaded through the portal's checks), the reveal, the tally, the allocation; then every receipt's
code must be among the revealed ballots, and the record must verify (`elections.audit`).

Loopback only; the whole run is bounded (--deadline, default 20 minutes) and stops by itself.
Figures are printed and written to bench/results/vote_storm.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "clave-de-la-tormenta-1"  # noqa: S105 (the throwaway accounts of a benchmark database)
SESSION = "participa_session"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_CODE = re.compile(rb'data-code="([0-9a-f]{64})"')


@dataclass
class Org:
    id: int
    email: str
    category: str
    cookie: str = ""
    csrf: str = ""
    receipts: int = 0


@dataclass
class Storm:
    """What one storm measured."""

    name: str
    latencies: list[float] = field(default_factory=list)     # first cast of each organization, seconds
    retry_latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)   # "first:303", "retry:409", "error:503", ...
    elapsed: float = 0.0
    receipts: int = 0
    retried_after_error: int = 0
    checks: dict[str, object] = field(default_factory=dict)
    restart_seconds: float | None = None
    codes: list[str] = field(default_factory=list)            # the tracking codes the receipt pages showed
    count_seconds: dict[str, float] = field(default_factory=dict)
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at the start and the end
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds used during the storm, by role
    rate: float | None = None  # ballots/s offered on a schedule (None: each client votes again at once)

    def count(self, key: str) -> None:
        self.statuses[key] = self.statuses.get(key, 0) + 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000 if ordered else 0.0


# ----- data -----

@dataclass
class Trustees:
    """The benchmark's two trustees (and the officer who counts): who they are, their private seeds."""

    people: list[object]
    officer: object
    seeds: dict[int, list[bytes]] = field(default_factory=dict)


async def seed(url: str, n: int, secret: str, count: int = 2) -> tuple[list[Org], list[int], dict[int, dict[str, list[int]]],
                                                                  Trustees]:
    """n approved organizations with one representative each; `count` elections open for voting (one per
    storm), each with two trustees whose keys are in and its public record opened."""
    from argon2 import PasswordHasher

    from portal import db as dbmod, migrate, rut
    from portal.elections_web import padron, queries as q
    from portal.security import CurrentUser

    await migrate.apply(url)
    pw_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    conn = await asyncpg.connect(url)
    regions = [("13", "13101"), ("05", "05101"), ("08", "08101"), ("09", "09101"), ("01", "01101")]
    orgs_rows, users_rows = [], []
    for i in range(n):
        body = 30_000_000 + i
        region, comuna = regions[i % len(regions)]
        orgs_rows.append((f"{body}-{rut.check_digit(body)}", f"Organización {i}", "asociacion", "ABC"[i % 3],
                          region, comuna, "approved"))
        users_rows.append((f"rep{i}@storm.cl", f"Representante {i}", pw_hash))
    await conn.copy_records_to_table("organizations", records=orgs_rows, columns=[
        "rut", "legal_name", "legal_form", "category", "region_code", "comuna_code", "status"])
    await conn.execute("UPDATE organizations SET approved_at = now() - interval '1 day', "
                       "vigencia_expires_on = current_date + 300")
    await conn.copy_records_to_table("users", records=users_rows, columns=["email", "name", "password_hash"])
    await conn.execute("UPDATE users SET email_verified_at = now()")
    await conn.execute(
        """INSERT INTO org_representatives (org_id, user_id, is_legal)
           SELECT o.id, u.id, true FROM organizations o
           JOIN users u ON u.email = 'rep' || substr(o.legal_name, 14) || '@storm.cl'""")
    rows = await conn.fetch(
        """SELECT o.id, u.email, o.category FROM organizations o JOIN org_representatives r ON r.org_id = o.id
           JOIN users u ON u.id = r.user_id ORDER BY o.id""")
    await conn.close()
    orgs = [Org(r["id"], r["email"], r["category"]) for r in rows]

    database = await dbmod.connect(url, 1, 2)
    people = []
    for i, role in enumerate(("ministro_de_fe", "election_officer", None)):
        uid = await database.fetch_val("INSERT INTO users (email, name, password_hash) VALUES (:e, :n, :p) RETURNING id",
                                       {"e": f"custodio{i}@storm.cl", "n": f"Custodio {i}", "p": pw_hash})
        if role:
            await database.execute("INSERT INTO user_roles (user_id, role) VALUES (:u, :r)", {"u": uid, "r": role})
        people.append(CurrentUser(id=uid, email=f"custodio{i}@storm.cl", name=f"Custodio {i}",
                                  roles=frozenset({role} if role else set())))
    trustees = Trustees([people[0], people[2]], people[1])
    today = date.today()
    elections, candidates = [], {}
    for name in [f"Tormenta {k + 1}" for k in range(count)]:
        eid = await q.create_election(database, {"name": name, "term_start": today, "term_end": today + timedelta(days=730),
                                                 "padron_cutoff": today})
        await padron.snapshot(database, eid, today)
        await padron.freeze(database, eid)
        candidates[eid] = {}
        for cat, k in (("A", 10), ("B", 6), ("C", 4)):
            entries = await padron.entries(database, eid, category=cat)
            candidates[eid][cat] = []
            for j, entry in enumerate(entries[: 2 * k]):
                cid = await q.save_candidate(database, eid, entry.org_id, cat, entry.region_code, {
                    "name": f"Candidatura {cat}{j}", "document_type": "passport", "document_number": f"S{j}",
                    "gender": "FMX"[j % 3], "bio": "Una reseña de la candidatura para la tormenta."})
                candidates[eid][cat].append(cid)
        await open_voting(database, eid, "tormenta", trustees, secret)
        elections.append(eid)
    await drain_reminders(database, secret)
    await database.disconnect()
    return orgs, elections, candidates, trustees


async def drain_reminders(database: Any, secret: str) -> int:
    """Send now the reminders that opening two elections made due (one email per organization), as the
    job runner would at the opening; otherwise its burst lands inside the timed storm, where it took
    a sixth of one worker's CPU (profiled): a one-off of the opening, not a cost of each vote."""
    from starlette.datastructures import Secret

    from portal.reminders import service, tasks
    from portal.settings import Settings
    from portal.txn import atomic

    settings, sent = Settings(secret_key=Secret(secret)), 0
    while True:
        async with atomic(database):
            counts = await service.run(database, settings, tasks.TIMING)
        sent += counts["sent"]
        if not counts["sent"]:
            print(f"reminders sent before the storm: {sent}", flush=True)
            return sent


# ----- HTTP with one session per organization over a few shared clients -----

class RawClient:
    """One keep-alive HTTP/1.1 connection that speaks just enough of the protocol for the timed votes.

    httpx spent as much CPU per request as the portal's workers (measured with /proc during a storm),
    on the same two cores, so the load generator was slowing the server it measured. This client
    sends a prebuilt request and reads the status line, the headers and a Content-Length (or chunked)
    body; any failure closes the connection (status 599) and the next request reconnects.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post_form(self, path: str, cookie: str, fields: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        body = urlencode(fields).encode()
        head = (f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nCookie: {SESSION}={cookie}\r\n"
                f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n")
        try:
            return await asyncio.wait_for(self._exchange(head.encode() + body), 30)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            await self.close()
            return 599, {}, b""

    async def _exchange(self, request: bytes) -> tuple[int, dict[str, str], bytes]:
        if self.reader is not None and self.reader.at_eof():
            await self.close()  # the server closed the idle connection, as a browser would notice
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(request)
        lines = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                headers[name] = f"{headers[name]}\n{value.strip()}" if name in headers else value.strip()
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                body += (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readuntil(b"\r\n")
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection") == "close":
            await self.close()
        return status, headers, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def open_voting(database: Any, eid: int, lottery_seed: str, trustees: Trustees, secret: str) -> None:
    """Candidates admissible, the sorteo fixed, two trustees with their keys, the public record opened,
    then voting open for the next three hours (what the officer and the ministro would have done)."""
    from portal.elections_web import demo

    await database.execute("UPDATE candidates SET status = 'admissible' WHERE election_id = :e", {"e": eid})
    await database.execute("UPDATE elections SET lottery_seed = :s, sorteo_fixed_at = now() WHERE id = :e",
                           {"e": eid, "s": lottery_seed})
    trustees.seeds[eid] = await demo.appoint_trustees(database, eid, trustees.officer, trustees.people)
    await demo.open_record(database, eid, secret)
    await database.execute(
        """UPDATE elections SET phase = 'voting_open', voting_starts_at = now() - interval '1 hour',
                  voting_ends_at = now() + interval '3 hours' WHERE id = :e""", {"e": eid})


def session_cookie(headers: dict[str, str]) -> str | None:
    """The new session cookie in a response's Set-Cookie headers, if any."""
    for line in headers.get("set-cookie", "").split("\n"):
        if line.startswith(f"{SESSION}="):
            return line[len(SESSION) + 1:].split(";", 1)[0]
    return None


async def request(client: httpx.AsyncClient, org: Org, method: str, url: str, **kw: object) -> httpx.Response:
    """One request in `org`'s session: its cookie sent explicitly, the client's jar kept empty."""
    headers = {"Cookie": f"{SESSION}={org.cookie}"} if org.cookie else {}
    response = await client.request(method, url, headers=headers, **kw)  # type: ignore[arg-type]
    new = response.cookies.get(SESSION)
    if new:
        org.cookie = new
    client.cookies.clear()
    return response


async def login(client: httpx.AsyncClient, org: Org, eid: int) -> None:
    page = await request(client, org, "GET", "/ingresar")
    token = _CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    r = await request(client, org, "POST", "/ingresar", data={"email": org.email, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303, f"login {org.email}: {r.status_code}"
    page = await request(client, org, "GET", f"/elecciones/{eid}/votar")
    org.csrf = _CSRF.search(page.text).group(1)  # type: ignore[union-attr]


async def run_pool(items: list[Org], clients: list, work) -> None:  # type: ignore[no-untyped-def,type-arg]
    queue: asyncio.Queue[Org] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)

    async def worker(client: object) -> None:
        while not queue.empty():
            await work(client, queue.get_nowait())

    await asyncio.gather(*[worker(c) for c in clients])


async def storm(orgs: list[Org], eid: int, cands: dict[str, list[int]], clients: list[RawClient],
                result: Storm, retry_share: float, restart: asyncio.Event | None = None) -> None:
    """Every organization casts its ballot over the clients' connections. Closed loop (result.rate None):
    a client sends its next ballot as soon as the last one is answered, which measures the most the
    portal can take (and makes latency = clients / throughput). Open loop (result.rate): ballot i is due
    at start + i / rate, whether or not the portal kept up, and its latency counts from that moment, so
    a queue building up shows in the latency instead of slowing the offered load."""
    rng = random.Random(eid)
    retriers = set(rng.sample([o.id for o in orgs], int(len(orgs) * retry_share)))
    done = 0
    sequence = itertools.count()

    async def cast(client: RawClient, org: Org) -> tuple[int, float]:
        options = cands[org.category]
        choice = "blank" if rng.random() < 0.1 else str(rng.choice(options))
        start = time.perf_counter()
        status, headers, body = await client.post_form(f"/elecciones/{eid}/votar", org.cookie,
                                                        {"csrf_token": org.csrf, "step": "cast", "choice": choice})
        seconds = time.perf_counter() - start
        if status == 200:  # the receipt page, shown once: the client keeps the code
            found = _CODE.search(body)
            assert found, "a receipt page without its tracking code"
            result.codes.append(found.group(1).decode())
        org.cookie = session_cookie(headers) or org.cookie
        return status, seconds

    async def vote(client: RawClient, org: Org) -> None:
        nonlocal done
        due = None
        if result.rate:
            due = start + next(sequence) / result.rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
        for attempt in range(60):
            status, seconds = await cast(client, org)
            if attempt == 0:
                result.latencies.append(seconds if due is None else time.perf_counter() - due)
            result.count(f"{'first' if attempt == 0 else 'after-error'}:{status}")
            if status in (200, 409):
                break
            result.retried_after_error += 1
            await asyncio.sleep(0.25 + 0.25 * rng.random())  # a person clicking again after an error page
        if status == 200:
            org.receipts += 1
        done += 1
        if restart is not None and done == len(orgs) // 2:
            restart.set()
        if org.id in retriers:
            status, seconds = await cast(client, org)
            result.retry_latencies.append(seconds)
            result.count(f"retry:{status}")
            if status == 200:
                org.receipts += 1

    start, load0 = time.perf_counter(), os.getloadavg()[0]
    await run_pool(orgs, clients, vote)
    result.elapsed = time.perf_counter() - start
    result.load = (load0, os.getloadavg()[0])
    result.receipts = sum(1 for o in orgs if o.receipts)


async def vote_cost(orgs: list[Org], eid: int, cands: dict[str, list[int]], client: RawClient,
                    server_pid: int) -> None:
    """--cost: votes one at a time on one connection (no contention), then a second vote of each (409);
    the CPU of each process role per request (ms), to compare changes on a noisy machine."""
    for label, expected in (("first vote (200)", 200), ("second vote (409)", 409)):
        before, start = cpu_seconds(server_pid), time.perf_counter()
        for org in orgs:
            fields = {"csrf_token": org.csrf, "step": "cast", "choice": str(cands[org.category][0])}
            status, headers, _body = await client.post_form(f"/elecciones/{eid}/votar", org.cookie, fields)
            assert status == expected, f"{label}: {status}"
            org.cookie = session_cookie(headers) or org.cookie
        wall, used = time.perf_counter() - start, cpu_used(before, cpu_seconds(server_pid))
        shares = ", ".join(f"{role} {1000 * sec / len(orgs):.2f}" for role, sec in sorted(used.items()))
        print(f"{label}: {len(orgs)} requests, {1000 * wall / len(orgs):.2f} ms each; CPU ms per request: {shares}",
              flush=True)


async def check_counts(url: str, eid: int, orgs: list[Org], result: Storm) -> None:
    conn = await asyncpg.connect(url)
    row = await conn.fetchrow(
        """SELECT (SELECT count(*) FROM sealed_ballots WHERE election_id = $1) AS ballots,
                  (SELECT count(*) FROM voters WHERE election_id = $1) AS voters,
                  (SELECT count(DISTINCT org_id) FROM voters WHERE election_id = $1) AS orgs""", eid)
    await conn.close()
    result.checks.update(ballots=row["ballots"], voters=row["voters"], distinct_orgs=row["orgs"],
                         double_receipts=sum(1 for o in orgs if o.receipts > 1))


async def count_sealed(url: str, eid: int, trustees: Trustees, result: Storm) -> None:
    """The portal path of the count, timed: close, both trustees' steps (made and uploaded through the
    portal's checks), reveal + tally + allocation; then every receipt's code among the revealed ballots
    and the whole record verified."""
    import json

    from elections.audit import check_record
    from portal import db as dbmod
    from portal.elections_web import demo, record_queries, workflow

    database = await dbmod.connect(url, 1, 2)
    try:
        await database.execute("UPDATE elections SET voting_ends_at = now() - interval '1 second' WHERE id = :e",
                               {"e": eid})
        t0 = time.perf_counter()
        await workflow.transition(database, eid, "voting_closed", trustees.officer)
        t1 = time.perf_counter()
        await demo.play_trustees(database, eid, trustees.seeds[eid], trustees.people)
        t2 = time.perf_counter()
        await workflow.transition(database, eid, "tallied", trustees.officer)
        t3 = time.perf_counter()
        codes = {r["tracking_code"] for r in await database.fetch_all(
            "SELECT tracking_code FROM ballots WHERE election_id = :e", {"e": eid})}
        events = [json.loads(e) async for e in record_queries.stream_events(database, eid)]
    finally:
        await database.disconnect()
    t4 = time.perf_counter()
    report = check_record({"format": "cosoc-record/1", "election_id": str(eid), "events": events})
    result.count_seconds = {"close": t1 - t0, "trustee steps (made + checked)": t2 - t1,
                            "reveal + tally + allocation": t3 - t2, "verify the record": time.perf_counter() - t4}
    result.checks.update(receipts_checked=len(result.codes), receipts_missing_from_ballots=len(set(result.codes) - codes),
                         revealed=len(codes), record_verifies=report.ok)


# ----- the server and the database -----

def start_server(url: str, port: int, folder: Path, pool: int, secret: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "PORTAL_ARGON2_PROFILE": "test", "PORTAL_DATA_DIR": str(folder),
           "PORTAL_SECRET_KEY": secret, "PORTAL_DB_MAX": str(pool), "PORTAL_ENV": "development"}
    log = open(folder / "server.log", "wb")
    return subprocess.Popen([sys.executable, "-m", "portal.cli", "serve", "--workers", "2", "--port", str(port),
                             "--no-access-log", "--log-level", "warning"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


async def wait_up(base: str, deadline: float = 120) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            try:
                if (await client.get("/salud")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError("the server did not come up")


def restart_database(server: object) -> float:
    """pg_ctl restart -m fast of the pgserver data folder, as pgserver runs pg_ctl (as its OS user)."""
    from pgserver._commands import pg_ctl

    start = time.perf_counter()
    pg_ctl(["-w", "-m", "fast", "-l", str(server.log), "restart"], pgdata=server.pgdata,  # type: ignore[attr-defined]
           user=server.system_user, timeout=120)  # type: ignore[attr-defined]
    POSTMASTER[:] = [postmaster_pid(Path(server.pgdata))]  # type: ignore[attr-defined]
    return time.perf_counter() - start


CLIENTS: list[int] = [64]  # --clients, for the report
POSTMASTER: list[int] = []  # this run's PostgreSQL (postmaster.pid): other servers on the machine are not counted


def postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().split()[0])


def cpu_seconds(server_pid: int) -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each process of the run, by role: the load generator (this process),
    the portal (the server's process group) and this run's PostgreSQL (its postmaster and backends);
    from /proc (empty where there is none)."""
    tick, found = os.sysconf("SC_CLK_TCK"), {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            comm, rest = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = rest.split()
        pid, name, parent = int(entry.name), comm.split("(", 1)[1], int(fields[1])
        ours = pid in POSTMASTER or parent in POSTMASTER
        role = ("load generator" if pid == os.getpid() else "portal workers" if int(fields[2]) == server_pid
                else "PostgreSQL" if name == "postgres" and ours else None)
        if role:
            found[pid] = (role, (int(fields[11]) + int(fields[12])) / tick)
    return found


def cpu_used(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds by role between two snapshots (processes that ended in between are not counted)."""
    used: dict[str, float] = {}
    for pid, (role, seconds) in after.items():
        used[role] = used.get(role, 0.0) + seconds - before.get(pid, (role, 0.0))[1]
    return used


def stop_database(server: object) -> int:
    """Stop the run's PostgreSQL and delete its data folder; returns how many of its processes are left.

    pgserver's own clean-up at exit only stops the postmaster it started, and the restart in storm 2
    replaced it, so without this every run would leave a server running."""
    from pgserver._commands import pg_ctl

    pgdata = str(server.pgdata)  # type: ignore[attr-defined]
    with contextlib.suppress(subprocess.CalledProcessError):
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user,  # type: ignore[attr-defined]
               timeout=60)
    left = 0
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            left += pgdata in (entry / "cmdline").read_bytes().decode(errors="replace")
    if not left:
        shutil.rmtree(pgdata, ignore_errors=True)
    return left


# ----- report -----

def describe(s: Storm, n: int) -> list[str]:
    first_ok = s.statuses.get("first:200", 0)
    errors_5xx = sum(v for k, v in s.statuses.items() if re.search(r":5\d\d$", k))
    lines = [f"### {s.name}", "",
             f"- organizations: {n}; first-attempt receipts: {first_ok}; organizations with a receipt: {s.receipts}",
             *([f"- offered: **{s.rate:.0f} ballots/s** on a schedule (open loop; latency counted from each "
                f"ballot's due time), over {CLIENTS[0]} connections"] if s.rate else
               [f"- closed loop: {CLIENTS[0]} clients, each sending its next ballot as soon as the last is answered"]),
             f"- storm wall time: {s.elapsed:.1f} s → **{n / s.elapsed:.0f} votes/s** (every organization's ballot, "
             f"retries included in the time)",
             f"- first cast latency: p50 {pct(s.latencies, 50):.0f} ms, **p95 {pct(s.latencies, 95):.0f} ms**, "
             f"p99 {pct(s.latencies, 99):.0f} ms, max {pct(s.latencies, 100):.0f} ms",
             f"- retries after a receipt: {len(s.retry_latencies)}, all refused with 409: "
             f"{s.statuses.get('retry:409', 0) == len(s.retry_latencies)} (p95 {pct(s.retry_latencies, 95):.0f} ms)",
             f"- responses: {dict(sorted(s.statuses.items()))}",
             f"- 5xx responses (and 599 = no answer): {errors_5xx}; requests retried after an error: {s.retried_after_error}",
             f"- machine load (1-minute load average on {os.cpu_count()} CPUs, whole machine): "
             f"{s.load[0]:.1f} at the start, {s.load[1]:.1f} at the end"]
    if s.cpu:
        ended = " (without the PostgreSQL backends the restart ended)" if s.restart_seconds is not None else ""
        lines.append(f"- CPU used during the storm, of {os.cpu_count() * s.elapsed:.0f} s available{ended}: "
                     + ", ".join(f"{role} {s.cpu[role]:.1f} s" for role in sorted(s.cpu)))
    if s.restart_seconds is not None:
        lines.append(f"- database restart (pg_ctl restart -m fast, half-way): {s.restart_seconds:.1f} s")
    if s.count_seconds:
        total = sum(v for k, v in s.count_seconds.items() if k != "verify the record")
        lines.append(f"- the count's portal path for {s.checks.get('revealed')} sealed ballots, 2 trustees: "
                     + ", ".join(f"{k} {v:.1f} s" for k, v in s.count_seconds.items())
                     + f"; close + steps + count **{total:.1f} s**")
    lines.append(f"- afterwards: {s.checks}")
    return [*lines, ""]


async def count_only(url: str, orgs: list[Org], eid: int, cands: dict[str, list[int]], secret: str,
                     trustees: Trustees) -> int:
    """--count-only: the ballots cast in-process (no HTTP), then the count's portal path timed once."""
    from portal import db as dbmod
    from portal.elections_web import vote

    database = await dbmod.connect(url, 2, 10)
    rng = random.Random(eid)
    result = Storm("Count only")
    t0 = time.perf_counter()
    try:
        async def one(org: Org) -> None:
            choice = None if rng.random() < 0.1 else rng.choice(cands[org.category])
            result.codes.append((await vote.cast_vote(database, eid, org.id, choice, secret=secret)).tracking_code)

        for start in range(0, len(orgs), 200):
            await asyncio.gather(*[one(o) for o in orgs[start:start + 200]])
    finally:
        await database.disconnect()
    print(f"{len(orgs)} sealed ballots cast in-process in {time.perf_counter() - t0:.1f} s", flush=True)
    await count_sealed(url, eid, trustees, result)
    total = sum(v for k, v in result.count_seconds.items() if k != "verify the record")
    print(", ".join(f"{k} {v:.1f} s" for k, v in result.count_seconds.items()) + f"; close + steps + count {total:.1f} s")
    print(f"afterwards: {result.checks}")
    ok = result.checks.get("revealed") == len(orgs) and not result.checks.get("receipts_missing_from_ballots")
    print("OK" if ok and result.checks.get("record_verifies") else "INVARIANT BROKEN")
    return 0 if ok else 1


async def main(args: argparse.Namespace) -> int:
    import pgserver

    folder = Path(tempfile.mkdtemp(prefix="vote-storm-"))
    server = pgserver.get_server(folder / "pgdata", cleanup_mode="stop")
    url = server.get_uri()
    POSTMASTER[:] = [postmaster_pid(folder / "pgdata")]
    t0 = time.perf_counter()
    secret = secrets.token_urlsafe(32)  # the server's PORTAL_SECRET_KEY: the sealing keys derive from it
    orgs, elections, candidates, trustees = await seed(url, args.orgs, secret, 3 if args.rate else 2)
    print(f"seeded {len(orgs)} organizations, {len(elections)} elections in {time.perf_counter() - t0:.1f} s",
          flush=True)
    if args.count_only:
        try:
            return await count_only(url, orgs, elections[0], candidates[elections[0]], secret, trustees)
        finally:
            print(f"database stopped, its processes left: {stop_database(server)}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(url, port, folder, args.pool, secret)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(base_url=base, limits=limits, timeout=30) for _ in range(args.clients)]
    voters = [RawClient("127.0.0.1", port) for _ in range(args.clients)]
    storms: list[Storm] = []
    try:
        await wait_up(base)
        t0 = time.perf_counter()
        await run_pool(orgs, clients, lambda c, o: login(c, o, elections[0]))
        print(f"signed in {len(orgs)} representatives in {time.perf_counter() - t0:.1f} s", flush=True)
        if args.cost:
            await vote_cost(orgs[:args.cost], elections[0], candidates[elections[0]], voters[0], proc.pid)
            return 0

        plans = [("Storm 1: steady database, closed loop", None, False)]
        if args.rate:
            plans.append((f"Storm 2: steady database, {args.rate:.0f} ballots/s offered", args.rate, False))
        plans.append((f"Storm {len(plans) + 1}: database restarted half-way", None, True))
        for k, (name, rate, restarting) in enumerate(plans):
            for o in orgs:
                o.receipts = 0
            result = Storm(name, rate=rate)
            await run_storm(result, server if restarting else None, proc.pid, url, orgs, elections[k],
                            candidates[elections[k]], voters, trustees, args.retry_share)
            storms.append(result)
            print("\n".join(describe(result, len(orgs))), flush=True)
    finally:
        for c in clients:
            await c.aclose()
        for v in voters:
            await v.close()
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        left = stop_database(server)
        print(f"server log: {folder / 'server.log'}; database stopped, its processes left: {left}")
    if not args.no_write:
        write_report(storms, len(orgs), args)
    ok = all(s.checks.get("ballots") == s.checks.get("voters") == s.checks.get("distinct_orgs") == len(orgs)
             and not s.checks.get("double_receipts") and not s.checks.get("receipts_missing_from_ballots")
             and s.checks.get("revealed") == len(orgs) and s.checks.get("record_verifies") for s in storms)
    steady = [s for s in storms if s.restart_seconds is None]
    ok = ok and not any(re.search(r":5\d\d$", k) for s in steady for k in s.statuses) and not left
    print("OK" if ok else "INVARIANT BROKEN")
    return 0 if ok else 1


async def run_storm(result: Storm, server: object | None, server_pid: int, url: str, orgs: list[Org], eid: int,
                    cands: dict[str, list[int]], voters: list[RawClient], trustees: Trustees,
                    retry_share: float) -> None:
    """One storm on its own election (with `server`: restarted half-way), then its checks and its count."""
    restart = asyncio.Event() if server is not None else None

    async def restarter() -> None:
        assert restart is not None
        await restart.wait()
        result.restart_seconds = await asyncio.to_thread(restart_database, server)
        print(f"database restarted in {result.restart_seconds:.1f} s", flush=True)

    task = asyncio.create_task(restarter()) if restart is not None else None
    cpu0 = cpu_seconds(server_pid)
    await storm(orgs, eid, cands, voters, result, retry_share, restart)
    if task is not None:
        await task
    result.cpu = cpu_used(cpu0, cpu_seconds(server_pid))
    await check_counts(url, eid, orgs, result)
    await count_sealed(url, eid, trustees, result)


def write_report(storms: list[Storm], n: int, args: argparse.Namespace) -> None:
    pg = subprocess.run(["uname", "-srm"], check=False, capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], check=False, cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    lines = ["# Vote storm", "",
             f"`python bench/bench_vote_storm.py --orgs {n} --clients {args.clients} --rate {args.rate:.0f} "
             f"--pool {args.pool}` "
             f"on {time.strftime('%Y-%m-%d')} "
             f"at commit {commit}: {os.cpu_count()} CPUs ({pg}), Python {platform.python_version()}. The load generator, "
             f"`portal serve --workers 2` (uvicorn, one SO_REUSEPORT socket per worker, PORTAL_DB_MAX={args.pool} "
             "connections per worker) and the embedded "
             "PostgreSQL (pgserver) share the same machine, over 127.0.0.1.",
             "",
             f"Each of the {args.clients} clients is one keep-alive HTTP/1.1 connection that votes for a queue of "
             "organizations, each in that organization's own signed-in session (sign-in done before the timed "
             "phase with httpx, with PORTAL_ARGON2_PROFILE=test). The timed requests use a minimal asyncio HTTP "
             "client (`RawClient`), because httpx used as much CPU as the portal's workers on the shared cores. "
             "A vote is the final `POST /elecciones/{id}/votar` (step=cast); "
             f"{int(args.retry_share * 100)}% of the organizations post it again after their receipt and must "
             "get 409. Targets: ≥ 300 votes/s, p95 < 200 ms, zero 5xx; ballots = marked voters = distinct "
             "organizations.", "",
             "Two ways to load the portal. *Closed loop*: each client sends its next ballot as soon as the last "
             "is answered; this finds the most the portal takes, and its latency is, by Little's law, the number "
             f"of clients divided by the throughput ({args.clients} clients at 300 votes/s is 213 ms on average, "
             "whatever the portal does). *Open loop*: the ballots are due on a schedule (the offered rate), as "
             "people arrive, and each one's latency counts from its due time, queueing included; this says how "
             "fast a vote is answered while the portal takes 300 a second.", ""]
    for s in storms:
        lines += describe(s, n)
    lines += ["In the restart storm, requests that hit the restart get the error page (no receipt) and their client "
              "posts again, as a person would; `after-error:409` counts organizations whose ballot had in fact "
              "been committed before the error (recorded once, never twice). Ballots are sealed for two "
              "trustees; every receipt page's tracking code was found among the ballots the trustees' steps "
              "revealed at the count, and the election's public record verified.", ""]
    out = ROOT / "bench" / "results" / "vote_storm.md"
    out.write_text("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--rate", type=float, default=300, help="ballots/s offered in the open-loop storm "
                        "(0: no open-loop storm)")
    parser.add_argument("--retry-share", type=float, default=0.2)
    parser.add_argument("--pool", type=int, default=10, help="PORTAL_DB_MAX: database connections per worker "
                        "(10, the portal's default)")
    parser.add_argument("--no-write", action="store_true", help="print the figures only (smoke runs)")
    parser.add_argument("--cost", type=int, default=0, metavar="N", help="no storm: N votes one at a time, then "
                        "their second attempts; prints the CPU per request of the portal and of PostgreSQL")
    parser.add_argument("--count-only", action="store_true", help="no HTTP storm: cast the ballots in-process, "
                        "then time the count's portal path (close, trustees' steps, reveal, tally) once")
    parser.add_argument("--deadline", type=float, default=20 * 60, help="seconds before the run gives up")
    arguments = parser.parse_args()
    CLIENTS[:] = [arguments.clients]
    try:
        sys.exit(asyncio.run(asyncio.wait_for(main(arguments), arguments.deadline)))
    except TimeoutError:
        print(f"gave up after {arguments.deadline:.0f} s")
        sys.exit(2)
