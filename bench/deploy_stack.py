"""A production-shaped stack on this machine, from Debian's packages and deploy/: PostgreSQL (its own
cluster in a temporary folder, run by the `postgres` user), PgBouncer, `portal serve` nodes on their own
loopback addresses, and nginx with a self-signed certificate in front. Used by the deployment test
(tests/deploy, run by deploy/test/run.sh) and by bench/bench_deploy.py. Loopback addresses only.

Needs root (to run PostgreSQL and PgBouncer as `postgres` and nginx's workers as www-data) and
`apt-get install postgresql pgbouncer nginx-light openssl`; `missing()` says what is not there.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
PYTHON = sys.executable
# Sizes for a test on a small shared machine (they override deploy/postgresql/portal.conf).
PG_TEST_OVERRIDES = """
shared_buffers = 128MB
effective_cache_size = 1GB
max_wal_size = 1GB
min_wal_size = 80MB
archive_mode = off
log_min_duration_statement = -1
"""


def missing() -> list[str]:
    """What this machine lacks for the stack (empty: all there)."""
    found = []
    if os.geteuid() != 0:
        found.append("root")
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        found.append("postgresql")
    for program in ("pgbouncer", "nginx", "openssl", "runuser"):
        if not (shutil.which(program) or Path(f"/usr/sbin/{program}").exists()):
            found.append(program)
    return found


def pg_bin(name: str) -> str:
    return sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))[-1]


def _as_postgres(args: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True,
                          text=True, **kw)  # type: ignore[call-overload]


def _rewrite(text: str, marker: str, values: dict[str, list[str]]) -> str:
    """Lines tagged `<marker> deploy-test: NAME` with NAME in `values` are replaced by values[NAME] (at the
    first such line; later lines with the same NAME are dropped). Other lines stay as they are."""
    out: list[str] = []
    done: set[str] = set()
    for line in text.splitlines():
        match = re.search(rf"{re.escape(marker)} deploy-test: (\w+)", line)
        if not match or match.group(1) not in values:
            out.append(line)
        elif match.group(1) not in done:
            out.extend(values[match.group(1)])
            done.add(match.group(1))
    return "\n".join(out) + "\n"


@dataclass
class Stack:
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="participa-deploy-")))
    pg_port: int = 55432
    bouncer_port: int = 56432
    https_port: int = 58443
    http_port: int = 58080
    node_port: int = 58000
    node_hosts: tuple[str, ...] = ("127.0.0.2", "127.0.0.3")
    workers: int = 1
    pool_mode: str = "transaction"
    via_bouncer: bool = True       # False: the nodes connect to PostgreSQL directly (no PgBouncer)
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    owner_password: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    app_password: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    nodes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    bouncer: subprocess.Popen[bytes] | None = None
    nginx: subprocess.Popen[bytes] | None = None

    # ----- addresses -----
    def owner_url(self, database: str = "participa") -> str:
        return f"postgresql://portal_owner:{self.owner_password}@127.0.0.1:{self.pg_port}/{database}"

    def app_url(self, via_bouncer: bool = True) -> str:
        port = self.bouncer_port if via_bouncer else self.pg_port
        return f"postgresql://portal_app:{self.app_password}@127.0.0.1:{port}/participa"

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def node_base(self, host: str) -> str:
        return f"http://{host}:{self.node_port}"

    # ----- PostgreSQL -----
    def start_postgres(self) -> None:
        pg = self.folder / "pg"
        (pg / "sock").mkdir(parents=True)
        shutil.chown(self.folder, "postgres")
        for path in (pg, pg / "sock"):
            shutil.chown(path, "postgres")
        _as_postgres([pg_bin("initdb"), "-D", str(pg / "data"), "-U", "postgres", "--auth-local=trust",
                      "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"])
        conf_d = pg / "data" / "conf.d"
        conf_d.mkdir()
        shutil.copy(DEPLOY / "postgresql" / "portal.conf", conf_d / "10-portal.conf")
        (conf_d / "90-test.conf").write_text(PG_TEST_OVERRIDES + f"port = {self.pg_port}\nlisten_addresses = '127.0.0.1'\n"
                                             f"unix_socket_directories = '{pg / 'sock'}'\n")
        with (pg / "data" / "postgresql.conf").open("a") as conf:
            conf.write("\ninclude_dir 'conf.d'\n")
        subprocess.run(["chown", "-R", "postgres:postgres", str(pg)], check=True)
        _as_postgres([pg_bin("pg_ctl"), "-D", str(pg / "data"), "-l", str(pg / "log"), "-w", "start"])
        for sql in (f"CREATE ROLE portal_owner LOGIN PASSWORD '{self.owner_password}'",
                    "CREATE DATABASE participa OWNER portal_owner",
                    f"CREATE ROLE portal_app LOGIN PASSWORD '{self.app_password}'",
                    "ALTER ROLE portal_app SET statement_timeout = '30s'"):
            self.psql(sql)

    def psql(self, sql: str, database: str = "postgres") -> str:
        return _as_postgres([pg_bin("psql"), "-h", str(self.folder / "pg" / "sock"), "-p", str(self.pg_port),
                             "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", sql]).stdout

    def create_database(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}" OWNER portal_owner')
        return self.owner_url(name)

    def stop_postgres(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            _as_postgres([pg_bin("pg_ctl"), "-D", str(self.folder / "pg" / "data"), "-m", "fast", "-w", "stop"])

    # ----- PgBouncer -----
    def start_bouncer(self) -> None:
        folder = self.folder / "pgbouncer"
        folder.mkdir(exist_ok=True)
        text = (DEPLOY / "pgbouncer" / "pgbouncer.ini").read_text()
        settings = {"listen_addr": "127.0.0.1", "listen_port": str(self.bouncer_port), "unix_socket_dir": str(folder),
                    "auth_file": str(folder / "userlist.txt"), "logfile": str(folder / "pgbouncer.log"),
                    "pidfile": str(folder / "pgbouncer.pid")}
        for key, value in settings.items():
            text = re.sub(rf"(?m)^{key} =.*$", f"{key} = {value}", text)
        text = re.sub(r"(?m)^participa = .*$", f"participa = host=127.0.0.1 port={self.pg_port} dbname=participa", text)
        text = text.replace("pool_mode = transaction", f"pool_mode = {self.pool_mode}")
        (folder / "pgbouncer.ini").write_text(text)
        secret = self.psql("SELECT rolpassword FROM pg_authid WHERE rolname = 'portal_app'").strip()
        (folder / "userlist.txt").write_text(f'"portal_app" "{secret}"\n')
        subprocess.run(["chown", "-R", "postgres:postgres", str(folder)], check=True)
        self.bouncer = subprocess.Popen(["runuser", "-u", "postgres", "--", "pgbouncer", str(folder / "pgbouncer.ini")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        _wait_port("127.0.0.1", self.bouncer_port)

    def stop_bouncer(self, how: int = signal.SIGTERM) -> None:
        if self.bouncer is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.bouncer.pid, how)
            self.bouncer.wait(timeout=30)
            self.bouncer = None

    def restart_bouncer(self) -> float:
        start = time.perf_counter()
        self.stop_bouncer()
        self.start_bouncer()
        return time.perf_counter() - start

    # ----- portal nodes -----
    def node_env(self, host: str) -> dict[str, str]:
        data = self.folder / f"node-{host}"
        data.mkdir(exist_ok=True)
        pooler = "pgbouncer" if self.via_bouncer and self.pool_mode == "transaction" else ""
        env = {**os.environ, "DATABASE_URL": self.app_url(self.via_bouncer), "MIGRATION_DATABASE_URL": self.owner_url(),
               "PORTAL_DB_POOLER": pooler,
               "PORTAL_SECRET_KEY": self.secret, "PORTAL_ENV": "production", "PORTAL_BASE_URL": self.base,
               "PORTAL_DATA_DIR": str(data), "FORWARDED_ALLOW_IPS": "127.0.0.1", "PORTAL_ARGON2_PROFILE": "test",
               "PORTAL_AUDIT_ANCHOR_HOURS": "0"}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        return env

    def portal(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([PYTHON, "-m", "portal.cli", *args], cwd=ROOT, env=env or self.node_env(self.node_hosts[0]),
                              check=False, capture_output=True, text=True, timeout=600)

    def start_node(self, host: str) -> None:
        with (self.folder / f"node-{host}.log").open("ab") as log:  # the child keeps its own descriptor
            self.nodes[host] = subprocess.Popen(
                [PYTHON, "-m", "portal.cli", "serve", "--host", host, "--port", str(self.node_port),
                 "--workers", str(self.workers), "--no-access-log", "--log-level", "warning"],
                cwd=ROOT, env=self.node_env(host), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill_node(self, host: str) -> None:
        process = self.nodes.pop(host)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop_node(self, host: str) -> None:
        process = self.nodes.pop(host)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    async def wait_ready(self, base: str, path: str = "/health/ready", deadline: float = 120) -> None:
        async with httpx.AsyncClient(base_url=base, verify=False) as client:  # noqa: S501 (our own self-signed certificate)
            end = time.monotonic() + deadline
            while time.monotonic() < end:
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(path)).status_code == 200:
                        return
                await asyncio.sleep(0.3)
        raise RuntimeError(f"{base}{path} did not answer 200 in {deadline:.0f} s; logs in {self.folder}")

    # ----- nginx -----
    def start_nginx(self, upstreams: list[str] | None = None) -> None:
        folder = self.folder / "nginx"
        (folder / "snippets").mkdir(parents=True, exist_ok=True)
        (folder / "logs").mkdir(exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")], check=True, capture_output=True)
        exported = self.portal("export-static", str(self.folder / "www" / "static"))
        assert exported.returncode == 0, exported.stderr
        subprocess.run(["chmod", "-R", "a+rX", str(self.folder / "www")], check=True)
        os.chmod(self.folder, 0o755)  # noqa: S103 (nginx's workers (www-data) read the static files below it)
        upstreams = upstreams or [f"{h}:{self.node_port}" for h in self.node_hosts]
        site = _rewrite((DEPLOY / "nginx" / "participa.conf").read_text(), "#", {
            "nodes": [f"    server {u} max_fails=1 fail_timeout=5s;" for u in upstreams],
            "http": [f"    listen 127.0.0.1:{self.http_port};"], "https": [f"    listen 127.0.0.1:{self.https_port} ssl http2;"],
            "cert": [f"    ssl_certificate {folder / 'cert.pem'};"], "key": [f"    ssl_certificate_key {folder / 'key.pem'};"],
            "access_log": [f"    access_log {folder / 'logs' / 'access.log'} participa_json;"],
            "static_root": [f"    root {self.folder / 'www'};"], "http6": [], "https6": [],
        }).replace("include snippets/", f"include {folder}/snippets/")
        (folder / "snippets" / "participa-proxy.conf").write_text((DEPLOY / "nginx" / "participa-proxy.conf").read_text())
        (folder / "participa.conf").write_text(site)
        (folder / "nginx.conf").write_text(f"""user www-data;
worker_processes 1;
daemon off;
pid {folder / 'nginx.pid'};
error_log {folder / 'logs' / 'error.log'} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    sendfile on;
    keepalive_timeout 65;
    include {folder / 'participa.conf'};
}}
""")
        with (folder / "logs" / "stderr.log").open("wb") as errors:
            self.nginx = subprocess.Popen(["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf")],
                                          stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True)
        _wait_port("127.0.0.1", self.https_port)

    def stop_nginx(self) -> None:
        if self.nginx is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.nginx.pid, signal.SIGQUIT)
            try:
                self.nginx.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.nginx.pid, signal.SIGKILL)
            self.nginx = None

    # ----- everything -----
    def stop(self, keep: bool = False) -> None:
        self.stop_nginx()
        for host in list(self.nodes):
            self.stop_node(host)
        self.stop_bouncer()
        self.stop_postgres()
        if not keep:
            shutil.rmtree(self.folder, ignore_errors=True)


def _wait_port(host: str, port: int, deadline: float = 30) -> None:
    import socket

    end = time.monotonic() + deadline
    while time.monotonic() < end:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {host}:{port} after {deadline:.0f} s")


def tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # our own self-signed certificate, on loopback
    return context
