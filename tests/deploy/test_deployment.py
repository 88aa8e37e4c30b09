"""The deployment test (issue 14): Debian's PostgreSQL, PgBouncer (transaction pooling) and nginx from
deploy/, two `portal serve` nodes on 127.0.0.2 and 127.0.0.3 with PORTAL_ENV=production; then through
nginx over HTTPS: sign-in, a registry submission and approval, and a vote storm during which one node
is killed and PgBouncer restarted; afterwards the counts, the statuses, sessions across nodes, and a
backup restored into a fresh database.

Run by deploy/test/run.sh (which installs the packages and sets PORTAL_DEPLOY_TEST=1); skipped in the
ordinary test run, and where the machine lacks root or the packages.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.datastructures import Secret

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "registry"))

import deploy_stack  # noqa: E402
from deploy_stack import Stack  # noqa: E402

if not os.environ.get("PORTAL_DEPLOY_TEST"):
    pytest.skip("the deployment test runs from deploy/test/run.sh", allow_module_level=True)
if deploy_stack.missing() and not os.environ.get("CI"):
    pytest.skip(f"this machine lacks {deploy_stack.missing()}", allow_module_level=True)

import bench_vote_storm as storm_lib  # noqa: E402

ORGS = int(os.environ.get("PORTAL_DEPLOY_ORGS", "300"))
CLIENTS = 24
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Timeline:
    """Every storm answer with its time, and the window in which failures are expected."""

    answers: list[tuple[float, int]] = field(default_factory=list)
    window: tuple[float, float] = (0.0, 0.0)

    def outside(self) -> list[tuple[float, int]]:
        start, end = self.window
        return [(t, s) for t, s in self.answers if s >= 500 and not start <= t <= end]


class TlsVoter(storm_lib.RawClient):
    """bench_vote_storm's minimal keep-alive client over TLS, recording when each answer came."""

    def __init__(self, host: str, port: int, timeline: Timeline) -> None:
        super().__init__(host, port)
        self.timeline = timeline

    async def post_form(self, path: str, cookie: str, fields: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if self.reader is not None and self.reader.at_eof():
            await self.close()  # nginx closed the idle connection: reconnect over TLS, not plain
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port, ssl=deploy_stack.tls_context())
        answer = await super().post_form(path, cookie, fields)
        self.timeline.answers.append((time.monotonic(), answer[0]))
        return answer


def http(stack: Stack, local: str | None = None) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(verify=False, local_address=local)  # (self-signed certificate, loopback)
    return httpx.AsyncClient(base_url=stack.base, transport=transport, timeout=30)


@pytest.fixture(scope="module")
def stack() -> Any:
    built = Stack()
    try:
        built.start_postgres()
        migrated = built.portal("migrate")
        assert migrated.returncode == 0, migrated.stderr
        yield built
    finally:
        built.stop(keep=bool(os.environ.get("PORTAL_DEPLOY_KEEP")))


def test_the_stack(stack: Stack) -> None:
    asyncio.run(asyncio.wait_for(_scenario(stack), 540))


async def _scenario(stack: Stack) -> None:
    # the nodes' PORTAL_SECRET_KEY: the portal's sealing key derives from it (docs/ballot-secrecy.md, Keys)
    orgs, elections, candidates, trustees = await storm_lib.seed(stack.owner_url(), ORGS, stack.secret)
    people = await _people(stack)
    stack.start_bouncer()
    for host in stack.node_hosts:
        stack.start_node(host)
    for host in stack.node_hosts:
        await stack.wait_ready(stack.node_base(host))
    stack.start_nginx()
    await stack.wait_ready(stack.base)
    await _edge(stack)
    cookie = await _registry_flow(stack, people)
    await _same_session_on_every_node(stack, cookie)
    timeline, result = await _storm(stack, orgs, elections[0], candidates[elections[0]])
    await _after_storm(stack, orgs, elections[0], timeline, result, trustees)
    stack.start_node(stack.node_hosts[0])
    await stack.wait_ready(stack.node_base(stack.node_hosts[0]))
    await _same_session_on_every_node(stack, cookie)
    await _backup_restores(stack)


async def _people(stack: Stack) -> dict[str, str]:
    from factories import TEST_PASSWORD, create_user
    from portal import db as dbmod

    db = await dbmod.connect(stack.owner_url(), 1, 2)
    try:
        await create_user(db, "representante@deploy.cl", name="María Pérez Soto")
        await create_user(db, "revisora@deploy.cl", roles=["reviewer"])
    finally:
        await db.disconnect()
    return {"rep": "representante@deploy.cl", "staff": "revisora@deploy.cl", "password": TEST_PASSWORD}


async def _edge(stack: Stack) -> None:
    """TLS with HTTP/2 offered, hashed static files from disk with a year's cache and gzip, the request
    id passed on and logged, /metrics closed at the edge but open to the node's allowed address, and
    the per-address limit on /ingresar."""
    context = deploy_stack.tls_context()
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", stack.https_port)) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        assert tls.selected_alpn_protocol() == "h2"
    async with http(stack) as client:
        home = await client.get("/", headers={"X-Request-ID": "deploytest-0001"})
        assert home.status_code == 200 and home.headers["x-request-id"] == "deploytest-0001"
        assert "strict-transport-security" in home.headers  # PORTAL_ENV=production
        css = re.search(r'/static/css/portal\.[0-9a-f]{12}\.css', home.text)
        assert css, "the page links its stylesheet by its hashed name"
        static = await client.get(css.group(0), headers={"Accept-Encoding": "gzip"})
        assert static.status_code == 200 and "immutable" in static.headers["cache-control"]
        assert static.headers.get("content-encoding") == "gzip" and "x-request-id" not in static.headers  # from disk
        assert (await client.get("/metrics")).status_code == 404
    logs = "".join((stack.folder / f"node-{h}.log").read_text() for h in stack.node_hosts)
    assert '"request_id":"deploytest-0001"' in logs and '"route":"/"' in logs
    async with httpx.AsyncClient(base_url=stack.node_base(stack.node_hosts[0])) as node:
        metrics = await node.get("/metrics")
        assert metrics.status_code == 200 and "portal_http_requests_total" in metrics.text
    async with http(stack, local="127.0.9.1") as client:
        statuses = [(await client.get("/ingresar")).status_code for _ in range(45)]
    assert 429 in statuses and statuses[0] == 200


class Person:
    """A browser through nginx: the session cookie and the CSRF token (tests/conftest.py's Client's API)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.http = client

    async def token(self) -> str:
        return _CSRF.search((await self.http.get("/cuenta/recuperar")).text).group(1)  # type: ignore[union-attr]

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.get(url, **kw)

    async def post(self, url: str, data: Any = None, files: Any = None, **kw: Any) -> httpx.Response:
        items = list(data.items()) if isinstance(data, dict) else list(data or [])
        items.append(("csrf_token", await self.token()))
        form: dict[str, Any] = {}
        for key, value in items:
            form.setdefault(key, []).append(value)
        return await self.http.post(url, data={k: v if len(v) > 1 else v[0] for k, v in form.items()}, files=files, **kw)

    async def login(self, email: str, password: str) -> None:
        signed = await self.post("/ingresar", {"email": email, "password": password})
        assert signed.status_code == 303
        if signed.headers["location"].startswith("/ingresar/segundo-factor"):
            await self._second_factor()

    async def _second_factor(self) -> None:
        """A staff member's first sign-in enrols the second factor: read the key as a person would
        type it into an app, answer with the current code (docs/security.md, Second factor)."""
        import html

        import pyotp

        page = await self.get("/ingresar/segundo-factor")
        secret = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', html.unescape(page.text))
        assert secret, "the enrolment page shows the key"
        code = pyotp.TOTP(secret.group(1).replace(" ", "")).now()
        done = await self.post("/ingresar/segundo-factor", {"code": code})
        assert done.status_code == 303, done.status_code
        if done.headers["location"].endswith("/codigos"):
            await self.get(done.headers["location"])  # the recovery codes, shown once


async def _registry_flow(stack: Stack, people: dict[str, str]) -> str:
    """Sign-in, registration, documents, submission; a reviewer takes and approves it. Returns the
    representative's session cookie."""
    from registry_helpers import org_form, upload_all

    async with http(stack, local="127.0.8.1") as rep_http, http(stack, local="127.0.8.2") as staff_http:
        rep, staff = Person(rep_http), Person(staff_http)
        await rep.login(people["rep"], people["password"])
        made = await rep.post("/mi-organizacion/inscribir", org_form(legal_name="Fundación Despliegue"))
        assert made.status_code == 303, made.text[:500]
        await upload_all(rep, "B")
        assert (await rep.post("/mi-organizacion/enviar")).status_code == 303
        await staff.login(people["staff"], people["password"])
        queue = await staff.get("/staff/registro")
        org_id = re.search(r'/staff/registro/(\d+)"', queue.text).group(1)  # type: ignore[union-attr]
        assert (await staff.post(f"/staff/registro/{org_id}/tomar")).status_code == 303
        assert (await staff.post(f"/staff/registro/{org_id}/aprobar")).status_code == 303
        assert "Fundación Despliegue" in (await rep.get(f"/organizaciones/{org_id}")).text
        return str(rep_http.cookies.get(storm_lib.SESSION))


async def _same_session_on_every_node(stack: Stack, cookie: str) -> None:
    for host in stack.node_hosts:
        async with httpx.AsyncClient(base_url=stack.node_base(host)) as node:
            page = await node.get("/mi-organizacion", headers={"Cookie": f"{storm_lib.SESSION}={cookie}",
                                                               "X-Forwarded-Proto": "https"})
            assert page.status_code == 200 and "Fundación Despliegue" in page.text, (host, page.status_code)


async def _storm(stack: Stack, orgs: list[Any], eid: int, cands: dict[str, list[int]]) -> tuple[Timeline, Any]:
    """Sign every representative in through nginx (from many local addresses, under the sign-in limit),
    then the storm; half-way, node 1 is killed and PgBouncer restarted."""
    clients = [http(stack, local=f"127.0.{10 + i // 200}.{1 + i % 200}") for i in range(64)]
    try:
        await storm_lib.run_pool(orgs, clients, lambda c, o: storm_lib.login(c, o, eid))
    finally:
        for c in clients:
            await c.aclose()
    timeline = Timeline()
    voters: list[storm_lib.RawClient] = [TlsVoter("127.0.0.1", stack.https_port, timeline) for _ in range(CLIENTS)]
    half = asyncio.Event()
    result = storm_lib.Storm("deployment")

    async def havoc() -> None:
        await half.wait()
        start = time.monotonic()
        stack.kill_node(stack.node_hosts[0])
        await asyncio.to_thread(stack.restart_bouncer)
        timeline.window = (start - 0.5, time.monotonic() + 10)

    task = asyncio.create_task(havoc())
    await storm_lib.storm(orgs, eid, cands, voters, result, 0.2, half)
    await task
    for v in voters:
        await v.close()
    print("\n".join(storm_lib.describe(result, len(orgs))))
    return timeline, result


async def _after_storm(stack: Stack, orgs: list[Any], eid: int, timeline: Timeline, result: Any,
                       trustees: Any) -> None:
    """The receipt is the answer to the vote's POST (the storm kept each code it showed); the session keeps
    nothing of it. After the close, both trustees' steps and the count, every code shown is among the
    revealed ballots and the public record verifies (docs/ballot-secrecy.md)."""
    import asyncpg

    assert timeline.outside() == [], f"5xx outside the kill/restart window: {timeline.outside()[:10]}"
    async with http(stack, local="127.0.7.1") as client:
        later = await client.get(f"/elecciones/{eid}/comprobante", headers={"Cookie": f"{storm_lib.SESSION}={orgs[0].cookie}"})
        assert later.status_code == 200 and "data-code" not in later.text, "the receipt is shown only once"
    conn = await asyncpg.connect(stack.owner_url())
    try:
        sealed = await conn.fetchval("SELECT count(*) FROM sealed_ballots WHERE election_id = $1", eid)
        voters = await conn.fetchval("SELECT count(*) FROM voters WHERE election_id = $1", eid)
    finally:
        await conn.close()
    # Every organization voted once and saw its receipt (tracking code), except at most those whose vote
    # committed while its answer was lost (the node killed mid-request, PgBouncer restarted after the
    # commit): posting again they were told 409, already voted.
    lost = result.statuses.get("after-error:409", 0)
    codes = set(result.codes)
    assert sealed == voters == len(orgs), (sealed, voters, len(orgs))
    assert len(codes) == len(result.codes), "a tracking code shown twice"
    assert len(orgs) - lost <= len(codes) <= len(orgs), (len(codes), lost)
    await storm_lib.count_sealed(stack.owner_url(), eid, trustees, result)
    assert result.checks["revealed"] == len(orgs), result.checks
    assert result.checks["receipts_missing_from_ballots"] == 0, result.checks
    assert result.checks["record_verifies"], result.checks


async def _backup_restores(stack: Stack) -> None:
    folder = Path(tempfile.mkdtemp(prefix="participa-backup-"))
    taken = stack.portal("backup", str(folder / "after-storm"))
    assert taken.returncode == 0, taken.stderr
    restored_url = stack.create_database("participa_restored")
    env = {**stack.node_env(stack.node_hosts[1]), "MIGRATION_DATABASE_URL": restored_url,
           "DATABASE_URL": stack.app_url(via_bouncer=False).replace("/participa", "/participa_restored")}
    refused = stack.portal("restore", str(folder / "after-storm"))  # into the live, non-empty database
    assert refused.returncode == 1 and "not empty" in refused.stderr
    done = stack.portal("restore", str(folder / "after-storm"), env=env)
    assert done.returncode == 0 and "OK:" in done.stdout, done.stdout + done.stderr
    audit = stack.portal("audit", "verify", env=env)
    assert audit.returncode == 0 and audit.stdout.startswith("OK"), audit.stdout + audit.stderr
    await _restored_works(env)


async def _restored_works(env: dict[str, str]) -> None:
    """On the restored database: every frozen padrón's hash recomputed from its rows, and a sign-in."""
    from factories import TEST_PASSWORD
    from portal import db as dbmod
    from portal.app import create_app
    from portal.elections_web import padron
    from portal.settings import Settings

    owner = await dbmod.connect(env["MIGRATION_DATABASE_URL"], 1, 2)
    try:
        for row in await owner.fetch_all("SELECT id, padron_sha256 FROM elections WHERE padron_sha256 IS NOT NULL"):
            text = padron.canonical_text(row["id"], await padron.entries(owner, row["id"]))
            assert padron.sha256(text) == row["padron_sha256"]
    finally:
        await owner.disconnect()
    settings = Settings(database_url=env["DATABASE_URL"], migration_database_url=env["MIGRATION_DATABASE_URL"],
                        environment="test", data_dir=Path(tempfile.mkdtemp(prefix="participa-restored-")),
                        secret_key=Secret(env["PORTAL_SECRET_KEY"]), anchor_every_hours=0)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            person = Person(client)
            await person.login("representante@deploy.cl", TEST_PASSWORD)
            assert (await client.get("/mi-organizacion")).status_code == 200
