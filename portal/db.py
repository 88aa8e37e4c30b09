"""The one module that imports `databases`: connecting, the embedded server, row helpers.

Query modules receive the `Database` handle as their first argument and use its
`fetch_all` / `fetch_one` / `fetch_val` / `execute` / `transaction` methods with named
parameters (`:name`). Note: write casts as `CAST(:x AS int)`, never `:x::int`, which the
parameter parser would read as a second parameter.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import functools
import logging
import warnings
from pathlib import Path
from typing import Any, TypeVar
from collections.abc import Iterable

import asyncpg.pool
from databases import Database
from databases.backends.postgres import PostgresConnection
from databases.core import Connection
from sqlalchemy.sql import text

log = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = ["Database", "as_dict", "as_dicts", "connect", "embedded_url", "to_dataclass", "to_dataclasses"]


class _Prepared:
    """A SQL string and its values, compiled once per (SQL, parameter names and types)."""

    __slots__ = ("sql", "values")

    def __init__(self, sql: str, values: dict[str, Any]) -> None:
        self.sql, self.values = sql, values


_compiled: dict[tuple[Any, ...], tuple[str, list[str], Any, dict[str, Any]]] = {}
_build_query = Connection._build_query
_compile = PostgresConnection._compile


def _cached_build_query(query: Any, values: dict[str, Any] | None = None) -> Any:
    return _Prepared(query, values or {}) if isinstance(query, str) else _build_query(query, values)


def _cached_compile(self: PostgresConnection, query: Any) -> tuple[str, list[Any], Any]:
    # `databases` turns every SQL string into SQLAlchemy text() and compiles it on each call, about
    # half of a simple query's cost here; the compiled SQL ($1, $2 … in sorted parameter order) only
    # depends on the string and its parameters' names and types, so it is compiled once.
    if not isinstance(query, _Prepared):
        return _compile(self, query)
    values = query.values
    key = (query.sql, tuple((k, type(values[k])) for k in sorted(values)))
    entry = _compiled.get(key)
    if entry is None:
        clause = text(query.sql).bindparams(**values) if values else text(query.sql)
        compiled = clause.compile(dialect=self._dialect, compile_kwargs={"render_postcompile": True})
        names = sorted(compiled.params)
        sql = compiled.string % {k: "$" + str(i) for i, k in enumerate(names, start=1)}
        entry = _compiled[key] = (sql, names, compiled._result_columns, compiled._bind_processors)
    sql, names, result_map, processors = entry
    return sql, [processors[k](values[k]) if k in processors else values[k] for k in names], result_map


Connection._build_query = staticmethod(_cached_build_query)  # type: ignore[method-assign]
PostgresConnection._compile = _cached_compile  # type: ignore[method-assign]


class _FairHolderQueue(asyncpg.pool._PoolConnectionHolderQueue):  # type: ignore[name-defined]
    """asyncpg's queue of pooled connections, served first come, first served.

    asyncio.Queue lets a task that calls get() just as a connection is put back take it ahead of the
    waiter that put() woke; that waiter then queues again at the back. With every connection busy
    (a vote storm), some requests lose their turn again and again: the latency tail grows while the
    median stays low. Here a returned connection is reserved for the longest waiter.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()
        self._reserved = 0

    async def get(self) -> Any:
        if not self._waiting and self.qsize() > self._reserved:
            return self.get_nowait()
        first_wait = True
        while True:
            turn = asyncio.get_running_loop().create_future()
            if first_wait:
                self._waiting.append(turn)
            else:  # its connection was taken meanwhile (by the pool's own upkeep): it keeps its place
                self._waiting.appendleft(turn)
            first_wait = False
            try:
                await turn
            except BaseException:
                if turn.done() and not turn.cancelled():  # woken, then cancelled: pass the turn on
                    self._reserved -= 1
                    self._wake_next()
                else:
                    self._waiting.remove(turn)
                raise
            self._reserved -= 1
            if not self.empty():
                return self.get_nowait()

    def put_nowait(self, item: Any) -> None:
        super().put_nowait(item)
        self._wake_next()

    def _wake_next(self) -> None:
        while self._waiting and self.qsize() > self._reserved:
            turn = self._waiting.popleft()
            if not turn.done():
                self._reserved += 1
                turn.set_result(None)


asyncpg.pool._PoolConnectionHolderQueue = _FairHolderQueue  # type: ignore[attr-defined]


def embedded_url(pgdata: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL in `pgdata` and return its URL.

    The server stops when the last process that asked for it exits, so `portal serve`
    owns it and its workers only connect.
    """
    with warnings.catch_warnings():  # pgserver warns when XDG_RUNTIME_DIR is unset; harmless here
        warnings.simplefilter("ignore")
        import pgserver  # imported lazily: servers with DATABASE_URL never need it

    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    return server.get_uri()


def connect_url(url: str, min_size: int = 2, max_size: int = 10) -> Database:
    """A `Database` for `url` with a bounded pool (not yet connected)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    # PostgreSQL's default plan caching: the registry's text search asks for custom plans itself
    # (SET LOCAL in portal/registry/search.py), because forcing them everywhere re-planned every query.
    return Database(url, min_size=min_size, max_size=max_size, reset=_keep_session)


async def _keep_session(connection: Any) -> None:
    """Connections go back to the pool without asyncpg's reset query.

    `databases` takes a pooled connection around every query outside a transaction, and asyncpg's
    default reset (RESET ALL, CLOSE ALL, UNLISTEN *, pg_advisory_unlock_all) is one more round trip
    each time. The app leaves no session state behind: settings are SET LOCAL, advisory locks are
    transaction-scoped, nothing LISTENs; asyncpg still rolls back any open transaction first.
    """


async def connect(url: str, min_size: int = 2, max_size: int = 10) -> Database:
    """A connected `Database` for `url`."""
    db = connect_url(url, min_size, max_size)
    await db.connect()
    return db


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at database `name` (socket and options kept)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def as_dict(row: Any) -> dict[str, Any] | None:
    """A plain dict for one record (or None)."""
    return None if row is None else dict(row._mapping)


def as_dicts(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Plain dicts for many records."""
    return [dict(r._mapping) for r in rows]


def to_dataclass(cls: type[T], row: Any) -> T | None:
    """Build `cls` from a record, taking only the fields `cls` declares."""
    if row is None:
        return None
    names = _field_names(cls)
    data = row._mapping
    return cls(**{k: data[k] for k in names if k in data})


@functools.cache
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


def to_dataclasses(cls: type[T], rows: Iterable[Any]) -> list[T]:
    """Build a list of `cls` from records."""
    return [to_dataclass(cls, r) for r in rows]  # type: ignore[misc]
