"""`portal serve --workers N` (N > 1, Linux): N uvicorn processes, each with its own listening socket.

uvicorn's own multi-worker mode shares one listening socket, and each worker accepts every
connection waiting when it wakes up. So connections that arrive together go mostly to one worker:
64 clients connecting at once were split 63/1, 48/16, 56/8 between two workers (uvloop, measured).
Keep-alive connections then stay where they landed, so one worker queues requests while the other
idles. This applies to a reverse proxy's upstream connections, and to the vote storm. Here every worker
binds its own socket with SO_REUSEPORT, and the kernel spreads new connections across them by address
hash: 29/35, 31/33, 27/37 in the same test.

The parent process only supervises. It holds the port (bound, never listening, so no connection
goes to it). It restarts a worker that dies, and on SIGTERM or SIGINT it stops the workers
(uvicorn's graceful shutdown) and returns, so the caller's clean-up (the embedded PostgreSQL) runs.
If the parent itself is killed, the kernel stops the workers (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
from typing import Any

log = logging.getLogger("uvicorn.error")

RESTARTS_ALLOWED = 5          # workers that die within RESTART_WINDOW seconds before giving up
RESTART_WINDOW = 60.0
STOP_TIMEOUT = 30.0           # seconds a worker gets to finish its requests after SIGTERM


def available() -> bool:
    """Whether this system spreads connections across SO_REUSEPORT sockets (Linux does)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def reuseport_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) with SO_REUSEPORT, not yet listening."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM this worker when the supervisor dies, even by SIGKILL, so no orphaned
    worker keeps the port and its database connections."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        log.warning("workers will not stop by themselves if the supervisor is killed")
    if os.getppid() == 1:  # the supervisor died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _worker(options: dict[str, Any]) -> None:
    import uvicorn

    _die_with_parent()
    config = uvicorn.Config(**options)
    sock = reuseport_socket(config.host, config.port)
    sock.listen(config.backlog)
    uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    """Starts, watches and stops the workers; `options` are uvicorn.Config's keyword arguments."""

    def __init__(self, options: dict[str, Any], workers: int) -> None:
        self.options, self.workers = options, workers
        self.context = multiprocessing.get_context("spawn")
        self.processes: list[Any] = []
        self.stopping = False
        self.deaths: list[float] = []

    def _start_one(self) -> Any:
        process = self.context.Process(target=_worker, args=(self.options,), name="portal-worker")
        process.start()
        return process

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT (0), or until workers keep dying (1)."""
        held = reuseport_socket(self.options["host"], self.options["port"])  # fails early if the port is taken
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.processes = [self._start_one() for _ in range(self.workers)]
            while not self.stopping:
                time.sleep(0.2)
                if not self._replace_dead():
                    return 1
            return 0
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            held.close()

    def _replace_dead(self) -> bool:
        """Restart workers that died; False when too many died too recently."""
        for i, process in enumerate(self.processes):
            if process.is_alive() or self.stopping:
                continue
            now = time.monotonic()
            self.deaths = [t for t in self.deaths if now - t < RESTART_WINDOW] + [now]
            log.error("worker %s exited with code %s", process.pid, process.exitcode)
            if len(self.deaths) > RESTARTS_ALLOWED:
                log.error("workers keep exiting; stopping")
                return False
            self.processes[i] = self._start_one()
        return True

    def _stop_all(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()


# ----- the embedded PostgreSQL, watched (development default only) -----

PR_SET_CHILD_SUBREAPER = 36
WATCH_SECONDS = 2.0


def become_subreaper() -> bool:
    """Adopt orphaned descendants: pg_ctl starts the postmaster and exits, so the postmaster becomes our
    child, and when it dies we can reap it. Otherwise it would stay a zombie of PID 1 (containers
    often never reap), and a zombie's PID in postmaster.pid stops any new postmaster from starting."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1) == 0
    except (OSError, AttributeError):
        return False


def _reap_postgres() -> None:
    """Collect the exit status of dead postgres processes that are our children (adopted above)."""
    import psutil  # type: ignore[import-untyped]  # (pgserver's dependency; ships no type stubs)

    for child in psutil.Process().children():
        try:
            if child.status() == psutil.STATUS_ZOMBIE and child.name().startswith("postgres"):
                os.waitpid(child.pid, os.WNOHANG)
        except (psutil.Error, ChildProcessError):
            continue


def _postmaster_alive(pgdata: Any) -> bool:
    import psutil

    try:
        pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except (OSError, ValueError, psutil.Error):
        return False


class EmbeddedWatch:
    """A thread in `portal serve` that restarts the embedded PostgreSQL when it dies (checked every
    WATCH_SECONDS). PostgreSQL's own start-up checks refuse to start while processes of the dead
    server still hold its shared memory; the next check tries again."""

    def __init__(self, pgdata: Any, every: float = WATCH_SECONDS) -> None:
        import threading

        self.pgdata, self.every = pgdata, every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="embedded-postgres-watch", daemon=True)
        self.restarts = 0

    def start(self) -> EmbeddedWatch:
        import atexit

        atexit.register(self.stop)  # runs before pgserver's own stop (registered earlier): no restart then
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(timeout=30)

    def _run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                self.check()
            except Exception:  # a failed start: logged, tried again at the next check
                log.exception("could not restart the embedded PostgreSQL; trying again")

    def check(self) -> bool:
        """Restart the server if it is down; True when it was restarted."""
        _reap_postgres()
        if _postmaster_alive(self.pgdata) or self.stopped.is_set():
            return False
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver

        log.error("the embedded PostgreSQL in %s is down; restarting it", self.pgdata)
        server = pgserver.get_server(self.pgdata, cleanup_mode="stop")  # this process's handle
        with server._lock:  # pgserver's inter-process lock, as its own start-up takes it
            server.ensure_postgres_running()
        self.restarts += 1
        log.warning("the embedded PostgreSQL is running again")
        return True
