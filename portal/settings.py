"""Settings read once from the environment (Starlette's Config), never from code."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from starlette.config import Config
from starlette.datastructures import Secret

from portal import ROOT


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about its environment."""

    database_url: str | None = None          # the app role's URL (docs/security.md, Database roles)
    migration_database_url: str | None = None  # the owner role's URL: migrations run with it
    app_role: str = "portal_app"             # the app role the embedded server creates
    data_dir: Path = ROOT / "var"
    secret_key: Secret = field(default_factory=lambda: Secret(secrets.token_urlsafe(32)))
    environment: str = "development"
    smtp_url: str | None = None
    mail_from: str = "Portal Participa <no-responder@participa.serviciomigraciones.cl>"
    base_url: str = "http://127.0.0.1:8000"
    storage_dir: Path | None = None
    max_upload_bytes: int = 10 * 1024 * 1024
    login_max_failures: int = 5
    login_window_minutes: int = 15
    db_min_size: int = 2
    db_max_size: int = 10
    db_pooler: str | None = None             # "pgbouncer": transaction pooling in between (portal/db.py)
    metrics_allow: tuple[str, ...] = ("127.0.0.1", "::1")  # addresses that may read /metrics
    audit_anchor_email: str | None = None    # each signed anchor of the audit chain is also mailed here
    anchor_every_hours: float = 24.0         # `portal serve` anchors the audit chain this often (0: never)
    jobs: bool = False                       # run the job runner here (PORTAL_JOBS, on unless "off" or
                                             # "external"; settings built in code, as tests', leave it off)
    jobs_external: bool = False              # PORTAL_JOBS=external: `portal worker` runs them elsewhere, and
                                             # /health/ready still checks its heartbeat (docs/jobs.md)
    jobs_lock_url: str | None = None         # PORTAL_JOBS_LOCK_URL: a direct connection (not through PgBouncer's
                                             # transaction pooling) for the runner's session advisory lock
    # ClaveÚnica sign-in (docs/claveunica.md): the button shows only with a client id (or the development fake)
    claveunica_client_id: str = ""
    claveunica_client_secret: Secret = field(default_factory=lambda: Secret(""))
    claveunica_redirect_uri: str = ""        # "" means {base_url}/ingresar/claveunica (no trailing slash)
    claveunica_base_url: str = "https://accounts.claveunica.gob.cl"
    claveunica_fake: bool = False            # CLAVEUNICA_FAKE: the stand-in at /_claveunica_fake (development only)
    claveunica_timeout: float = 10.0         # seconds for each call to the token and userinfo endpoints

    @property
    def https_only(self) -> bool:
        """Cookies are Secure everywhere but local development and tests."""
        return self.environment not in ("development", "test")

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @classmethod
    def from_env(cls, env_file: str | None = None, **overrides: object) -> Settings:
        """Read PORTAL_* variables; the embedded default keeps its secret in the data folder."""
        config = Config(env_file)
        data_dir = Path(config("PORTAL_DATA_DIR", default=str(ROOT / "var")))
        secret = config("PORTAL_SECRET_KEY", cast=Secret, default=None)
        if secret is None:
            secret = Secret(_stored_secret(data_dir))
        values: dict[str, object] = dict(
            database_url=config("DATABASE_URL", default=None),
            migration_database_url=config("MIGRATION_DATABASE_URL", default=None)
            or config("PORTAL_OWNER_DATABASE_URL", default=None),
            app_role=config("PORTAL_APP_ROLE", default=cls.app_role),
            audit_anchor_email=config("PORTAL_AUDIT_ANCHOR_EMAIL", default=None),
            anchor_every_hours=config("PORTAL_AUDIT_ANCHOR_HOURS", cast=float, default=24.0),
            jobs=config("PORTAL_JOBS", default="on").strip().lower() not in ("off", "0", "false", "no", "external"),
            jobs_external=config("PORTAL_JOBS", default="on").strip().lower() == "external",
            jobs_lock_url=config("PORTAL_JOBS_LOCK_URL", default=None) or None,
            data_dir=data_dir,
            secret_key=secret,
            environment=config("PORTAL_ENV", default="development"),
            smtp_url=config("SMTP_URL", default=None),
            mail_from=config("PORTAL_MAIL_FROM", default=cls.mail_from),
            base_url=config("PORTAL_BASE_URL", default=cls.base_url).rstrip("/"),
            db_min_size=config("PORTAL_DB_MIN", cast=int, default=2),
            db_max_size=config("PORTAL_DB_MAX", cast=int, default=10),
            db_pooler=config("PORTAL_DB_POOLER", default="") or None,
            metrics_allow=tuple(config("PORTAL_METRICS_ALLOW", default="127.0.0.1, ::1").replace(",", " ").split()),
            claveunica_client_id=config("CLAVEUNICA_CLIENT_ID", default=""),
            claveunica_client_secret=config("CLAVEUNICA_CLIENT_SECRET", cast=Secret, default=""),
            claveunica_redirect_uri=config("CLAVEUNICA_REDIRECT_URI", default=""),
            claveunica_base_url=config("CLAVEUNICA_BASE_URL", default=cls.claveunica_base_url).rstrip("/"),
            claveunica_fake=config("CLAVEUNICA_FAKE", default="").strip().lower() in ("1", "on", "true", "yes"),
            claveunica_timeout=config("CLAVEUNICA_TIMEOUT", cast=float, default=10.0),
        )
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


def served_base_url(host: str, port: int) -> str:
    """The base URL `portal serve --host H --port P` implies when PORTAL_BASE_URL is not set, so links in
    emails, certificate QR codes and the open data point where the portal answers. A wildcard address
    (0.0.0.0, ::) is reached as 127.0.0.1 on this machine; set PORTAL_BASE_URL for any public name."""
    name = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 (compared, not bound)
    name = f"[{name}]" if ":" in name else name  # an IPv6 literal
    return f"http://{name}:{port}"


def _stored_secret(data_dir: Path) -> str:
    """A random secret generated once and kept (mode 600) beside the embedded database."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value
