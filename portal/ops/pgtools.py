"""PostgreSQL's client programs (pg_dump, pg_restore): from PORTAL_PG_BIN, the pgserver wheel (which ships
PostgreSQL 16's binaries in pgserver/pginstall/bin) or Debian's /usr/lib/postgresql/N/bin, whichever is
the newest; a pg_dump older than the server refuses to dump it, and pg_restore reads only archives of its
own version or older."""

from __future__ import annotations

import functools
import glob
import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit


class ToolError(RuntimeError):
    """No usable PostgreSQL client program."""


def _folders() -> list[Path]:
    found = [Path(p) for p in os.environ.get("PORTAL_PG_BIN", "").split(os.pathsep) if p]
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin:
        found.append(Path(spec.origin).parent / "pginstall" / "bin")
    found += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"))]
    return found


@functools.cache
def version(program: Path) -> int:
    """The major version of a PostgreSQL program (`pg_dump (PostgreSQL) 16.2` → 16); 0 if it does not run."""
    try:
        out = subprocess.run([str(program), "--version"], capture_output=True, text=True,  # noqa: S603 (a PostgreSQL program found in a known folder, no shell)
                             check=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    match = re.search(r"\)\s+(\d+)", out)
    return int(match.group(1)) if match else 0


def find(name: str, at_least: int = 0) -> Path:
    """The newest `name` among the known folders and PATH, of major version `at_least` or newer."""
    candidates = [folder / name for folder in _folders() if (folder / name).is_file()]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    usable = sorted((version(p), str(p)) for p in candidates if version(p) >= max(at_least, 1))
    if not usable:
        raise ToolError(f"no {name} of PostgreSQL {at_least} or newer: install postgresql-client-{at_least} "
                        "(Debian) or set PORTAL_PG_BIN to the folder of PostgreSQL's programs")
    return Path(usable[-1][1])


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """A URL for libpq without its password, and the environment carrying it (PGPASSWORD), so the
    password never shows in the process list."""
    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    password = unquote(parts.password) if parts.password else ""
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].split(":", 1)[0] if netloc[1] else ""
    host = netloc[2]
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "password"]
    clean = urlunsplit((parts.scheme, f"{user}@{host}" if user else host, parts.path, urlencode(query), ""))
    env = {**os.environ, "PGPASSWORD": password} if password else dict(os.environ)
    return clean, env
