"""The database layer: the pool, the portal's `Database` handle, named parameters, rows, transactions.

Query modules receive the `Database` handle as their first argument and call its `fetch_all` /
`fetch_one` / `fetch_val` / `execute` methods with named parameters (`:name`); `portal.txn.atomic(db)`
is the way into a transaction. Both `CAST(:x AS int)` and `:x::int` work; a `:word` inside a string
literal, a quoted identifier, a dollar-quoted body or a comment is left alone.

Design (docs/architecture.md; issue 9, item 8). Only public APIs of `databases` and asyncpg are used,
so both can be upgraded within their declared ranges:

- `databases.Database` owns the asyncpg pool (connect/disconnect, with the options below passed to
  `asyncpg.create_pool`) and checks a connection out for a task (`Database.connection()`); the portal
  then works on the asyncpg connection it exposes (`Connection.raw_connection`).
- *Cheap repeated queries.* `databases` compiles every SQL string with SQLAlchemy on each call (about
  half the cost of a simple query). Here `:name` becomes `$n` once per SQL string (`_statement`, a
  small tokenizer, cached), and asyncpg's own prepared-statement cache makes the repeats cheap.
- *Fair waiting.* asyncpg's pool waits on an asyncio.Queue, which lets a newcomer take a returned
  connection ahead of the waiter it woke: under a vote storm some requests lose their turn again and
  again. `_Gate` admits at most `max_size` tasks to the pool, first come first served, and hands a
  freed place straight to the longest waiter, so the pool's own queue is never contended.
- *A second connection only if free.* `connection(wait=False)` raises PoolBusy instead of queueing: a
  request that already holds a connection may do work beside it (the registry search's count) but
  never waits for a second one, since enough such requests at once would each hold one and wait.
- *Released after a failure.* Transactions are asyncpg's (nested: a savepoint) on the task's
  connection, not `databases`' (which skips releasing its connection wrapper when BEGIN, COMMIT or
  ROLLBACK fails on a dead connection). A connection left inside a transaction is terminated before it
  goes back, so the pool replaces it; the task's next query takes a fresh one.
- *No reset round trip.* `reset=` (asyncpg >= 0.30): connections go back without RESET ALL/UNLISTEN;
  the portal leaves no session state (settings are SET LOCAL, advisory locks transaction-scoped).
- *Chile's time.* Every connection runs with TimeZone = America/Santiago (`portal.clock.TZ_NAME`), so
  what the database stamps or casts to a date agrees with `portal.clock`.
- *Behind PgBouncer.* `pooler="pgbouncer"` (PORTAL_DB_POOLER) turns asyncpg's statement cache off
  (`statement_cache_size=0`): every query is then an unnamed statement, parsed and executed before the
  next Sync, so it never outlives the server connection PgBouncer lent for it (transaction pooling,
  PgBouncer < 1.21; asyncpg #121, #945). Session pooling and direct connections need nothing.

Rows are asyncpg records (`Row`): `row["col"]`, `row[0]`, `row.get("col")`, `dict(row)`, `"col" in row`,
plus `row.col` and `row._mapping` as `databases`' rows had.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import dataclasses
import functools
import re
import warnings
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import asyncpg
import databases

from portal.clock import TZ_NAME

T = TypeVar("T")

__all__ = ["DB_FAILURES", "POOLERS", "Connection", "Database", "PoolBusy", "Row", "as_dict", "as_dicts", "connect", "connect_url",
           "embedded_url", "to_dataclass", "to_dataclasses", "with_database"]

# Errors that mean "the database went away": the transaction did not commit (or the commit's outcome
# is unknown), so callers answer with an error page and never with a receipt.
DB_FAILURES: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.PostgresConnectionError, asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError, asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError, asyncpg.exceptions.CrashShutdownError, OSError, ConnectionError,
)


class PoolBusy(Exception):
    """`connection(wait=False)`: no pool connection was free at that moment."""


class Row(asyncpg.Record):
    """A result row: an asyncpg record that also answers `row.col` and `row._mapping`."""

    __slots__ = ()

    @property
    def _mapping(self) -> Row:
        """The row itself (a mapping of column names), for code written against `databases`' rows."""
        return self

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


# asyncpg options for each way of reaching PostgreSQL (PORTAL_DB_POOLER): directly (None) or through
# PgBouncer in transaction pooling, where a named prepared statement may land on another server connection.
POOLERS: dict[str | None, dict[str, Any]] = {None: {}, "pgbouncer": {"statement_cache_size": 0}}


# ---- named parameters ---------------------------------------------------------------------------

# Left as they are: string literals (E'…' with backslash escapes), quoted identifiers, dollar-quoted
# bodies, comments and `::` casts. A parameter is `:name` not preceded by a word character or a colon
# (so `arr[1:n]` and `x::int` are not parameters, as in SQLAlchemy's text()).
_TOKEN = re.compile(
    r"""(?<!\w)[Ee]'(?:[^'\\]|\\.|'')*'
      | '(?:[^']|'')*'
      | "(?:[^"]|"")*"
      | \$(?P<tag>(?:[A-Za-z_]\w*)?)\$.*?\$(?P=tag)\$
      | --[^\n]*
      | /\*.*?\*/
      | ::
      | (?<![\w:]):(?P<name>[A-Za-z_]\w*)""",
    re.VERBOSE | re.DOTALL,
)


@functools.lru_cache(maxsize=4096)
def _statement(sql: str) -> tuple[str, tuple[str, ...]]:
    """`sql` with `:name` turned into `$1`, `$2`… (first appearance order), and the names in that order."""
    numbers: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        name = match.group("name")
        if name is None:
            return match.group(0)
        return "$" + str(numbers.setdefault(name, len(numbers) + 1))

    return _TOKEN.sub(number, sql), tuple(numbers)


def bind(sql: str, values: Mapping[str, Any] | None) -> tuple[str, list[Any]]:
    """The asyncpg form of a query with named parameters: (SQL with `$n`, the values in order)."""
    text, names = _statement(sql)
    if not values:
        if names:
            raise ValueError(f"no value for parameter :{names[0]} in {sql[:120]!r}")
        return text, []
    try:
        args = [values[name] for name in names]
    except KeyError as exc:
        raise ValueError(f"no value for parameter :{exc.args[0]} in {sql[:120]!r}") from None
    if len(values) != len(names):
        unused = sorted(set(values) - set(names))
        raise ValueError(f"values {unused} name no parameter of {sql[:120]!r}")
    return text, args


# ---- fair waiting for the pool ------------------------------------------------------------------

class _Gate:
    """At most `size` holders at once; the others wait in arrival order (no barging)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.free = size
        self.waiting: collections.deque[asyncio.Future[None]] = collections.deque()

    async def acquire(self) -> None:
        if self.free > 0 and not self.waiting:
            self.free -= 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append(turn)
        try:
            await turn
        except BaseException:
            if turn.done() and not turn.cancelled():  # handed a place, then cancelled: pass it on
                self.release()
            else:
                with contextlib.suppress(ValueError):
                    self.waiting.remove(turn)
            raise

    def try_acquire(self) -> bool:
        """A place only if one is free now and nobody is waiting for one (never queues)."""
        if self.free > 0 and not self.waiting:
            self.free -= 1
            return True
        return False

    def release(self) -> None:
        """Hand the place to the longest waiter still waiting, else free it."""
        while self.waiting:
            turn = self.waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.free += 1


# ---- the handle ---------------------------------------------------------------------------------

@dataclasses.dataclass(slots=True)
class _Held:
    """The pool connection a task holds: asyncpg's connection and `databases`' checkout of it."""

    task: asyncio.Task[Any] | None
    raw: Any
    checkout: Any


class Database:
    """The portal's database handle (one per process): queries, connections, transactions."""

    def __init__(self, url: str, *, min_size: int = 2, max_size: int = 10, pooler: str | None = None) -> None:
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        self.url = url
        if pooler not in POOLERS:
            raise ValueError(f"unknown database pooler {pooler!r} (PORTAL_DB_POOLER): 'pgbouncer' or unset")
        # PostgreSQL's default plan caching: the registry's text search asks for custom plans itself.
        self.pool = databases.Database(url, min_size=min_size, max_size=max_size, reset=_keep_session,
                                       record_class=Row, server_settings={"TimeZone": TZ_NAME},
                                       **POOLERS[pooler])
        self.gate = _Gate(max_size)
        self._current: contextvars.ContextVar[_Held | None] = contextvars.ContextVar(f"portal.db:{id(self)}",
                                                                                    default=None)

    @property
    def is_connected(self) -> bool:
        return bool(self.pool.is_connected)

    async def connect(self) -> None:
        await self.pool.connect()

    async def disconnect(self) -> None:
        await self.pool.disconnect()

    # -- queries: on the task's connection if it holds one, else on one checked out for the query --

    async def fetch_all(self, query: str, values: Mapping[str, Any] | None = None) -> list[Row]:
        sql, args = bind(query, values)
        held = self.held()
        if held is not None:
            return await held.raw.fetch(sql, *args)
        held = await self._acquire()
        try:
            return await held.raw.fetch(sql, *args)
        finally:
            await self._release(held)

    async def fetch_one(self, query: str, values: Mapping[str, Any] | None = None) -> Row | None:
        sql, args = bind(query, values)
        held = self.held()
        if held is not None:
            return await held.raw.fetchrow(sql, *args)
        held = await self._acquire()
        try:
            return await held.raw.fetchrow(sql, *args)
        finally:
            await self._release(held)

    async def fetch_val(self, query: str, values: Mapping[str, Any] | None = None, column: int | str = 0) -> Any:
        row = await self.fetch_one(query, values)
        return None if row is None else row[column]

    async def execute(self, query: str, values: Mapping[str, Any] | None = None) -> Any:
        """Run a statement; returns the first column of its first row (a RETURNING value), else None."""
        sql, args = bind(query, values)
        held = self.held()
        if held is not None:
            return await held.raw.fetchval(sql, *args)
        held = await self._acquire()
        try:
            return await held.raw.fetchval(sql, *args)
        finally:
            await self._release(held)

    async def execute_many(self, query: str, values: Sequence[Mapping[str, Any]]) -> None:
        """Run one statement once per set of values (one prepared statement, on one connection)."""
        async with self.connection() as conn:
            for one in values:
                await conn.execute(query, one)

    # -- connections and transactions --

    def connection(self, *, wait: bool = True) -> Connection:
        """`async with db.connection() as conn:` one pool connection for everything inside, in this task.

        `wait=False`: raise PoolBusy instead of queueing when no connection is free, for work a task does
        beside a connection its request already holds (a request that holds one and waits for a second
        could, with enough of them at once, wait for ever)."""
        return Connection(self, wait=wait)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A transaction on this task's connection; inside another one, a savepoint. Prefer
        `portal.txn.atomic(db)` outside this module."""
        async with self.connection() as conn:
            tx = conn.raw_connection.transaction()
            await tx.start()
            try:
                yield conn
            except BaseException:
                # On a dead connection the rollback fails too: the original error is the one that counts,
                # and the connection, still "in a transaction", is terminated when released.
                with contextlib.suppress(*DB_FAILURES):
                    await tx.rollback()
                raise
            await tx.commit()

    def held(self) -> _Held | None:
        """The connection this task holds (None outside `connection()` / `transaction()`)."""
        held = self._current.get()
        if held is not None and held.task is asyncio.current_task():
            return held
        return None  # none, or inherited from the task that created this one: not ours to use

    async def _acquire(self, *, wait: bool = True) -> _Held:
        if not wait:
            if not self.gate.try_acquire():
                raise PoolBusy
        else:
            await self.gate.acquire()
        try:
            checkout = self.pool.connection()
            await checkout.__aenter__()
        except BaseException:
            self.gate.release()
            raise
        return _Held(asyncio.current_task(), checkout.raw_connection, checkout)

    async def _release(self, held: _Held) -> None:
        try:
            raw = held.raw
            # A connection that died was already taken back by the pool (its methods raise InterfaceError).
            with contextlib.suppress(asyncpg.exceptions.InterfaceError):
                if not raw.is_closed() and raw.is_in_transaction():
                    raw.terminate()  # a transaction a failure left open: never reused (the pool replaces it)
            await held.checkout.__aexit__(None, None, None)
        finally:
            self.gate.release()


class Connection:
    """One pool connection held by the current task, shared by every query inside (nested: the same)."""

    __slots__ = ("_db", "_held", "_token", "_wait")

    def __init__(self, db: Database, *, wait: bool = True) -> None:
        self._db = db
        self._wait = wait
        self._held: _Held | None = None
        self._token: contextvars.Token[_Held | None] | None = None

    async def __aenter__(self) -> Connection:
        held = self._db.held()
        if held is None:
            held = await self._db._acquire(wait=self._wait)
            self._token = self._db._current.set(held)
        self._held = held
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        held, token = self._held, self._token
        self._held = self._token = None
        if token is not None and held is not None:
            self._db._current.reset(token)
            await self._db._release(held)

    @property
    def raw_connection(self) -> Any:
        """The asyncpg connection (inside `async with` only)."""
        if self._held is None:
            raise RuntimeError("the connection is used outside its `async with` block")
        return self._held.raw

    async def fetch_all(self, query: str, values: Mapping[str, Any] | None = None) -> list[Row]:
        return await self.raw_connection.fetch(*_args(query, values))

    async def fetch_one(self, query: str, values: Mapping[str, Any] | None = None) -> Row | None:
        return await self.raw_connection.fetchrow(*_args(query, values))

    async def fetch_val(self, query: str, values: Mapping[str, Any] | None = None, column: int | str = 0) -> Any:
        row = await self.fetch_one(query, values)
        return None if row is None else row[column]

    async def execute(self, query: str, values: Mapping[str, Any] | None = None) -> Any:
        return await self.raw_connection.fetchval(*_args(query, values))

    def transaction(self) -> contextlib.AbstractAsyncContextManager[Connection]:
        return self._db.transaction()


def _args(query: str, values: Mapping[str, Any] | None) -> list[Any]:
    sql, args = bind(query, values)
    return [sql, *args]


async def _keep_session(connection: Any) -> None:
    """Connections go back to the pool without asyncpg's reset query (RESET ALL, CLOSE ALL, UNLISTEN *,
    pg_advisory_unlock_all: one more round trip per checkout). The app leaves no session state behind:
    settings are SET LOCAL, advisory locks are transaction-scoped, nothing LISTENs; asyncpg still rolls
    back a transaction left open."""


# ---- connecting ---------------------------------------------------------------------------------

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
    return str(server.get_uri())


def connect_url(url: str, min_size: int = 2, max_size: int = 10, pooler: str | None = None) -> Database:
    """A `Database` for `url` with a bounded pool (not yet connected)."""
    return Database(url, min_size=min_size, max_size=max_size, pooler=pooler)


async def connect(url: str, min_size: int = 2, max_size: int = 10, pooler: str | None = None) -> Database:
    """A connected `Database` for `url`."""
    db = connect_url(url, min_size, max_size, pooler)
    await db.connect()
    return db


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at database `name` (socket and options kept)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


# ---- rows ---------------------------------------------------------------------------------------

def as_dict(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A plain dict for one record (or None)."""
    return None if row is None else dict(row)


def as_dicts(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Plain dicts for many records."""
    return [dict(r) for r in rows]


def to_dataclass(cls: type[T], row: Mapping[str, Any] | None) -> T | None:
    """Build `cls` from a record, taking only the fields `cls` declares."""
    if row is None:
        return None
    # A record whose columns are the fields, in their order, fills them by position: ten times cheaper
    # than by keyword (a registry page builds 51 rows per request). Anything else picks by name.
    if isinstance(row, asyncpg.Record) and tuple(row.keys()) == _positional(cls):  # type: ignore[arg-type]  # mypy: type[T] is hashable
        return cls(*row)  # a record iterates over its values
    names: frozenset[str] = _field_names(cls)  # type: ignore[arg-type]  # mypy: type[T] is hashable
    return cls(**{k: row[k] for k in names if k in row})


@functools.cache
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


@functools.cache
def _positional(cls: type) -> tuple[str, ...] | None:
    """The names `cls(*values)` fills in order, or None when it cannot be filled by position (a field
    outside __init__ or keyword-only, an InitVar or ClassVar among the declared names)."""
    fields = dataclasses.fields(cls)
    if len(fields) != len(cls.__dataclass_fields__) or any(not f.init or f.kw_only for f in fields):  # type: ignore[attr-defined]  # a dataclass's own table
        return None
    return tuple(f.name for f in fields)


def to_dataclasses(cls: type[T], rows: Iterable[Mapping[str, Any]]) -> list[T]:
    """Build a list of `cls` from records."""
    return [to_dataclass(cls, r) for r in rows]  # type: ignore[misc]
