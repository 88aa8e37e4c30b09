"""Test fixtures: a real PostgreSQL (embedded pgserver, or TEST_DATABASE_URL), migrations applied
once per run, each test starting from clean tables, and HTTP through the real app (ASGI).

Two roles, as in production (docs/security.md, Database roles): `database_url` is the owner (the
server's superuser here), which migrations and the table cleaning use; the app under test, and so
the `db` fixture (= app.state.db), connect as the app role, which owns nothing and may not change
the append-only logs. A test that needs the owner's rights (disable a trigger, create a test-only
function) uses `owner_db`."""

from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any
from collections.abc import AsyncIterator

os.environ.setdefault("PORTAL_ARGON2_PROFILE", "test")  # argon2id with cheap parameters

import asyncio
import hashlib

import asyncpg
import httpx
import pytest
from starlette.datastructures import Secret

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from portal import db as dbmod, migrate  # noqa: E402
from portal.app import create_app  # noqa: E402
from portal.settings import Settings  # noqa: E402
from security import second_factor_login  # noqa: E402

# Reference data loaded by migrations; every other table is emptied before each test.
KEEP_TABLES = {"schema_migrations", "regions", "provinces", "comunas"}  # and any table named ref_*
TEST_PASSWORD = "contraseña-de-prueba-1"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: longer tests (concurrency, fuzzing)")


@pytest.fixture(scope="session")
def database_url() -> str:
    """A fresh database: on TEST_DATABASE_URL's server, else an embedded server in a temp folder."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        name = f"portal_test_{os.getpid()}"

        async def create() -> None:
            conn = await asyncpg.connect(base)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
            await conn.close()

        asyncio.run(create())
        return dbmod.with_database(base, name)
    folder = Path(tempfile.mkdtemp(prefix="portal-test-pg-"))
    # registered before pgserver's own exit hook, so it runs after that hook stopped the server (atexit
    # runs last in, first out): each run used to leave its 40 MB cluster behind in the temp folder
    atexit.register(_remove_stopped_cluster, folder)
    return dbmod.embedded_url(folder / "pgdata")


def _remove_stopped_cluster(folder: Path) -> None:
    if not (folder / "pgdata" / "postmaster.pid").exists():  # still running (another process uses it): keep
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def app_database_url(database_url: str) -> str:
    """The same database as the app role (created on the server, not superuser, owning nothing)."""
    base = os.environ.get("TEST_DATABASE_URL")
    # one role per server; on a shared server every run derives the same password, so runs side by side agree
    password = hashlib.sha256(base.encode()).hexdigest()[:32] if base else secrets.token_urlsafe(24)
    role = "portal_test_app" if base else "portal_app"
    return asyncio.run(migrate.ensure_app_role(database_url, role, password))


@pytest.fixture(scope="session")
def settings(database_url: str, app_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=app_database_url,
        migration_database_url=database_url,
        anchor_every_hours=0,  # tests anchor the audit chain themselves
        data_dir=tmp_path_factory.mktemp("data"),
        environment="test",
        base_url="http://testserver",
        db_min_size=2,
        db_max_size=20,
        smtp_url=None,
        secret_key=Secret(secrets.token_urlsafe(32)),
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
async def _tables(app: Any) -> list[str]:
    rows = await app.state.db.fetch_all(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )
    return [r["tablename"] for r in rows if r["tablename"] not in KEEP_TABLES and not r["tablename"].startswith("ref_")]


@pytest.fixture(scope="session")
async def _owner(app: Any, database_url: str) -> AsyncIterator[dbmod.Database]:
    database = await dbmod.connect(database_url, 1, 4)
    try:
        yield database
    finally:
        await database.disconnect()


@pytest.fixture
async def clean_db(_owner: dbmod.Database, _tables: list[str]) -> None:
    """Empty every non-reference table: each test that uses `db` or `client` starts clean."""
    async with _owner.connection() as conn:
        async with conn.transaction():
            # replica mode silences the audit log's append-only trigger, for tests only
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in _tables) + " RESTART IDENTITY CASCADE")


@pytest.fixture
def db(app: Any, clean_db: None) -> dbmod.Database:
    """The app's own database handle (the app role)."""
    return app.state.db


@pytest.fixture
def owner_db(_owner: dbmod.Database, clean_db: None) -> dbmod.Database:
    """The same database as its owner (here the server's superuser): for what the app may not do."""
    return _owner


class Client:
    """An HTTP client through the app that knows its session's CSRF token."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self._token: str | None = None
        self.user: Any = None

    async def token(self) -> str:
        if self._token is None:
            page = await self.http.get("/cuenta/recuperar")
            match = _CSRF.search(page.text)
            assert match, "no CSRF token on /cuenta/recuperar"
            self._token = match.group(1)
        return self._token

    def forget_token(self) -> None:
        self._token = None

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(url, **kwargs)

    async def post(self, url: str, data: Any = None, files: Any = None, csrf: bool = True,
                   **kwargs: Any) -> httpx.Response:
        """POST a form; `data` may be a dict or a list of pairs (for repeated fields)."""
        items = list(data.items()) if isinstance(data, dict) else list(data or [])
        if csrf:
            items.append(("csrf_token", await self.token()))
        response = await self.http.post(url, data=_as_multi(items), files=files, **kwargs)
        return response

    async def login(self, email: str, password: str = TEST_PASSWORD) -> httpx.Response:
        response = await self.post("/ingresar", {"email": email, "password": password})
        assert response.status_code == 303, f"login failed for {email}: {response.status_code}"
        if response.headers["location"] == second_factor_login.PAGE:  # staff: the second factor
            response = await second_factor_login.complete(self, email)
        self.forget_token()
        return response

    async def logout(self) -> None:
        await self.post("/salir")
        self.forget_token()


def _as_multi(items: list[tuple[str, Any]]) -> dict[str, Any]:
    """httpx takes repeated fields as lists in a dict."""
    out: dict[str, Any] = {}
    for key, value in items:
        if key in out:
            out[key] = out[key] if isinstance(out[key], list) else [out[key]]
            out[key].append(value)
        else:
            out[key] = value
    return out


@pytest.fixture
async def client(app: Any, clean_db: None) -> AsyncIterator[Client]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield Client(http)


@pytest.fixture
def make_client(app: Any, clean_db: None):  # type: ignore[no-untyped-def]
    """Open more independent clients (several people at once) in one test."""
    opened: list[httpx.AsyncClient] = []

    def make() -> Client:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        opened.append(http)
        return Client(http)

    yield make
    # closed by garbage collection of transports; nothing holds sockets for ASGI transport
